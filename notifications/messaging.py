"""Kinds of message, their scheduling and their delivery: the due-message table's engine.

Each app declares the kinds of message it sends in its own `messages.py` (autodiscovered when
the apps are ready), with a renderer that reads fresh rows by id and returns the subject, the
link and the template context, or `None` when the message no longer applies (the meeting was
removed, the agreement is signed). The notifications app knows no other app (recipients are
settings.AUTH_USER_MODEL): it only keeps the registry and delivers.

Delivery (`message_deliver`) claims one due row with `SELECT ... FOR UPDATE SKIP LOCKED`,
renders it, writes the in-app notification, hands the e-mail to the mail backend and marks the
row, all in that one transaction. A worker killed before the commit leaves the row pending
and unlocked for the next sweep; two workers never hold the same row. The e-mail is handed
over last, just before the commit: a crash in that instant can repeat an e-mail, never lose
one, and the repeat carries the same Message-ID so mail systems can fold it.

Services schedule a message (`message_schedule`) by putting a row in the table, one per
recipient and key however often they ask; a due one is handed to a worker on commit, a later
one waits for beat's sweep.

No confidential text ever enters a message (F9): renderers pass names, dates, titles of
programs and sessions and links; never notes, goals, agreement terms or end reasons.
"""

from __future__ import annotations

import logging
import random
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from notifications.dispatch import task_on_commit
from notifications.models import Message, MessageOptOut, Notification

logger = logging.getLogger(__name__)

# Set (by `emails_held`) while the demo company is loaded: its history goes to the in-app
# inboxes, and only what happens from then on is e-mailed.
_emails_held: ContextVar[bool] = ContextVar("emails_held", default=False)


@contextmanager
def emails_held() -> Iterator[None]:
    """Deliver in-app only, without e-mail, inside this block (used by `seed_demo`)."""
    token = _emails_held.set(True)
    try:
        yield
    finally:
        _emails_held.reset(token)


@dataclass(frozen=True)
class Rendered:
    """What a renderer returns: no confidential text in any field (F9)."""

    subject: str
    url: str  # a path on this site; made absolute for e-mail
    context: dict[str, object] = field(default_factory=dict)
    action: str = "Open"
    # The address to write to instead of the account's confirmed one: only a new sign-in
    # address being confirmed, or the previous address told of a change (people.accounts).
    to: str = ""
    # False for a message whose link is a credential (a password reset, an address to
    # confirm): it must live only in the mailbox, never in a row of the in-app inbox.
    in_app: bool = True
    # How several messages alike (same kind and link) read as one line of the inbox and the
    # digest, after their count: "new applications are waiting for the committee of X".
    # Empty: each message stands alone.
    group_title: str = ""


@dataclass(frozen=True)
class Kind:
    name: str
    label: str  # as the person sees it on their notification settings
    optional: bool  # True: the person may turn it off
    render: Callable[[Message], Rendered | None]
    app: str = ""
    # Who can receive it, by their roles: the name of an audience (`audience` below). The
    # notification settings list a kind only to its audience (and to whoever received one).
    audience: str = "employee"


_KINDS: dict[str, Kind] = {}
EVERYONE = "everyone"
# Audience name -> whether a person belongs to it. Apps declare the audiences of their own
# roles in their messages.py, as they declare kinds; "everyone" is built in.
_AUDIENCES: dict[str, Callable[[AbstractBaseUser], bool]] = {EVERYONE: lambda user: True}


def register(
    name: str, *, label: str, optional: bool, audience: str = "employee"
) -> Callable[[Callable[[Message], Rendered | None]], Callable[[Message], Rendered | None]]:
    """Declare a kind of message; decorates its renderer. `audience` names who can receive
    it given their roles (default: anyone in the directory)."""

    def decorate(render: Callable[[Message], Rendered | None]):
        if name in _KINDS and _KINDS[name].render is not render:
            raise RuntimeError(f"message kind {name!r} is declared twice")
        _KINDS[name] = Kind(
            name=name,
            label=label,
            optional=optional,
            render=render,
            app=render.__module__,
            audience=audience,
        )
        return render

    return decorate


def audience(
    name: str,
) -> Callable[[Callable[[AbstractBaseUser], bool]], Callable[[AbstractBaseUser], bool]]:
    """Declare an audience: decorates the test of whether a person belongs to it."""

    def decorate(test: Callable[[AbstractBaseUser], bool]):
        if name in _AUDIENCES and _AUDIENCES[name] is not test:
            raise RuntimeError(f"audience {name!r} is declared twice")
        _AUDIENCES[name] = test
        return test

    return decorate


def kinds_for(user: AbstractBaseUser) -> list[Kind]:
    """The kinds this person can receive given their roles today, and any kind they have
    received before (so nothing they were sent is missing from their settings). Each
    audience is asked once."""
    received = set(
        Message.objects.filter(recipient_id=user.pk)
        .order_by()
        .values_list("kind", flat=True)
        .distinct()
    )
    answers: dict[str, bool] = {}

    def belongs(name: str) -> bool:
        if name not in answers:
            answers[name] = _AUDIENCES[name](user)
        return answers[name]

    return [k for k in _KINDS.values() if k.name in received or belongs(k.audience)]


