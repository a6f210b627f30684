"""Every kind of message: who gets it, when, and what it carries.

Services schedule rows in the due-message table; the sweep (`deliver`, tests/conftest.py)
renders them into an e-mail (plain text with an HTML alternative, a link to the page, a
Message-ID) and an in-app notification with the same subject. Reminders wait for their due
time and are skipped when they no longer apply; optional kinds can be turned off, required
ones cannot; inactive people get nothing. No message carries confidential text (F9).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from confidentiality import services as conf_services
from notifications.messaging import absolute, kinds, optional_kinds
from notifications.models import Message, MessageOptOut, Notification
from notifications.services import message_opt_outs_set
from pairings import services as pairing_services
from pairings.models import Pairing
from people import services as people_services
from people.models import User
from programs import services as program_services
from programs.models import GroupSession
from reports.digest import digests_plan
from tests.builders.confidentiality import agreement_of, canary, sign_as
from tests.builders.pairings import NEW_COMMITMENT_TEXT, accept_both, log_meeting, propose
from tests.builders.programs import apply, decide_by_committee, make_program
from tests.builders.reviews import plan_review, seat, staff_member
from tests.factories import EmployeeFactory

ALL_KINDS = {
    "application_received",
    "application_new",
    "application_decided",
    "commitment_to_accept",
    "session_leader",
    "session_reminder",
    "session_seat",
    "session_changed",
    "session_cancelled",
    "pairing_proposed",
    "pairing_active",
    "pairing_ended",
    "meeting_reminder",
    "meeting_changed",
    "no_meeting_nudge",
    "agreement_to_sign",
    "agreement_reminder",
    "panel_invitation",
    "weekly_digest",
    # Who an account is (F12): tests/people/test_identity.py.
    "password_reset",
    "address_change_notice",
    "address_change_confirm",
    "account_changed",
}
OPTIONAL_KINDS = {
    "application_new",
    "session_reminder",
    "meeting_reminder",
    "meeting_changed",
    "no_meeting_nudge",
    "agreement_reminder",
    "weekly_digest",
}
MINUTE = timedelta(minutes=1)


# --- Helpers -------------------------------------------------------------------------------------


def sent(kind: str, **filters):
    return Message.objects.filter(kind=kind, status=Message.Status.SENT, **filters)


def email_of(message: Message):
    """The one e-mail of a delivered message, found by its Message-ID."""
    found = [
        email
        for email in mail.outbox
        if f".{message.recipient_id}.{message.pk}@" in email.extra_headers.get("Message-ID", "")
    ]
    assert len(found) == 1, f"{len(found)} e-mails for {message}"
    return found[0]


def assert_delivered(kind: str, to, url: str, **filters) -> list:
    """Exactly `to` got this kind (nobody else), each once: an e-mail with a text body and an
    HTML alternative that both link to `url`, a Message-ID, and an in-app notification with
    the e-mail's subject and the same link. Returns the e-mails."""
    messages = list(sent(kind, **filters).select_related("recipient"))
    assert sorted(m.recipient_id for m in messages) == sorted(user.pk for user in to), kind
    link = absolute(url)
    emails = []
    for message in messages:
        email = email_of(message)
        assert email.to == [message.recipient.email]
        assert email.subject
        assert email.body.strip() and link in email.body
        assert len(email.alternatives) == 1
        assert email.alternatives[0].mimetype == "text/html"
        assert link in email.alternatives[0].content
        assert email.extra_headers["Message-ID"].startswith("<")
        assert email.extra_headers["Message-ID"].endswith(">")
        assert (
            Notification.objects.filter(
                recipient=message.recipient, title=email.subject, url=url
            ).count()
            == 1
        )
        emails.append(email)
    return emails


def skipped(kind: str, reason: str, **filters):
    return Message.objects.filter(
        kind=kind, status=Message.Status.SKIPPED, skip_reason=reason, **filters
    )


def due_of(kind: str, user) -> timedelta:
    return Message.objects.get(kind=kind, recipient=user).due_at


def space(pairing) -> str:
    return reverse("pairings:space", args=[pairing.pk])


def agreement_page(pairing) -> str:
    return reverse("confidentiality:agreement", args=[pairing.pk])


