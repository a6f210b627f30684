"""The people picker in a real browser, by keyboard only: a coordinator adds a committee member
and the Talent team seats a panel member, each telling two namesakes apart in the combobox
(WAI-ARIA 1.2: role combobox, aria-expanded, aria-controls, aria-activedescendant, a listbox,
a status region saying how many were found). The pages are checked by axe-core at 1280 and
390 px as every journey's are, and once more with the list open, at both widths.

Only page.keyboard types and chooses; a locator only puts the focus in the box to start.
"""

import re

import pytest
from playwright.sync_api import expect

from programs import selectors as program_selectors
from reviews.models import PanelSeat
from tests.browser.accessibility import AXE_SCRIPT, RUN_AXE, TAGS, WIDTHS
from tests.browser.helpers import expect_message, focused, press, screenshot, sign_in
from tests.builders.pairings import person
from tests.builders.reviews import plan_review

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def axe_with_the_list_open(page, name: str) -> None:
    """axe-core on the live page as it stands (the listbox open), at both widths, with a
    screenshot at each; the journey's own pages are checked at the end of the test."""
    page.evaluate(AXE_SCRIPT.read_text())
    for width, height in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        violations = page.evaluate(RUN_AXE, TAGS)
        assert violations == [], f"axe-core at {width}px with the list open: {violations}"
        screenshot(page, f"{name}-{width}")
    page.set_viewport_size({"width": 1280, "height": WIDTHS[1280]})


def choose_by_keyboard(page, box, text: str, *, downs: int, expect_found: int) -> str:
    """Type `text` in the combobox, wait for the list, press Down `downs` times and Enter;
    return the id of the option that was active when Enter was pressed."""
    page.keyboard.type(text, delay=20)
    listbox = page.locator(f"#{box.get_attribute('aria-controls')}")
    expect(listbox.get_by_role("option")).to_have_count(expect_found)
    expect(box).to_have_attribute("aria-expanded", "true")
    status = page.locator(f"#{box.get_attribute('id')}-status")
    expect(status).to_have_text(re.compile(rf"^{expect_found} people found"))
    for _ in range(downs):
        page.keyboard.press("ArrowDown")
    active = box.get_attribute("aria-activedescendant")
    assert active, "Down gave no option the visual focus"
    expect(page.locator(f"#{active}")).to_have_attribute("aria-selected", "true")
    return active


@pytest.fixture
def namesakes(db):
    """The demo's two "Aisha Andersen": the same name, told apart by title and department."""
    return [
        person(first_name="Aisha", last_name="Andersen", title="Controller", department="Finance"),
        person(first_name="Aisha", last_name="Andersen", title="Counsel", department="Legal"),
    ]


def test_coordinator_adds_a_committee_member_with_the_keyboard(
    open_page, program, coordinator, namesakes
):
    page = open_page(coordinator)
    page.goto(f"/programs/{program.slug}/manage/")
    box = page.get_by_role("combobox", name="Add a committee member")
    expect(box).to_have_attribute("aria-expanded", "false")
    listbox_id = box.get_attribute("aria-controls")
    expect(page.locator(f"#{listbox_id}")).to_have_attribute("role", "listbox")
    box.focus()

    # Escape closes the list and keeps what was typed.
    page.keyboard.type("Aisha", delay=20)
    expect(box).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Escape")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).to_have_value("Aisha")
    page.keyboard.press("Escape")  # a second Escape clears the box
    expect(box).to_have_value("")

    active = choose_by_keyboard(page, box, "aisha andersen", downs=2, expect_found=2)
    options = page.locator(f"#{listbox_id}").get_by_role("option")
    expect(options.nth(0)).to_contain_text("Controller, Finance")
    expect(options.nth(1)).to_contain_text("Counsel, Legal")
    assert active == f"id_member-option-{namesakes[1].pk}"
    axe_with_the_list_open(page, "picker-committee-open")

    page.keyboard.press("Enter")  # chooses; does not send the form
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).to_have_value("Aisha Andersen")
    expect(page.locator("#id_member-status")).to_have_text("Aisha Andersen chosen.")
    assert "/manage/" in page.url

    stop = press(page, "Tab")
    assert stop["name"] == "Add to the committee", stop
    page.keyboard.press("Enter")

    expect_message(page, "Aisha Andersen joined the committee.")
    screenshot(page, "picker-committee-added")
    members = program_selectors.committee_of(program=program)
    assert [m.employee.pk for m in members] == [namesakes[1].pk]


