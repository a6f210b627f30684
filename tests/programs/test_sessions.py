"""Group sessions (F4: executives lead groups, not pairs): scheduling, registration with a
waiting list that moves up in order, attendance by the leader or a coordinator, and the
iCalendar download."""

import html
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from programs import selectors, services
from programs.models import GroupSession, Registration
from tests.builders.programs import apply, decide_by_committee, make_program
from tests.factories import EmployeeFactory

REGISTERED, WAITLISTED, CANCELLED = "registered", "waitlisted", "cancelled"


@pytest.fixture
def participants(admit):
    """Four admitted mentorees, in the order they will register."""
    people = [EmployeeFactory(level=4, first_name=name) for name in ("Ana", "Ben", "Cy", "Dee")]
    for person in people:
        admit(person)
    return people


def register(session, employee):
    return services.session_register(session=session, employee=employee)


def statuses(session):
    return {
        r.participant.first_name: r.status
        for r in Registration.objects.filter(session=session).select_related("participant")
    }


def has_started(session, hours_ago=1):
    """Time passes: the session began `hours_ago` hours ago."""
    GroupSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(hours=hours_ago)
    )
    session.refresh_from_db()
    return session


def session_fields(**overrides):
    fields = {
        "title": "From director to executive",
        "description": "",
        "starts_at": timezone.now() + timedelta(days=3),
        "duration_minutes": 60,
        "location": "Video call",
        "capacity": 10,
    }
    fields.update(overrides)
    return fields


# --- Scheduling --------------------------------------------------------------------------------


def test_coordinator_schedules_a_session_led_by_an_executive_who_is_told(
    program, coordinator, executive, deliver
):
    """F4: the President leads a group session instead of mentoring one person."""
    session = services.session_create(
        program=program, by=coordinator, leader=executive.employee, **session_fields()
    )
    deliver()

    assert session.leader == executive.employee
    assert executive.employee.is_group_only
    assert Notification.objects.filter(
        recipient=executive,
        title__contains="you lead the group session",
        url=reverse("programs:session", args=[session.pk]),
    ).exists()
    assert list(selectors.sessions_led_by(user=executive)) == [session]


@pytest.mark.parametrize("who", ["other_coordinator", "executive", "superuser", "hr_admin"])
def test_only_a_coordinator_of_the_program_schedules_sessions(request, program, executive, who):
    with pytest.raises(ValidationError, match="Only a coordinator"):
        services.session_create(
            program=program,
            by=request.getfixturevalue(who),
            leader=executive.employee,
            **session_fields(),
        )

    assert not GroupSession.objects.exists()


def test_sessions_are_scheduled_in_the_future_only(program, coordinator, executive):
    with pytest.raises(ValidationError, match="in the future"):
        services.session_create(
            program=program,
            by=coordinator,
            leader=executive.employee,
            **session_fields(starts_at=timezone.now() - timedelta(hours=1)),
        )

    assert not GroupSession.objects.exists()


def test_no_session_for_a_closed_program(coordinator, executive):
    program = make_program(coordinator=coordinator, status="closed")

    with pytest.raises(ValidationError, match="closed"):
        services.session_create(
            program=program, by=coordinator, leader=executive.employee, **session_fields()
        )


def test_session_leader_must_be_an_active_employee(program, coordinator):
    leaver = EmployeeFactory(level=9, is_active=False)

    with pytest.raises(ValidationError, match="active employee"):
        services.session_create(program=program, by=coordinator, leader=leaver, **session_fields())


def test_coordinator_schedules_a_session_in_the_browser(
    program, coordinator, executive, signed_in_client
):
    starts = timezone.localtime(timezone.now() + timedelta(days=5)).replace(second=0, microsecond=0)

    response = signed_in_client(coordinator).post(
        reverse("programs:session_create", args=[program.slug]),
        {
            "title": "Leading a bank",
            "description": "",
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": 90,
            "location": "Board room",
            "capacity": 12,
            "leader": executive.email.upper(),
        },
    )

    assert response.status_code == 302
    session = GroupSession.objects.get()
    assert session.leader == executive.employee
    assert session.starts_at == starts


# --- Registration and the waiting list -------------------------------------------------------


def test_admitted_participants_register_until_full_then_wait_in_order(session, participants):
    cy, dee = participants[2:]

    results = [register(session, person).status for person in participants]

    assert results == [REGISTERED, REGISTERED, WAITLISTED, WAITLISTED]
    waiting = [
        r.participant
        for r in selectors.registrations_for(session=session)
        if r.status == WAITLISTED
    ]
    assert waiting == [cy, dee]