def accept_match(pairing) -> Pairing:
    pairing_services.pairing_accept(pairing=pairing, by=pairing.mentor)
    return pairing_services.pairing_accept(pairing=pairing, by=pairing.mentoree)


# --- Fixtures ------------------------------------------------------------------------------------


@pytest.fixture
def executive(db):
    """A President: leads group sessions (F4)."""
    return EmployeeFactory(
        first_name="Victoria", last_name="Adeyemi", level=settings.GROUP_ONLY_LEVEL
    ).user


@pytest.fixture
def session(program, coordinator, executive) -> GroupSession:
    """A group session of `program` next week, led by the executive, with two seats."""
    return program_services.session_create(
        program=program,
        by=coordinator,
        leader=executive.employee,
        title="Leading through uncertainty",
        description="The President takes questions.",
        starts_at=timezone.now() + timedelta(days=7),
        duration_minutes=90,
        location="Board room",
        capacity=2,
    )


@pytest.fixture
def three_registered(session, new_mentoree):
    """Three admitted mentorees register for the two seats: the third waits."""
    people = [new_mentoree(first_name=name) for name in ("Ana", "Ben", "Cy")]
    for employee in people:
        program_services.session_register(session=session, employee=employee)
    return people


# --- The kinds, as declared ----------------------------------------------------------------------


def test_every_kind_is_declared_and_only_reminders_nudges_and_digests_are_optional():
    assert {k.name for k in kinds()} == ALL_KINDS
    assert {k.name for k in optional_kinds()} == OPTIONAL_KINDS
    assert all(k.label for k in kinds())


# --- Applications and decisions ------------------------------------------------------------------


def test_application_received_goes_to_the_applicant_only(
    program, coordinator, committee, mentoree, deliver
):
    apply(mentoree.employee, program)
    deliver()

    [email] = assert_delivered(
        "application_received", [mentoree], reverse("programs:my_applications")
    )
    assert email.subject == f"{program.name}: we received your application"


def test_application_new_goes_to_every_coordinator_of_the_program_only(
    program, coordinator, other_program, committee, mentoree, deliver
):
    second = EmployeeFactory(first_name="Noor", level=6).user
    program_services.coordinator_add(program=program, user=second, by=None)

    apply(mentoree.employee, program)
    deliver()

    assert_delivered(
        "application_new",
        [coordinator, second],
        reverse("programs:manage", args=[program.slug]),
    )


@pytest.mark.parametrize(
    ("decision", "words"),
    [("admit", "(admitted)"), ("decline", "(declined)"), ("waitlist", "(waiting list)")],
)
def test_application_decided_goes_to_the_applicant_only(
    program, committee, mentoree, decision, words, deliver
):
    decide_by_committee(apply(mentoree.employee, program), committee, decision)
    deliver()

    [email] = assert_delivered(
        "application_decided", [mentoree], reverse("programs:my_applications")
    )
    assert words in email.subject


def test_an_admitted_applicant_is_asked_to_accept_the_first_commitment(
    program, committee, mentoree, mentor, deliver
):
    decide_by_committee(apply(mentoree.employee, program), committee, "admit")
    decide_by_committee(apply(mentor.employee, program, "mentor"), committee, "decline")
    deliver()

    [email] = assert_delivered(
        "commitment_to_accept", [mentoree], reverse("programs:commitment", args=[program.slug])
    )
    assert email.subject == f"{program.name}: please read and accept the program commitment"


def test_the_commitment_message_is_skipped_when_accepted_before_delivery(
    program, committee, mentoree, deliver
):
    decide_by_committee(apply(mentoree.employee, program), committee, "admit")
    program_services.commitment_accept(employee=mentoree.employee, program=program)
    deliver()

    assert not sent("commitment_to_accept").exists()
    assert skipped("commitment_to_accept", "no longer applies", recipient=mentoree).exists()