def test_talent_team_seats_a_panel_member_with_the_keyboard(
    open_page, talent_reviewer, mentoree, namesakes
):
    review = plan_review(mentoree, by=talent_reviewer)
    page = open_page(talent_reviewer)
    page.goto(f"/reviews/{review.pk}/")
    box = page.get_by_role("combobox", name="Add a panel member")
    box.focus()

    # Up from the top wraps to the last person found.
    page.keyboard.type("andersen", delay=20)
    listbox = page.locator(f"#{box.get_attribute('aria-controls')}")
    expect(listbox.get_by_role("option")).to_have_count(2)
    page.keyboard.press("ArrowUp")
    assert box.get_attribute("aria-activedescendant") == f"id_member-option-{namesakes[1].pk}"
    page.keyboard.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == f"id_member-option-{namesakes[0].pk}"
    axe_with_the_list_open(page, "picker-panel-open")
    page.keyboard.press("Enter")
    expect(box).to_have_value("Aisha Andersen")
    assert focused(page)["id"] == "id_member"

    assert press(page, "Tab")["name"] == "Add to the panel"
    page.keyboard.press("Enter")

    expect_message(page, "Aisha Andersen joined the panel.")
    screenshot(page, "picker-panel-seated")
    assert list(PanelSeat.objects.filter(review=review).values_list("member_id", flat=True)) == [
        namesakes[0].pk
    ]


def test_without_javascript_a_name_shared_by_two_asks_which_one(
    chromium, live_server, program, coordinator, namesakes
):
    """The same form with JavaScript off: the server answers "Which one?" with radios."""
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, coordinator)
        page.goto(f"/programs/{program.slug}/manage/")
        page.get_by_label("Add a committee member").fill("Aisha Andersen")
        page.get_by_role("button", name="Add to the committee").click()

        which = page.get_by_role("group", name="Which one?")
        expect(which.get_by_role("radio")).to_have_count(2)
        which.get_by_label(re.compile("Counsel, Legal")).check()
        screenshot(page, "picker-which-one")
        page.get_by_role("button", name="Add to the committee").click()

        expect_message(page, "Aisha Andersen joined the committee.")
    finally:
        context.close()
    members = program_selectors.committee_of(program=program)
    assert [m.employee.pk for m in members] == [namesakes[1].pk]


def test_sending_a_shared_name_without_choosing_asks_which_one_and_the_keyboard_answers(
    open_page, program, coordinator, namesakes
):
    page = open_page(coordinator)
    page.goto(f"/programs/{program.slug}/manage/")
    box = page.get_by_role("combobox", name="Add a committee member")
    box.focus()
    page.keyboard.type("Aisha Andersen", delay=20)
    expect(box).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Escape")
    page.keyboard.press("Enter")  # the list is closed: Enter sends the form

    expect(page.get_by_role("heading", level=1)).to_have_text("Add a committee member")
    which = page.get_by_role("group", name="Which one?")
    expect(which.get_by_role("radio")).to_have_count(2)
    expect(page.get_by_text("Several people match “Aisha Andersen”: which one?")).to_be_visible()
    which.get_by_role("radio").first.focus()
    page.keyboard.press("ArrowDown")  # the second radio, checked
    expect(which.get_by_label(re.compile("Counsel, Legal"))).to_be_checked()
    assert press(page, "Tab")["name"] == "Add to the committee"
    page.keyboard.press("Enter")

    expect_message(page, "Aisha Andersen joined the committee.")
    members = program_selectors.committee_of(program=program)
    assert [m.employee.pk for m in members] == [namesakes[1].pk]
