"""Every kind of message, through a real Celery worker and beat (issue F's "done when").

A coordinator runs a program; a mentor and a mentoree apply, are admitted, accept the
commitment (and its new version), are proposed as a pair, are reminded of the unsigned
agreement, sign, are nudged after a silent month, are reminded of a meeting, take part in a
group session (leader, waiting list, reminder), and one ends the pairing; a panel member is
invited to a review; the coordinator gets the weekly digest. Due-now messages go through the
broker to the worker when each step commits; reminders are rows that beat's sweep (every
second here) delivers once their due time is moved to now, as the clock would.

Needs PostgreSQL and Redis (in CI both run; a missing one is an error, never a skip).
"""

import time
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from notifications.messaging import kinds
from notifications.models import Message, Notification
from notifications.tasks import message_deliver
from pairings import services as pairing_services
from pairings.models import Pairing
from pairings.services import nudges_plan
from people import accounts
from programs import services as program_services
from programs.models import Application
from reports.digest import digests_plan
from reviews import services as review_services
from tests.builders.pairings import NEW_COMMITMENT_TEXT, propose, sign_both
from tests.builders.programs import apply, decide_by_committee, make_program
from tests.factories import EmployeeFactory
from tests.jobs.mail_sink import CREATE, TABLE
from tests.jobs.workers import Processes, forget_queue, wait_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

DEADLINE_SECONDS = 50


def _pending() -> int:
    return Message.objects.filter(status=Message.Status.PENDING).count()


def _sent(kind: str) -> set[int]:
    return set(
        Message.objects.filter(kind=kind, status=Message.Status.SENT).values_list(
            "recipient_id", flat=True
        )
    )


