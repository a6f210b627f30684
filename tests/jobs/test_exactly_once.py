"""Exactly once: the due-message table delivers each message once, however often it is
scheduled or swept, through mail-relay failures and retries, and with sweeps running at once.

The message under test is the applicant's "we received your application" notice, which
`application_submit` schedules (with the coordinator's "new application" notice beside it);
a second schedule goes through `notifications.messaging.message_schedule`, as every service does. A
failing mail relay is a test backend (MAILERS) that raises SMTPServerDisconnected.
"""

from __future__ import annotations

import smtplib
import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection
from django.utils import timezone

from notifications.messaging import (
    message_deliver,
    message_schedule,
    messages_requeue,
    messages_stuck,
    messages_sweep,
)
from notifications.models import Message, Notification
from notifications.tasks import message_deliver as message_deliver_task
from tests.builders.programs import apply, make_program
from tests.factories import EmployeeFactory

FLAKY_BACKEND = "tests.jobs.test_exactly_once.FlakyBackend"
RELAY_WORDS = "421 relay gone: mailbox samuel.okoro@example.test"


class FlakyBackend(LocmemBackend):
    """The test outbox, behind a relay that hangs up `failures` times before it works."""

    failures = 0

    def send_messages(self, messages):
        if FlakyBackend.failures > 0:
            FlakyBackend.failures -= 1
            raise smtplib.SMTPServerDisconnected(RELAY_WORDS)
        return super().send_messages(messages)


@pytest.fixture
def flaky_relay(settings):
    """`flaky_relay(n)`: the next n hand-overs to the mail relay fail."""
    settings.MAILERS = {"default": {"BACKEND": FLAKY_BACKEND}}

    def fail(times: int) -> None:
        FlakyBackend.failures = times

    yield fail
    FlakyBackend.failures = 0


@pytest.fixture
def one_message(outsider) -> Message:
    """The "we received your application" notice of `outsider`, due now (the coordinator's
    "new application" notice is scheduled beside it)."""
    coordinator = EmployeeFactory(first_name="Gita", last_name="Rao", level=6).user
    program = make_program(coordinator=coordinator)
    application = apply(outsider.employee, program)
    return Message.objects.get(kind="application_received", object_id=application.pk)


# --- (a) scheduling twice ------------------------------------------------------------------------


def test_scheduling_the_same_recipient_and_key_twice_makes_one_row_and_one_delivery(
    one_message, outsider, deliver
):
    again = message_schedule(
        recipient=outsider,
        kind="application_received",
        key=one_message.key,
        object_id=one_message.object_id,
    )

    assert again is False
    assert Message.objects.filter(recipient=outsider, key=one_message.key).count() == 1
    deliver()
    assert Notification.objects.filter(recipient=outsider).count() == 1
    assert [m.to for m in mail.outbox if m.to == [outsider.email]] == [[outsider.email]]


def test_a_second_schedule_of_a_delivered_message_sends_nothing_again(
    one_message, outsider, deliver
):
    deliver()
    message_schedule(
        recipient=outsider,
        kind="application_received",
        key=one_message.key,
        object_id=one_message.object_id,
    )
    deliver()

    assert Notification.objects.filter(recipient=outsider).count() == 1
    assert sum(m.to == [outsider.email] for m in mail.outbox) == 1


# --- (b) sweeping twice --------------------------------------------------------------------------


def test_sweeping_twice_delivers_once(one_message, outsider, deliver):
    first = deliver()
    sent = len(mail.outbox)
    second = deliver()

    assert first.get(Message.Status.SENT, 0) >= 1
    assert second == {}
    assert len(mail.outbox) == sent
    assert Notification.objects.filter(recipient=outsider).count() == 1
    one_message.refresh_from_db()
    assert (one_message.status, one_message.attempts) == (Message.Status.SENT, 1)
    assert one_message.sent_at is not None


def test_delivering_a_message_by_id_twice_delivers_once(one_message, outsider):
    assert message_deliver(message_id=one_message.pk) == Message.Status.SENT
    assert message_deliver(message_id=one_message.pk) is None

    assert Notification.objects.filter(recipient=outsider).count() == 1
    assert sum(m.to == [outsider.email] for m in mail.outbox) == 1


def test_a_message_due_later_is_not_claimed_before_its_time(outsider, one_message):
    later = timezone.now() + timedelta(hours=5)
    message_schedule(
        recipient=outsider,
        kind="application_received",
        key="application-received:later",
        object_id=one_message.object_id,
        due_at=later,
    )
    due_later = Message.objects.get(recipient=outsider, key="application-received:later")

    assert message_deliver(message_id=due_later.pk, now=later - timedelta(seconds=1)) is None
    assert message_deliver(message_id=due_later.pk, now=later) == Message.Status.SENT
    assert message_deliver(message_id=due_later.pk, now=later) is None


# --- (c) the mail relay fails ------------------------------------------------------------------


def test_a_failed_send_leaves_the_message_pending_with_the_error_class_only(
    one_message, outsider, flaky_relay
):
    flaky_relay(1)
    before = timezone.now()

    outcome = message_deliver(message_id=one_message.pk)

    one_message.refresh_from_db()
    assert outcome == Message.Status.PENDING
    assert one_message.status == Message.Status.PENDING
    assert one_message.attempts == 1
    assert one_message.last_error == "SMTPServerDisconnected"
    assert one_message.sent_at is None
    assert one_message.due_at > before  # backed off: not retried in the same sweep
    assert not Notification.objects.filter(recipient=outsider).exists()
    assert mail.outbox == []