def kinds() -> list[Kind]:
    return list(_KINDS.values())


def kind(name: str) -> Kind:
    return _KINDS[name]


def optional_kinds() -> list[Kind]:
    return [k for k in _KINDS.values() if k.optional]


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path if path.startswith("/") else path


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff with full jitter: up to 1, 2, 4 ... minutes, at most six hours."""
    ceiling = min(settings.MESSAGES_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), 6 * 3600)
    return timedelta(seconds=ceiling / 2 + random.uniform(0, ceiling / 2))  # noqa: S311


def _message_id(message: Message) -> str:
    """The same message always carries the same Message-ID, so a repeat can be recognised."""
    domain = re.sub(r"[^A-Za-z0-9.-]", "", settings.SITE_URL.split("://")[-1].split("/")[0])
    safe_key = re.sub(r"[^A-Za-z0-9.-]", ".", message.key)
    return f"<{safe_key}.{message.recipient_id}.{message.pk}@{domain or 'localhost'}>"


def email_for(message: Message, rendered: Rendered) -> EmailMultiAlternatives:
    """The e-mail of one message: a plain-text body with an HTML alternative, both from the
    kind's templates (`templates/messages/<kind>.txt` and `.html`)."""
    recipient = message.recipient
    context = {
        **rendered.context,
        "subject": rendered.subject,
        "recipient_name": recipient.first_name or recipient.get_full_name() or "",
        "url": absolute(rendered.url),
        "action": rendered.action,
        "settings_url": absolute("/account/notifications/"),
        "optional": kind(message.kind).optional,
        "site_url": settings.SITE_URL,
    }
    text = render_to_string(f"messages/{message.kind}.txt", context)
    html = render_to_string(f"messages/{message.kind}.html", context)
    email = EmailMultiAlternatives(
        subject=rendered.subject,
        body=text,
        to=[rendered.to or recipient.email],
        headers={"Message-ID": _message_id(message), "Auto-Submitted": "auto-generated"},
    )
    email.attach_alternative(html, "text/html")
    return email


def _skip(message: Message, reason: str) -> str:
    message.status = Message.Status.SKIPPED
    message.skip_reason = reason
    message.save(update_fields=["status", "skip_reason"])
    return Message.Status.SKIPPED


def _send(message: Message, now: datetime) -> str:
    recipient = message.recipient
    if not recipient.is_active or not recipient.email:
        return _skip(message, "inactive recipient")
    registered = _KINDS.get(message.kind)
    if registered is None:
        return _skip(message, "unknown kind")
    if (
        registered.optional
        and MessageOptOut.objects.filter(user=recipient, kind=message.kind).exists()
    ):
        return _skip(message, "turned off")
    rendered = registered.render(message)
    if rendered is None:
        return _skip(message, "no longer applies")
    if rendered.in_app:
        Notification.objects.create(
            recipient=recipient,
            title=rendered.subject[:200],
            url=rendered.url[:300],
            kind=message.kind,
            group_title=rendered.group_title[:200],
        )
    message.status = Message.Status.SENT
    message.sent_at = now
    message.save(update_fields=["status", "sent_at"])
    # Last, so that anything above that fails leaves no e-mail behind.
    if not _emails_held.get():
        email_for(message, rendered).send()
    return Message.Status.SENT


def message_deliver(*, message_id: int | None = None, now: datetime | None = None) -> str | None:
    """Deliver one due message (the given one, or the oldest due), exactly once.

    Returns the outcome ("sent", "skipped", "pending" for a retry later, "failed"), or None
    when there was nothing to claim: not due, already delivered, or held by another worker.
    """
    now = now or timezone.now()
    with transaction.atomic():
        due = Message.objects.select_for_update(skip_locked=True, of=("self",)).filter(
            status=Message.Status.PENDING, due_at__lte=now
        )
        if message_id is not None:
            due = due.filter(pk=message_id)
        message = due.select_related("recipient").order_by("due_at", "pk").first()
        if message is None:
            return None
        # Where the database has no row locks (SQLite), this conditional write serialises
        # the claim instead: only one transaction sees its row still pending.
        if not Message.objects.filter(pk=message.pk, status=Message.Status.PENDING).update(
            attempts=message.attempts + 1
        ):
            return None
        message.attempts += 1
        try:
            with transaction.atomic():
                return _send(message, now)
        except Exception as exc:  # the mail relay or a renderer failed: try again later
            # The savepoint rolled back the row's "sent"; the instance still says so.
            message.sent_at = None
            message.last_error = exc.__class__.__name__[:80]
            if message.attempts >= settings.MESSAGES_MAX_ATTEMPTS:
                message.status = Message.Status.FAILED
            else:
                message.status = Message.Status.PENDING
                message.due_at = now + retry_delay(message.attempts)
            message.save(update_fields=["status", "due_at", "last_error", "sent_at"])
            logger.warning(
                "message %s (%s) not delivered, attempt %s: %s",
                message.pk,
                message.kind,
                message.attempts,
                message.last_error,
            )
            return message.status