def test_a_new_commitment_version_goes_to_every_admitted_participant_only(
    program, coordinator, enrolled, mentor, mentoree, other_mentor, outsider, deliver
):
    apply(outsider.employee, program)  # applied, not admitted
    deliver()  # the first version's messages: skipped, everyone accepted it

    new = program_services.commitment_publish(
        program=program, by=coordinator, text=NEW_COMMITMENT_TEXT
    )
    deliver()

    emails = assert_delivered(
        "commitment_to_accept",
        [mentor, mentoree, other_mentor],
        reverse("programs:commitment", args=[program.slug]),
        object_id=new.pk,
    )
    assert {e.subject for e in emails} == {
        f"{program.name}: the program commitment has a new version to accept"
    }
    assert not sent("commitment_to_accept").exclude(object_id=new.pk).exists()


# --- Group sessions ------------------------------------------------------------------------------


def test_session_leader_is_told_they_lead_the_session(session, executive, coordinator, deliver):
    deliver()

    [email] = assert_delivered(
        "session_leader", [executive], reverse("programs:session", args=[session.pk])
    )
    assert session.title in email.subject


def test_session_reminder_goes_to_the_leader_and_registered_participants_24_hours_before(
    session, executive, three_registered, deliver
):
    ana, ben, cy = three_registered
    due = session.starts_at - timedelta(hours=settings.SESSION_REMINDER_HOURS)

    deliver()
    deliver(now=due - MINUTE)
    assert not sent("session_reminder").exists()

    deliver(now=due)
    assert_delivered(
        "session_reminder",
        [executive, ana.user, ben.user],
        reverse("programs:session", args=[session.pk]),
    )
    # Cy waits for a seat: the reminder no longer applies to them.
    assert skipped("session_reminder", "no longer applies", recipient=cy.user).exists()


def test_session_reminder_is_skipped_for_a_cancelled_registration(
    session, executive, three_registered, deliver
):
    ana, ben, cy = three_registered
    program_services.session_cancel_registration(session=session, employee=ana)
    due = session.starts_at - timedelta(hours=settings.SESSION_REMINDER_HOURS)

    deliver(now=due)

    assert_delivered(
        "session_reminder",
        [executive, ben.user, cy.user],  # Cy moved up into Ana's seat
        reverse("programs:session", args=[session.pk]),
    )
    assert skipped("session_reminder", "no longer applies", recipient=ana.user).exists()


def test_session_seat_goes_to_the_first_in_line_when_a_seat_opens(
    session, three_registered, deliver
):
    ana, _ben, cy = three_registered
    program_services.session_cancel_registration(session=session, employee=ana)
    deliver()

    [email] = assert_delivered(
        "session_seat", [cy.user], reverse("programs:session", args=[session.pk])
    )
    assert email.subject == f"A seat opened: you are now registered for '{session.title}'"


# --- Pairings ------------------------------------------------------------------------------------


def test_pairing_proposed_goes_to_both_members_only(pairing, mentor, mentoree, deliver):
    deliver()

    assert_delivered("pairing_proposed", [mentor, mentoree], space(pairing))


def test_pairing_active_goes_to_both_members_only(active_pairing, mentor, mentoree, deliver):
    deliver()

    assert_delivered("pairing_active", [mentor, mentoree], space(active_pairing))


@pytest.mark.parametrize("ender", ["mentor", "mentoree"])
def test_pairing_ended_goes_to_the_other_member_only(
    ender, request, active_pairing, mentor, mentoree, deliver
):
    user = request.getfixturevalue(ender)
    other = mentoree if user == mentor else mentor

    pairing_services.pairing_end(
        pairing=active_pairing, by=user.employee, category=Pairing.EndCategory.FIT
    )
    deliver()

    [email] = assert_delivered("pairing_ended", [other], space(active_pairing))
    assert "fit" not in email.subject.lower()


def test_meeting_reminder_goes_to_both_members_24_hours_before(
    active_pairing, mentor, mentoree, deliver
):
    meeting = log_meeting(active_pairing, days=3)
    due = meeting.starts_at - timedelta(hours=settings.MEETING_REMINDER_HOURS)

    deliver()
    deliver(now=due - MINUTE)
    assert not sent("meeting_reminder").exists()

    deliver(now=due)
    emails = assert_delivered("meeting_reminder", [mentor, mentoree], space(active_pairing))
    assert {e.subject for e in emails} == {
        f"Reminder: your mentoring meeting with {mentoree.employee.full_name} is coming up",
        f"Reminder: your mentoring meeting with {mentor.employee.full_name} is coming up",
    }


