"""The other side of the firewall in a real browser: a Talent team member staffs a talent
review and is stopped from seating the subject's mentor (F3); an HR admin imports the HRIS
export in the admin and reads the access log (F8).

Only the starting state is built through the services; every step a person takes is done in
Chromium, by labels and roles.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from firewall.models import AccessEvent
from people.models import Employee
from reviews.models import PanelSeat, TalentReview
from tests.browser.helpers import expect_message, nav_link, screenshot
from tests.builders.reviews import NEUTRAL, REASON_WORDS, RECUSED, recusal_events

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _choose_for_the_panel(page, person) -> None:
    """Types the person's address and chooses them among the people found, as a reviewer
    does: until one is chosen, the list of people found lies over the "Add" button."""
    box = page.get_by_role("combobox", name="Add a panel member")
    box.fill(person.email)
    found = page.locator(f"#{box.get_attribute('aria-controls')}")
    found.get_by_role("option").filter(has_text=person.employee.full_name).click()
    expect(box).to_have_value(person.employee.full_name)
    expect(found).to_be_hidden()


def test_talent_team_staffs_a_review_and_is_refused_the_subjects_mentor(
    open_page, talent_reviewer, pairing, mentor, mentoree, panel_member
):
    """F3: the mentor of the subject is refused with the neutral message, which is recorded;
    the page says nothing of mentoring."""
    scheduled_on = timezone.localdate() + timedelta(days=21)

    page = open_page(talent_reviewer)
    nav_link(page, "Talent reviews").click()
    page.get_by_role("link", name="Plan a review").click()
    page.get_by_label("Subject", exact=True).fill(mentoree.email)
    page.get_by_label("Review cycle").fill("2027 mid-year")
    page.get_by_label("Date of the review").fill(scheduled_on.isoformat())
    page.get_by_role("button", name="Plan the review").click()

    expect_message(page, "The review is planned. Now staff its panel.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Samuel Okoro")
    _choose_for_the_panel(page, panel_member)
    page.get_by_role("button", name="Add to the panel").click()
    expect_message(page, "Ingrid Solberg joined the panel.")

    _choose_for_the_panel(page, mentor)
    page.get_by_role("button", name="Add to the panel").click()
    refusal = f"Helena Marsh {NEUTRAL}."
    panel = page.get_by_role("region", name=re.compile(r"^Panel \("))
    expect(panel.get_by_role("alert")).to_contain_text(refusal)
    expect(page.get_by_text(refusal)).to_have_count(1)  # said once, on the form
    seated = panel.locator(".people").get_by_role("listitem")
    expect(seated).to_have_count(1)
    expect(seated).to_contain_text("Ingrid Solberg")
    recused = page.get_by_role("region", name=re.compile(r"^Recused \("))
    expect(recused.get_by_role("listitem")).to_have_text(f"Helena Marsh — {RECUSED}")
    main_text = page.get_by_role("main").inner_text()
    assert not REASON_WORDS.search(main_text.replace("nothing from mentoring", "")), main_text
    screenshot(page, "review-recusal-refused")

    review = TalentReview.objects.get(subject=mentoree.employee)
    assert review.scheduled_on == scheduled_on
    assert list(
        PanelSeat.objects.filter(review=review).values_list("member__last_name", flat=True)
    ) == ["Solberg"]
    assert recusal_events().count() == 1


def test_hr_admin_imports_employees_in_the_admin_and_reads_the_access_log(
    open_page, hr_admin, active_pairing
):
    """The import runs as a background job: the status page refreshes itself until done.
    The access log (F8) lists the two signatures of the pair's agreement, without content."""
    csv_text = (
        "employee_number,first_name,last_name,email,title,department,level,manager_number\n"
        "H00001,Nora,Lind,nora.lind@northbank.example,Head of Retail,Retail Banking,7,\n"
        "H00002,Omar,Said,omar.said@northbank.example,Branch Manager,Retail Banking,5,H00001\n"
    )

    page = open_page(hr_admin)
    nav_link(page, "Administration").click()
    expect(
        page.get_by_role("heading", name="Directory, programs and the access log")
    ).to_be_visible()
    page.get_by_role("link", name="Employees", exact=True).click()
    page.get_by_role("link", name="Import from HRIS (CSV)").click()
    page.get_by_label("HRIS export (CSV, UTF-8)").set_input_files(
        files=[{"name": "hris.csv", "mimeType": "text/csv", "buffer": csv_text.encode()}]
    )
    page.get_by_role("button", name="Import").click()

    page.wait_for_url(re.compile(r"/admin/people/employee/import/\d+/$"))
    # The page refreshes itself every two seconds until the job has finished.
    expect(page.locator("#import-status")).to_have_attribute("data-status", "done", timeout=20_000)
    expect(page.get_by_role("status")).to_contain_text(
        "The directory is up to date: 2 created, 0 updated, 0 unchanged."
    )
    screenshot(page, "admin-hris-import")
    omar = Employee.objects.get(number="H00002")
    assert (omar.full_name, omar.manager.number) == ("Omar Said", "H00001")

    page.get_by_role("link", name="See the employees").click()
    expect(page.get_by_role("row", name=re.compile("H00002"))).to_contain_text("Omar Said")

    page.get_by_role("link", name="Home", exact=True).click()
    page.get_by_role("link", name="Access events").click()
    log = page.locator("#result_list")
    expect(log).to_be_visible()
    signed = log.get_by_role("row").filter(has_text="Signed")
    expect(signed).to_have_count(2)
    expect(signed.filter(has_text="Helena Marsh")).to_have_count(1)
    expect(signed.filter(has_text="Samuel Okoro")).to_have_count(1)
    screenshot(page, "admin-access-log")
    assert AccessEvent.objects.filter(action=AccessEvent.Action.SIGN).count() == 2
