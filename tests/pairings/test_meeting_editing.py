"""Meetings can be rescheduled, corrected and cancelled by the pair's two members, and
calendars follow: the meeting keeps its UID, its SEQUENCE grows with every change, and a
cancelled meeting is sent as STATUS:CANCELLED (METHOD:CANCEL in its own file), so a calendar
updates its copy instead of adding a second one. Ending a pairing cancels what is still to
come. Nobody else (coordinator, HR admin, superuser, a stranger) can touch a meeting: 404.
A meeting carries no text of the pair's into any calendar (F9)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from confidentiality.selectors import meetings_to_note_on
from mentoring.calendar_feed import feed_text
from notifications.models import Message
from pairings import selectors, services
from pairings.models import Meeting
from reports.selectors import _meetings_per_month
from tests.builders.confidentiality import canary, write_note
from tests.builders.pairings import MEETING_FORM_FORMAT, flash_messages, log_meeting

OUTSIDERS = ["coordinator", "hr_admin", "superuser", "outsider", "other_mentor"]


def ics_fields(text: str) -> list[dict[str, str]]:
    """Each VEVENT's properties (folded lines joined), plus the calendar's METHOD in each."""
    unfolded = text.replace("\r\n ", "")
    method = next(line for line in unfolded.split("\r\n") if line.startswith("METHOD:"))
    events, current = [], None
    for line in unfolded.split("\r\n"):
        if line == "BEGIN:VEVENT":
            current = {"METHOD": method.split(":", 1)[1]}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None and ":" in line:
            key, value = line.split(":", 1)
            current[key] = value
    return events


def download(client, meeting) -> dict[str, str]:
    response = client.get(reverse("pairings:meeting_ics", args=[meeting.pk]))
    assert response.status_code == 200
    (event,) = ics_fields(response.content.decode())
    return event


def in_feed(user, meeting) -> dict[str, str] | None:
    events = ics_fields(feed_text(user=user))
    return next((e for e in events if e["UID"].startswith(f"meeting-{meeting.pk}@")), None)


def form(starts_at, ends_at, fmt=Meeting.Format.VIDEO) -> dict:
    local = timezone.localtime
    return {
        "starts_at": local(starts_at).strftime(MEETING_FORM_FORMAT),
        "ends_at": local(ends_at).strftime(MEETING_FORM_FORMAT),
        "format": fmt,
    }


def edit_url(meeting) -> str:
    return reverse("pairings:meeting_edit", args=[meeting.pk])


def utc(value) -> str:
    return value.astimezone(timezone.UTC).strftime("%Y%m%dT%H%M%SZ")


def reminder_statuses(meeting) -> dict[str, str]:
    rows = Message.objects.filter(kind="meeting_reminder", object_id=meeting.pk)
    return dict(rows.values_list("key", "status").distinct())


def test_rescheduling_keeps_the_uid_and_raises_the_sequence(
    active_pairing, mentor, mentoree, signed_in_client
):
    meeting = log_meeting(active_pairing, days=3, duration_minutes=45)
    client = signed_in_client(mentoree)
    before_file, before_feed = download(client, meeting), in_feed(mentor, meeting)
    assert (before_file["SEQUENCE"], before_feed["SEQUENCE"]) == ("0", "0")
    assert before_file["STATUS"] == before_feed["STATUS"] == "CONFIRMED"

    new_start = meeting.starts_at + timedelta(days=2, hours=1)
    response = client.post(
        edit_url(meeting), form(new_start, new_start + timedelta(minutes=90), "in_person")
    )

    assert response.status_code == 302
    assert "The meeting is rescheduled." in " ".join(flash_messages(response))
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.duration_minutes, meeting.format, meeting.sequence) == (
        new_start,
        90,
        "in_person",
        1,
    )
    after_file, after_feed = download(client, meeting), in_feed(mentor, meeting)
    assert after_file["UID"] == before_file["UID"]
    assert after_feed["UID"] == before_feed["UID"]
    assert after_file["SEQUENCE"] == after_feed["SEQUENCE"] == "1"
    assert after_file["DTSTART"] == after_feed["DTSTART"] == utc(new_start)
    assert after_file["DTEND"] == utc(new_start + timedelta(minutes=90))
    assert after_file["METHOD"] == "PUBLISH"
    # The reminder of the old time is withdrawn, one for the new time waits.
    statuses = reminder_statuses(meeting)
    assert statuses[f"meeting-reminder:{meeting.pk}:24h"] == Message.Status.SKIPPED
    assert statuses[f"meeting-reminder:{meeting.pk}:v1:24h"] == Message.Status.PENDING

    # A second change: the sequence grows again; sending the form unchanged changes nothing.
    services.meeting_update(
        meeting=meeting,
        by=mentor.employee,
        starts_at=new_start,
        duration_minutes=60,
        format="phone",
    )
    services.meeting_update(
        meeting=meeting,
        by=mentor.employee,
        starts_at=new_start,
        duration_minutes=60,
        format="phone",
    )
    assert download(client, meeting)["SEQUENCE"] == "2"


def test_cancelling_a_meeting_tells_calendars_and_leaves_the_lists(
    active_pairing, mentor, mentoree, signed_in_client
):
    meeting = log_meeting(active_pairing, days=3)
    uid = download(signed_in_client(mentor), meeting)["UID"]

    response = signed_in_client(mentoree).post(
        reverse("pairings:meeting_cancel", args=[meeting.pk])
    )

    assert response.status_code == 302
    assert "The meeting is cancelled." in " ".join(flash_messages(response))
    upcoming, past = selectors.meetings_of(pairing=active_pairing)
    assert upcoming == [] and list(past) == []
    cancelled = download(signed_in_client(mentor), meeting)
    assert (cancelled["UID"], cancelled["SEQUENCE"]) == (uid, "1")
    assert (cancelled["METHOD"], cancelled["STATUS"]) == ("CANCEL", "CANCELLED")
    for member in (mentor, mentoree):
        assert in_feed(member, meeting)["STATUS"] == "CANCELLED"
    assert set(reminder_statuses(meeting).values()) == {Message.Status.SKIPPED}
    # The space lists it apart, with its cancellation for a calendar that imported it.
    page = signed_in_client(mentor).get(reverse("pairings:space", args=[active_pairing.pk]))
    assert page.context["called_off"] == [meeting]
    html = page.content.decode()
    assert html.count(reverse("pairings:meeting_ics", args=[meeting.pk])) == 1
    assert html.index("Cancelled meetings") < html.index("Remove from your calendar (.ics)")
    # Its time is free again for a new meeting.
    again = log_meeting(active_pairing, days=3)
    assert again.pk != meeting.pk


def test_a_meeting_already_held_is_corrected_not_cancelled(
    active_pairing, mentor, mentoree, signed_in_client
):
    meeting = log_meeting(active_pairing, days=0, hour=0, duration_minutes=30)
    assert meeting.starts_at < timezone.now()
    client = signed_in_client(mentor)

    response = client.post(
        edit_url(meeting),
        form(meeting.starts_at, meeting.starts_at + timedelta(minutes=75), "phone"),
    )

    assert response.status_code == 302
    assert flash_messages(response) == ["The meeting is corrected."]
    meeting.refresh_from_db()
    assert (meeting.duration_minutes, meeting.format, meeting.sequence) == (75, "phone", 1)
    refused = client.post(reverse("pairings:meeting_cancel", args=[meeting.pk]), follow=True)
    assert "correct it, or remove it if it did not take place" in refused.content.decode()
    meeting.refresh_from_db()
    assert meeting.cancelled_at is None


@pytest.mark.parametrize(
    "case",
    ["end_before_start", "too_short", "before_the_pairing", "after_the_program", "taken_time"],
)
def test_bad_input_gets_a_field_error_and_changes_nothing(
    case, active_pairing, mentor, signed_in_client
):
    meeting = log_meeting(active_pairing, days=3)
    other = log_meeting(active_pairing, days=5)
    start = meeting.starts_at
    data, field, words = {
        "end_before_start": (
            form(start, start - timedelta(hours=1)),
            "ends_at",
            "The meeting must end after it starts.",
        ),
        "too_short": (
            form(start, start + timedelta(minutes=2)),
            "ends_at",
            "A meeting lasts at least 5 minutes.",
        ),
        "before_the_pairing": (
            form(start - timedelta(days=40), start - timedelta(days=40, minutes=-60)),
            "starts_at",
            "Your pairing began on",
        ),
        "after_the_program": (
            form(start + timedelta(days=400), start + timedelta(days=400, minutes=60)),
            "starts_at",
            "The program ends on",
        ),
        "taken_time": (
            form(other.starts_at, other.starts_at + timedelta(minutes=60)),
            "starts_at",
            "Another meeting of yours starts at that time.",
        ),
    }[case]
    before = Meeting.objects.values().get(pk=meeting.pk)

    response = signed_in_client(mentor).post(edit_url(meeting), data)

    assert response.status_code == 400
    errors = response.context["form"].errors[field]
    assert any(words in error for error in errors), errors
    assert Meeting.objects.values().get(pk=meeting.pk) == before


@pytest.mark.parametrize("who", OUTSIDERS)
def test_nobody_outside_the_pair_can_change_or_cancel_a_meeting(
    who, request, active_pairing, signed_in_client
):
    meeting = log_meeting(active_pairing, days=3)
    before = Meeting.objects.values().get(pk=meeting.pk)
    client = signed_in_client(request.getfixturevalue(who))
    start = meeting.starts_at + timedelta(days=1)

    assert client.get(edit_url(meeting)).status_code == 404
    assert client.post(edit_url(meeting), form(start, start + timedelta(hours=1))).status_code == (
        404
    )
    cancel = reverse("pairings:meeting_cancel", args=[meeting.pk])
    assert client.post(cancel).status_code == 404
    assert Meeting.objects.values().get(pk=meeting.pk) == before


def test_ending_the_pairing_cancels_its_meetings_to_come(
    active_pairing, mentor, mentoree, signed_in_client
):
    held = log_meeting(active_pairing, days=-2)
    coming = log_meeting(active_pairing, days=4)

    services.pairing_end(pairing=active_pairing, by=mentor.employee, category="schedule")

    held.refresh_from_db()
    coming.refresh_from_db()
    assert held.cancelled_at is None and held.sequence == 0
    assert coming.cancelled_at is not None and coming.sequence == 1
    upcoming, past = selectors.meetings_of(pairing=active_pairing)
    assert upcoming == [] and list(past) == [held]
    assert in_feed(mentoree, coming)["STATUS"] == "CANCELLED"
    assert in_feed(mentoree, coming)["SEQUENCE"] == "1"
    assert download(signed_in_client(mentoree), coming)["METHOD"] == "CANCEL"
    assert set(reminder_statuses(coming).values()) == {Message.Status.SKIPPED}
    # Frozen: nothing about its meetings changes any more, in words.
    response = signed_in_client(mentor).post(
        edit_url(held), form(held.starts_at, held.starts_at + timedelta(minutes=30))
    )
    assert response.status_code == 400
    assert "This pairing has ended" in response.content.decode()
    held.refresh_from_db()
    assert held.duration_minutes == 60


def test_logging_a_past_meeting_does_not_say_it_is_in_the_calendar(
    active_pairing, mentor, signed_in_client
):
    client = signed_in_client(mentor)
    url = reverse("pairings:meeting_create", args=[active_pairing.pk])
    past = (timezone.localtime() - timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    future = past + timedelta(days=6)

    logged = client.post(
        url,
        {
            "starts_at": past.strftime(MEETING_FORM_FORMAT),
            "duration_minutes": 60,
            "format": "video",
        },
    )
    planned = client.post(
        url,
        {
            "starts_at": future.strftime(MEETING_FORM_FORMAT),
            "duration_minutes": 60,
            "format": "video",
        },
    )

    assert flash_messages(logged) == ["The meeting is logged."]
    assert "calendar" in " ".join(flash_messages(planned))
    assert "The meeting is in your calendar" not in " ".join(flash_messages(planned))


def test_no_note_on_a_meeting_reaches_its_calendar_file_or_the_feed(
    active_pairing, mentor, mentoree, signed_in_client
):
    """F9: the meeting's summary is a note of the pair's; calendars get when, how and a link."""
    meeting = log_meeting(active_pairing, days=3)
    secret = canary("meeting-summary-")
    write_note(active_pairing, mentor, secret, shared=True, meeting=meeting)
    services.meeting_update(
        meeting=meeting,
        by=mentor.employee,
        starts_at=meeting.starts_at + timedelta(hours=1),
        duration_minutes=30,
        format="video",
    )
    services.meeting_cancel(meeting=meeting, by=mentoree.employee)

    text = signed_in_client(mentor).get(reverse("pairings:meeting_ics", args=[meeting.pk]))
    assert secret not in text.content.decode()
    for member in (mentor, mentoree):
        assert secret not in feed_text(user=member)
    assert not Message.objects.filter(key__contains=secret).exists()


def test_a_cancelled_meeting_never_counts_as_held_once_its_hour_has_passed(
    active_pairing, program, mentor, coordinator, signed_in_client
):
    """What the coordinator may see of attendance (F6), the dashboard's meetings per month,
    and the meetings a note can be attached to: a meeting that was called off is none of
    them, even after the time it was planned for."""
    held = log_meeting(active_pairing, days=-3)
    called_off = log_meeting(active_pairing, days=2)
    services.meeting_cancel(meeting=called_off, by=mentor.employee)
    # Time passes: the hour it was planned for is behind us.
    Meeting.objects.filter(pk=called_off.pk).update(starts_at=timezone.now() - timedelta(hours=1))

    pairings = list(selectors.with_attendance(selectors.pairings_of_program(program=program)))
    (pairing,) = pairings
    assert pairing.attendance_visible
    assert (pairing.meetings_held, pairing.last_meeting) == (1, held.starts_at)
    # The dashboard's count (shown from five sharing pairs on; the count itself, here).
    assert sum(n for _, n in _meetings_per_month(program, timezone.now())) == 1
    assert meetings_to_note_on(pairing=active_pairing) == [held]
