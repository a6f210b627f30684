"""The life of a pairing and the pair's space.

Proposed -> both members accept -> active, but only once the mentoree has accepted the current
program commitment (F5); until then the pairing awaits it, with the blocker in words. The
pair's space (`pairings:space`) and every object under it (meetings, goals, the .ics file) is
for its two members only: everyone else, the program's coordinator, an HR admin and a
superuser included, gets a 404, and state-changing addresses refuse GET (405).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import get_perms

from notifications.models import Notification
from pairings import selectors, services
from pairings.models import Goal, Meeting, Pairing, PairingUserObjectPermission
from programs import services as program_services
from tests.builders.pairings import (
    ACTIVE_TITLE,
    MEETING_FORM_FORMAT,
    NEW_COMMITMENT_TEXT,
    PROPOSED_TITLE,
    accept_both,
    add_goal,
    log_meeting,
    refusal_text,
    row_counts,
    sign_both,
)

NOT_ACTIVE_WORDS = "start once the pairing is active"
ENDED_WORDS = "This pairing has ended"


def refusal_words_for(status: str) -> str:
    """A pairing not yet active says when meetings and goals start; an ended one says they
    are frozen."""
    return ENDED_WORDS if status == "ended" else NOT_ACTIVE_WORDS


MENTOREE_COMMITMENT_BLOCKER = "The mentoree has not accepted the current program commitment."
OUTSIDERS = ["coordinator", "committee_member", "hr_admin", "superuser", "outsider", "other_mentor"]


def space_url(pairing) -> str:
    return reverse("pairings:space", args=[pairing.pk])


def titles_for(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


def meeting_form_data(starts_at, duration=60, fmt=Meeting.Format.VIDEO) -> dict:
    return {
        "starts_at": timezone.localtime(starts_at).strftime(MEETING_FORM_FORMAT),
        "duration_minutes": duration,
        "format": fmt,
    }


def on_the_minute(days: float, hour: int = 15):
    return (timezone.localtime() + timedelta(days=days)).replace(
        hour=hour, minute=30, second=0, microsecond=0
    )


# --- Life cycle and the F5 gate ------------------------------------------------------------


def test_proposing_gives_both_members_access_and_tells_them(
    pairing, mentor, mentoree, coordinator, other_mentor, superuser, deliver
):
    deliver()
    assert pairing.status == Pairing.Status.PROPOSED
    for member in (mentor, mentoree):
        assert get_perms(member, pairing) == ["access_pairing"]
        [title] = [t for t in titles_for(member) if PROPOSED_TITLE in t]
        note = Notification.objects.get(recipient=member, title=title)
        assert note.url == space_url(pairing)
    for other in (coordinator, other_mentor):
        assert get_perms(other, pairing) == []
        assert not any(PROPOSED_TITLE in t for t in titles_for(other))
    # Object permissions only for the two members; a superuser is not one of them.
    assert set(
        PairingUserObjectPermission.objects.filter(content_object=pairing).values_list(
            "user", flat=True
        )
    ) == {mentor.pk, mentoree.pk}
    assert not selectors.pairing_list_for(user=superuser).exists()


def test_one_acceptance_keeps_the_pairing_proposed(pairing, mentor):
    pairing = services.pairing_accept(pairing=pairing, by=mentor.employee)

    assert pairing.status == Pairing.Status.PROPOSED
    assert pairing.mentor_accepted_at is not None
    assert pairing.mentoree_accepted_at is None
    assert services.pairing_activation_blockers(pairing=pairing) == [
        "The mentoree has not accepted the match yet.",
        "The mentor has not signed the current agreement.",
        "The mentoree has not signed the current agreement.",
    ]


def test_both_acceptances_without_signatures_wait_for_the_agreement(pairing, mentor, mentoree):
    """F5: accepting the match is not enough; the agreement must be signed by both."""
    services.pairing_accept(pairing=pairing, by=mentoree.employee)
    pairing = services.pairing_accept(pairing=pairing, by=mentor.employee)

    assert pairing.status == Pairing.Status.AWAITING_AGREEMENT
    assert pairing.activated_at is None
    assert services.pairing_activation_blockers(pairing=pairing) == [
        "The mentor has not signed the current agreement.",
        "The mentoree has not signed the current agreement.",
    ]


def test_acceptances_and_signatures_make_the_pairing_active_and_both_are_told(
    pairing, mentor, mentoree, deliver
):
    services.pairing_accept(pairing=pairing, by=mentoree.employee)
    services.pairing_accept(pairing=pairing, by=mentor.employee)
    pairing = sign_both(pairing)
    deliver()

    assert pairing.status == Pairing.Status.ACTIVE
    assert pairing.activated_at is not None
    assert services.pairing_activation_blockers(pairing=pairing) == []
    for member in (mentor, mentoree):
        assert sum(ACTIVE_TITLE in t for t in titles_for(member)) == 1


def test_accepting_twice_changes_nothing(active_pairing, mentor, mentoree, deliver):
    activated_at = active_pairing.activated_at

    again = services.pairing_accept(pairing=active_pairing, by=mentor.employee)
    deliver()

    assert again.status == Pairing.Status.ACTIVE
    assert again.activated_at == activated_at
    assert sum(ACTIVE_TITLE in t for t in titles_for(mentoree)) == 1


def test_f5_pairing_awaits_the_mentorees_acceptance_of_the_current_commitment(
    pairing, program, coordinator, mentor, mentoree, deliver
):
    """F5: a new commitment version after the proposal holds the pairing back until the
    mentoree accepts it; commitment_accept then moves it to active."""
    program_services.commitment_publish(program=program, by=coordinator, text=NEW_COMMITMENT_TEXT)

    pairing = accept_both(pairing)
    deliver()

    assert pairing.status == Pairing.Status.AWAITING_AGREEMENT
    assert pairing.activated_at is None
    assert services.pairing_activation_blockers(pairing=pairing) == [MENTOREE_COMMITMENT_BLOCKER]
    assert not any(ACTIVE_TITLE in t for t in titles_for(mentoree))

    program_services.commitment_accept(employee=mentoree.employee, program=program)
    deliver()

    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.ACTIVE
    assert pairing.activated_at is not None
    for member in (mentor, mentoree):
        assert sum(ACTIVE_TITLE in t for t in titles_for(member)) == 1


def test_f5_the_mentors_acceptance_of_a_new_version_does_not_open_the_gate(
    pairing, program, coordinator, mentor
):
    program_services.commitment_publish(program=program, by=coordinator, text=NEW_COMMITMENT_TEXT)
    pairing = accept_both(pairing)

    program_services.commitment_accept(employee=mentor.employee, program=program)

    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.AWAITING_AGREEMENT


def test_f5_the_space_lists_the_blocker(pairing, program, coordinator, mentoree, signed_in_client):
    program_services.commitment_publish(program=program, by=coordinator, text=NEW_COMMITMENT_TEXT)
    accept_both(pairing)

    response = signed_in_client(mentoree).get(space_url(pairing))

    assert response.status_code == 200
    assert response.context["blockers"] == [MENTOREE_COMMITMENT_BLOCKER]
    assert MENTOREE_COMMITMENT_BLOCKER in response.content.decode()


def test_an_active_pairing_stays_active_when_the_mentor_accepts_a_new_commitment_version(
    active_pairing, program, coordinator, mentor
):
    """commitment_publish promises that participants who have not accepted a new version
    "cannot be placed in a new pairing": a pair already active stays active, and the
    mentor's acceptance of the new version must not take it back to awaiting."""
    program_services.commitment_publish(program=program, by=coordinator, text=NEW_COMMITMENT_TEXT)

    program_services.commitment_accept(employee=mentor.employee, program=program)

    active_pairing.refresh_from_db()
    assert active_pairing.status == Pairing.Status.ACTIVE


