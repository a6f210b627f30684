"""The program's CSV exports (reports/exports.py): participants, meetings per pair, the
dashboard's figures. Each downloads as a UTF-8 CSV attachment with a byte-order mark, parses
with the csv module and starts with its documented header; meeting counts appear only where
the pair's agreement lets the coordinator see attendance (F6); a cell a spreadsheet would run
as a formula is neutralised; and no confidential text, of any kind, reaches an export or the
dashboard (F9), checked with a canary in every confidential field. Same access rules as the
dashboard: the program's coordinators and HR admins; anyone else a 404.

The company is the one of tests/reports/test_dashboard.py (see its docstring)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from confidentiality import services as conf_services
from pairings import services as pairing_services
from pairings.models import Goal, Pairing, PrivateEndReason
from programs import services as program_services
from programs.models import Application, Vote
from tests.builders.confidentiality import (
    agreement_of,
    canary,
    change_rules,
    is_login_redirect,
    write_note,
)
from tests.builders.pairings import accept_both, add_goal, log_meeting, propose, sign_both
from tests.builders.programs import apply, join_program, make_program, seat_committee
from tests.factories import EmployeeFactory
from tests.reports.test_dashboard import build_company

PARTICIPANTS_HEADER = [
    "employee_number",
    "last_name",
    "first_name",
    "department",
    "role",
    "application_status",
    "accepted_current_commitment",
    "pairing_status",
    "paired_with",
    "pairing_proposed_on",
]
MEETINGS_HEADER = [
    "mentor",
    "mentoree",
    "pairing_status",
    "attendance_shared_with_coordinator",
    "meetings_held",
    "last_meeting_on",
]
FIGURES_HEADER = ["section", "figure", "value"]
EXPORTS = ["participants", "meetings", "figures"]


def export_url(program, what: str) -> str:
    return reverse(f"reports:export_{what}", args=[program.slug])


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def download(client, program, what: str) -> list[list[str]]:
    """The export's rows as the csv module reads them (header first), after checking that it
    is a UTF-8 CSV attachment that starts with a byte-order mark."""
    response = client.get(export_url(program, what))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response["Content-Disposition"]
    today = timezone.localdate().isoformat()
    assert disposition == f'attachment; filename="{program.slug}-{what}-{today}.csv"'
    raw = body_of(response)
    assert raw.startswith("\ufeff".encode())  # EF BB BF
    text = raw.decode("utf-8")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


@pytest.fixture(autouse=True)
def _no_dashboard_from_another_test():
    """The dashboard page caches its figures under the program's id, which the next test
    may reuse: start every test with an empty cache."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def company(coordinator):
    return build_company(coordinator)


@pytest.fixture
def coordinator_client(coordinator, signed_in_client):
    return signed_in_client(coordinator)


def full_name(employee) -> str:
    return f"{employee.first_name} {employee.last_name}"


def day(days: int) -> str:
    return (timezone.localtime() + timedelta(days=days)).date().isoformat()


# --- The three exports ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("what", "header"),
    [
        ("participants", PARTICIPANTS_HEADER),
        ("meetings", MEETINGS_HEADER),
        ("figures", FIGURES_HEADER),
    ],
)
def test_each_export_is_a_utf8_csv_attachment_with_its_documented_header(
    what, header, company, coordinator_client
):
    rows = download(coordinator_client, company.program, what)

    assert rows[0] == header
    assert all(len(row) == len(header) for row in rows)


def test_participants_export_lists_every_applicant_but_the_withdrawn_once_per_pairing(
    company, coordinator_client
):
    rows = download(coordinator_client, company.program, "participants")[1:]
    people = company.people
    per_person = Counter(row[0] for row in rows)

    # Quinn withdrew: not a participant. Everyone else is there: once when not paired, once
    # per pairing otherwise (Adams and Baker mentor three each, Clarke five over time, Evans
    # and Foster were matched twice).
    assert people["E13"].number not in per_person
    expected = {key: 1 for key in people if key != "E13"}
    expected.update({"M1": 3, "M2": 3, "M3": 5, "E1": 2, "E2": 2})
    assert per_person == {people[key].number: n for key, n in expected.items()}
    assert len(rows) == 26


