"""Progress that updates in place (WCAG F41 / SC 2.2.1): the matching page and the HRIS
import page poll a `role="status"` fragment with htmx (vendored, CSP unchanged) instead of
reloading themselves; the page is never navigated again, the polling stops once the work
has ended, and without JavaScript a Refresh link does the same by hand."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from pairings.models import MatchingRun
from people.models import EmployeeImport
from tests.browser.helpers import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch(page, fragment_path: str) -> tuple[list[str], list[str]]:
    """The main frame's navigations and the requests for the fragment, from now on."""
    navigations: list[str] = []
    polls: list[str] = []
    page.on(
        "framenavigated",
        lambda frame: navigations.append(frame.url) if frame == page.main_frame else None,
    )
    page.on("request", lambda r: polls.append(r.url) if fragment_path in r.url else None)
    return navigations, polls


def test_matching_progress_updates_in_place_then_stops_polling(open_page, program, coordinator):
    run = MatchingRun.objects.create(program=program, status="running", progress=20)
    page = open_page(coordinator)
    page.goto(reverse("pairings:matching", args=[program.slug]))
    status = page.locator("#matching-status")
    expect(status).to_have_attribute("role", "status")
    expect(status).to_contain_text("20%")
    navigations, polls = watch(page, reverse("pairings:matching_status", args=[program.slug]))

    MatchingRun.objects.filter(pk=run.pk).update(progress=70)
    expect(status).to_contain_text("70%", timeout=8_000)
    expect(page.locator("#run-progress")).to_have_attribute("value", "70")
    screenshot(page, "matching-progress")

    MatchingRun.objects.filter(pk=run.pk).update(status="done", progress=100)
    expect(status).to_contain_text(
        "Matching has finished: the proposal is ready for review.", timeout=8_000
    )
    expect(page.locator("#run-status")).to_contain_text("Ready for review")
    assert navigations == [], f"the page reloaded itself: {navigations}"
    asked = len(polls)
    page.wait_for_timeout(4_500)  # two more polling periods
    assert len(polls) == asked, "the polling goes on after the run has ended"

    status.get_by_role("link", name="Show the result").click()
    expect(page.get_by_role("heading", name="The proposal")).to_be_visible()


def test_import_progress_updates_in_place_in_the_admin(open_page, hr_admin):
    job = EmployeeImport.objects.create(
        uploaded_by=hr_admin,
        file_name="hris.csv",
        csv_text="employee_number\n",
        status="validating",
        total_rows=1000,
        rows_checked=100,
    )
    page = open_page(hr_admin)
    page.goto(reverse("admin:people_employee_import_status", args=[job.pk]))
    status = page.get_by_role("status")
    expect(status).to_contain_text("100 of 1000 rows checked.")
    navigations, polls = watch(
        page, reverse("admin:people_employee_import_progress", args=[job.pk])
    )

    EmployeeImport.objects.filter(pk=job.pk).update(rows_checked=600)
    expect(status).to_contain_text("600 of 1000 rows checked.", timeout=8_000)

    EmployeeImport.objects.filter(pk=job.pk).update(status="done", rows_checked=1000, created=1000)
    expect(status).to_contain_text(
        re.compile(r"The directory is up to date:\s+1000 created"), timeout=8_000
    )
    expect(page.locator("#import-status")).to_have_attribute("data-status", "done")
    assert navigations == [], f"the page reloaded itself: {navigations}"
    assert polls, "the fragment was never asked for"


def test_without_javascript_the_refresh_link_shows_the_progress(
    chromium, live_server, program, coordinator
):
    """A browser without JavaScript gets no polling; the Refresh link brings the news."""
    run = MatchingRun.objects.create(program=program, status="running", progress=10)
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, coordinator)
        page.goto(reverse("pairings:matching", args=[program.slug]))
        expect(page.get_by_role("status")).to_contain_text("10%")
        MatchingRun.objects.filter(pk=run.pk).update(progress=90)
        page.wait_for_timeout(2_500)
        expect(page.get_by_role("status")).to_contain_text("10%")  # nothing polls

        page.get_by_role("status").get_by_role("link", name="Refresh").click()
        expect(page.get_by_role("status")).to_contain_text("90%")
    finally:
        context.close()
