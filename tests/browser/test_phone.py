"""On a phone (390 px wide): a menu button folds the navigation away, charts keep labels of at
least 12 px, the committee queue keeps its vote columns on screen, a meeting's "Add to
calendar" is not cut off, and no page scrolls sideways. axe-core checks every page visited here
too, at 390 and 1280 px (conftest.open_page)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from pairings import services as pairing_services
from pairings.models import Meeting
from tests.browser.helpers import nav_link, screenshot
from tests.builders.programs import apply
from tests.factories import EmployeeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = 390

_OVERFLOW = """() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
})"""


def assert_no_sideways_scroll(page) -> None:
    widths = page.evaluate(_OVERFLOW)
    assert widths["scroll"] <= widths["client"], f"the page scrolls sideways: {widths}"


def assert_on_screen(locator, width: int = PHONE) -> None:
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"cut off: {box}"


def menu_button(page):
    return page.get_by_role("navigation", name="Main").locator("summary", has_text="Menu")


def test_the_navigation_folds_behind_a_menu_button_on_a_phone(open_page, mentor):
    page = open_page(mentor, width=PHONE)
    button = menu_button(page)
    expect(button).to_be_visible()
    expect(nav_link(page, "My pairs")).to_be_hidden()
    assert_no_sideways_scroll(page)
    screenshot(page, "phone-menu-closed")

    # From the keyboard: Tab reaches the button, Enter opens the menu, Enter again closes it.
    button.focus()
    page.keyboard.press("Enter")
    expect(nav_link(page, "My pairs")).to_be_visible()
    assert_on_screen(nav_link(page, "Inbox"))
    screenshot(page, "phone-menu-open")
    page.keyboard.press("Enter")
    expect(nav_link(page, "My pairs")).to_be_hidden()

    # A pointer too; the link then leads where it says.
    button.click()
    nav_link(page, "My pairs").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("pair", re.I))
    expect(nav_link(page, "My pairs")).to_be_hidden()


def test_on_a_wide_screen_the_links_show_without_a_menu_button(open_page, mentor):
    page = open_page(mentor)
    expect(menu_button(page)).to_be_hidden()
    for name in ("Home", "My pairs", "Inbox"):
        expect(nav_link(page, name)).to_be_visible()
    nav_link(page, "My pairs").click()
    expect(nav_link(page, "My pairs")).to_have_attribute("aria-current", "page")


_CHART_TEXT = """() => [...document.querySelectorAll("svg.chart__svg")]
    .filter((svg) => svg.getClientRects().length > 0)
    .flatMap((svg) => {
        const box = svg.getBoundingClientRect();
        const scale = box.width / svg.viewBox.baseVal.width;
        return [...svg.querySelectorAll("text")].map((text) => {
            const edges = text.getBoundingClientRect();
            return {
                chart: svg.getAttribute("aria-labelledby"),
                text: text.textContent,
                px: parseFloat(getComputedStyle(text).fontSize) * scale,
                inside: edges.left >= box.left - 0.5 && edges.right <= box.right + 0.5,
            };
        });
    })"""


@pytest.mark.parametrize("width", [PHONE, 1280])
def test_dashboard_chart_labels_stay_at_least_12px(open_page, program, coordinator, width):
    for _ in range(3):
        apply(EmployeeFactory(level=4), program)
    page = open_page(coordinator, width=width)
    page.goto(f"/reports/{program.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(program.name)

    labels = page.evaluate(_CHART_TEXT)
    charts = {label["chart"] for label in labels}
    assert {"funnel-narrow-title", "pairings-narrow-title"} <= charts or {
        "funnel-title",
        "pairings-title",
    } <= charts, charts
    small = [label for label in labels if label["px"] < 12]
    assert not small, f"chart text under 12px at {width}px: {small}"
    cut = [label for label in labels if not label["inside"]]
    assert not cut, f"chart text past the chart's edge at {width}px: {cut}"
    assert_no_sideways_scroll(page)
    screenshot(page, f"dashboard-{width}")


def test_committee_queue_keeps_its_vote_columns_on_a_phone(open_page, program, committee, mentoree):
    apply(mentoree.employee, program)
    page = open_page(committee[0], width=PHONE)
    page.goto("/programs/committee/")
    row = page.get_by_role("row", name=re.compile("Samuel Okoro"))
    votes = row.get_by_role("cell").filter(has_text="needed")
    assert_on_screen(votes)
    # Each cell is shown under the name of its column (generated text, read out too).
    expect(votes).to_have_accessible_name("Votes so far: 0 of 3 needed")
    assert_on_screen(row.get_by_role("cell").filter(has_text="Not yet"))
    assert_no_sideways_scroll(page)
    screenshot(page, "phone-committee-queue")


def test_add_to_calendar_is_not_cut_off_on_a_phone(open_page, active_pairing, mentor):
    pairing_services.meeting_log(
        pairing=active_pairing,
        by=mentor.employee,
        starts_at=timezone.now() + timedelta(days=3),
        duration_minutes=45,
        format=Meeting.Format.IN_PERSON,
    )
    page = open_page(mentor, width=PHONE)
    page.goto(f"/pairings/{active_pairing.pk}/")
    upcoming = page.get_by_role("region", name="Upcoming")
    assert_on_screen(upcoming.get_by_role("link", name=re.compile(r"^Add to calendar")))
    assert_on_screen(upcoming.get_by_role("link", name=re.compile(r"^Reschedule")))
    assert_on_screen(upcoming.get_by_role("button", name=re.compile(r"^Cancel")))
    expect(upcoming.get_by_role("cell").filter(has_text="In person")).to_have_accessible_name(
        "Format: In person"
    )
    assert_no_sideways_scroll(page)
    screenshot(page, "phone-pair-space")