def test_participants_export_rows_say_status_commitment_and_partner(company, coordinator_client):
    rows = download(coordinator_client, company.program, "participants")[1:]
    people = company.people
    by_number: dict[str, list[list[str]]] = {}
    for row in rows:
        by_number.setdefault(row[0], []).append(row)

    evans = people["E1"]
    assert by_number[evans.number] == [
        [
            evans.number,
            evans.last_name,
            evans.first_name,
            "Technology",
            "Mentoree",
            "Admitted",
            "yes",
            "Ended",
            full_name(people["M3"]),
            timezone.localdate(company.pair("P8").proposed_at).isoformat(),
        ],
        [
            evans.number,
            evans.last_name,
            evans.first_name,
            "Technology",
            "Mentoree",
            "Admitted",
            "yes",
            "Active",
            full_name(people["M1"]),
            timezone.localdate(company.pair("P1").proposed_at).isoformat(),
        ],
    ]
    assert by_number[people["E10"].number][0][5:] == ["Admitted", "no", "not paired", "", ""]
    assert by_number[people["E11"].number][0][5:] == ["Waiting list", "no", "not paired", "", ""]
    assert by_number[people["E12"].number][0][5:] == [
        "Awaiting decision",
        "no",
        "not paired",
        "",
        "",
    ]
    assert by_number[people["M4"].number][0][4:8] == ["Mentor", "Declined", "no", "not paired"]
    assert [row[7] for row in by_number[people["M3"].number]] == [
        "Ended",
        "Ended",
        "Awaiting agreement",
        "Proposed",
        "Active",
    ]
    # Sorted by last name.
    last_names = [row[1] for row in rows]
    assert last_names == sorted(last_names)


def test_meetings_export_has_one_row_per_pair_and_counts_only_where_attendance_is_shared(
    company, coordinator_client
):
    """F6: P11 and P7 share nothing with the coordinator (P7 had a meeting before its rule
    was tightened): their counts and dates are blank, not zero."""
    rows = download(coordinator_client, company.program, "meetings")[1:]
    p = company.people

    def row(mentor, mentoree, status, shared, held, last):
        return [full_name(p[mentor]), full_name(p[mentoree]), status, shared, held, last]

    assert rows == [
        row("M1", "E1", "Active", "yes", "2", day(-1)),  # the upcoming one is not held yet
        row("M1", "E2", "Active", "yes", "2", day(-10)),
        row("M1", "E3", "Active", "yes", "1", day(-29)),  # themes include attendance
        row("M2", "E4", "Active", "yes", "3", day(-40)),
        row("M2", "E5", "Active", "yes", "0", ""),
        row("M2", "E6", "Active", "yes", "1", day(-200)),
        row("M3", "E1", "Ended", "yes", "0", ""),
        row("M3", "E2", "Ended", "yes", "0", ""),
        row("M3", "E7", "Awaiting agreement", "no", "", ""),
        row("M3", "E8", "Proposed", "yes", "0", ""),
        row("M3", "E9", "Active", "no", "", ""),
    ]


def test_f6_meetings_export_blanks_a_pair_as_soon_as_its_rule_is_tightened(
    company, coordinator_client
):
    change_rules(company.pairs["P1"], company.people["E1"].user, coordinator="nothing")

    rows = download(coordinator_client, company.program, "meetings")[1:]

    assert rows[0][:2] == [full_name(company.people["M1"]), full_name(company.people["E1"])]
    assert rows[0][2:] == ["Awaiting agreement", "no", "", ""]


@pytest.mark.parametrize("what", ["participants", "meetings"])
def test_f7_no_export_ties_an_ending_category_to_a_pair(what, company, coordinator_client):
    """Evans's and Foster's first pairings ended ("Not the right fit", "Schedules did not
    allow it"): the exports say that they ended, never why."""
    rows = download(coordinator_client, company.program, what)
    cells = {cell for row in rows for cell in row}

    for value, label in Pairing.EndCategory.choices:
        assert value not in cells
        assert label not in cells
    assert "Ended" in cells


def test_figures_export_carries_the_dashboards_figures(company, coordinator_client):
    rows = download(coordinator_client, company.program, "figures")[1:]
    figures = {(section, figure): value for section, figure, value in rows}

    assert figures[("applications", "Applied")] == "17"
    assert figures[("applications", "Admitted")] == "13"
    assert figures[("applications: mentors", "Declined")] == "1"
    assert figures[("applications: mentorees", "Withdrawn")] == "1"
    assert figures[("pairings", "Active")] == "7"
    assert figures[("time to match", "mentorees matched")] == "9"
    assert figures[("time to match", "median days")] == "8.0"
    assert figures[("time to match", "90th percentile days")] == "21.0"
    assert figures[("attendance", "active pairs sharing attendance")] == "6"
    assert figures[("attendance", "met in the last 30 days")] == "3"
    assert sum(int(v) for (s, _), v in figures.items() if s == "meetings per month") == 8
    assert figures[("commitment", "accepted the current version")] == "12"
    assert figures[("agreements", "signed by both members")] == "7"
    assert figures[("group sessions", "registered (past sessions)")] == "5"
    assert figures[("group sessions", "attended")] == "3"
    # F7: both endings are this month's, never broken down; no closed month has any.
    assert figures[("endings", "the current month")] == "never broken down"
    assert [figure for section, figure in figures if section == "endings"] == ["the current month"]