def test_the_other_member_hears_when_a_meeting_is_moved_then_cancelled(
    active_pairing, mentor, mentoree, deliver
):
    """Who moved or cancelled the meeting is not told; the other member is, once per change,
    with the time and a link, never a note (F9). The reminder follows the meeting."""
    meeting = log_meeting(active_pairing, days=3)
    new_start = meeting.starts_at + timedelta(days=1)
    pairing_services.meeting_update(
        meeting=meeting,
        by=mentor.employee,
        starts_at=new_start,
        duration_minutes=30,
        format="phone",
    )
    deliver()
    [moved] = assert_delivered("meeting_changed", [mentoree], space(active_pairing))
    assert moved.subject == (
        f"Your mentoring meeting with {mentor.employee.full_name} has a new time"
    )
    assert "30 minutes" in moved.body and "Phone" in moved.body

    pairing_services.meeting_cancel(meeting=meeting, by=mentoree.employee)
    deliver()
    [cancelled] = sent("meeting_changed", recipient=mentor)
    assert email_of(cancelled).subject == (
        f"Your mentoring meeting with {mentoree.employee.full_name} is cancelled"
    )
    deliver(now=new_start - timedelta(hours=settings.MEETING_REMINDER_HOURS))
    assert not sent("meeting_reminder").exists()


def test_meeting_reminder_is_skipped_when_the_meeting_is_deleted(active_pairing, mentor, deliver):
    meeting = log_meeting(active_pairing, days=3)
    due = meeting.starts_at - timedelta(hours=settings.MEETING_REMINDER_HOURS)
    pairing_services.meeting_delete(meeting=meeting, by=mentor.employee)

    deliver(now=due)

    assert not sent("meeting_reminder").exists()
    assert Message.objects.filter(kind="meeting_reminder").count() == 2
    assert not Message.objects.filter(kind="meeting_reminder").exclude(
        status=Message.Status.SKIPPED
    )


def test_meeting_reminder_is_skipped_when_the_pairing_ended_meanwhile(
    active_pairing, mentor, deliver
):
    meeting = log_meeting(active_pairing, days=3)
    due = meeting.starts_at - timedelta(hours=settings.MEETING_REMINDER_HOURS)
    pairing_services.pairing_end(
        pairing=active_pairing, by=mentor.employee, category=Pairing.EndCategory.FIT
    )

    deliver(now=due)

    # Ending the pairing cancelled the meeting and withdrew its reminders there and then.
    assert not sent("meeting_reminder").exists()
    assert skipped("meeting_reminder", "withdrawn").count() == 2


def test_no_meeting_nudge_goes_to_both_members_after_30_silent_days(
    active_pairing, mentor, mentoree, deliver
):
    now = timezone.now()
    days = settings.NO_MEETING_NUDGE_DAYS

    assert pairing_services.nudges_plan(now=now + timedelta(days=days - 1)) == 0
    assert pairing_services.nudges_plan(now=now + timedelta(days=days, hours=1)) == 2
    # The same silent stretch is nudged once, however often the planner runs.
    assert pairing_services.nudges_plan(now=now + timedelta(days=days + 2)) == 0
    deliver()

    assert_delivered("no_meeting_nudge", [mentor, mentoree], space(active_pairing))


def test_no_meeting_nudge_is_skipped_for_a_pair_that_met(active_pairing, deliver):
    pairing_services.nudges_plan(now=timezone.now() + timedelta(days=31))
    log_meeting(active_pairing, days=-1)

    deliver()

    assert not sent("no_meeting_nudge").exists()
    assert skipped("no_meeting_nudge", "no longer applies").count() == 2


def test_no_meeting_nudge_is_not_planned_for_a_pair_that_met_lately(active_pairing):
    log_meeting(active_pairing, days=-1)

    assert pairing_services.nudges_plan(now=timezone.now() + timedelta(days=20)) == 0
    assert not Message.objects.filter(kind="no_meeting_nudge").exists()


# --- The agreement -------------------------------------------------------------------------------


