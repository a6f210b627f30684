"""The admin's people picker in a real browser: an HR admin names a coordinator of a program
by typing part of a name, tells the demo's two Aisha Andersens apart by title and department,
chooses one with the keyboard and saves (issue 16, item 1). Django's own select2 (served from
static/, no CDN) drives the field; axe-core checks every page at 1280 and 390 px.

Only the starting state is built through the services; every step is done in Chromium.
"""

import re

import pytest
from playwright.sync_api import expect

from firewall.models import ConflictEntry
from programs import selectors as program_selectors
from tests.browser.helpers import nav_link, screenshot
from tests.builders.pairings import person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FINANCE = "Aisha Andersen — Accountant, Finance — aisha.andersen@northbank.example"
OPERATIONS = "Aisha Andersen — Operations Analyst, Operations — aisha.andersen2@northbank.example"


def test_hr_admin_names_one_of_two_namesakes_coordinator_with_the_keyboard(
    open_page, program, coordinator, hr_admin
):
    finance = person(
        first_name="Aisha",
        last_name="Andersen",
        title="Accountant",
        department="Finance",
        email="aisha.andersen@northbank.example",
    )
    person(
        first_name="Aisha",
        last_name="Andersen",
        title="Operations Analyst",
        department="Operations",
        email="aisha.andersen2@northbank.example",
    )

    page = open_page(hr_admin)
    nav_link(page, "Administration").click()
    page.locator("#programs-program").get_by_role("link", name="Programs").click()
    page.get_by_role("link", name=program.name, exact=True).click()
    # The page has loaded (and its axe snapshot been taken) before select2 is opened: a
    # snapshot taken with a drop-down open is not the page as it first shows.
    page.wait_for_url(re.compile(r"/admin/programs/program/\d+/change/$"), wait_until="load")
    expect(page.get_by_role("heading", level=2, name=program.name)).to_be_visible()

    # The coordinators field: its label leads to the picker's search box.
    field = page.locator(".field-coordinators")
    expect(field.get_by_role("listitem").filter(has_text="Grace Whitfield")).to_have_count(1)
    search = field.get_by_role("searchbox", name="Coordinators")
    search.focus()
    page.keyboard.type("Aisha And")

    options = page.locator("#select2-id_coordinators-results").get_by_role("option")
    expect(options).to_have_count(2)
    expect(options.nth(0)).to_have_text(OPERATIONS)
    expect(options.nth(1)).to_have_text(FINANCE)
    screenshot(page, "admin-people-picker-namesakes")

    # The first is highlighted; one arrow down is Finance's, Enter chooses her.
    page.keyboard.press("ArrowDown")
    expect(options.nth(1)).to_have_class(re.compile("select2-results__option--highlighted"))
    expect(search).to_have_attribute("aria-activedescendant", options.nth(1).get_attribute("id"))
    page.keyboard.press("Enter")
    chosen = field.get_by_role("listitem").filter(has_text="Aisha Andersen")
    expect(chosen).to_have_count(1)
    expect(chosen).to_contain_text("Accountant, Finance")

    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(re.compile(r"/admin/programs/program/$"))
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    assert set(program_selectors.coordinators_of(program=program)) == {coordinator, finance.user}


def test_hr_admin_declares_a_conflict_choosing_both_people_by_keyboard(open_page, hr_admin):
    """The single pickers (a declared conflict's person and subject, an employee's manager):
    opened from the keyboard, searched by employee number and department, chosen with Enter."""
    finance = person(
        first_name="Aisha",
        last_name="Andersen",
        title="Accountant",
        department="Finance",
        email="aisha.andersen@northbank.example",
        number="NB000213",
    )
    operations = person(
        first_name="Aisha",
        last_name="Andersen",
        title="Operations Analyst",
        department="Operations",
        email="aisha.andersen2@northbank.example",
        number="NB000294",
    )

    page = open_page(hr_admin)
    page.goto("/admin/")
    page.get_by_role("link", name="Conflict entries").click()
    page.get_by_role("link", name=re.compile("Add conflict")).click()
    page.wait_for_url(re.compile(r"/admin/firewall/conflictentry/add/$"), wait_until="load")

    for field, term, label in (
        ("person", "NB000213", FINANCE),
        ("subject", "Operations", OPERATIONS),
    ):
        # The picker's combobox is named by its label; Enter opens its search box.
        page.locator(f".field-{field}").get_by_role("combobox").focus()
        page.keyboard.press("Enter")
        search = page.get_by_role("searchbox", name=field.capitalize())
        expect(search).to_be_focused()
        page.keyboard.type(term)
        results = page.locator(f"#select2-id_{field}-results").get_by_role("option")
        expect(results).to_have_count(1)
        expect(results).to_have_text(label)
        page.keyboard.press("Enter")
        expect(page.locator(f"#select2-id_{field}-container")).to_have_text(label)
    screenshot(page, "admin-conflict-pickers")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(re.compile(r"/admin/firewall/conflictentry/$"))
    expect(page.locator("#result_list")).to_contain_text("Aisha Andersen (NB000213)")

    declared = ConflictEntry.objects.get(kind=ConflictEntry.Kind.DECLARED)
    assert (declared.key.person, declared.key.subject) == (finance, operations)

    # An employee's manager is chosen the same way, and shown by the same label.
    operations.manager = finance
    operations.save()
    page.goto(f"/admin/people/employee/{operations.pk}/change/")
    expect(page.locator("#select2-id_manager-container")).to_have_attribute("title", FINANCE)

    # The other forms with pickers (checked by axe-core too): a new entry's account and
    # manager, a new program's coordinators.
    page.goto("/admin/people/employee/add/")
    for field in ("user", "manager"):
        expect(page.locator(f".field-{field}").get_by_role("combobox")).to_be_visible()
    page.goto("/admin/programs/program/add/")
    expect(
        page.locator(".field-coordinators").get_by_role("searchbox", name="Coordinators")
    ).to_be_visible()
