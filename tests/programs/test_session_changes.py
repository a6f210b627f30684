"""Changing and cancelling a group session: who may, what is refused (and why), who is told,
and how calendars follow (the same UID, a growing SEQUENCE, STATUS:CANCELLED)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from mentoring.calendar_feed import feed_text
from notifications.models import Message, Notification
from programs import services
from programs.models import GroupSession, Registration
from tests.factories import EmployeeFactory


@pytest.fixture
def seated(session, admit):
    """Ana and Ben hold the two seats, Cy waits, Dee registered and cancelled."""
    people = {}
    for name in ("Ana", "Ben", "Cy", "Dee"):
        person = EmployeeFactory(level=4, first_name=name)
        admit(person)
        services.session_register(session=session, employee=person)
        people[name] = person
    services.session_cancel_registration(session=session, employee=people["Dee"])
    return people


def ics(client, session) -> str:
    response = client.get(reverse("programs:session_ics", args=[session.pk]))
    assert response.status_code == 200
    return response.content.decode()


def field(text: str, name: str) -> str:
    (line,) = [line for line in text.split("\r\n") if line.startswith(f"{name}:")]
    return line.split(":", 1)[1]


def told(kind_words: str) -> set:
    return {n.recipient_id for n in Notification.objects.filter(title__startswith=kind_words)}


def later(session, **changes):
    fields = {name: getattr(session, name) for name in services.SESSION_FIELDS}
    fields.update(changes)
    return fields


# --- Changing ----------------------------------------------------------------------------------


def test_a_new_time_tells_everyone_registered_or_waiting_and_the_leader_not_the_coordinator(
    session, seated, coordinator, executive, deliver
):
    new_time = session.starts_at + timedelta(days=1)

    changed = services.session_update(
        session=session, by=coordinator, **later(session, starts_at=new_time)
    )
    deliver()

    assert changed == ["starts_at"]
    session.refresh_from_db()
    assert session.starts_at == new_time and session.sequence == 1
    people = {seated[name].user_id for name in ("Ana", "Ben", "Cy")}
    assert told("Changed: the group session") == people | {executive.pk}
    assert coordinator.pk not in told("Changed") and seated["Dee"].user_id not in told("Changed")


def test_the_calendar_file_keeps_its_uid_and_its_sequence_grows(
    session, seated, coordinator, executive, signed_in_client
):
    client = signed_in_client(executive)
    before = ics(client, session)

    services.session_update(
        session=session, by=coordinator, **later(session, location="Room 4, 2 Bank Street")
    )
    after = ics(client, session)
    services.session_update(session=session, by=executive, **later(session, duration_minutes=45))
    third = ics(client, session)

    assert field(before, "UID") == field(after, "UID") == field(third, "UID")
    assert [field(t, "SEQUENCE") for t in (before, after, third)] == ["0", "1", "2"]
    assert "Room 4" in after and "STATUS:CONFIRMED" in after and "CANCELLED" not in after


def test_a_change_no_calendar_shows_is_quiet(session, seated, coordinator, deliver):
    services.session_update(
        session=session, by=coordinator, **later(session, description="Bring a question.")
    )
    deliver()

    session.refresh_from_db()
    assert session.sequence == 0
    assert not told("Changed")


def test_saving_without_a_change_changes_nothing(session, seated, coordinator):
    assert services.session_update(session=session, by=coordinator, **later(session)) == []
    assert not Message.objects.filter(kind="session_changed").exists()


def test_a_new_time_moves_the_reminders(session, seated, coordinator):
    old = Message.objects.get(recipient=seated["Ana"].user, kind="session_reminder")
    new_time = session.starts_at + timedelta(days=2)

    services.session_update(session=session, by=coordinator, **later(session, starts_at=new_time))

    old.refresh_from_db()
    assert old.status == Message.Status.SKIPPED
    new = Message.objects.get(
        recipient=seated["Ana"].user, kind="session_reminder", status=Message.Status.PENDING
    )
    assert new.due_at == new_time - timedelta(hours=settings.SESSION_REMINDER_HOURS)
    assert Message.objects.filter(
        kind="session_reminder", status=Message.Status.PENDING
    ).count() == len({"Ana", "Ben", "Cy", "leader"})


def test_the_notice_is_scheduled_in_the_same_transaction(session, seated, coordinator):
    """A change that is rolled back leaves no notice behind."""
    with pytest.raises(RuntimeError), transaction.atomic():
        services.session_update(
            session=session, by=coordinator, **later(session, location="Elsewhere")
        )
        raise RuntimeError

    assert not Message.objects.filter(kind="session_changed").exists()
    session.refresh_from_db()
    assert session.location != "Elsewhere"


def test_the_leader_changes_details_but_not_the_seats(session, seated, executive):
    with pytest.raises(ValidationError) as refused:
        services.session_update(session=session, by=executive, **later(session, capacity=9))

    assert "Only a coordinator" in str(refused.value.message_dict["capacity"])
    session.refresh_from_db()
    assert session.capacity == 2


def test_more_seats_move_the_waiting_list_up_and_tell_them(session, seated, coordinator, deliver):
    services.session_update(session=session, by=coordinator, **later(session, capacity=3))
    deliver()

    cy = Registration.objects.get(participant=seated["Cy"])
    assert cy.status == Registration.Status.REGISTERED
    assert told("A seat opened") == {seated["Cy"].user_id}


def test_fewer_seats_than_people_registered_is_a_field_error(session, seated, coordinator):
    with pytest.raises(ValidationError) as refused:
        services.session_update(session=session, by=coordinator, **later(session, capacity=1))

    assert "2 people already hold a seat" in str(refused.value.message_dict["capacity"])
    session.refresh_from_db()
    assert session.capacity == 2 and session.sequence == 0


@pytest.mark.parametrize(
    "who", ["other_coordinator", "mentoree", "hr_admin", "superuser", "outsider"]
)
def test_nobody_else_changes_a_session(request, session, who):
    user = request.getfixturevalue(who)
    with pytest.raises(ValidationError, match="Only the session's leader or a coordinator"):
        services.session_update(session=session, by=user, **later(session, title="Mine now"))
    with pytest.raises(ValidationError, match="Only a coordinator"):
        services.session_cancel(session=session, by=user)

    session.refresh_from_db()
    assert session.title != "Mine now" and not session.is_cancelled


@pytest.mark.parametrize("who", ["other_coordinator", "hr_admin", "superuser", "outsider"])
def test_the_change_pages_are_hidden_from_everyone_else(request, session, who, signed_in_client):
    client = signed_in_client(request.getfixturevalue(who))

    assert client.get(reverse("programs:session_edit", args=[session.pk])).status_code == 404
    assert client.post(reverse("programs:session_call_off", args=[session.pk])).status_code == 404
    session.refresh_from_db()
    assert not session.is_cancelled


def test_a_past_time_in_the_form_is_a_field_error_and_changes_nothing(
    session, seated, coordinator, signed_in_client
):
    form = later(session, starts_at=timezone.localtime() - timedelta(days=1))
    form["starts_at"] = form["starts_at"].strftime("%Y-%m-%dT%H:%M")

    response = signed_in_client(coordinator).post(
        reverse("programs:session_edit", args=[session.pk]), form
    )

    assert response.status_code == 200
    assert response.context["form"].errors["starts_at"] == ["Schedule the session in the future."]
    before = session.starts_at
    session.refresh_from_db()
    assert session.starts_at == before and session.sequence == 0
    assert not Message.objects.filter(kind="session_changed").exists()


def test_an_empty_title_in_the_form_is_a_field_error(session, coordinator, signed_in_client):
    form = later(session, title="")
    form["starts_at"] = timezone.localtime(form["starts_at"]).strftime("%Y-%m-%dT%H:%M")

    response = signed_in_client(coordinator).post(
        reverse("programs:session_edit", args=[session.pk]), form
    )

    assert response.status_code == 200
    assert "title" in response.context["form"].errors
    session.refresh_from_db()
    assert session.title == "Leading through uncertainty"


def test_the_leader_changes_the_place_in_the_browser_without_a_seats_field(
    session, seated, executive, signed_in_client, deliver
):
    client = signed_in_client(executive)
    page = client.get(reverse("programs:session_edit", args=[session.pk]))
    assert "capacity" not in page.context["form"].fields

    form = later(session, location="The roof garden")
    form["starts_at"] = timezone.localtime(form["starts_at"]).strftime("%Y-%m-%dT%H:%M")
    form["capacity"] = 50  # ignored: not the leader's to set
    response = client.post(reverse("programs:session_edit", args=[session.pk]), form)
    deliver()

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.location == "The roof garden" and session.capacity == 2
    assert seated["Ana"].user_id in told("Changed")


# --- Cancelling -------------------------------------------------------------------------------


def test_a_coordinator_cancels_and_everyone_involved_is_told(
    session, seated, coordinator, executive, signed_in_client, deliver
):
    response = signed_in_client(coordinator).post(
        reverse("programs:session_call_off", args=[session.pk])
    )
    deliver()

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.is_cancelled and session.cancelled_by == coordinator
    people = {seated[name].user_id for name in ("Ana", "Ben", "Cy")}
    assert told("Cancelled: the group session") == people | {executive.pk}
    # The day-before reminders will not come.
    assert not Message.objects.filter(
        kind="session_reminder", status=Message.Status.PENDING
    ).exists()


def test_a_cancelled_session_is_cancelled_in_calendars_under_the_same_uid(
    session, seated, coordinator, signed_in_client
):
    ana = seated["Ana"].user
    before = ics(signed_in_client(ana), session)

    services.session_cancel(session=session, by=coordinator)
    after = ics(signed_in_client(ana), session)
    feed = feed_text(user=ana)

    assert field(after, "UID") == field(before, "UID")
    assert field(after, "SEQUENCE") == "1" and field(after, "STATUS") == "CANCELLED"
    assert field(feed, "STATUS") == "CANCELLED" and field(feed, "SEQUENCE") == "1"


def test_a_cancelled_session_takes_no_registration_change_or_attendance(
    session, seated, coordinator, admit
):
    services.session_cancel(session=session, by=coordinator)
    newcomer = EmployeeFactory(level=4)
    admit(newcomer)

    with pytest.raises(ValidationError, match="cancelled"):
        services.session_register(session=session, employee=newcomer)
    with pytest.raises(ValidationError, match="cancelled"):
        services.session_update(session=session, by=coordinator, **later(session, title="Back"))
    with pytest.raises(ValidationError, match="already cancelled"):
        services.session_cancel(session=session, by=coordinator)
    GroupSession.objects.filter(pk=session.pk).update(starts_at=timezone.now() - timedelta(hours=1))
    session.refresh_from_db()
    with pytest.raises(ValidationError, match="cancelled"):
        services.session_record_attendance(session=session, by=coordinator, attended_ids=[])


def test_the_leader_may_not_cancel_and_is_told_whom_to_ask(session, executive):
    with pytest.raises(ValidationError, match="Only a coordinator of the program can cancel"):
        services.session_cancel(session=session, by=executive)

    session.refresh_from_db()
    assert not session.is_cancelled


def test_a_session_that_took_place_cannot_be_cancelled_and_the_page_says_why(
    session, seated, coordinator, signed_in_client
):
    GroupSession.objects.filter(pk=session.pk).update(starts_at=timezone.now() - timedelta(hours=2))
    client = signed_in_client(coordinator)

    response = client.post(reverse("programs:session_call_off", args=[session.pk]), follow=True)

    assert "has already taken place, so it cannot be cancelled" in response.content.decode()
    session.refresh_from_db()
    assert not session.is_cancelled and session.sequence == 0
    assert not Message.objects.filter(kind="session_cancelled").exists()
    with pytest.raises(ValidationError, match="already taken place"):
        services.session_update(session=session, by=coordinator, **later(session, title="Late"))


def test_the_session_page_offers_changing_to_its_managers_only(
    session, seated, coordinator, executive, signed_in_client
):
    edit = reverse("programs:session_edit", args=[session.pk])
    call_off = reverse("programs:session_call_off", args=[session.pk])

    as_coordinator = signed_in_client(coordinator).get(
        reverse("programs:session", args=[session.pk])
    )
    as_leader = signed_in_client(executive).get(reverse("programs:session", args=[session.pk]))
    as_participant = signed_in_client(seated["Ana"].user).get(
        reverse("programs:session", args=[session.pk])
    )

    assert edit in as_coordinator.content.decode() and call_off in as_coordinator.content.decode()
    assert edit in as_leader.content.decode() and call_off not in as_leader.content.decode()
    assert edit not in as_participant.content.decode()


def test_the_change_page_of_a_past_session_says_why_and_offers_no_form(
    session, coordinator, signed_in_client
):
    GroupSession.objects.filter(pk=session.pk).update(starts_at=timezone.now() - timedelta(hours=2))

    response = signed_in_client(coordinator).get(
        reverse("programs:session_edit", args=[session.pk])
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "has already taken place, so its details stay as they were" in html
    assert "Save the changes" not in html


def test_saving_the_form_with_only_the_description_changed_tells_nobody(
    session, seated, coordinator, signed_in_client
):
    """The form shows the time to the minute; the session's own time has seconds."""
    assert session.starts_at.second or session.starts_at.microsecond
    form = later(session, description="Bring one question.")
    form["starts_at"] = timezone.localtime(form["starts_at"]).strftime("%Y-%m-%dT%H:%M")

    response = signed_in_client(coordinator).post(
        reverse("programs:session_edit", args=[session.pk]), form
    )

    assert response.status_code == 302
    before = session.starts_at
    session.refresh_from_db()
    assert session.starts_at == before and session.sequence == 0
    assert session.description == "Bring one question."
    assert not Message.objects.filter(kind="session_changed").exists()
