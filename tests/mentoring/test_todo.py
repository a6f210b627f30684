"""The to-do home: each person's pending actions first, each one link straight to where it is
done (accept a match, sign, sign a new version, accept a commitment or its new version, vote,
decide, take attendance, confirm an address); a calm line when nothing waits. The list never
shows what the linked page would hide (F6, F11: nothing about a mentoree to their reviewer,
no application a committee member is recused from)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from pairings import services as pairing_services
from people.accounts import account_address_change_request
from people.models import AddressChange
from programs import services as program_services
from programs.models import Application, GroupSession
from tests.builders.confidentiality import change_rules
from tests.builders.pairings import sign_both
from tests.builders.programs import apply, join_program
from tests.builders.reviews import plan_review, seat
from tests.factories import EmployeeFactory

CALM = "Nothing is waiting for you."
NEW_PROMISE = (
    "Taking part never puts your job at risk; what you discuss stays between the two of you."
)


def todos(client) -> list[tuple[str, str]]:
    """(title, url) of each item of the home's to-do list."""
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return [(t.title, t.url) for t in response.context["home"].todos]


def titles(client) -> list[str]:
    return [title for title, _ in todos(client)]


def test_a_proposed_match_asks_each_member_to_accept_it_then_to_sign(
    pairing, mentor, mentoree, signed_in_client
):
    space = reverse("pairings:space", args=[pairing.pk])
    agreement = reverse("confidentiality:agreement", args=[pairing.pk])
    mentor_client, mentoree_client = signed_in_client(mentor), signed_in_client(mentoree)
    mentoree_name = mentoree.employee.full_name
    assert todos(mentor_client) == [(f"Accept your match with {mentoree_name}", space)]
    assert todos(mentoree_client) == [
        (f"Accept your match with {mentor.employee.full_name}", space)
    ]

    pairing_services.pairing_accept(pairing=pairing, by=mentor.employee)
    assert todos(mentor_client) == [
        (f"Sign your confidentiality agreement with {mentoree_name}", agreement)
    ]
    assert titles(mentoree_client) == [f"Accept your match with {mentor.employee.full_name}"]

    pairing_services.pairing_accept(pairing=pairing, by=mentoree.employee)
    sign_both(pairing)
    for client in (mentor_client, mentoree_client):
        assert todos(client) == []
        assert CALM in client.get(reverse("home")).content.decode()


def test_a_new_agreement_version_asks_both_members_to_sign_it(
    active_pairing, mentor, mentoree, signed_in_client
):
    change_rules(active_pairing, mentoree, manager="attendance")
    agreement = reverse("confidentiality:agreement", args=[active_pairing.pk])
    for member, other in ((mentor, mentoree), (mentoree, mentor)):
        assert todos(signed_in_client(member)) == [
            (
                f"Sign the new version of your agreement with {other.employee.full_name}",
                agreement,
            )
        ]
    sign_both(active_pairing)
    assert todos(signed_in_client(mentor)) == []


def test_an_ended_pairing_asks_nothing(pairing, mentor, signed_in_client):
    pairing_services.pairing_end(pairing=pairing, by=mentor.employee, category="other")
    assert todos(signed_in_client(mentor)) == []


def test_the_commitment_and_then_its_new_version_wait_for_the_admitted_person(
    participant, program, coordinator, signed_in_client
):
    client = signed_in_client(participant)
    link = reverse("programs:commitment", args=[program.slug])
    assert todos(client) == [(f"Accept the program commitment of {program.name}", link)]

    program_services.commitment_accept(employee=participant.employee, program=program)
    assert todos(client) == []

    program_services.commitment_publish(program=program, by=coordinator, text=NEW_PROMISE)
    assert todos(client) == [(f"Accept the new version of the {program.name} commitment", link)]


def test_a_committee_member_is_asked_to_vote_per_program_never_on_a_recused_application(
    program, committee, committee_member, signed_in_client
):
    client = signed_in_client(committee_member)
    assert todos(client) == []
    first = apply(EmployeeFactory(level=4), program)
    apply(EmployeeFactory(level=4), program)
    # Someone who reports to the member: recused, so the queue hides it and so does the list.
    report = EmployeeFactory(level=3, manager=committee_member.employee)
    apply(report, program)
    queue = reverse("programs:committee_queue")
    assert todos(client) == [(f"Vote on 2 applications to {program.name}", queue)]

    program_services.vote_cast(application=first, voter=committee_member, choice="admit")
    assert todos(client) == [(f"Vote on 1 application to {program.name}", queue)]
    assert report.full_name not in client.get(reverse("home")).content.decode()
    # What the link opens agrees: one application waits for this member's vote.
    waiting = [a for a in client.get(queue).context["page"].object_list if not a.voted]
    assert len(waiting) == 1