def messages_sweep(
    *, now: datetime | None = None, limit: int | None = None, budget_seconds: float | None = None
) -> dict[str, int]:
    """Deliver every due message, one transaction each, until none is left, or `limit`
    messages or `budget_seconds` are used up (the next sweep goes on from there, well before
    the task's time limit could cut a delivery in half).

    Several sweeps may run at once (two workers, a slow one and beat's next): each claims
    different rows. Returns how many ended in each outcome.
    """
    import time

    counts: dict[str, int] = {}
    delivered = 0
    deadline = None if budget_seconds is None else time.monotonic() + budget_seconds
    while (limit is None or delivered < limit) and (
        deadline is None or time.monotonic() < deadline
    ):
        outcome = message_deliver(now=now)
        if outcome is None:
            break
        counts[outcome] = counts.get(outcome, 0) + 1
        delivered += 1
    return counts


# --- Writing the table: what services call ---------------------------------------------------


def message_schedule(
    *,
    recipient: AbstractBaseUser | int,
    kind: str,
    key: str,
    object_id: int | None = None,
    due_at: datetime | None = None,
) -> bool:
    """Put a message in the due-message table; it is delivered once `due_at` (default: now)
    has passed. The same recipient and key make one row however often this is called, so a
    service may schedule on every path that leads to a message. Due-now messages are handed
    to a worker once the transaction commits; later ones wait for beat's sweep (no far-future
    ETA tasks). Returns whether a new row was made.

    Only ids and the kind go into the row and the task (F9); the text is rendered at delivery.
    """
    _KINDS[kind]  # an undeclared kind is a programming error: fail here, not in a worker
    recipient_id = recipient if isinstance(recipient, int) else recipient.pk
    now = timezone.now()
    due_at = due_at or now
    with transaction.atomic():
        message, created = Message.objects.get_or_create(
            recipient_id=recipient_id,
            key=key[:120],
            defaults={"kind": kind, "object_id": object_id, "due_at": due_at},
        )
    if created and due_at <= now:
        task_on_commit("people.message_deliver", message.pk)
    return created


@dataclass(frozen=True)
class Scheduled:
    """One message for `messages_schedule_many`: the arguments of `message_schedule`."""

    recipient_id: int
    kind: str
    key: str
    object_id: int | None = None
    due_at: datetime | None = None


def messages_schedule_many(*, messages: Iterable[Scheduled]) -> int:
    """`message_schedule` for many messages in a fixed number of queries: the very same rows
    (one per recipient and key, an existing one left as it is), and a delivery task for each
    new due-now row once the transaction commits. Returns how many new rows were made."""
    now = timezone.now()
    wanted: dict[tuple[int, str], Scheduled] = {}
    for item in messages:
        _KINDS[item.kind]  # an undeclared kind is a programming error, as in message_schedule
        wanted.setdefault((item.recipient_id, item.key[:120]), item)
    if not wanted:
        return 0
    existing = set(
        Message.objects.filter(
            recipient_id__in={r for r, _ in wanted}, key__in={k for _, k in wanted}
        )
        .order_by()
        .values_list("recipient_id", "key")
    )
    made = Message.objects.bulk_create(
        [
            Message(
                recipient_id=recipient_id,
                key=key,
                kind=item.kind,
                object_id=item.object_id,
                due_at=item.due_at or now,
            )
            for (recipient_id, key), item in wanted.items()
            if (recipient_id, key) not in existing
        ]
    )
    for message in made:
        if message.due_at <= now:
            task_on_commit("people.message_deliver", message.pk)
    return len(made)


@transaction.atomic
def messages_cancel(*, keys: Iterable[str]) -> int:
    """Withdraw messages not yet delivered (the meeting was removed, the seat was given up)."""
    return Message.objects.filter(key__in=list(keys), status=Message.Status.PENDING).update(
        status=Message.Status.SKIPPED, skip_reason="withdrawn"
    )


def messages_stuck(*, older_than: timedelta, now: datetime | None = None) -> QuerySet[Message]:
    """Messages that failed for good, or that are overdue by more than `older_than` (no
    worker or beat has delivered them): what an operator looks at first."""
    now = now or timezone.now()
    return Message.objects.filter(
        Q(status=Message.Status.FAILED)
        | Q(status=Message.Status.PENDING, due_at__lte=now - older_than)
    ).order_by("due_at", "pk")


@transaction.atomic
def messages_requeue(*, ids: Iterable[int]) -> int:
    """Give failed or overdue messages a fresh start: pending, due now, attempts reset, and a
    delivery task for each once this commits."""
    ids = list(
        Message.objects.filter(
            pk__in=list(ids), status__in=[Message.Status.FAILED, Message.Status.PENDING]
        ).values_list("pk", flat=True)
    )
    Message.objects.filter(pk__in=ids).update(
        status=Message.Status.PENDING, due_at=timezone.now(), attempts=0, last_error=""
    )
    for message_id in ids:
        task_on_commit("people.message_deliver", message_id)
    return len(ids)