def test_figures_export_says_withheld_where_the_dashboard_does(coordinator, coordinator_client):
    program = make_program(coordinator=coordinator)

    rows = download(coordinator_client, program, "figures")[1:]
    figures = {(section, figure): value for section, figure, value in rows}

    assert figures[("time to match", "median days")] == "withheld (fewer than 5)"
    assert figures[("attendance", "met in the last 30 days")] == "withheld (fewer than 5)"
    assert figures[("meetings per month", "all months")] == "withheld (fewer than 5)"
    assert figures[("endings", "the current month")] == "never broken down"


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_neutralised(
    coordinator, coordinator_client
):
    program = make_program(coordinator=coordinator)
    mentor = join_program(
        program, coordinator, "mentor", first_name="Bea", last_name="Lane", department="+44 Sales"
    )
    mentoree = join_program(
        program,
        coordinator,
        first_name="@Ana",
        last_name="-Minus",
        department='=HYPERLINK("http://evil.test","x")',
    )
    accept_both(propose(program, mentor, mentoree, by=coordinator))

    participants = download(coordinator_client, program, "participants")[1:]
    by_first = {row[2]: row for row in participants}
    ana = by_first["'@Ana"]
    assert ana[1] == "'-Minus"
    assert ana[3] == '\'=HYPERLINK("http://evil.test","x")'
    assert ana[8] == "Bea Lane"
    bea = by_first["Bea"]
    assert bea[3] == "'+44 Sales"
    assert bea[8] == "'@Ana -Minus"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in participants for cell in row)

    meetings = download(coordinator_client, program, "meetings")[1:]
    assert meetings[0][:2] == ["Bea Lane", "'@Ana -Minus"]


def test_export_dates_are_local_dates(coordinator, coordinator_client, settings):
    settings.TIME_ZONE = "Asia/Tokyo"  # UTC+9, no daylight saving: deterministic
    program = make_program(coordinator=coordinator)
    mentor = join_program(program, coordinator, "mentor")
    mentoree = join_program(program, coordinator)
    pairing = accept_both(propose(program, mentor, mentoree, by=coordinator))
    meeting = log_meeting(pairing, days=-3, hour=8)  # 08:00 in Tokyo is 23:00 UTC the day before
    local_day = timezone.localdate(meeting.starts_at).isoformat()
    assert meeting.starts_at.astimezone(timezone.UTC).date().isoformat() != local_day

    meetings = download(coordinator_client, program, "meetings")[1:]

    assert meetings[0][5] == local_day


# --- F9: no confidential text in any export or on the dashboard -------------------------------


@pytest.fixture
def canaries(coordinator, committee_member, mentor, mentoree, other_mentor):
    """A program where every confidential field holds a canary of its own: application
    motivation and goals, committee vote comments, decision reasons, note text (private and
    shared), a goal's title, a consented theme and a private end reason."""
    program = make_program(coordinator=coordinator)
    committee = seat_committee(program, by=coordinator, first=committee_member)
    found: dict[str, str] = {}

    def decide(employee, role, decision="admit", **kwargs):
        label = f"{employee.last_name}-{role}-"
        found[f"motivation of {label}"] = canary(f"motivation-{label}")
        found[f"goals of {label}"] = canary(f"goals-{label}")
        application = apply(
            employee,
            program,
            role,
            motivation=found[f"motivation of {label}"],
            goals=found[f"goals of {label}"],
            **kwargs,
        )
        for index, member in enumerate(committee):
            found[f"vote comment {index} on {label}"] = canary(f"vote-{index}-{label}")
            program_services.vote_cast(
                application=application,
                voter=member,
                choice=decision,
                comment=found[f"vote comment {index} on {label}"],
            )
        found[f"decision reason on {label}"] = canary(f"reason-{label}")
        application = program_services.application_decide(
            application=application,
            by=committee[0],
            decision=decision,
            reason=found[f"decision reason on {label}"],
        )
        if application.status == Application.Status.ADMITTED:
            program_services.commitment_accept(employee=employee, program=program)
        return employee

    decide(mentor.employee, "mentor", mentor_capacity=3)
    decide(other_mentor.employee, "mentor", decision="decline")
    decide(mentoree.employee, "mentoree")
    second = decide(EmployeeFactory(level=4, last_name="Second"), "mentoree")
    waiting = EmployeeFactory(level=4, last_name="Waiting")
    decide(waiting, "mentoree", decision="waitlist")

    pairing = accept_both(propose(program, mentor, mentoree, by=coordinator))
    meeting = log_meeting(pairing, days=-2)
    found["private note"] = canary("note-private-")
    write_note(pairing, mentor, found["private note"])
    found["shared note"] = canary("note-shared-")
    write_note(pairing, mentoree, found["shared note"], shared=True, meeting=meeting)
    found["goal title"] = canary("goal-")
    add_goal(pairing, found["goal title"])
    change_rules(pairing, mentoree, coordinator="themes")
    sign_both(pairing)
    found["consented theme"] = canary("theme-")
    conf_services.theme_add(
        agreement=agreement_of(pairing),
        by=mentoree,
        audience="coordinator",
        text=found["consented theme"],
    )

    ended = propose(program, mentor, second, by=coordinator)
    found["private end reason"] = canary("end-reason-")
    pairing_services.pairing_end(
        pairing=ended,
        by=second,
        category="fit",
        private_reason=found["private end reason"],
    )

    # The canaries are really stored (the test would prove nothing otherwise).
    assert Application.objects.filter(motivation=found["motivation of Okoro-mentoree-"]).exists()
    assert Vote.objects.filter(comment=found["vote comment 0 on Okoro-mentoree-"]).exists()
    assert Goal.objects.filter(title=found["goal title"]).exists()
    assert PrivateEndReason.objects.get(pairing=ended).text == found["private end reason"]
    return program, found