def test_only_members_can_accept(pairing, other_mentor, outsider, signed_in_client):
    with pytest.raises(ValidationError) as refusal:
        services.pairing_accept(pairing=pairing, by=other_mentor.employee)
    assert "Only the two members" in refusal_text(refusal)

    response = signed_in_client(outsider).post(reverse("pairings:accept", args=[pairing.pk]))

    assert response.status_code == 404
    pairing.refresh_from_db()
    assert (pairing.mentor_accepted_at, pairing.mentoree_accepted_at) == (None, None)


def test_members_accept_in_the_browser(pairing, mentor, mentoree, signed_in_client):
    for member in (mentor, mentoree):
        response = signed_in_client(member).post(reverse("pairings:accept", args=[pairing.pk]))
        assert response.status_code == 302
        assert response["Location"] == space_url(pairing)

    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.AWAITING_AGREEMENT
    assert sign_both(pairing).status == Pairing.Status.ACTIVE


def test_an_ended_pairing_cannot_be_accepted(pairing, mentor, mentoree):
    services.pairing_end(pairing=pairing, by=mentor.employee, category=Pairing.EndCategory.FIT)

    with pytest.raises(ValidationError) as refusal:
        services.pairing_accept(pairing=pairing, by=mentoree.employee)

    assert "ended" in refusal_text(refusal)
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.ENDED


