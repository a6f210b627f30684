"""Tasks of the directory: beat's message sweep (which first looks up password-reset requests
whose own task was lost), the password reset lookup and the HRIS import. They take ids (or
nothing), never rows or text (F9), and call a service; the retry policy is core.retry's.

The services do not import this module: they hand a task to a worker by its name
(`notifications.dispatch`), so the import goes one way, from the tasks to the services.
"""

import logging

from celery import shared_task
from django.conf import settings

from core.retry import RETRY
from notifications import messaging
from people import accounts, hris_jobs
from people.models import EmployeeImport

logger = logging.getLogger(__name__)


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