def test_first_in_line_moves_up_and_is_told_when_someone_cancels(session, participants, deliver):
    ana, cy = participants[0], participants[2]
    for person in participants:
        register(session, person)

    services.session_cancel_registration(session=session, employee=ana)
    deliver()

    assert statuses(session) == {
        "Ana": CANCELLED,
        "Ben": REGISTERED,
        "Cy": REGISTERED,
        "Dee": WAITLISTED,
    }
    told = Notification.objects.filter(title__contains="A seat opened")
    assert [n.recipient for n in told] == [cy.user]
    assert told.get().url == reverse("programs:session", args=[session.pk])


def test_leaving_the_waiting_list_moves_nobody_up(session, participants, deliver):
    cy = participants[2]
    for person in participants:
        register(session, person)

    services.session_cancel_registration(session=session, employee=cy)
    deliver()

    assert statuses(session) == {
        "Ana": REGISTERED,
        "Ben": REGISTERED,
        "Cy": CANCELLED,
        "Dee": WAITLISTED,
    }
    assert not Notification.objects.filter(title__contains="A seat opened").exists()


def test_registering_again_after_cancelling_joins_the_end_of_the_line(session, participants):
    ben, cy = participants[1], participants[2]
    for person in participants:
        register(session, person)
    services.session_cancel_registration(session=session, employee=cy)  # leaves the line

    again = register(session, cy)
    services.session_cancel_registration(session=session, employee=ben)

    assert again.status == WAITLISTED
    assert statuses(session)["Dee"] == REGISTERED
    assert statuses(session)["Cy"] == WAITLISTED
    assert Registration.objects.filter(session=session, participant=cy).count() == 1


def test_registering_twice_is_refused(session, participants):
    register(session, participants[0])

    with pytest.raises(ValidationError, match="already registered"):
        register(session, participants[0])


def test_cancelling_without_a_registration_is_refused(session, participants):
    with pytest.raises(ValidationError, match="not registered"):
        services.session_cancel_registration(session=session, employee=participants[0])


@pytest.mark.parametrize("state", ["outsider", "applied", "declined", "waitlisted", "withdrawn"])
def test_people_not_admitted_cannot_register(session, program, committee, outsider, state):
    person = outsider.employee
    if state != "outsider":
        application = apply(person, program)
        if state == "withdrawn":
            services.application_withdraw(application=application, by=person)
        elif state in ("declined", "waitlisted"):
            decision = {"declined": "decline", "waitlisted": "waitlist"}[state]
            decide_by_committee(application, committee, decision)

    with pytest.raises(ValidationError, match="Only admitted participants"):
        register(session, person)

    assert not Registration.objects.exists()


def test_participant_of_another_program_cannot_register(session, other_program, other_coordinator):
    stranger = EmployeeFactory(level=4)
    members = [EmployeeFactory(level=7).user for _ in range(3)]
    for member in members:
        services.committee_member_add(program=other_program, by=other_coordinator, user=member)
    decide_by_committee(apply(stranger, other_program), members)

    with pytest.raises(ValidationError, match="Only admitted participants"):
        register(session, stranger)


def test_no_registration_once_the_session_has_taken_place(session, participants):
    has_started(session)

    with pytest.raises(ValidationError, match="already taken place"):
        register(session, participants[0])


def test_participant_registers_and_cancels_in_the_browser(session, participant, signed_in_client):
    client = signed_in_client(participant)

    assert client.post(reverse("programs:session_register", args=[session.pk])).status_code == 302
    assert statuses(session) == {participant.first_name: REGISTERED}
    page = client.get(reverse("programs:my_sessions")).content.decode()
    assert session.title in page

    assert client.post(reverse("programs:session_cancel", args=[session.pk])).status_code == 302
    assert statuses(session) == {participant.first_name: CANCELLED}


def test_waiting_participant_is_told_in_the_browser_when_the_session_is_full(
    session, participants, participant, signed_in_client
):
    register(session, participants[0])
    register(session, participants[1])

    response = signed_in_client(participant).post(
        reverse("programs:session_register", args=[session.pk]), follow=True
    )

    assert response.status_code == 200
    assert "waiting list" in response.content.decode()
    assert statuses(session)[participant.first_name] == WAITLISTED


@pytest.mark.parametrize("who", ["outsider", "other_coordinator", "committee_member"])
def test_people_who_cannot_see_the_session_get_404_and_register_nothing(
    request, session, committee, signed_in_client, who
):
    client = signed_in_client(request.getfixturevalue(who))

    assert client.get(reverse("programs:session", args=[session.pk])).status_code == 404
    assert client.post(reverse("programs:session_register", args=[session.pk])).status_code == 404
    assert not Registration.objects.exists()


