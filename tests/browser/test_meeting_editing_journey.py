"""In Chromium: a member plans a meeting, downloads it for their calendar, reschedules it from
the pair's space and downloads it again: same UID, SEQUENCE one higher, the new time; then
cancels it, and the file says METHOD:CANCEL. A goal is given a description and a due date,
changed, and its history read on the space."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from pairings.models import Meeting
from tests.browser.helpers import expect_message, nav_link, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FORM = "%Y-%m-%dT%H:%M"


def open_space(page):
    nav_link(page, "My pairs").click()
    page.get_by_role("link", name=re.compile(r"^Open the pair's space")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^You and "))


def calendar_file(page, meeting) -> dict[str, str]:
    body = page.request.get(reverse("pairings:meeting_ics", args=[meeting.pk])).text()
    lines = body.replace("\r\n ", "").split("\r\n")
    return dict(
        line.split(":", 1) for line in lines if ":" in line and not line.startswith("BEGIN")
    )


def test_a_member_reschedules_then_cancels_a_meeting_and_the_calendar_file_follows(
    open_page, active_pairing, mentor
):
    page = open_page(mentor)
    open_space(page)
    when = (timezone.localtime() + timedelta(days=7)).replace(
        hour=9, minute=30, second=0, microsecond=0
    )
    page.get_by_label(re.compile(r"^Date and time")).fill(when.strftime(FORM))
    page.get_by_label("Duration in minutes").fill("45")
    page.get_by_role("button", name="Save the meeting").click()
    expect_message(
        page, "The meeting is planned. Add it to your calendar from the list of upcoming meetings."
    )
    meeting = Meeting.objects.get(pairing=active_pairing)
    first = calendar_file(page, meeting)
    assert (first["SEQUENCE"], first["STATUS"]) == ("0", "CONFIRMED")

    page.get_by_role("link", name=re.compile(r"^Reschedule")).click()
    later = when + timedelta(days=1, hours=2)
    page.get_by_label(re.compile(r"^Starts")).fill(later.strftime(FORM))
    page.get_by_label(re.compile(r"^Ends")).fill((later + timedelta(minutes=60)).strftime(FORM))
    screenshot(page, "meeting-reschedule")
    page.get_by_role("button", name="Save the change").click()
    expect_message(page, "The meeting is rescheduled.")
    expect(page.get_by_role("region", name="Upcoming")).to_contain_text(
        later.strftime("%a %-d %b %Y, 11:30 to 12:30")
    )
    second = calendar_file(page, meeting)
    assert second["UID"] == first["UID"]
    assert second["SEQUENCE"] == "1"
    assert second["DTSTART"] == later.astimezone(timezone.UTC).strftime("%Y%m%dT%H%M%SZ")

    page.get_by_role("button", name=re.compile(r"^Cancel")).click()
    expect_message(page, "The meeting is cancelled.")
    expect(page.get_by_text("No meeting is planned.")).to_be_visible()
    third = calendar_file(page, meeting)
    assert (third["UID"], third["SEQUENCE"]) == (first["UID"], "2")
    assert (third["METHOD"], third["STATUS"]) == ("CANCEL", "CANCELLED")


def test_a_member_changes_a_goal_and_reads_its_history(open_page, active_pairing, mentoree):
    page = open_page(mentoree)
    open_space(page)
    page.get_by_label("Add a development goal").fill("Speak at the town hall")
    page.get_by_label("What it means for you (optional)").fill("Five minutes, no slides.")
    page.get_by_role("button", name="Add the goal").click()
    expect_message(page, "The goal was added.")

    page.get_by_role("link", name=re.compile(r"^Change the goal")).click()
    page.get_by_label("The goal").fill("Speak at the autumn town hall")
    due = timezone.localdate() + timedelta(days=30)
    page.get_by_label("Due by (optional)").fill(due.isoformat())
    page.get_by_role("button", name="Save the goal").click()
    expect_message(page, "The goal was updated.")

    goals = page.get_by_role("region", name="Goals", exact=True)
    expect(goals).to_contain_text("Five minutes, no slides.")
    expect(goals).to_contain_text(f"Due by {due.day} {due:%B %Y}")
    goals.get_by_text("History").first.click()
    expect(goals).to_contain_text(
        "You: Renamed the goal from “Speak at the town hall” to “Speak at the autumn town hall”"
    )
    screenshot(page, "goal-history")