# --- The pair's space: members only -------------------------------------------------------


@pytest.mark.parametrize("member, other", [("mentor", "mentoree"), ("mentoree", "mentor")])
def test_members_see_the_space_with_the_other_member(
    member, other, request, active_pairing, signed_in_client
):
    me, them = request.getfixturevalue(member), request.getfixturevalue(other)

    response = signed_in_client(me).get(space_url(active_pairing))

    assert response.status_code == 200
    assert response.context["pairing"] == active_pairing
    assert response.context["other"] == them.employee
    assert response.context["is_mentor"] == (member == "mentor")
    assert them.employee.full_name in response.content.decode()


@pytest.mark.parametrize("who", OUTSIDERS)
def test_everyone_else_gets_404_on_the_space(who, request, active_pairing, signed_in_client):
    response = signed_in_client(request.getfixturevalue(who)).get(space_url(active_pairing))

    assert response.status_code == 404


def test_a_signed_out_visitor_is_sent_to_sign_in(active_pairing, client):
    response = client.get(space_url(active_pairing))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_my_pairings_lists_only_my_own(active_pairing, other_pairing, mentor, signed_in_client):
    response = signed_in_client(mentor).get(reverse("pairings:mine"))

    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [active_pairing]


def _object_urls(pairing) -> list[tuple[str, str, str, dict]]:
    """(name, method, url, data) for every address under one pairing."""
    meeting = pairing.meetings.first()
    goal = pairing.goals.first()
    later = on_the_minute(days=9)
    return [
        ("space", "get", reverse("pairings:space", args=[pairing.pk]), {}),
        ("accept", "post", reverse("pairings:accept", args=[pairing.pk]), {}),
        ("end", "get", reverse("pairings:end", args=[pairing.pk]), {}),
        (
            "end",
            "post",
            reverse("pairings:end", args=[pairing.pk]),
            {"category": Pairing.EndCategory.FIT, "private_reason": "Mine."},
        ),
        (
            "meeting_create",
            "post",
            reverse("pairings:meeting_create", args=[pairing.pk]),
            meeting_form_data(later),
        ),
        (
            "goal_create",
            "post",
            reverse("pairings:goal_create", args=[pairing.pk]),
            {"title": "Injected goal"},
        ),
        ("meeting_ics", "get", reverse("pairings:meeting_ics", args=[meeting.pk]), {}),
        ("meeting_delete", "post", reverse("pairings:meeting_delete", args=[meeting.pk]), {}),
        (
            "goal_status",
            "post",
            reverse("pairings:goal_status", args=[goal.pk]),
            {"status": Goal.Status.DROPPED},
        ),
    ]


