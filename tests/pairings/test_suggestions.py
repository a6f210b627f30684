"""Suggestions for one mentoree (`selectors.suggestions_for` and `pairings:suggestions`):
mentors ranked by score with the reasons in words; every mentor a hard constraint rules out is
left out; only coordinators of the program reach the page."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from pairings import selectors, services
from pairings.models import Pairing
from people.models import Employee
from programs import services as program_services
from programs.models import Application
from tests.builders.pairings import NEW_COMMITMENT_TEXT, enrol_in, person, propose
from tests.builders.programs import apply


def manage(manager: Employee, report: Employee) -> None:
    report.manager = manager
    report.save(update_fields=["manager"])


def suggested(program, mentoree) -> list[Employee]:
    employee = mentoree if isinstance(mentoree, Employee) else mentoree.employee
    return [s.mentor for s in selectors.suggestions_for(program=program, mentoree=employee)]


def suggestions_url(program, mentoree) -> str:
    employee = mentoree if isinstance(mentoree, Employee) else mentoree.employee
    return reverse("pairings:suggestions", args=[program.slug, employee.pk])


@pytest.fixture
def tags(coordinator):
    return {
        name: program_services.tag_create(by=coordinator, name=name)
        for name in ("Leadership", "Negotiation", "Public speaking")
    }


@pytest.fixture
def ranked(program, enrol, tags, mentor, mentoree, other_mentor, new_mentor):
    """The mentoree (Technology, grade 5, London) wants Leadership and Negotiation.

    - `mentor` (Risk, 7, London, room for 3, both tags): 2x15 + 20 + 20 + 5 + 10 = 85
    - `other_mentor` (Operations, 7, London, room for 1, no tag): 20 + 20 + 10 = 50
    - a technologist (Technology, 8, Paris, room for 2, Leadership): 15 + 20 + 5 = 40
    """
    enrol(mentoree, tags=[tags["Leadership"], tags["Negotiation"]])
    enrol(
        mentor,
        Application.Role.MENTOR,
        capacity=3,
        tags=[tags["Leadership"], tags["Negotiation"], tags["Public speaking"]],
    )
    enrol(other_mentor, Application.Role.MENTOR, capacity=1)
    technologist = new_mentor(
        capacity=2,
        tags=[tags["Leadership"]],
        first_name="Theo",
        last_name="Brandt",
        department="Technology",
        level=8,
        location="Paris",
    )
    return [mentor.employee, other_mentor.employee, technologist]


# --- Ranking and reasons ---------------------------------------------------------------------


def test_suggestions_are_ranked_by_score(ranked, program, mentoree):
    suggestions = selectors.suggestions_for(program=program, mentoree=mentoree.employee)

    assert [s.mentor for s in suggestions] == ranked
    assert [s.score for s in suggestions] == [85, 50, 40]
    assert [s.capacity_left for s in suggestions] == [3, 1, 2]


def test_suggestions_give_the_reasons_in_words(ranked, program, mentoree):
    best, second, third = selectors.suggestions_for(program=program, mentoree=mentoree.employee)

    assert best.reasons == [
        "Shared goals and expertise: Leadership, Negotiation",
        "From another department (Risk): a view from outside",
        "2 grade(s) more senior: experienced and still close to your role",
        "Has room for 3 more mentorees",
        "Also based in London",
    ]
    assert second.reasons == [
        "From another department (Operations): a view from outside",
        "2 grade(s) more senior: experienced and still close to your role",
        "Also based in London",
    ]
    assert third.reasons == [
        "Shared goals and expertise: Leadership",
        "3 grade(s) more senior: experienced and still close to your role",
        "Has room for 2 more mentorees",
    ]
    assert not any("Public speaking" in reason for reason in best.reasons)


def test_a_much_more_senior_mentor_is_a_view_from_higher_up(program, new_mentor, new_mentoree):
    junior = new_mentoree(level=3, department="Retail Banking")
    senior = new_mentor(level=8, department="Risk", capacity=1)

    [suggestion] = selectors.suggestions_for(program=program, mentoree=junior)

    assert suggestion.mentor == senior
    assert "5 grades more senior: a view from much higher up" in suggestion.reasons


def test_the_room_left_falls_as_pairings_are_proposed_and_rises_when_they_end(
    ranked, program, mentoree, new_mentoree, coordinator
):
    mentor = ranked[0]
    pairing = propose(program, mentor, new_mentoree(), by=coordinator)
    [first] = [
        s
        for s in selectors.suggestions_for(program=program, mentoree=mentoree.employee)
        if s.mentor == mentor
    ]
    assert first.capacity_left == 2

    services.pairing_end(pairing=pairing, by=mentor, category=Pairing.EndCategory.SCHEDULE)

    [again] = [
        s
        for s in selectors.suggestions_for(program=program, mentoree=mentoree.employee)
        if s.mentor == mentor
    ]
    assert again.capacity_left == 3


def test_the_suggestions_page_shows_the_ranking_and_reasons(
    ranked, program, mentoree, coordinator, signed_in_client
):
    response = signed_in_client(coordinator).get(suggestions_url(program, mentoree))

    assert response.status_code == 200
    assert response.context["mentoree"] == mentoree.employee
    assert [s.mentor for s in response.context["suggestions"]] == ranked
    html = response.content.decode()
    positions = [html.index(m.full_name) for m in ranked]
    assert positions == sorted(positions)
    for words in ("Shared goals and expertise: Leadership, Negotiation", "Also based in London"):
        assert words in html


# --- Hard constraints leave mentors out ---------------------------------------------------


@pytest.fixture
def ruled_out(program, enrol, mentoree, new_mentor, new_mentoree, coordinator, committee):
    """Mentors who would score well but that a hard constraint rules out, by rule."""
    enrol(mentoree)
    mentoree_employee = mentoree.employee
    manager = new_mentor(first_name="Mona", last_name="Manager")
    manage(manager, mentoree_employee)
    grand = new_mentor(first_name="Gus", last_name="Grandmanager")
    middle = person(level=6)
    manage(grand, middle)
    manage(middle, manager)  # grand -> middle -> manager -> mentoree
    report = new_mentor(first_name="Rita", last_name="Report")
    manage(mentoree_employee, report)  # the mentoree manages this mentor
    executive = new_mentor(first_name="Petra", last_name="President")
    Employee.objects.filter(pk=executive.pk).update(level=settings.GROUP_ONLY_LEVEL)
    executive.refresh_from_db()  # promoted since admission (HRIS import)
    full = new_mentor(first_name="Felix", last_name="Full", capacity=1)
    propose(program, full, new_mentoree(), by=coordinator)
    not_accepted = new_mentor(first_name="Nora", last_name="Unsigned", accept=False)
    waitlisted = person(first_name="Walt", last_name="Waitlisted", level=7)
    enrol_in(program, committee, waitlisted, Application.Role.MENTOR, decision="waitlist")
    undecided = person(first_name="Una", last_name="Undecided", level=7)
    apply(undecided, program, Application.Role.MENTOR)
    admitted_as_mentoree = new_mentoree(first_name="Mia", last_name="Menteeonly", level=7)
    allowed = new_mentor(first_name="Alma", last_name="Allowed")
    return {
        "chain_manager": manager,
        "chain_grand_manager": grand,
        "chain_report": report,
        "group_only": executive,
        "no_capacity": full,
        "commitment_not_accepted": not_accepted,
        "not_admitted_waitlisted": waitlisted,
        "not_admitted_undecided": undecided,
        "admitted_as_mentoree": admitted_as_mentoree,
        "allowed": allowed,
    }


def test_every_mentor_a_hard_constraint_rules_out_is_left_out(ruled_out, program, mentoree):
    names = suggested(program, mentoree)

    assert names == [ruled_out["allowed"]]


def test_the_page_leaves_them_out_too(ruled_out, program, mentoree, coordinator, signed_in_client):
    response = signed_in_client(coordinator).get(suggestions_url(program, mentoree))

    html = response.content.decode()
    assert ruled_out["allowed"].full_name in html
    for rule, employee in ruled_out.items():
        if rule != "allowed":
            assert employee.full_name not in html, rule


def test_suggestions_agree_with_pairing_refusals(ruled_out, program, mentoree):
    """The one hard-constraint check and the suggestions never disagree about a mentor."""
    suggested_mentors = set(suggested(program, mentoree))
    for rule, employee in ruled_out.items():
        refusals = services.pairing_refusals(
            program=program, mentor=employee, mentoree=mentoree.employee
        )
        assert (employee in suggested_mentors) == (refusals == []), (rule, refusals)


def test_a_new_commitment_version_leaves_out_mentors_until_they_accept_it(
    ranked, program, mentoree, coordinator
):
    program_services.commitment_publish(program=program, by=coordinator, text=NEW_COMMITMENT_TEXT)
    program_services.commitment_accept(employee=mentoree.employee, program=program)
    assert suggested(program, mentoree) == []

    program_services.commitment_accept(employee=ranked[1], program=program)

    assert suggested(program, mentoree) == [ranked[1]]


def test_with_chain_depth_one_a_grand_manager_is_suggested(
    settings, program, enrol, mentoree, new_mentor
):
    """With PAIRING_CHAIN_DEPTH=1 pairing_refusals allows a grand-manager; the suggestions
    must offer them too (the propose view takes its score from the suggestions)."""
    settings.PAIRING_CHAIN_DEPTH = 1
    enrol(mentoree)
    grand = new_mentor()
    middle = person(level=6)
    manage(middle, mentoree.employee)
    manage(grand, middle)
    assert (
        services.pairing_refusals(program=program, mentor=grand, mentoree=mentoree.employee) == []
    )

    assert suggested(program, mentoree) == [grand]


@pytest.mark.parametrize("why", ["commitment_not_accepted", "already_paired"])
def test_no_mentor_is_suggested_while_the_mentoree_cannot_be_paired(
    why, program, enrol, mentoree, new_mentor, coordinator
):
    """Every mentor is ruled out when the mentoree side breaks a rule: "Only mentors the rules
    allow are listed", each with a "Propose this pair" button."""
    enrol(mentoree, accept=why != "commitment_not_accepted")
    first, second = new_mentor(), new_mentor()
    if why == "already_paired":
        propose(program, first, mentoree, by=coordinator)
    assert services.pairing_refusals(program=program, mentor=second, mentoree=mentoree.employee)

    assert suggested(program, mentoree) == []


