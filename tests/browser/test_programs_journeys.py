"""Program journeys in a real browser: applying, the committee's decision, the program
commitment (F5) and a group session led by an executive (F4).

Only the starting state is built through the services (tests/pairings/pair_fixtures.py);
every step a person takes is done in Chromium, by labels and roles.
"""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from programs import services as program_services
from programs.models import (
    Application,
    CommitmentAcceptance,
    GroupSession,
    Registration,
    Vote,
)
from tests.browser.helpers import expect_message, nav_link, screenshot
from tests.builders.programs import apply
from tests.factories import EmployeeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_employee_applies_to_a_program_as_mentoree(open_page, program, coordinator, outsider):
    program_services.tag_create(by=coordinator, name="Leading people")
    program_services.tag_create(by=coordinator, name="Public speaking")

    page = open_page(outsider)
    nav_link(page, "Programs").click()
    page.get_by_role("link", name=program.name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(program.name)
    page.get_by_role("link", name="Apply as a mentoree").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Apply as a mentoree")
    page.get_by_label("Why you want to take part").fill("I want to lead my first team well.")
    page.get_by_label("What you want to develop").fill("Giving feedback; running meetings.")
    page.get_by_role("group", name="Topics").get_by_label("Leading people").check()
    page.get_by_label("When you are available").fill("Tuesday mornings, twice a month")
    screenshot(page, "apply-as-mentoree")
    page.get_by_role("button", name="Send my application").click()

    page.wait_for_url("**/programs/applications/")
    expect_message(page, "Your application was sent to the committee.")
    row = page.get_by_role("row", name=re.compile(program.name))
    expect(row).to_contain_text("Mentoree")
    expect(row).to_contain_text("Awaiting decision")

    application = Application.objects.get(applicant=outsider.employee, program=program)
    assert application.role == Application.Role.MENTOREE
    assert application.status == Application.Status.SUBMITTED
    assert application.motivation == "I want to lead my first team well."
    assert application.availability == "Tuesday mornings, twice a month"
    assert [tag.name for tag in application.tags.all()] == ["Leading people"]


def test_committee_admits_an_application_three_votes_then_one_records_the_decision(
    open_page, program, committee, mentoree
):
    application = apply(mentoree.employee, program, motivation="I want to grow as a leader.")

    for number, member in enumerate(committee, start=1):
        page = open_page(member)
        nav_link(page, "Committee").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Applications waiting for the committee"
        )
        page.get_by_role("link", name="Samuel Okoro").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Application from Samuel Okoro")
        expect(page.get_by_text("I want to grow as a leader.")).to_be_visible()
        page.get_by_role("group", name="Your vote").get_by_label("Admit", exact=True).check()
        page.get_by_label("Comment for the committee").fill(f"Vote {number}: a clear case.")
        page.get_by_role("button", name="Record my vote").click()
        expect_message(page, "Your vote was recorded.")
        expect(page.get_by_role("region", name="Votes", exact=True)).to_contain_text(
            re.compile(rf"\b{number} votes? so far")
        )

    # The third vote makes the quorum: the last member records the committee's decision.
    expect(page.get_by_role("heading", name="Record the decision")).to_be_visible()
    decision = page.get_by_role("group", name="Decision")
    expect(decision.get_by_label("Admit", exact=True)).to_be_checked()  # the majority
    page.get_by_label("Reason for the decision").fill("Unanimous: strong motivation.")
    page.get_by_role("button", name="Record the decision").click()

    expect_message(page, "The decision was recorded and the applicant told.")
    expect(page.get_by_role("region", name="Decision", exact=True)).to_contain_text("Admitted")
    expect(page.get_by_role("heading", name="Record the decision")).to_have_count(0)
    screenshot(page, "committee-decision")

    application.refresh_from_db()
    assert application.status == Application.Status.ADMITTED
    assert application.decision_reason == "Unanimous: strong motivation."
    assert application.decided_by == committee[-1]
    assert application.votes.filter(choice=Vote.Choice.ADMIT).count() == 3


