"""Keyboard only: the main forms are reached in a sensible order with Tab and Shift+Tab, each
stop shows the focus ring of app.css (:focus-visible), and each form is sent from the keyboard.
No mouse click and no locator action fills a field here: only page.keyboard.
"""

import re

import pytest
from playwright.sync_api import expect

from confidentiality.models import Note
from programs.models import Application
from programs.services import tag_create
from tests.browser.helpers import (
    expect_message,
    focused,
    has_visible_focus,
    press,
    screenshot,
    sign_in,
)
from tests.factories import DEFAULT_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def names(stops: list[dict]) -> list[str]:
    return [stop["name"] for stop in stops]


def assert_focus_visible(stops: list[dict]) -> None:
    hidden = [stop for stop in stops if not has_visible_focus(stop)]
    assert not hidden, f"no visible focus indicator on: {hidden}"


def skip_to_content(page) -> None:
    """From the top of a freshly loaded page: Tab to the skip link, Enter to jump to <main>."""
    stop = press(page, "Tab")
    assert stop["name"] == "Skip to content" and has_visible_focus(stop), stop
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "content"


def test_sign_in_form_by_keyboard(page, outsider):
    """The e-mail field has the focus on arrival (Django's autofocus); Shift+Tab still
    reaches the brand link and the skip link above it."""
    page.goto("/account/login/")
    start = focused(page)
    assert start["name"] == "E-mail address", start
    stops = [start] + [press(page, "Tab") for _ in range(3)]
    assert names(stops) == ["E-mail address", "Password", "Sign in", "Forgot your password?"]
    assert_focus_visible(stops)

    back = [press(page, "Shift+Tab") for _ in range(5)]
    assert names(back) == [
        "Sign in",
        "Password",
        "E-mail address",
        "Mentoring programs",
        "Skip to content",
    ]
    assert_focus_visible(back)

    assert names([press(page, "Tab") for _ in range(2)]) == ["Mentoring programs", "E-mail address"]
    page.keyboard.type(outsider.email)
    assert press(page, "Tab")["name"] == "Password"
    page.keyboard.type(DEFAULT_PASSWORD)
    assert press(page, "Tab")["name"] == "Sign in"
    page.keyboard.press("Enter")

    page.wait_for_url(lambda url: "/account/login/" not in url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lina")


CONSENT = "Show what I want to develop and my topics to the mentor proposed to me"


def test_apply_form_by_keyboard(page, program, coordinator, outsider):
    tag_create(by=coordinator, name="Leading people")
    tag_create(by=coordinator, name="Public speaking")
    sign_in(page, outsider)
    page.goto(f"/programs/{program.slug}/apply/mentoree/")
    skip_to_content(page)

    stops = [press(page, "Tab")]  # the breadcrumb back to the program
    stops.append(press(page, "Tab"))
    page.keyboard.type("I want to lead my first team well.")
    stops.append(press(page, "Tab"))
    page.keyboard.type("Giving feedback.")
    stops.append(press(page, "Tab"))
    page.keyboard.press("Space")  # tick "Leading people"
    stops.append(press(page, "Tab"))  # leave "Public speaking" unticked
    stops.append(press(page, "Tab"))
    page.keyboard.type("Tuesday mornings")
    stops.append(press(page, "Tab"))  # the consent to show the proposed mentor: left unticked
    stops.append(press(page, "Tab"))
    assert [(stop["tag"], stop["name"]) for stop in stops] == [
        ("a", program.name),
        ("textarea", "Why you want to take part"),
        ("textarea", "What you want to develop"),
        ("input", "Leading people"),
        ("input", "Public speaking"),
        ("input", "When you are available"),
        ("input", CONSENT),
        ("button", "Send my application"),
    ]
    assert_focus_visible(stops)
    assert press(page, "Shift+Tab")["name"] == CONSENT
    assert press(page, "Tab")["name"] == "Send my application"
    screenshot(page, "keyboard-apply-form")
    page.keyboard.press("Enter")

    # The skip link's #content stays on the URL through the redirect, as browsers do.
    page.wait_for_url(re.compile(r"/programs/applications/(#content)?$"))
    expect_message(page, "Your application was sent to the committee.")
    application = Application.objects.get(applicant=outsider.employee)
    assert application.motivation == "I want to lead my first team well."
    assert application.goals == "Giving feedback."
    assert application.availability == "Tuesday mornings"
    assert [tag.name for tag in application.tags.all()] == ["Leading people"]
    assert application.share_with_mentor is False


def test_note_form_by_keyboard(page, active_pairing, mentor):
    sign_in(page, mentor)
    page.goto(f"/confidentiality/pairings/{active_pairing.pk}/notes/")
    skip_to_content(page)

    assert press(page, "Tab")["name"] == "Back to your pair's space"
    assert press(page, "Tab")["name"] == "Write a note"
    page.keyboard.press("Enter")  # jumps to the form: the next Tab lands in it
    stops = [press(page, "Tab")]
    page.keyboard.type("Shared: bring the draft plan next time.")
    stops.append(press(page, "Tab"))  # which meeting: keep "The pairing in general"
    stops.append(press(page, "Tab"))
    page.keyboard.press("Space")
    stops.append(press(page, "Tab"))
    assert [(stop["tag"], stop["name"]) for stop in stops] == [
        ("textarea", "Your note"),
        ("select", "About a meeting (optional)"),
        ("input", "Share with Samuel Okoro"),
        ("button", "Save the note"),
    ]
    assert_focus_visible(stops)
    page.keyboard.press("Enter")

    expect_message(page, "Your note is saved.")
    note = Note.objects.get(pairing=active_pairing)
    assert note.shared is True
    assert note.meeting is None