def test_no_suggestions_for_someone_who_is_not_an_admitted_mentoree(
    ranked, program, other_mentor, new_mentoree
):
    assert suggested(program, other_mentor) == []  # admitted, but as a mentor


# --- Who reaches the page --------------------------------------------------------------------


@pytest.mark.parametrize(
    "who",
    [
        "other_coordinator",
        "committee_member",
        "hr_admin",
        "superuser",
        "outsider",
        "mentor",
        "mentoree",
    ],
)
def test_only_coordinators_of_the_program_reach_the_suggestions(
    who, request, ranked, program, other_program, mentoree, signed_in_client
):
    response = signed_in_client(request.getfixturevalue(who)).get(
        suggestions_url(program, mentoree)
    )

    assert response.status_code == 404


def test_a_coordinator_of_another_program_gets_404_with_their_own_slug(
    ranked, program, other_program, other_coordinator, mentoree, signed_in_client
):
    """The other program's slug with this program's mentoree: not a mentoree there."""
    response = signed_in_client(other_coordinator).get(
        reverse("pairings:suggestions", args=[other_program.slug, mentoree.employee.pk])
    )

    assert response.status_code == 404


def test_suggestions_for_someone_not_admitted_as_mentoree_are_404(
    ranked, program, other_mentor, outsider, coordinator, signed_in_client
):
    client = signed_in_client(coordinator)

    assert client.get(suggestions_url(program, other_mentor)).status_code == 404
    assert client.get(suggestions_url(program, outsider)).status_code == 404
    assert client.post(suggestions_url(program, other_mentor)).status_code == 405