def _state(pairing) -> tuple:
    pairing.refresh_from_db()
    return (
        pairing.status,
        pairing.mentor_accepted_at,
        pairing.mentoree_accepted_at,
        list(pairing.meetings.values_list("pk", "starts_at", "duration_minutes")),
        list(pairing.goals.values_list("pk", "title", "status")),
        row_counts(),
    )


@pytest.mark.parametrize("who", OUTSIDERS)
def test_every_object_url_is_404_for_non_members_and_changes_nothing(
    who, request, active_pairing, other_pairing, signed_in_client
):
    """`other_mentor` is a member of another pair: the IDs of this pair's objects swapped into
    their URLs are 404 too."""
    log_meeting(active_pairing, days=2)
    add_goal(active_pairing, "Speak up in the risk committee")
    client = signed_in_client(request.getfixturevalue(who))
    before = _state(active_pairing)

    for name, method, url, data in _object_urls(active_pairing):
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (name, method, response.status_code)

    assert _state(active_pairing) == before


@pytest.mark.parametrize("member", ["mentor", "mentoree"])
def test_members_get_404_on_other_pairs_objects(
    member, request, active_pairing, other_pairing, signed_in_client
):
    client = signed_in_client(request.getfixturevalue(member))
    before = _state(other_pairing)

    for name, method, url, data in _object_urls(other_pairing):
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (name, method, response.status_code)

    assert _state(other_pairing) == before


STATE_CHANGING = ["accept", "meeting_create", "goal_create", "meeting_delete", "goal_status"]


@pytest.mark.parametrize("name", STATE_CHANGING)
def test_state_changing_urls_refuse_get(name, active_pairing, mentor, signed_in_client):
    log_meeting(active_pairing, days=2)
    add_goal(active_pairing, "A goal")
    url = next(u for n, m, u, _ in _object_urls(active_pairing) if n == name)
    before = _state(active_pairing)

    response = signed_in_client(mentor).get(url)

    assert response.status_code == 405
    assert _state(active_pairing) == before


@pytest.mark.parametrize("name", ["space", "meeting_ics"])
def test_read_only_urls_refuse_post(name, active_pairing, mentor, signed_in_client):
    log_meeting(active_pairing, days=2)
    add_goal(active_pairing, "A goal")
    url = next(u for n, m, u, _ in _object_urls(active_pairing) if n == name)

    response = signed_in_client(mentor).post(url)

    assert response.status_code == 405


# --- Meetings -------------------------------------------------------------------------------


def test_a_meeting_has_no_free_text_field():
    """What is said goes into notes; a meeting records only when, how long and how."""
    text_fields = [
        field.name
        for field in Meeting._meta.get_fields()
        if isinstance(field, models.CharField | models.TextField) and not field.choices
    ]
    assert text_fields == []
    assert {f.name for f in Meeting._meta.concrete_fields} == {
        "id",
        "pairing",
        "starts_at",
        "duration_minutes",
        "format",
        "created_by",
        "created_at",
        # For calendars: its version, when it last changed, and whether it was cancelled.
        "sequence",
        "updated_at",
        "cancelled_at",
    }


def test_members_schedule_future_and_log_past_meetings(active_pairing, mentor, mentoree):
    future = services.meeting_log(
        pairing=active_pairing,
        by=mentor.employee,
        starts_at=on_the_minute(days=5),
        duration_minutes=45,
        format=Meeting.Format.IN_PERSON,
    )
    past = services.meeting_log(
        pairing=active_pairing,
        by=mentoree.employee,
        starts_at=on_the_minute(days=-5),
        duration_minutes=30,
        format=Meeting.Format.PHONE,
    )

    assert future.created_by == mentor
    assert past.created_by == mentoree
    assert past.ends_at == past.starts_at + timedelta(minutes=30)
    assert active_pairing.meetings.count() == 2