def test_agreement_to_sign_goes_to_both_members_when_the_pairing_awaits_it(
    pairing, mentor, mentoree, deliver
):
    accept_match(pairing)
    deliver()

    emails = assert_delivered("agreement_to_sign", [mentor, mentoree], agreement_page(pairing))
    assert {e.subject for e in emails} == {
        f"{pairing.program.name}: your pair's agreement is ready; please read and sign it"
    }


def test_agreement_to_sign_skips_whoever_already_signed_that_version(
    pairing, mentor, mentoree, deliver
):
    accept_match(pairing)
    sign_as(pairing, mentor)
    deliver()

    assert_delivered("agreement_to_sign", [mentoree], agreement_page(pairing))
    assert skipped("agreement_to_sign", "no longer applies", recipient=mentor).exists()


def test_agreement_to_sign_goes_to_both_again_for_a_new_version(
    active_pairing, mentor, mentoree, deliver
):
    deliver()  # version 1: both have signed it
    agreement = conf_services.agreement_change(
        agreement=agreement_of(active_pairing), by=mentoree, rules={"coordinator": "themes"}
    )
    deliver()

    assert agreement.version == 2
    assert_delivered(
        "agreement_to_sign",
        [mentor, mentoree],
        agreement_page(active_pairing),
        key__endswith=":v2",
    )
    assert not sent("agreement_to_sign", key__endswith=":v1").exists()


def test_agreement_reminder_goes_three_days_later_to_whoever_has_not_signed(
    pairing, mentor, mentoree, deliver
):
    accept_match(pairing)
    sign_as(pairing, mentor)
    due = due_of("agreement_reminder", mentoree)
    scheduled = Message.objects.get(kind="agreement_reminder", recipient=mentoree).created_at
    assert abs(due - scheduled - timedelta(days=settings.AGREEMENT_REMINDER_DAYS)) < MINUTE

    deliver()
    deliver(now=due - MINUTE)
    assert not sent("agreement_reminder").exists()

    deliver(now=due + MINUTE)
    [email] = assert_delivered("agreement_reminder", [mentoree], agreement_page(pairing))
    assert email.subject.startswith("Reminder: ")
    assert skipped("agreement_reminder", "no longer applies", recipient=mentor).exists()


def test_agreement_reminder_is_skipped_once_both_signed(active_pairing, deliver):
    deliver(now=timezone.now() + timedelta(days=settings.AGREEMENT_REMINDER_DAYS, hours=1))

    assert not sent("agreement_reminder").exists()
    assert skipped("agreement_reminder", "no longer applies").count() == 2


# --- Talent reviews and the digest ---------------------------------------------------------------


def test_panel_invitation_goes_to_the_seated_member_only(
    staffed_review, panel_member, talent_reviewer, mentoree, deliver
):
    deliver()

    [email] = assert_delivered(
        "panel_invitation", [panel_member], reverse("reviews:detail", args=[staffed_review.pk])
    )
    assert staffed_review.cycle in email.subject


def test_weekly_digest_goes_to_coordinators_of_live_programs_once_a_week(
    program, coordinator, other_program, other_coordinator, outsider, deliver
):
    drafting = EmployeeFactory(first_name="Dora", level=6).user
    make_program(coordinator=drafting, status="draft", name="Later 2028", slug="later-2028")
    monday = timezone.localtime().replace(hour=7, minute=0) + timedelta(
        days=7 - timezone.localtime().weekday()
    )

    assert digests_plan(now=monday) == 2
    assert digests_plan(now=monday + timedelta(days=2)) == 0  # the same ISO week
    deliver()

    emails = assert_delivered(
        "weekly_digest", [coordinator, other_coordinator], reverse("programs:list")
    )
    assert {e.subject for e in emails} == {"Your mentoring programs this week"}
    assert digests_plan(now=monday + timedelta(days=7)) == 2  # next week's


# --- Turning kinds off, and who never gets anything ----------------------------------------------


def test_an_optional_kind_turned_off_is_skipped_for_that_person_only(
    active_pairing, mentor, mentoree, deliver
):
    message_opt_outs_set(user=mentor, turned_off=["meeting_reminder"])
    meeting = log_meeting(active_pairing, days=3)

    deliver(now=meeting.starts_at - timedelta(hours=settings.MEETING_REMINDER_HOURS))

    assert_delivered("meeting_reminder", [mentoree], space(active_pairing))
    assert skipped("meeting_reminder", "turned off", recipient=mentor).exists()


