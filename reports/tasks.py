"""The reports' tasks: beat's weekly digest planner. (The task keeps its first name,
`mentoring.digests_plan`, so beat schedules and queued calls made before the move still
find it.)"""

from celery import shared_task

from core.retry import RETRY
from reports import digest


@shared_task(name="mentoring.digests_plan", **RETRY)
def digests_plan() -> int:
    """Beat, Mondays at 07:00: schedule each coordinator's weekly digest."""
    return digest.digests_plan()
