"""Changing things in a real browser (issue L, item 4): a coordinator moves a group session
and then cancels it, and a participant's calendar file keeps its UID while its SEQUENCE
grows; a new commitment version is read as a difference before it is published.

The starting state is built through the services; every step a person takes is done in
Chromium, by labels and roles.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from notifications.models import Message
from programs import selectors
from programs import services as program_services
from programs.models import GroupSession
from programs.texts import DEFAULT_COMMITMENT_TEXT
from tests.browser.helpers import expect_message, screenshot
from tests.factories import EmployeeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def calendar_file(page, session) -> str:
    response = page.request.get(f"/programs/sessions/{session.pk}/calendar.ics")
    assert response.status == 200
    return response.text()


def ics_field(text: str, name: str) -> str:
    return re.search(rf"^{name}:(.*)$", text, re.MULTILINE).group(1).strip()


def test_coordinator_moves_then_cancels_a_session_and_the_calendar_follows(
    open_page, program, coordinator, executive, enrol
):
    participant = EmployeeFactory(first_name="Ines", last_name="Costa", level=4)
    enrol(participant, accept=False)
    session = program_services.session_create(
        program=program,
        by=coordinator,
        leader=executive.employee,
        title="Leading through uncertainty",
        starts_at=timezone.now() + timedelta(days=5),
        duration_minutes=90,
        location="Board room",
        capacity=10,
    )
    program_services.session_register(session=session, employee=participant)
    ines = open_page(participant.user)
    before = calendar_file(ines, session)

    page = open_page(coordinator)
    page.goto(f"/programs/sessions/{session.pk}/")
    page.get_by_role("link", name="Change the time, place or details").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change the session")
    page.get_by_label("Place or video link").fill("Room 4, 2 Bank Street")
    screenshot(page, "session-change")
    page.get_by_role("button", name="Save the changes").click()
    expect_message(page, "The session is updated.")
    expect(page.get_by_text("Room 4, 2 Bank Street")).to_be_visible()

    page.get_by_role("button", name="Cancel the session").click()
    expect_message(page, "The session is cancelled.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cancelled")
    screenshot(page, "session-cancelled")

    after = calendar_file(ines, session)
    assert ics_field(after, "UID") == ics_field(before, "UID")
    assert (ics_field(before, "SEQUENCE"), ics_field(after, "SEQUENCE")) == ("0", "2")
    assert ics_field(after, "STATUS") == "CANCELLED"
    assert GroupSession.objects.get(pk=session.pk).is_cancelled
    assert set(
        Message.objects.filter(recipient=participant.user).values_list("kind", flat=True)
    ) >= {"session_changed", "session_cancelled"}


def test_coordinator_reads_the_difference_before_publishing_a_commitment(
    open_page, program, coordinator
):
    page = open_page(coordinator)
    page.goto(f"/programs/{program.slug}/commitment/new/")
    text = page.get_by_label("Text of the commitment")
    text.fill(DEFAULT_COMMITMENT_TEXT.replace("Your job is safe.", "Your job is entirely safe."))
    page.get_by_role("button", name="Preview the changes").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Preview version 2 of the commitment")
    changes = page.get_by_role("region", name="Changes from the version in force")
    expect(changes.locator("ins")).to_contain_text(["entirely"])
    assert selectors.commitment_current(program=program).version == 1
    screenshot(page, "commitment-preview")

    page.get_by_role("button", name="Publish version 2").click()

    expect_message(page, "Version 2 is published")
    current = selectors.commitment_current(program=program)
    assert current.version == 2 and "entirely safe" in current.text