def test_coordinator_decides_alone_when_the_committee_is_below_quorum(
    open_page, program, coordinator, committee_member, mentoree
):
    program_services.committee_member_add(program=program, by=coordinator, user=committee_member)
    application = apply(mentoree.employee, program)

    page = open_page(coordinator)
    nav_link(page, "Programs").click()
    page.get_by_role("link", name=program.name, exact=True).click()
    page.get_by_role("link", name="Manage this program").click()
    page.get_by_role("link", name="Open the application from Samuel Okoro").click()

    expect(page.get_by_text("as a coordinator you may decide alone")).to_be_visible()
    page.get_by_role("group", name="Decision").get_by_label("Admit", exact=True).check()
    page.get_by_label("Reason for the decision").fill("The committee has one member.")
    page.get_by_role("button", name="Record the decision").click()

    expect_message(page, "The decision was recorded and the applicant told.")
    application.refresh_from_db()
    assert application.status == Application.Status.ADMITTED
    assert application.decided_by == coordinator


def test_admitted_mentoree_reads_and_accepts_the_program_commitment(
    open_page, program, enrol, mentoree
):
    enrol(mentoree, accept=False)

    page = open_page(mentoree)
    nav_link(page, "My applications").click()
    page.get_by_role("link", name=re.compile(rf"^Go to the program\W+{program.name}$")).click()
    expect(page.get_by_text("Please read and accept the program commitment.")).to_be_visible()
    page.get_by_role("link", name="Read and accept the commitment").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("The program commitment")
    expect(page.get_by_role("article", name="Commitment, version 1")).to_be_visible()
    screenshot(page, "program-commitment")
    page.get_by_role("button", name="I have read this and accept it").click()

    page.wait_for_url(f"**/programs/{program.slug}/")
    expect_message(page, "Thank you: you accepted the program commitment.")
    expect(
        page.get_by_text("You accepted the current version of the program commitment.")
    ).to_be_visible()
    assert CommitmentAcceptance.objects.filter(
        employee=mentoree.employee, commitment__program=program, commitment__version=1
    ).exists()


def test_executive_leads_a_group_session_and_takes_attendance(
    open_page, program, coordinator, enrol
):
    """F4: the President leads the group; they record who came."""
    president = EmployeeFactory(
        first_name="Margaret",
        last_name="Ellison",
        title="President",
        department="Executive Office",
        level=settings.GROUP_ONLY_LEVEL,
    )
    came = EmployeeFactory(first_name="Ines", last_name="Costa", level=4)
    stayed_away = EmployeeFactory(first_name="Jamal", last_name="Haddad", level=4)
    session = program_services.session_create(
        program=program,
        by=coordinator,
        leader=president,
        title="Leading through uncertainty",
        description="The President takes questions.",
        starts_at=timezone.now() + timedelta(days=1),
        duration_minutes=90,
        location="Board room, 1 Bank Street, London",
        capacity=10,
    )
    for person in (came, stayed_away):
        enrol(person, accept=False)
        program_services.session_register(session=session, employee=person)
    # The session took place this morning.
    GroupSession.objects.filter(pk=session.pk).update(starts_at=timezone.now() - timedelta(hours=2))

    page = open_page(president.user)
    nav_link(page, "Sessions").click()
    page.get_by_role("link", name="Leading through uncertainty").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Leading through uncertainty")
    expect(page.get_by_text("Margaret Ellison, President (you)")).to_be_visible()

    attendance = page.get_by_role("group", name="Who attended")
    attendance.get_by_label("Ines Costa").check()
    expect(attendance.get_by_label("Jamal Haddad")).not_to_be_checked()
    page.get_by_role("button", name="Save attendance").click()

    expect_message(page, "Attendance recorded: 1 attended.")
    registered = page.get_by_role("region", name=re.compile(r"^Registered"))
    expect(registered.get_by_role("listitem").filter(has_text="Ines Costa")).to_contain_text(
        "Attended"
    )
    expect(registered.get_by_role("listitem").filter(has_text="Jamal Haddad")).to_contain_text(
        "Did not attend"
    )
    screenshot(page, "group-session-attendance")

    attended = dict(
        Registration.objects.filter(session=session).values_list(
            "participant__last_name", "attended"
        )
    )
    assert attended == {"Costa": True, "Haddad": False}
