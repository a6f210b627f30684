"""F3 and F11 through the people picker: the picker lists only whom the chooser may choose,
but never leaves someone out for a reason only the conflict register knows (that would tell
whoever searches that a conflict exists, with no trace). Such a person is listed; choosing
them, by the combobox's id or by typing, is refused by the existing service in the existing
neutral words, and the refusal is recorded.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from firewall.models import AccessEvent, ConflictEntry
from firewall.register import NEUTRAL_MESSAGE, NEUTRAL_PROGRAM_MESSAGE, has_conflict
from notifications.models import Message
from pairings.models import Pin
from programs import selectors as program_selectors
from programs import services as program_services
from programs.models import Application, GroupSession
from reviews.models import PanelSeat
from tests.builders.pairings import enrol_in, flash_messages, person
from tests.builders.programs import apply
from tests.builders.reviews import REASON_WORDS, main_content, plan_review, seat


def _refusals() -> int:
    return AccessEvent.objects.filter(outcome=AccessEvent.Outcome.REFUSED).count()


def chosen(name: str, employee) -> dict:
    """What the combobox posts when `employee` is picked from the list for field `name`."""
    return {name: employee.full_name, f"{name}_id": employee.pk, f"{name}_for": employee.full_name}


def listed(client, url: str, employee, box: str) -> bool:
    html = client.get(url, {"for": box, "name": "q", "q": employee.email}).content.decode()
    return f'data-id="{employee.pk}"' in html


# --- F3: the subject's mentor is listed for the panel and refused in neutral words -----------


def test_f3_the_mentor_is_listed_for_the_panel_and_refused_neutrally_when_chosen_by_id(
    active_pairing, mentor, mentoree, program, talent_reviewer, signed_in_client
):
    review = plan_review(mentoree, by=talent_reviewer)
    client = signed_in_client(talent_reviewer)
    before = _refusals()

    # Left out, the mentor's absence would say "conflict" to whoever searches, unrecorded.
    assert listed(
        client, reverse("reviews:people_panel", args=[review.pk]), mentor.employee, "id_member"
    )

    response = client.post(
        reverse("reviews:seat_add", args=[review.pk]), chosen("member", mentor.employee)
    )

    assert response.status_code == 400
    page = main_content(response)
    assert f"{mentor.employee.full_name} {NEUTRAL_MESSAGE}." in page
    assert not REASON_WORDS.search(page), REASON_WORDS.search(page)
    assert program.name not in response.content.decode()
    assert not PanelSeat.objects.filter(review=review, member=mentor.employee).exists()
    assert _refusals() == before + 1


def test_f3_the_search_result_is_the_same_whether_or_not_someone_has_a_conflict(
    active_pairing, mentor, other_mentor, mentoree, talent_reviewer, signed_in_client
):
    """The listbox of a conflicted person and of anyone else look alike: nothing but who
    they are (name, title, department)."""
    review = plan_review(mentoree, by=talent_reviewer)
    client = signed_in_client(talent_reviewer)
    url = reverse("reviews:people_panel", args=[review.pk])

    def options(user) -> str:
        html = client.get(url, {"for": "id_member", "name": "q", "q": user.email}).content.decode()
        return html.replace(str(user.employee.pk), "ID").replace(user.employee.full_name, "NAME")

    assert has_conflict(person_id=mentor.employee.pk, subject_id=mentoree.employee.pk)
    mine = (
        options(mentor).replace(mentor.employee.title, "T").replace(mentor.employee.department, "D")
    )
    other = (
        options(other_mentor)
        .replace(other_mentor.employee.title, "T")
        .replace(other_mentor.employee.department, "D")
    )
    assert mine == other


@pytest.mark.parametrize("kind", ["coordinator", "committee"])
def test_f11_a_mentoring_side_relation_chosen_by_id_for_the_panel_is_refused_neutrally(
    kind, program, committee, coordinator, committee_member, talent_reviewer, signed_in_client
):
    subject = person(level=4)
    apply(subject, program)
    who = {"coordinator": coordinator, "committee": committee_member}[kind]
    review = plan_review(subject, by=talent_reviewer)
    before = _refusals()

    response = signed_in_client(talent_reviewer).post(
        reverse("reviews:seat_add", args=[review.pk]), chosen("member", who.employee)
    )

    assert response.status_code == 400
    assert f"{who.employee.full_name} {NEUTRAL_MESSAGE}." in main_content(response)
    assert not REASON_WORDS.search(main_content(response))
    assert _refusals() == before + 1


# --- F11 the other way: an assessor chosen for a mentoring-side role -------------------------


@pytest.fixture
def assessed_applicant(program, talent_reviewer):
    """(a panel member of an open review, its subject: an applicant of `program`)."""
    subject = person(level=4)
    apply(subject, program)
    member = person(level=7, first_name="Petra", last_name="Assessor")
    seat(plan_review(subject, by=talent_reviewer), member, by=talent_reviewer)
    return member, subject


def test_f11_an_assessor_is_listed_for_the_committee_and_refused_neutrally_by_id(
    assessed_applicant, program, coordinator, signed_in_client
):
    member, _ = assessed_applicant
    client = signed_in_client(coordinator)
    before = _refusals()

    assert listed(
        client, reverse("programs:people_committee", args=[program.slug]), member, "id_member"
    )

    response = client.post(
        reverse("programs:committee_add", args=[program.slug]),
        chosen("member", member),
        follow=True,
    )

    assert f"{member.full_name} {NEUTRAL_PROGRAM_MESSAGE}." in response.text
    assert member.user not in program_selectors.committee_of(program=program)
    assert _refusals() == before + 1


def test_f3_a_pin_of_a_mentor_who_sits_on_the_mentorees_open_review_is_refused_neutrally(
    program, committee, coordinator, talent_reviewer, signed_in_client
):
    mentor = person(level=7, first_name="Rafael", last_name="Ruiz")
    mentoree = person(level=4, first_name="Mia", last_name="Subject")
    enrol_in(program, committee, mentor, Application.Role.MENTOR, capacity=2)
    enrol_in(program, committee, mentoree, Application.Role.MENTOREE)
    seat(plan_review(mentoree, by=talent_reviewer), mentor, by=talent_reviewer)
    client = signed_in_client(coordinator)

    assert listed(
        client, reverse("pairings:pin_people", args=[program.slug, "mentor"]), mentor, "id_mentor"
    )
    assert listed(
        client,
        reverse("pairings:pin_people", args=[program.slug, "mentoree"]),
        mentoree,
        "id_mentoree",
    )

    response = client.post(
        reverse("pairings:pin_add", args=[program.slug]),
        {**chosen("mentor", mentor), **chosen("mentoree", mentoree)},
        follow=True,
    )

    said = flash_messages(response)
    assert f"{mentor.full_name} {NEUTRAL_MESSAGE}." in said
    assert not [m for m in said if "review" in m.lower() or "panel" in m.lower()], said
    assert not Pin.objects.filter(program=program).exists()


# --- The session leader: a coordinator names another one ------------------------------------


@pytest.fixture
def registered_session(program, coordinator, executive, new_mentoree):
    """A session next week with one registered participant."""
    session = program_services.session_create(
        program=program,
        by=coordinator,
        leader=executive.employee,
        title="Leading through change",
        starts_at=timezone.now() + timedelta(days=7),
        duration_minutes=90,
        location="Room 4",
        capacity=10,
    )
    participant = new_mentoree(first_name="Rita", last_name="Registered")
    program_services.session_register(session=session, employee=participant)
    return session, participant


def edit_form(session: GroupSession, **changes) -> dict:
    data = {
        "title": session.title,
        "description": session.description,
        "starts_at": timezone.localtime(session.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": session.duration_minutes,
        "location": session.location,
        "capacity": session.capacity,
    }
    data.update(changes)
    return data


def test_f11_a_new_leader_who_sits_on_a_registrants_review_is_refused_neutrally_and_recorded(
    registered_session, coordinator, talent_reviewer, executive, signed_in_client
):
    session, participant = registered_session
    assessor = person(level=8, first_name="Gil", last_name="Assessor")
    seat(plan_review(participant, by=talent_reviewer), assessor, by=talent_reviewer)
    before = _refusals()

    response = signed_in_client(coordinator).post(
        reverse("programs:session_edit", args=[session.pk]),
        edit_form(session, **chosen("leader", assessor)),
    )

    assert response.status_code == 200
    assert f"{assessor.full_name} {NEUTRAL_PROGRAM_MESSAGE}." in main_content(response)
    assert "review" not in main_content(response).lower()
    session.refresh_from_db()
    assert session.leader == executive.employee
    assert _refusals() == before + 1
    assert not ConflictEntry.objects.filter(
        key__person_id=assessor.pk, kind=ConflictEntry.Kind.LEADING
    ).exists()


def test_a_coordinator_names_another_leader_and_everyone_is_told(
    registered_session, coordinator, executive, signed_in_client
):
    session, participant = registered_session
    new_leader = person(
        level=8, first_name="Nora", last_name="Leader", title="Chief Operating Officer"
    )
    old_sequence = session.sequence

    response = signed_in_client(coordinator).post(
        reverse("programs:session_edit", args=[session.pk]),
        edit_form(session, leader="nora leader"),
    )

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.leader == new_leader
    assert session.sequence == old_sequence + 1
    # The new leader is told they lead it, the registered participant that it changed.
    assert Message.objects.filter(recipient=new_leader.user, kind="session_leader").exists()
    assert Message.objects.filter(recipient=participant.user, kind="session_changed").exists()
    # The register: the new leader is a relation of the participant; the old one's ended.
    assert has_conflict(person_id=new_leader.pk, subject_id=participant.pk)
    assert not ConflictEntry.objects.filter(
        key__person_id=executive.employee.pk,
        kind=ConflictEntry.Kind.LEADING,
        reference=session.pk,
        ended_at__isnull=True,
    ).exists()
    grants = AccessEvent.objects.filter(object_type="group session", object_id=session.pk)
    assert grants.filter(concerns=new_leader.user, action=AccessEvent.Action.GRANT).exists()
    assert grants.filter(concerns=executive, action=AccessEvent.Action.REVOKE).exists()


def test_the_leader_cannot_hand_the_session_to_someone_else(
    registered_session, executive, signed_in_client
):
    session, _ = registered_session
    someone = person(level=8, first_name="Otto", last_name="Else")
    client = signed_in_client(executive)

    page = client.get(reverse("programs:session_edit", args=[session.pk])).content.decode()
    assert 'name="leader"' not in page

    response = client.post(
        reverse("programs:session_edit", args=[session.pk]),
        {**edit_form(session), **chosen("leader", someone)},
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.leader == executive.employee