def test_coordinator_and_pair_receive_every_message_through_a_real_worker_and_beat(
    coordinator,
    committee_member,
    mentor,
    mentoree,
    talent_reviewer,
    hr_admin,
    tmp_path,
    monkeypatch,
):
    deadline = time.monotonic() + DEADLINE_SECONDS
    queue = f"mentoring-journey-test-{uuid.uuid4().hex[:12]}"
    processes = Processes(tmp_path, queue)
    with connection.cursor() as cursor:
        cursor.execute(CREATE)
        cursor.execute(f"TRUNCATE {TABLE}")
    monkeypatch.setattr(
        message_deliver, "delay", lambda pk: message_deliver.apply_async((pk,), queue=queue)
    )

    def settle(step: str) -> None:
        """Wait until the worker (or beat's sweep) has delivered everything due now."""
        assert wait_for(
            lambda: (
                not Message.objects.filter(
                    status=Message.Status.PENDING, due_at__lte=timezone.now()
                ).exists()
            ),
            until=deadline,
        ), f"{step}: {_pending()} still pending\n{processes.logs()}"

    def fall_due(kind: str) -> None:
        """The clock reaches the reminders of this kind."""
        moved = Message.objects.filter(kind=kind, status=Message.Status.PENDING).update(
            due_at=timezone.now()
        )
        assert moved, f"no {kind} was waiting"

    try:
        processes.worker("worker")
        processes.beat()
        program = make_program(coordinator=coordinator)
        committee = [committee_member] + [
            EmployeeFactory(title="Director", level=7).user for _ in range(2)
        ]
        for member in committee:
            program_services.committee_member_add(program=program, by=coordinator, user=member)
        applications = [
            apply(mentor.employee, program, Application.Role.MENTOR, mentor_capacity=2),
            apply(mentoree.employee, program),
        ]
        settle("applications")  # before the decision, or "a new application" no longer applies
        for application in applications:
            decide_by_committee(application, committee)
        for person in (mentor, mentoree):
            program_services.commitment_accept(employee=person.employee, program=program)
        program_services.commitment_publish(
            program=program, by=coordinator, text=NEW_COMMITMENT_TEXT
        )
        settle("applications and commitment")
        for person in (mentor, mentoree):
            program_services.commitment_accept(employee=person.employee, program=program)

        pairing = propose(program, mentor, mentoree, by=coordinator)
        # Delivered before either answers: once both have accepted, a proposal still waiting
        # is rightly dropped (the pair no longer has a proposal to look at).
        settle("proposal")
        pairing_services.pairing_accept(pairing=pairing, by=pairing.mentor)
        pairing_services.pairing_accept(pairing=pairing, by=pairing.mentoree)
        settle("agreement")
        fall_due("agreement_reminder")  # three days later, still unsigned
        settle("agreement reminder")
        pairing = sign_both(pairing)
        assert pairing.status == Pairing.Status.ACTIVE
        settle("activation")

        assert nudges_plan(now=timezone.now() + timedelta(days=31)) == 2  # a silent month
        settle("nudge")
        meeting = pairing_services.meeting_log(
            pairing=pairing,
            by=pairing.mentor,
            starts_at=(timezone.now() + timedelta(days=2)).replace(microsecond=0),
            duration_minutes=60,
            format="video",
        )
        fall_due("meeting_reminder")
        settle("meeting reminder")
        pairing_services.meeting_update(  # the mentor moves it: the mentoree is told
            meeting=meeting,
            by=pairing.mentor,
            starts_at=meeting.starts_at + timedelta(days=1),
            duration_minutes=60,
            format="video",
        )
        settle("meeting moved")

        leader = EmployeeFactory(title="Chief Risk Officer", level=9)
        session = program_services.session_create(
            program=program,
            by=coordinator,
            leader=leader,
            title="Leading through change",
            starts_at=timezone.now() + timedelta(days=3),
            duration_minutes=90,
            location="Board room",
            capacity=1,
        )
        program_services.session_register(session=session, employee=mentoree.employee)
        program_services.session_register(session=session, employee=mentor.employee)  # waits
        program_services.session_cancel_registration(session=session, employee=mentoree.employee)
        settle("session seat")
        fall_due("session_reminder")
        settle("session reminders")
        program_services.session_update(session=session, by=coordinator, location="Room 4")
        settle("session changed")
        program_services.session_cancel(session=session, by=coordinator)
        settle("session cancelled")

        review = review_services.review_create(
            by=talent_reviewer,
            subject=EmployeeFactory(),
            cycle="2027 mid-year",
            scheduled_on=timezone.localdate() + timedelta(days=10),
        )
        review_services.seat_add(
            review=review, member=committee_member.employee, by=talent_reviewer
        )
        assert digests_plan() == 1
        pairing_services.pairing_end(pairing=pairing, by=pairing.mentor, category="goals_met")
        settle("panel, digest and ending")

        # Identity (F12): an HR admin sends a reset link, asks for a new sign-in address (told
        # to the old one, confirmed from the new one) and changes a flag (told to the person).
        accounts.account_password_link_send(user=mentoree, by=hr_admin)
        accounts.account_address_change_request(
            user=mentor, by=hr_admin, new_email="helena.new@example.test", source="admin"
        )
        accounts.account_flags_set(
            user=committee_member, by=hr_admin, is_staff=True, is_superuser=False
        )
        settle("identity")

        expected = {
            "application_received": {mentor.pk, mentoree.pk},
            "application_new": {coordinator.pk},
            "application_decided": {mentor.pk, mentoree.pk},
            "commitment_to_accept": {mentor.pk, mentoree.pk},
            "pairing_proposed": {mentor.pk, mentoree.pk},
            "agreement_to_sign": {mentor.pk, mentoree.pk},
            "agreement_reminder": {mentor.pk, mentoree.pk},
            "pairing_active": {mentor.pk, mentoree.pk},
            "no_meeting_nudge": {mentor.pk, mentoree.pk},
            "meeting_reminder": {mentor.pk, mentoree.pk},
            "session_leader": {leader.user_id},
            "session_seat": {mentor.pk},
            "session_reminder": {leader.user_id, mentor.pk},
            "meeting_changed": {mentoree.pk},
            "session_changed": {leader.user_id, mentor.pk},
            "session_cancelled": {leader.user_id, mentor.pk},
            "panel_invitation": {committee_member.pk},
            "weekly_digest": {coordinator.pk},
            "pairing_ended": {mentoree.pk},
            "password_reset": {mentoree.pk},
            "address_change_notice": {mentor.pk},
            "address_change_confirm": {mentor.pk},
            "account_changed": {committee_member.pk},
        }
        assert set(expected) == {k.name for k in kinds()}  # every kind is in the journey
        assert {kind: _sent(kind) for kind in expected} == expected
        # Each delivery is one e-mail, handed over by the worker, and one in-app message but
        # for the links that are credentials (a reset, an address to confirm): mailbox only.
        sent = Message.objects.filter(status=Message.Status.SENT).count()
        mailbox_only = Message.objects.filter(
            status=Message.Status.SENT, kind__in=["password_reset", "address_change_confirm"]
        ).count()
        assert Notification.objects.count() == sent - mailbox_only
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*), count(DISTINCT message_id) FROM {TABLE}")  # noqa: S608
            assert cursor.fetchone() == (sent, sent)
    finally:
        processes.stop_all()
        forget_queue(queue)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
