"""The delivery task: takes a message id, never a row or text (F9), and calls the service. It
keeps the name it was first registered under (`people.message_deliver`), so messages queued
before the app moved are still delivered. A mail relay's failure is handled per message by
`notifications.messaging.message_deliver`, which keeps the row pending with its own backoff."""

from celery import shared_task

from core.retry import RETRY
from notifications import messaging


@shared_task(name="people.message_deliver", **RETRY)
def message_deliver(message_id: int) -> str | None:
    """Deliver one message if it is due and nobody has yet; a no-op otherwise."""
    return messaging.message_deliver(message_id=message_id)