# --- Attendance ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["executive", "coordinator"])
def test_leader_or_coordinator_records_attendance(request, session, participants, who):
    ana = participants[0]
    for person in participants:
        register(session, person)
    has_started(session)
    came = Registration.objects.get(session=session, participant=ana)

    count = services.session_record_attendance(
        session=session, by=request.getfixturevalue(who), attended_ids=[came.pk]
    )

    assert count == 1
    attended = dict(
        Registration.objects.filter(session=session).values_list(
            "participant__first_name", "attended"
        )
    )
    assert attended == {"Ana": True, "Ben": False, "Cy": None, "Dee": None}


@pytest.mark.parametrize(
    "who", ["participant", "other_coordinator", "committee_member", "superuser"]
)
def test_nobody_else_records_attendance(request, session, committee, participants, who):
    register(session, participants[0])
    has_started(session)

    with pytest.raises(ValidationError, match="Only the session's leader or a coordinator"):
        services.session_record_attendance(
            session=session,
            by=request.getfixturevalue(who),
            attended_ids=list(Registration.objects.values_list("pk", flat=True)),
        )

    assert Registration.objects.get().attended is None


def test_attendance_waits_until_the_session_starts(session, participants, executive):
    registration = register(session, participants[0])

    with pytest.raises(ValidationError, match="once the session has started"):
        services.session_record_attendance(
            session=session, by=executive, attended_ids=[registration.pk]
        )

    assert Registration.objects.get().attended is None


def test_attendance_only_for_registered_participants(session, participants, executive):
    register(session, participants[0])
    register(session, participants[1])
    waiting = register(session, participants[2])
    has_started(session)

    with pytest.raises(ValidationError, match="only be recorded for registered"):
        services.session_record_attendance(session=session, by=executive, attended_ids=[waiting.pk])

    assert not Registration.objects.filter(attended__isnull=False).exists()


def test_leader_records_attendance_in_the_browser(
    session, participant, executive, signed_in_client
):
    registration = register(session, participant.employee)
    has_started(session)

    response = signed_in_client(executive).post(
        reverse("programs:session_attendance", args=[session.pk]), {"attended": [registration.pk]}
    )

    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.attended is True


def test_participant_cannot_record_attendance_in_the_browser(
    session, participant, signed_in_client
):
    registration = register(session, participant.employee)
    has_started(session)

    response = signed_in_client(participant).post(
        reverse("programs:session_attendance", args=[session.pk]),
        {"attended": [registration.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert "Only the session's leader or a coordinator" in html.unescape(response.content.decode())
    registration.refresh_from_db()
    assert registration.attended is None


# --- The calendar file ---------------------------------------------------------------------------


@pytest.fixture
def calendar_session(program, coordinator, executive):
    return services.session_create(
        program=program,
        by=coordinator,
        leader=executive.employee,
        title="Stratégie, risque; et croissance: une conversation ouverte avec la Présidente",
        description="",
        starts_at=datetime(2030, 7, 1, 14, 30, tzinfo=ZoneInfo("Europe/London")),
        duration_minutes=90,
        location="Board room, 1 Bank Street; London",
        capacity=12,
    )


def _unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_ics_download_is_valid_icalendar(calendar_session, participant, signed_in_client):
    response = signed_in_client(participant).get(
        reverse("programs:session_ics", args=[calendar_session.pk])
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    assert ".ics" in response["Content-Disposition"]
    raw = response.content
    text = raw.decode("utf-8")
    # CRLF line endings everywhere, and nothing else.
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert "\r" not in text.replace("\r\n", "")
    # Folded at 75 octets, continuation lines start with one space, UTF-8 never split.
    physical = raw.split(b"\r\n")[:-1]
    assert max(len(line) for line in physical) <= 75
    assert any(line.startswith(b" ") for line in physical), "a long line should be folded"
    for line in physical:
        line.decode("utf-8")
    lines = _unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR"
    assert lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert "VERSION:2.0" in lines
    assert any(line.startswith("PRODID:") for line in lines)
    assert lines.count("BEGIN:VEVENT") == 1 and lines.count("END:VEVENT") == 1
    # 14:30 in London in July (BST) is 13:30 UTC; ends 90 minutes later.
    assert "DTSTART:20300701T133000Z" in lines
    assert "DTEND:20300701T150000Z" in lines
    assert any(re.fullmatch(r"DTSTAMP:\d{8}T\d{6}Z", line) for line in lines)
    assert any(line.startswith("UID:") for line in lines)
    assert (
        "SUMMARY:Stratégie\\, risque\\; et croissance: une conversation ouverte avec "
        "la Présidente" in lines
    )
    assert "LOCATION:Board room\\, 1 Bank Street\\; London" in lines


def test_ics_is_not_offered_to_people_who_cannot_see_the_session(
    calendar_session, outsider, signed_in_client
):
    response = signed_in_client(outsider).get(
        reverse("programs:session_ics", args=[calendar_session.pk])
    )

    assert response.status_code == 404
