"""Tasks of the due-message table, the password reset lookup and the HRIS import: they take
ids (or nothing), never rows or text (F9), and call a service. RETRY is the policy every beat
task of the project shares.

The services do not import this module: they hand a task to a worker by its name
(`people.dispatch`), so the import goes one way, from the tasks to the services.

Transient failures (the database or the broker away for a moment) are retried with
exponential backoff and jitter; a mail relay's failure is handled per message by
`people.messaging.message_deliver`, which keeps the row pending with its own backoff.
"""

import logging

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError

from people import accounts, hris_jobs, messaging
from people.models import EmployeeImport

logger = logging.getLogger(__name__)

TRANSIENT = (DatabaseError, ConnectionError, TimeoutError)
RETRY = {
    "autoretry_for": TRANSIENT,
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
    "acks_late": True,
    "ignore_result": True,  # the row is the result; nothing is kept in the backend
}


@shared_task(name="people.message_deliver", **RETRY)
def message_deliver(message_id: int) -> str | None:
    """Deliver one message if it is due and nobody has yet; a no-op otherwise."""
    return messaging.message_deliver(message_id=message_id)


@shared_task(name="people.messages_sweep", **RETRY)
def messages_sweep() -> dict[str, int]:
    """Beat's every-minute sweep: deliver whatever is due, however it got there (first
    looking up password-reset requests whose own task was lost)."""
    accounts.password_resets_lookup_overdue()
    return messaging.messages_sweep(budget_seconds=settings.MESSAGES_SWEEP_BUDGET_SECONDS)


@shared_task(name="people.password_reset_lookup", **RETRY)
def password_reset_lookup(request_id: int) -> int:
    """Look up the account of one "Forgot your password?" request, off the web request, so
    the page's answer takes the same work whether or not the account exists."""
    return accounts.password_reset_lookup(request_id=request_id)


@shared_task(name="people.employee_import_run", acks_late=True, ignore_result=True)
def employee_import_run(import_id: int) -> None:
    """Check and apply one uploaded HRIS file; a job already finished is left as it is."""
    try:
        hris_jobs.employee_import_run(import_id=import_id)
    except EmployeeImport.DoesNotExist:
        logger.warning("employee import %s is gone", import_id)
