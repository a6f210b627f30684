"""Project-wide tasks: beat's weekly digest planner."""

from celery import shared_task

from mentoring import digest
from people.tasks import RETRY


@shared_task(name="mentoring.digests_plan", **RETRY)
def digests_plan() -> int:
    """Beat, Mondays at 07:00: schedule each coordinator's weekly digest."""
    return digest.digests_plan()
