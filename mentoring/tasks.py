"""Project-wide tasks: beat's weekly digest planner."""

from celery import shared_task
from django.db import DatabaseError

from mentoring import digest


@shared_task(
    name="mentoring.digests_plan",
    autoretry_for=(DatabaseError,),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
)
def digests_plan() -> int:
    """Beat, Mondays at 07:00: schedule each coordinator's weekly digest."""
    return digest.digests_plan()
