"""Tasks of pairings: doors into the services that take ids, never rows or text (F9)."""

from celery import shared_task

from pairings.matching import matching_run_execute


@shared_task(bind=True, acks_late=True, name="pairings.run_matching")
def run_matching(self, run_id: int) -> None:
    """Compute the proposal of one matching run; the run row carries progress and outcome."""
    matching_run_execute(run_id=run_id)