def test_a_coordinator_sees_the_applications_waiting_for_a_decision(
    program, coordinator, signed_in_client
):
    client = signed_in_client(coordinator)
    for _ in range(3):
        apply(EmployeeFactory(level=4), program)
    withdrawn = apply(EmployeeFactory(level=4), program)
    program_services.application_withdraw(application=withdrawn, by=withdrawn.applicant)
    link = reverse("programs:manage", args=[program.slug]) + "?status=submitted"
    assert todos(client) == [(f"3 applications to {program.name} wait for a decision", link)]
    page = client.get(link)
    assert page.status_code == 200
    assert page.context["applications"].paginator.count == 3
    assert all(a.status == Application.Status.SUBMITTED for a in page.context["applications"])


def _started(session: GroupSession, *, days: float) -> GroupSession:
    GroupSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(days=days)
    )
    session.refresh_from_db()
    return session


def test_a_session_leader_is_asked_for_attendance_once_the_session_started(
    session, executive, coordinator, signed_in_client
):
    client = signed_in_client(executive)
    registration = program_services.session_register(
        session=session, employee=join_program(session.program, coordinator)
    )
    assert todos(client) == []  # next week: nothing to record yet

    _started(session, days=0.01)  # in progress
    link = reverse("programs:session", args=[session.pk])
    assert todos(client) == [(f"Record who attended {session.title}", link)]
    assert signed_in_client(executive).get(link).status_code == 200

    program_services.session_record_attendance(
        session=session, by=executive, attended_ids=[registration.pk]
    )
    assert todos(client) == []


def test_a_session_long_past_or_with_nobody_registered_asks_nothing(
    session, executive, coordinator, signed_in_client
):
    client = signed_in_client(executive)
    _started(session, days=1)
    assert todos(client) == []  # nobody registered: nothing to record
    GroupSession.objects.filter(pk=session.pk).update(starts_at=timezone.now() + timedelta(1))
    program_services.session_register(
        session=session, employee=join_program(session.program, coordinator)
    )
    _started(session, days=1)
    assert len(todos(client)) == 1
    _started(session, days=30)
    assert todos(client) == []


def test_a_new_sign_in_address_waits_for_its_owner_to_confirm_it(
    outsider, hr_admin, signed_in_client
):
    client = signed_in_client(outsider)
    account_address_change_request(
        user=outsider, by=hr_admin, new_email="lina.new@example.com", source="admin"
    )
    assert todos(client) == [("Confirm your new sign-in address", reverse("account_address"))]
    assert "lina.new@example.com" in client.get(reverse("home")).content.decode()
    AddressChange.objects.filter(user=outsider).update(status=AddressChange.Status.CANCELLED)
    assert todos(client) == []


@pytest.mark.parametrize("who", ["outsider", "talent_reviewer", "hr_admin", "superuser"])
def test_a_person_with_nothing_to_do_sees_a_calm_line_first(who, request, signed_in_client):
    user = request.getfixturevalue(who)
    html = signed_in_client(user).get(reverse("home")).content.decode()
    assert CALM in html
    assert html.index("Waiting for you") < html.index("What you can do here")


def test_f2_the_mentorees_reviewer_learns_nothing_of_mentoring_from_their_home(
    pairing, mentoree, talent_reviewer, panel_member, signed_in_client
):
    """F2, F11: a reviewer seated on the mentoree's review, and the Talent team member who
    runs it, see nothing of the mentoree's match, agreement or commitment on their home."""
    review = plan_review(mentoree.employee, by=talent_reviewer)
    seat(review, panel_member, by=talent_reviewer)
    for user in (talent_reviewer, panel_member):
        html = signed_in_client(user).get(reverse("home")).content.decode()
        assert mentoree.employee.full_name not in html
        assert CALM in html
        assert reverse("pairings:space", args=[pairing.pk]) not in html


def test_each_item_is_one_link(pairing, mentor, signed_in_client):
    html = signed_in_client(mentor).get(reverse("home")).content.decode()
    start = html.index('class="todo-list"')
    item = html[start : html.index("</ul>", start)]
    assert item.count("<a ") == 1
    assert reverse("pairings:space", args=[pairing.pk]) in item