def test_the_space_splits_upcoming_and_past_meetings(active_pairing, mentor, signed_in_client):
    later = log_meeting(active_pairing, days=10)
    soon = log_meeting(active_pairing, days=1)
    long_ago = log_meeting(active_pairing, days=-20)
    recently = log_meeting(active_pairing, days=-2)

    response = signed_in_client(mentor).get(space_url(active_pairing))

    assert response.context["upcoming"] == [soon, later]
    assert list(response.context["past"]) == [recently, long_ago]  # a page of them


@pytest.mark.parametrize("status", ["proposed", "awaiting_agreement", "ended"])
def test_meetings_only_when_the_pairing_is_active(
    status, pairing, program, coordinator, mentor, signed_in_client
):
    if status == "awaiting_agreement":
        program_services.commitment_publish(
            program=program, by=coordinator, text=NEW_COMMITMENT_TEXT
        )
        pairing = accept_both(pairing)
    elif status == "ended":
        pairing = accept_both(pairing)
        services.pairing_end(pairing=pairing, by=mentor.employee, category="schedule")
    pairing.refresh_from_db()
    assert pairing.status == status

    with pytest.raises(ValidationError) as refusal:
        services.meeting_log(
            pairing=pairing,
            by=mentor.employee,
            starts_at=on_the_minute(days=3),
            duration_minutes=60,
            format=Meeting.Format.VIDEO,
        )
    assert refusal_words_for(status) in refusal_text(refusal)

    response = signed_in_client(mentor).post(
        reverse("pairings:meeting_create", args=[pairing.pk]),
        meeting_form_data(on_the_minute(days=3)),
    )
    assert response.status_code == 400
    errors = response.context["meeting_form"].non_field_errors()
    assert any(refusal_words_for(status) in e for e in errors)
    assert not Meeting.objects.exists()


def test_a_meeting_in_the_browser_redirects_to_the_space(
    active_pairing, mentoree, signed_in_client
):
    starts_at = on_the_minute(days=4)

    response = signed_in_client(mentoree).post(
        reverse("pairings:meeting_create", args=[active_pairing.pk]),
        meeting_form_data(starts_at, duration=90, fmt=Meeting.Format.IN_PERSON),
    )

    assert response.status_code == 302
    assert response["Location"] == space_url(active_pairing)
    meeting = Meeting.objects.get()
    assert (meeting.starts_at, meeting.duration_minutes, meeting.format) == (
        starts_at,
        90,
        Meeting.Format.IN_PERSON,
    )
    assert meeting.created_by == mentoree


def test_the_same_meeting_submitted_twice_is_one_row(active_pairing, mentor, signed_in_client):
    client = signed_in_client(mentor)
    url = reverse("pairings:meeting_create", args=[active_pairing.pk])
    data = meeting_form_data(on_the_minute(days=6))

    first = client.post(url, data)
    second = client.post(url, data)

    assert (first.status_code, second.status_code) == (302, 302)
    assert Meeting.objects.count() == 1


def test_the_same_meeting_logged_twice_by_the_service_is_one_row(active_pairing, mentoree):
    first = log_meeting(active_pairing, days=-1)

    second = services.meeting_log(
        pairing=active_pairing,
        by=mentoree.employee,
        starts_at=first.starts_at,
        duration_minutes=first.duration_minutes,
        format=first.format,
    )

    assert second.pk == first.pk
    assert Meeting.objects.count() == 1