def test_a_later_sweep_after_the_retry_delay_delivers_exactly_once(
    one_message, outsider, flaky_relay, deliver
):
    flaky_relay(1)
    message_deliver(message_id=one_message.pk)
    one_message.refresh_from_db()
    retry_at = one_message.due_at

    deliver(now=retry_at - timedelta(seconds=1))
    one_message.refresh_from_db()
    assert (one_message.status, one_message.attempts) == (Message.Status.PENDING, 1)
    assert not Notification.objects.filter(recipient=outsider).exists()

    deliver(now=retry_at)
    deliver(now=retry_at + timedelta(hours=1))

    one_message.refresh_from_db()
    assert one_message.status == Message.Status.SENT
    assert one_message.attempts == 2
    assert Notification.objects.filter(recipient=outsider).count() == 1
    assert sum(m.to == [outsider.email] for m in mail.outbox) == 1


def test_after_the_last_attempt_the_message_fails_and_a_requeue_delivers_it_once(
    one_message, outsider, flaky_relay, settings
):
    flaky_relay(settings.MESSAGES_MAX_ATTEMPTS)
    now = timezone.now()
    outcomes = []
    for _ in range(settings.MESSAGES_MAX_ATTEMPTS):
        outcomes.append(message_deliver(message_id=one_message.pk, now=now))
        one_message.refresh_from_db()
        now = one_message.due_at

    assert outcomes[:-1] == [Message.Status.PENDING] * (settings.MESSAGES_MAX_ATTEMPTS - 1)
    assert outcomes[-1] == Message.Status.FAILED
    assert (one_message.status, one_message.attempts) == (
        Message.Status.FAILED,
        settings.MESSAGES_MAX_ATTEMPTS,
    )
    assert one_message.last_error == "SMTPServerDisconnected"
    assert message_deliver(message_id=one_message.pk, now=now + timedelta(days=1)) is None
    assert list(messages_stuck(older_than=timedelta(hours=1))) == [one_message]
    assert not Notification.objects.filter(recipient=outsider).exists()
    assert mail.outbox == []

    assert messages_requeue(ids=[one_message.pk]) == 1
    one_message.refresh_from_db()
    assert (one_message.status, one_message.attempts, one_message.last_error) == (
        Message.Status.PENDING,
        0,
        "",
    )
    assert message_deliver(message_id=one_message.pk) == Message.Status.SENT
    assert message_deliver(message_id=one_message.pk) is None

    one_message.refresh_from_db()
    assert one_message.status == Message.Status.SENT
    assert Notification.objects.filter(recipient=outsider).count() == 1
    assert sum(m.to == [outsider.email] for m in mail.outbox) == 1


def test_requeue_leaves_sent_and_skipped_messages_alone(one_message, deliver):
    deliver()

    assert messages_requeue(ids=[one_message.pk]) == 0
    one_message.refresh_from_db()
    assert one_message.status == Message.Status.SENT


def test_the_relays_words_are_never_stored_or_logged(one_message, flaky_relay, caplog):
    """F9: an SMTP error can quote an address or a line of the message; only its class is
    kept."""
    flaky_relay(1)

    message_deliver(message_id=one_message.pk)

    one_message.refresh_from_db()
    assert RELAY_WORDS not in one_message.last_error
    assert all(RELAY_WORDS not in record.getMessage() for record in caplog.records)


# --- (d) sweeps at once, on PostgreSQL ---------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_four_sweeps_at_once_deliver_every_message_exactly_once(monkeypatch):
    """Each sweep claims rows with SELECT ... FOR UPDATE SKIP LOCKED: no row is delivered
    twice and none is left behind, however the four threads interleave."""
    # No worker picks the rows up on commit (it is down): beat's sweeps find them all due.
    monkeypatch.setattr(message_deliver_task, "delay", lambda *args, **kwargs: None)
    coordinator = EmployeeFactory(level=6).user
    program = make_program(coordinator=coordinator)
    for _ in range(30):  # two messages each: "received" to them, "new" to the coordinator
        apply(EmployeeFactory(), program)
    expected = Counter(Message.objects.values_list("recipient_id", flat=True))
    total = Message.objects.filter(status=Message.Status.PENDING).count()
    assert total == 60
    mail.outbox = []
    start = threading.Barrier(4)
    errors: list[BaseException] = []
    outcomes: list[dict[str, int]] = []

    def sweep() -> None:
        try:
            start.wait()
            outcomes.append(messages_sweep())
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    assert not any(thread.is_alive() for thread in threads)
    assert sum(o.get(Message.Status.SENT, 0) for o in outcomes) == total
    assert set(Message.objects.values_list("status", flat=True)) == {Message.Status.SENT}
    assert Message.objects.filter(attempts=1).count() == total
    assert Notification.objects.count() == total
    assert Counter(Notification.objects.values_list("recipient_id", flat=True)) == expected
    assert len(mail.outbox) == total
    assert len({m.extra_headers["Message-ID"] for m in mail.outbox}) == total
