"""The to-do home and the manager's view in a real browser: what waits for a person comes
first on the home page, each item one link to where it is done; a manager reaches the
mentoring their report shares from the home page, sees exactly what the rule allows, and
nothing once the pair tightens it (F6). Screenshots at 1280 and 390 px wide."""

import re

import pytest
from playwright.sync_api import expect

from confidentiality.models import Rule
from tests.browser.helpers import screenshot
from tests.builders.confidentiality import change_rules
from tests.builders.pairings import accept_both, log_meeting, propose, sign_both
from tests.factories import EmployeeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"wide": 1280, "phone": 390}


def both_widths(page, name: str) -> None:
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"{name}-{label}")
    page.set_viewport_size({"width": WIDTHS["wide"], "height": 900})


def waiting(page):
    return page.get_by_role("region", name="Waiting for you")


def test_mentor_follows_the_to_do_home_to_accept_the_match_then_to_sign(
    open_page, pairing, mentor, mentoree
):
    page = open_page(mentor)
    name = mentoree.employee.full_name
    expect(waiting(page).get_by_role("link")).to_have_count(1)
    both_widths(page, "home-to-do-mentor")
    waiting(page).get_by_role("link", name=f"Accept your match with {name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^You and "))
    page.get_by_role("button", name="Accept this match").click()

    page.get_by_role("link", name="Mentoring programs", exact=True).click()  # the brand: home
    link = waiting(page).get_by_role(
        "link", name=f"Sign your confidentiality agreement with {name}"
    )
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your confidentiality agreement")


def test_a_person_with_nothing_waiting_reads_a_calm_line(open_page, outsider):
    page = open_page(outsider)
    expect(waiting(page)).to_contain_text("Nothing is waiting for you.")
    both_widths(page, "home-nothing-waiting")


def test_manager_sees_what_the_rule_allows_then_nothing_after_it_is_tightened(
    open_page, program, coordinator, new_mentor, new_mentoree
):
    manager = EmployeeFactory(first_name="Mara", last_name="Lind", title="Manager", level=6)
    report = new_mentoree(first_name="Ivo", last_name="Quill", manager=manager)
    pairing = accept_both(propose(program, new_mentor(first_name="Nora"), report, by=None))
    log_meeting(pairing, days=-5, duration_minutes=45)
    change_rules(pairing, report.user, manager=Rule.ATTENDANCE)
    sign_both(pairing)

    page = open_page(manager.user)
    page.get_by_role("link", name="Mentoring you may see as a manager").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mentoring you may see as a manager")
    expect(page.get_by_role("heading", name="Ivo Quill")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("45 min")
    expect(page.locator("main")).not_to_contain_text("Nora")
    both_widths(page, "shared-manager")

    change_rules(pairing, pairing.mentor.user, manager=Rule.NOTHING)
    page.reload()
    expect(page.get_by_text("Nothing is shared with you at the moment.")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Ivo")