@pytest.mark.parametrize("duration", [0, 4, 601, 1000])
def test_a_duration_out_of_bounds_is_a_field_error_in_the_browser(
    duration, active_pairing, mentor, signed_in_client
):
    response = signed_in_client(mentor).post(
        reverse("pairings:meeting_create", args=[active_pairing.pk]),
        meeting_form_data(on_the_minute(days=2), duration=duration),
    )

    assert response.status_code == 400
    assert "duration_minutes" in response.context["meeting_form"].errors
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("duration", [4, 601])
def test_the_service_refuses_a_duration_out_of_bounds_as_a_field_error(
    duration, active_pairing, mentor
):
    with pytest.raises(ValidationError) as refusal:
        services.meeting_log(
            pairing=active_pairing,
            by=mentor.employee,
            starts_at=on_the_minute(days=2),
            duration_minutes=duration,
            format=Meeting.Format.VIDEO,
        )

    assert "duration_minutes" in refusal.value.message_dict
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("duration", [5, 600])
def test_durations_at_the_bounds_are_accepted(duration, active_pairing, mentor, signed_in_client):
    response = signed_in_client(mentor).post(
        reverse("pairings:meeting_create", args=[active_pairing.pk]),
        meeting_form_data(on_the_minute(days=2), duration=duration),
    )

    assert response.status_code == 302
    assert Meeting.objects.get().duration_minutes == duration


