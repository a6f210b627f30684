"""Tasks of pairings: doors into the services that take ids, never rows or text (F9)."""

from celery import shared_task

from core.retry import RETRY
from pairings.services import nudges_plan as pairing_nudges_plan


@shared_task(bind=True, acks_late=True, name="pairings.run_matching")
def run_matching(self, run_id: int) -> None:
    """Compute the proposal of one matching run; the run row carries progress and outcome."""
    # Imported here: the matching services import this task at module level to enqueue it.
    from pairings.matching.services import matching_run_execute

    matching_run_execute(run_id=run_id)


@shared_task(bind=True, acks_late=True, name="pairings.publish_matching")
def publish_matching(self, run_id: int, by_id: int) -> None:
    """Publish the proposal of one matching run, all or nothing; the run row carries the
    outcome and the cache its progress."""
    # Imported here for the same reason as above.
    from pairings.matching.services import matching_run_publish_execute

    matching_run_publish_execute(run_id=run_id, by_id=by_id)


@shared_task(name="pairings.nudges_plan", **RETRY)
def nudges_plan() -> int:
    """Beat, hourly: schedule the no-meeting nudges that have come due."""
    return pairing_nudges_plan()