def test_a_required_kind_cannot_be_turned_off(program, committee, mentoree, deliver):
    message_opt_outs_set(
        user=mentoree, turned_off=["application_received", "application_decided", "weekly_digest"]
    )

    assert set(MessageOptOut.objects.filter(user=mentoree).values_list("kind", flat=True)) == {
        "weekly_digest"
    }
    decide_by_committee(apply(mentoree.employee, program), committee, "admit")
    deliver()
    assert_delivered("application_received", [mentoree], reverse("programs:my_applications"))
    assert_delivered("application_decided", [mentoree], reverse("programs:my_applications"))


def test_turning_a_kind_back_on_removes_the_opt_out(mentoree):
    message_opt_outs_set(user=mentoree, turned_off=["meeting_reminder", "weekly_digest"])
    message_opt_outs_set(user=mentoree, turned_off=["weekly_digest"])

    assert list(MessageOptOut.objects.filter(user=mentoree).values_list("kind", flat=True)) == [
        "weekly_digest"
    ]


def test_an_inactive_recipient_gets_nothing(pairing, mentor, mentoree, deliver):
    User.objects.filter(pk=mentor.pk).update(is_active=False)

    deliver()

    assert not Notification.objects.filter(recipient=mentor).exists()
    assert not [e for e in mail.outbox if mentor.email in e.to]
    assert skipped("pairing_proposed", "inactive recipient", recipient=mentor).exists()
    assert_delivered("pairing_proposed", [mentoree], space(pairing))


# --- F9: no message carries confidential text ----------------------------------------------------


def _everything_sent() -> list[tuple[str, str]]:
    """Every place a message could carry text: each e-mail's subject, bodies, recipients and
    headers (as sent), each notification and every field of every message row."""
    places: list[tuple[str, str]] = []
    for email in mail.outbox:
        where = f"e-mail '{email.subject}'"
        places += [(where, email.subject), (where, email.body), (where, str(email.to))]
        places += [(where, str(content)) for content, _ in email.alternatives]
        places += [(where, f"{name}: {value}") for name, value in email.message().items()]
        places += [(where, str(email.extra_headers))]
    for title, url in Notification.objects.values_list("title", "url"):
        places += [("notification", title), ("notification", url)]
    for message in Message.objects.all():
        for field in Message._meta.concrete_fields:
            places.append((str(message), str(getattr(message, field.attname))))
    return places


