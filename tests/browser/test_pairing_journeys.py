"""Pairing journeys in a real browser: whole-cohort matching and publishing, accepting the
match and signing the agreement (F5), the pair's meetings, notes (F1) and goals, and a
no-fault ending (F7).

Only the starting state is built through the services (tests/pairings/pair_fixtures.py);
every step a person takes is done in Chromium, by labels and roles.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from confidentiality.models import Note
from pairings.models import Goal, Meeting, Pairing, PrivateEndReason
from tests.browser.helpers import expect_message, nav_link, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_space(page):
    """From anywhere: My pairs, then the (only) pair's space."""
    nav_link(page, "My pairs").click()
    page.get_by_role("link", name=re.compile(r"^Open the pair's space")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^You and "))


def test_coordinator_runs_whole_cohort_matching_and_publishes_the_proposal(
    open_page, program, coordinator, enrolled, new_mentoree
):
    new_mentoree(first_name="Nadia", last_name="Karim")

    page = open_page(coordinator)
    nav_link(page, "Programs").click()
    page.get_by_role("link", name=program.name, exact=True).click()
    page.get_by_role("link", name="Manage this program").click()
    page.get_by_role("link", name="Matching", exact=True).click()
    expect(page.get_by_text("2 admitted mentorees have no pair yet.")).to_be_visible()
    expect(page.get_by_text("Matching has not run for this program yet.")).to_be_visible()

    page.get_by_role("button", name="Run matching").click()
    # Celery runs eagerly once the request's transaction commits; were it still running,
    # the page would refresh itself every two seconds until the proposal shows.
    proposal = page.get_by_role("region", name="The proposal")
    expect(proposal).to_be_visible(timeout=20_000)
    summary = page.get_by_role("list", name="Summary of the run")
    expect(summary.get_by_role("listitem").filter(has_text="Pairs proposed")).to_contain_text("2")
    expect(proposal.get_by_role("row", name=re.compile("Samuel Okoro"))).to_be_visible()
    expect(proposal.get_by_role("row", name=re.compile("Nadia Karim"))).to_be_visible()
    screenshot(page, "matching-proposal")

    page.get_by_role("button", name="Publish these pairings").click()
    # The publication is a task too: the matching page shows its progress, then the outcome.
    page.wait_for_url(f"**/pairings/program/{program.slug}/matching/")
    expect_message(page, "Publishing started. This page shows its progress.")
    expect(
        page.get_by_text(re.compile(r"This proposal was published: 2 pairings proposed"))
    ).to_be_visible(timeout=20_000)
    page.get_by_role("link", name="See the pairings").click()
    page.wait_for_url(f"**/pairings/program/{program.slug}/")

    proposed = Pairing.objects.filter(program=program, status=Pairing.Status.PROPOSED)
    assert sorted(p.mentoree.full_name for p in proposed) == ["Nadia Karim", "Samuel Okoro"]


def test_both_members_accept_the_match_and_sign_the_agreement(open_page, pairing, mentor, mentoree):
    """F5: the pairing becomes active once both accepted and both signed."""
    for member in (mentor, mentoree):
        page = open_page(member)
        open_space(page)
        expect(
            page.get_by_role("heading", name="The coordinator proposes this match")
        ).to_be_visible()
        page.get_by_role("button", name="Accept this match").click()
        expect_message(page, "You accepted the match.")

        page.get_by_role("link", name="Read and sign the agreement").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Your confidentiality agreement")
        full_name = member.employee.full_name
        page.get_by_label(f"Type your full name to sign ({full_name})").fill(full_name)
        page.get_by_label("I have read this agreement and I agree to keep to it.").check()
        page.get_by_role("button", name="Sign the agreement").click()
        expect_message(page, "You signed the agreement.")

    expect(page.get_by_text("You have both signed version 1.")).to_be_visible()
    signatures = page.get_by_role("region", name=re.compile("^Who has signed"))
    expect(signatures).to_contain_text("Signed as “Helena Marsh”")
    expect(signatures).to_contain_text("Signed as “Samuel Okoro”")
    screenshot(page, "agreement-signed")

    page.get_by_role("link", name="Back to your pair's space").first.click()
    expect(page.locator(".page-header__meta")).to_contain_text("Active")
    assert Pairing.objects.get(pk=pairing.pk).status == Pairing.Status.ACTIVE


def test_pair_logs_a_meeting_writes_a_private_and_a_shared_note_and_sets_a_goal(
    open_page, active_pairing, mentor, mentoree
):
    """F1: the mentoree reads the mentor's shared note, never the private one."""
    page = open_page(mentor)
    open_space(page)

    when = (timezone.localtime() + timedelta(days=7)).replace(hour=9, minute=30)
    page.get_by_label(re.compile(r"^Date and time")).fill(when.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Duration in minutes").fill("45")
    page.get_by_label("Format").select_option(label="In person")
    page.get_by_role("button", name="Save the meeting").click()
    expect_message(
        page, "The meeting is planned. Add it to your calendar from the list of upcoming meetings."
    )
    upcoming = page.get_by_role("region", name="Upcoming")
    expect(upcoming).to_contain_text(when.strftime("%a %-d %b %Y, 09:30 to 10:15"))
    expect(upcoming).to_contain_text("In person")

    page.get_by_label("Add a development goal").fill("Lead the quarterly planning meeting")
    page.get_by_role("button", name="Add the goal").click()
    expect_message(page, "The goal was added.")
    goals = page.get_by_role("region", name="Goals", exact=True).get_by_role("listitem")
    expect(goals).to_have_text(re.compile(r"^\s*Lead the quarterly planning meeting\s+Open"))

    page.get_by_role("link", name="Your notes", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your notes")
    page.get_by_label("Your note").fill("Private: Samuel seems unsure about the new role.")
    page.get_by_role("button", name="Save the note").click()
    expect_message(page, "Your note is saved.")
    page.get_by_label("Your note").fill("Shared: read 'The Making of a Manager' by next time.")
    page.get_by_label("About a meeting (optional)").select_option(index=1)
    page.get_by_label("Share with Samuel Okoro").check()
    page.get_by_role("button", name="Save the note").click()
    expect_message(page, "Your note is saved.")
    notes = page.get_by_role("region", name="Notes you can read")
    expect(notes.get_by_role("article")).to_have_count(2)
    expect(notes.get_by_role("article").filter(has_text="Private:")).to_contain_text("Private")
    expect(notes.get_by_role("article").filter(has_text="Shared:")).to_contain_text(
        "About the meeting on"
    )
    screenshot(page, "pair-notes")

    other = open_page(mentoree)
    open_space(other)
    expect(other.get_by_role("region", name="Goals", exact=True)).to_contain_text(
        "Lead the quarterly planning meeting"
    )
    expect(other.get_by_role("region", name="Upcoming")).to_contain_text("In person")
    other.get_by_role("link", name="Your notes", exact=True).click()
    readable = other.get_by_role("region", name="Notes you can read")
    expect(readable.get_by_role("article")).to_have_count(1)
    expect(readable).to_contain_text("Shared: read 'The Making of a Manager' by next time.")
    expect(readable).not_to_contain_text("Samuel seems unsure")

    meeting = Meeting.objects.get(pairing=active_pairing)
    assert (meeting.duration_minutes, meeting.format) == (45, Meeting.Format.IN_PERSON)
    assert Goal.objects.filter(pairing=active_pairing).count() == 1
    assert sorted(Note.objects.filter(pairing=active_pairing).values_list("shared", flat=True)) == [
        False,
        True,
    ]


def test_member_ends_the_pairing_without_fault(open_page, active_pairing, mentor, mentoree):
    """F7: a category and an optional private reason; the other member only learns it ended."""
    page = open_page(mentoree)
    open_space(page)
    page.get_by_role("link", name="End this pairing").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("End the pairing with Helena Marsh")
    page.get_by_role("group", name="Why is the pairing ending?").get_by_label(
        "Schedules did not allow it"
    ).check()
    page.get_by_label("A private note for yourself (optional)").fill("Travel every week.")
    screenshot(page, "end-pairing")
    page.get_by_role("button", name="End the pairing").click()

    expect_message(page, "The pairing has ended, with no fault on anyone.")
    expect(page.get_by_text("This pairing has ended, with no fault on anyone.")).to_be_visible()
    expect(page.locator(".page-header__meta")).to_contain_text("Ended")
    expect(page.get_by_role("link", name="End this pairing")).to_have_count(0)

    other = open_page(mentor)
    open_space(other)
    expect(other.locator(".page-header__meta")).to_contain_text("Ended")
    expect(other.get_by_role("main")).not_to_contain_text("Schedules did not allow it")
    expect(other.get_by_role("main")).not_to_contain_text("Travel every week")

    ended = Pairing.objects.get(pk=active_pairing.pk)
    assert ended.status == Pairing.Status.ENDED
    assert ended.end_category == Pairing.EndCategory.SCHEDULE
    assert PrivateEndReason.objects.filter(pairing=ended).count() == 1