def test_the_meeting_ics_is_a_valid_calendar_without_free_text(
    active_pairing, mentor, mentoree, signed_in_client
):
    add_goal(active_pairing, "Chair the quarterly risk review")
    meeting = log_meeting(active_pairing, days=3, duration_minutes=45)

    response = signed_in_client(mentoree).get(reverse("pairings:meeting_ics", args=[meeting.pk]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode()
    assert text.endswith("\r\n")
    lines = text.split("\r\n")[:-1]
    assert lines[0] == "BEGIN:VCALENDAR"
    assert lines[-1] == "END:VCALENDAR"
    assert all(len(line.encode()) <= 75 for line in lines)
    unfolded = text.replace("\r\n ", "")
    fields = dict(line.split(":", 1) for line in unfolded.split("\r\n") if line and ":" in line)
    utc = "%Y%m%dT%H%M%SZ"
    assert fields["DTSTART"] == meeting.starts_at.astimezone(timezone.UTC).strftime(utc)
    assert fields["DTEND"] == meeting.ends_at.astimezone(timezone.UTC).strftime(utc)
    assert fields["UID"].startswith(f"mentoring-meeting-{meeting.pk}@")
    assert fields["SUMMARY"] == "Mentoring meeting"
    assert fields["LOCATION"] == meeting.get_format_display()
    assert unfolded.count("BEGIN:VEVENT") == unfolded.count("END:VEVENT") == 1
    # No free text: no names, no goals; the description is the link to the space.
    assert fields["DESCRIPTION"].endswith(space_url(active_pairing))
    for text_that_must_not_be_there in (
        mentor.employee.full_name,
        mentoree.employee.full_name,
        mentor.employee.last_name,
        mentoree.employee.last_name,
        "Chair the quarterly risk review",
        active_pairing.program.name,
    ):
        assert text_that_must_not_be_there not in unfolded


def test_members_remove_a_meeting(active_pairing, mentoree, signed_in_client):
    meeting = log_meeting(active_pairing, days=3)

    response = signed_in_client(mentoree).post(
        reverse("pairings:meeting_delete", args=[meeting.pk])
    )

    assert response.status_code == 302
    assert not Meeting.objects.exists()


def test_the_service_refuses_a_non_member_removing_a_meeting(active_pairing, other_mentor):
    meeting = log_meeting(active_pairing, days=3)

    with pytest.raises(ValidationError):
        services.meeting_delete(meeting=meeting, by=other_mentor.employee)

    assert Meeting.objects.filter(pk=meeting.pk).exists()


# --- Goals -----------------------------------------------------------------------------------


def test_members_add_a_goal_and_change_its_status(active_pairing, mentor, mentoree):
    goal = services.goal_create(
        pairing=active_pairing, by=mentoree.employee, title="  Lead a cross-team project  "
    )

    assert goal.title == "Lead a cross-team project"
    assert goal.status == Goal.Status.OPEN

    goal = services.goal_set_status(goal=goal, by=mentor.employee, status=Goal.Status.ACHIEVED)

    goal.refresh_from_db()
    assert goal.status == Goal.Status.ACHIEVED


def test_goals_in_the_browser(active_pairing, mentoree, signed_in_client):
    client = signed_in_client(mentoree)

    created = client.post(
        reverse("pairings:goal_create", args=[active_pairing.pk]),
        {"title": "Present to the board"},
    )
    goal = Goal.objects.get()
    changed = client.post(
        reverse("pairings:goal_status", args=[goal.pk]), {"status": Goal.Status.IN_PROGRESS}
    )
    page = client.get(space_url(active_pairing))

    assert (created.status_code, changed.status_code) == (302, 302)
    goal.refresh_from_db()
    assert goal.status == Goal.Status.IN_PROGRESS
    assert list(page.context["goals"]) == [goal]
    assert "Present to the board" in page.content.decode()


@pytest.mark.parametrize("status", ["proposed", "awaiting_agreement", "ended"])
def test_goals_only_when_the_pairing_is_active(
    status, pairing, program, coordinator, mentoree, signed_in_client
):
    if status == "awaiting_agreement":
        program_services.commitment_publish(
            program=program, by=coordinator, text=NEW_COMMITMENT_TEXT
        )
        pairing = accept_both(pairing)
    elif status == "ended":
        pairing = accept_both(pairing)
        services.pairing_end(pairing=pairing, by=mentoree.employee, category="schedule")
    pairing.refresh_from_db()
    assert pairing.status == status

    with pytest.raises(ValidationError) as refusal:
        services.goal_create(pairing=pairing, by=mentoree.employee, title="Too early")
    assert refusal_words_for(status) in refusal_text(refusal)

    response = signed_in_client(mentoree).post(
        reverse("pairings:goal_create", args=[pairing.pk]), {"title": "Too early"}
    )
    assert response.status_code == 400
    errors = response.context["goal_form"].non_field_errors()
    assert any(refusal_words_for(status) in e for e in errors)
    assert not Goal.objects.exists()


def test_a_blank_goal_or_an_unknown_status_is_refused(active_pairing, mentor):
    with pytest.raises(ValidationError) as blank:
        services.goal_create(pairing=active_pairing, by=mentor.employee, title="   ")
    assert "title" in blank.value.message_dict

    goal = add_goal(active_pairing, "Delegate more")
    with pytest.raises(ValidationError) as unknown:
        services.goal_set_status(goal=goal, by=mentor.employee, status="forgotten")
    assert "status" in unknown.value.message_dict
    goal.refresh_from_db()
    assert goal.status == Goal.Status.OPEN


def test_only_members_change_goals(active_pairing, other_mentor):
    goal = add_goal(active_pairing, "Delegate more")

    with pytest.raises(ValidationError):
        services.goal_create(pairing=active_pairing, by=other_mentor.employee, title="Mine")
    with pytest.raises(ValidationError):
        services.goal_set_status(goal=goal, by=other_mentor.employee, status="dropped")

    goal.refresh_from_db()
    assert goal.status == Goal.Status.OPEN
    assert active_pairing.goals.count() == 1


def test_goals_are_seen_only_in_their_own_pairs_space(
    active_pairing, other_pairing, mentor, other_mentor, signed_in_client
):
    add_goal(active_pairing, "Build a network in Asia")

    mine = signed_in_client(mentor).get(space_url(active_pairing)).content.decode()
    theirs = signed_in_client(other_mentor).get(space_url(other_pairing)).content.decode()

    assert "Build a network in Asia" in mine
    assert "negotiate the budget" not in mine
    assert "Build a network in Asia" not in theirs
    assert "negotiate the budget" in theirs