def test_f9_no_e_mail_notification_or_message_row_carries_confidential_text(
    program, coordinator, committee, new_mentor, new_mentoree, executive, talent_reviewer, deliver
):
    """F9: a canary in every confidential field of a pair and of the applications (motivation,
    goals, votes' comments, the decision's reason, notes, a goal, the agreement's terms, a
    consented theme, a private end reason); then every kind is triggered and delivered."""
    secret = canary()
    mentor_a = EmployeeFactory(first_name="Edda", level=7, title="Director")
    mentoree_a = EmployeeFactory(first_name="Amara", level=4)
    applications = [
        apply(employee, program, role, motivation=f"{secret} motivation", goals=f"{secret} goals")
        for employee, role in ((mentor_a, "mentor"), (mentoree_a, "mentoree"))
    ]
    deliver()
    for application in applications:
        for member in committee:
            program_services.vote_cast(
                application=application, voter=member, choice="admit", comment=f"{secret} vote"
            )
        program_services.application_decide(
            application=application, by=committee[0], decision="admit", reason=f"{secret} why"
        )
    deliver()
    program_services.commitment_publish(program=program, by=coordinator, text=NEW_COMMITMENT_TEXT)
    deliver()
    for employee in (mentor_a, mentoree_a):
        program_services.commitment_accept(employee=employee, program=program)

    # Pair A: active, full of canaries, a meeting in three days.
    pair_a = propose(program, mentor_a, mentoree_a, by=coordinator)
    deliver()
    pair_a = accept_both(pair_a)
    deliver()
    log_meeting(pair_a, days=3)
    conf_services.note_create(pairing=pair_a, author=mentor_a.user, text=f"{secret} private")
    conf_services.note_create(
        pairing=pair_a, author=mentoree_a.user, text=f"{secret} shared", shared=True
    )
    pairing_services.goal_create(pairing=pair_a, by=mentoree_a, title=f"{secret} goal")
    conf_services.agreement_change(
        agreement=agreement_of(pair_a),
        by=mentoree_a.user,
        rules={"coordinator": "themes"},
        terms=f"{agreement_of(pair_a).terms}\n\n{secret} terms",
    )
    deliver()
    pair_a = accept_both(pair_a)
    conf_services.theme_add(
        agreement=agreement_of(pair_a),
        by=mentoree_a.user,
        audience="coordinator",
        text=f"{secret} theme",
    )
    assert Pairing.objects.get(pk=pair_a.pk).status == Pairing.Status.ACTIVE
    # The mentoree moves the meeting an hour later: the mentor is told.
    meeting = pair_a.meetings.get()
    pairing_services.meeting_update(
        meeting=meeting,
        by=mentoree_a,
        starts_at=meeting.starts_at + timedelta(hours=1),
        duration_minutes=45,
        format="phone",
    )

    # Pair B: active and silent for a month. Pair C: ends with a private reason.
    # Pair D: accepted, only the mentor signed.
    pair_b = accept_both(propose(program, new_mentor(), new_mentoree(), by=coordinator))
    pair_c = accept_both(propose(program, new_mentor(), new_mentoree(), by=coordinator))
    conf_services.note_create(pairing=pair_c, author=pair_c.mentor.user, text=f"{secret} c")
    pairing_services.pairing_end(
        pairing=pair_c,
        by=pair_c.mentor,
        category=Pairing.EndCategory.FIT,
        private_reason=f"{secret} end reason",
    )
    pair_d = accept_match(propose(program, new_mentor(), new_mentoree(), by=coordinator))
    sign_as(pair_d, pair_d.mentor.user)

    # A group session of one seat: one moves up when the other cancels.
    session = program_services.session_create(
        program=program,
        by=coordinator,
        leader=executive.employee,
        title="Leading through uncertainty",
        description="The President takes questions.",
        starts_at=timezone.now() + timedelta(days=7),
        duration_minutes=90,
        location="Board room",
        capacity=1,
    )
    program_services.session_register(session=session, employee=mentoree_a)
    program_services.session_register(session=session, employee=pair_b.mentoree)
    program_services.session_cancel_registration(session=session, employee=mentoree_a)
    # Its place changes; a second session is called off.
    program_services.session_update(
        session=session,
        by=coordinator,
        **{name: getattr(session, name) for name in program_services.SESSION_FIELDS}
        | {"location": "Room 4"},
    )
    second = program_services.session_create(
        program=program,
        by=coordinator,
        leader=executive.employee,
        title="Second session",
        starts_at=timezone.now() + timedelta(days=9),
        location="Board room",
    )
    program_services.session_cancel(session=second, by=coordinator)

    # A talent review of the mentoree, with a panel; the digest; a month without meetings.
    seat(plan_review(mentoree_a, by=talent_reviewer), staff_member(), by=talent_reviewer)
    digests_plan()
    assert pairing_services.nudges_plan(now=timezone.now() + timedelta(days=31)) == 2
    # Who an account is (F12): a reset link, a new address asked for, a password changed.
    people_services.account_password_link_send(user=mentoree_a.user, by=coordinator)
    people_services.account_address_change_request(
        user=mentor_a.user, by=None, new_email="edda.new@example.test", source="admin"
    )
    people_services.account_password_set(
        user=mentor_a.user, by=mentor_a.user, password="a-new-and-longer-passphrase"
    )
    deliver()
    deliver(now=timezone.now() + timedelta(days=60))

    delivered = Message.objects.filter(status=Message.Status.SENT)
    assert set(delivered.values_list("kind", flat=True)) == ALL_KINDS
    assert not Message.objects.exclude(status__in=[Message.Status.SENT, Message.Status.SKIPPED])
    for where, text in _everything_sent():
        assert secret not in text, where
