"""Searching and filtering lists in a real browser (issue 16, item 1): a committee member
narrows the committee queue to one program and searches an applicant by name; a coordinator
filters the pairings by status. With htmx the results change as the fields change and the
address keeps the filters; without JavaScript the same form works with its Search button.
Every page is checked by axe-core at 1280 and 390 px (the conftest's `open_page`).
"""

import pytest
from playwright.sync_api import expect

from programs import services as program_services
from tests.browser.helpers import screenshot, sign_in
from tests.builders.pairings import accept_both, propose
from tests.builders.programs import apply, make_program
from tests.factories import EmployeeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def rows(page, region: str):
    return page.locator(f"#{region} tbody tr")


@pytest.fixture
def two_queues(program, other_program, other_coordinator, committee, committee_member):
    program_services.committee_member_add(
        program=other_program, by=other_coordinator, user=committee_member
    )
    elsewhere = make_program(coordinator=other_coordinator, name="Finance Circle", slug="fc")
    for first, last, where in [
        ("Aisha", "Andersen", program),
        ("Aisha", "Berg", other_program),
        ("Bruno", "Costa", program),
        ("Chen", "Dahl", program),
        ("Aisha", "Hidden", elsewhere),
    ]:
        apply(EmployeeFactory(first_name=first, last_name=last, department="Legal"), where)
    return program, other_program


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_committee_member_filters_the_queue_by_program_and_searches_a_name(
    open_page, two_queues, committee_member, width
):
    program, _ = two_queues
    page = open_page(committee_member, width=width)
    page.goto("/programs/committee/")
    expect(page.get_by_role("status")).to_have_text("4 applications")
    expect(page.get_by_label("Program")).not_to_contain_text("Finance Circle")

    page.get_by_label("Program").select_option(label=program.name)
    expect(page.get_by_role("status")).to_have_text("3 of 4 applications")
    expect(page).to_have_url(f"/programs/committee/?q=&program={program.slug}&status=")
    page.get_by_label("Search applicants").fill("aisha")
    expect(page.get_by_role("status")).to_have_text("1 of 4 applications")
    expect(rows(page, "queue-results")).to_have_count(1)
    expect(rows(page, "queue-results").first).to_contain_text("Aisha Andersen")
    assert "q=aisha" in page.url and f"program={program.slug}" in page.url
    screenshot(page, f"committee-queue-filtered-{width}")

    page.get_by_label("Search applicants").fill("nobody here")
    expect(page.get_by_text("No application matches “nobody here”, in Grow 2027.")).to_be_visible()

    # The address kept the filters: loading it again shows the same list (and axe checks it).
    page.goto(f"/programs/committee/?q=aisha&program={program.slug}")
    expect(page.get_by_label("Search applicants")).to_have_value("aisha")
    expect(rows(page, "queue-results")).to_have_count(1)
    page.get_by_role("link", name="Clear").click()
    expect(page.get_by_role("status")).to_have_text("4 applications")


def test_the_queue_search_works_without_javascript(
    chromium, live_server, two_queues, committee_member
):

    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, committee_member)
        page.goto("/programs/committee/")
        page.get_by_label("Search applicants").fill("costa")
        page.get_by_role("button", name="Search").click()
        expect(page).to_have_url("/programs/committee/?q=costa&program=&status=")
        expect(rows(page, "queue-results")).to_have_count(1)
        expect(page.get_by_role("status")).to_have_text("1 of 4 applications")
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_coordinator_filters_the_pairings_by_status(
    open_page, program, coordinator, enrolled, mentor, mentoree, other_mentor, new_mentoree, width
):
    active = accept_both(propose(program, mentor, mentoree, by=coordinator))
    propose(program, other_mentor, new_mentoree(first_name="Nadia"), by=coordinator)
    page = open_page(coordinator, width=width)
    page.goto(f"/pairings/program/{program.slug}/")
    expect(page.get_by_role("status")).to_have_text("2 pairings")

    page.get_by_label("Status", exact=True).select_option(label="Active")
    expect(page.get_by_role("status")).to_have_text("1 of 2 pairings")
    expect(rows(page, "pairings-results")).to_have_count(1)
    expect(rows(page, "pairings-results").first).to_contain_text(active.mentoree.full_name)
    assert "status=active" in page.url
    screenshot(page, f"pairings-filtered-{width}")

    page.goto(f"/pairings/program/{program.slug}/?status=active&q=okoro")
    expect(rows(page, "pairings-results")).to_have_count(1)
