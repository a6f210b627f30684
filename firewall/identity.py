"""Identity changes in the access log (F12): who changed whose sign-in address, password,
active flag, staff or superuser flag, groups or permissions, and when.

`people` is the lowest app and knows nothing of the log: its services send
`people.signals.identity_changed` with ids and a fixed label, inside the transaction that
made the change, and this receiver appends the access event in that same transaction (so a
change cannot commit without its record). Where the `people` service asks for it, the person
is told by a message that points to the event: what changed, when and by whom; no value.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from firewall.access import access_event_record
from firewall.models import AccessEvent
from notifications.messaging import EVERYONE, Rendered, message_schedule, register
from notifications.models import Message
from people.models import User


def identity_change_record(
    sender, *, user_id: int, actor_id: int | None, detail: str, notify: bool, **kwargs
) -> None:
    """Receiver of `people.signals.identity_changed` (connected in ConfidentialityConfig)."""
    people = User.objects.in_bulk([pk for pk in (user_id, actor_id) if pk is not None])
    event = access_event_record(
        actor=people.get(actor_id) if actor_id is not None else None,
        action=AccessEvent.Action.IDENTITY,
        object_type="account",
        object_id=user_id,
        outcome=AccessEvent.Outcome.ALLOWED,
        concerns=people.get(user_id),
        detail=detail,
    )
    if notify:
        message_schedule(
            recipient=user_id,
            kind="account_changed",
            key=f"account-changed:{event.pk}",
            object_id=event.pk,
        )


@register("account_changed", label="Changes to your account", optional=False, audience=EVERYONE)
def account_changed(message: Message) -> Rendered | None:
    event = (
        AccessEvent.objects.select_related("actor")
        .filter(
            pk=message.object_id,
            action=AccessEvent.Action.IDENTITY,
            concerns_id=message.recipient_id,
        )
        .first()
    )
    if event is None:
        return None
    if event.actor_id == message.recipient_id:
        who = "you"
    elif event.actor is not None:
        who = event.actor.get_full_name() or event.actor.get_username()
    else:
        who = "the HRIS import"
    return Rendered(
        subject=f"Your mentoring programs account: {event.detail} changed",
        url=reverse("account_address"),
        context={
            "what": event.detail,
            "who": who,
            "when": date_format(timezone.localtime(event.at), "DATETIME_FORMAT"),
        },
        action="See your account",
    )