@pytest.mark.parametrize("who", ["coordinator", "hr_admin"])
def test_f9_no_export_and_not_the_dashboard_carries_confidential_text(
    who, canaries, request, signed_in_client
):
    program, found = canaries
    client = signed_in_client(request.getfixturevalue(who))
    allowed = EXPORTS if who == "coordinator" else ["figures"]
    pages = {what: body_of(client.get(export_url(program, what))) for what in allowed}
    pages["dashboard"] = client.get(reverse("reports:dashboard", args=[program.slug])).content
    if who == "hr_admin":
        pages["overview"] = client.get(reverse("reports:overview")).content

    leaks = [
        f"{field} on {page}"
        for page, body in pages.items()
        for field, value in found.items()
        if value.encode() in body or b"CANARY-" in body
    ]
    assert leaks == []
    if who == "coordinator":
        # The exports are not empty: the participants and the pairs are there, by name.
        assert b"Okoro" in pages["participants"]
        assert b"Okoro" in pages["meetings"]


# --- Who may download -------------------------------------------------------------------------


@pytest.mark.parametrize("what", EXPORTS)
def test_the_programs_coordinator_downloads_every_export(what, coordinator, signed_in_client):
    program = make_program(coordinator=coordinator)
    response = signed_in_client(coordinator).get(export_url(program, what))
    assert response.status_code == 200
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert directives == {"no-store", "private"}


@pytest.mark.parametrize(
    ("what", "status"), [("figures", 200), ("participants", 404), ("meetings", 404)]
)
def test_hr_admins_get_the_figures_but_no_export_that_names_people(
    what, status, coordinator, hr_admin, signed_in_client
):
    """HR is not an audience of the pairs' sharing rules: who is paired with whom and how
    often they meet stay with the program's coordinators (F6)."""
    program = make_program(coordinator=coordinator)
    response = signed_in_client(hr_admin).get(export_url(program, what))
    assert response.status_code == status


@pytest.mark.parametrize("what", EXPORTS)
@pytest.mark.parametrize(
    "who", ["other_coordinator", "outsider", "member", "committee_member", "talent_reviewer"]
)
def test_anyone_else_gets_a_404_for_the_exports(
    what, who, coordinator, committee_member, request, signed_in_client
):
    program = make_program(coordinator=coordinator)
    program_services.committee_member_add(program=program, by=coordinator, user=committee_member)
    make_program(
        coordinator=EmployeeFactory(title="Program Lead").user,
        name="Lead 2027",
        slug="lead-2027",
    )
    if who == "other_coordinator":
        user = EmployeeFactory(title="Program Lead").user
        make_program(coordinator=user, name="Other", slug="other-2027")
    elif who == "member":
        user = join_program(program, coordinator).user
    else:
        user = request.getfixturevalue(who)

    assert signed_in_client(user).get(export_url(program, what)).status_code == 404


@pytest.mark.parametrize("what", EXPORTS)
def test_anonymous_visitors_are_sent_to_sign_in_for_the_exports(what, coordinator, client):
    program = make_program(coordinator=coordinator)
    assert is_login_redirect(client.get(export_url(program, what)))
