"""The coordinator's dashboard and the HR admins' overview (reports/): every figure checked
against numbers worked out by hand on a small company built through the services, the
small-group rule (fewer than SMALL_GROUP people or pairs behind a figure: withheld), the
sharing rules (F6: meetings count only where the agreement in force lets the coordinator see
attendance), the no-fault endings seen only as category counts per closed month of five
endings or more (F7; tests/firewall/test_f7_differencing.py has the rest), who may open the pages,
and the markup (SVG charts, each with a table; no inline style, no script).

The company (`build_company`), with every number below derived from it:

- Mentors: Adams, Baker, Clarke admitted (capacity 3 each); Drago declined.
- Mentorees: Evans ... Moreau (E1-E9) admitted and accepted the commitment; Nolan (E10)
  admitted but has not accepted it; Owens (E11) on the waiting list; Patel (E12) awaiting a
  decision; Quinn (E13) withdrew.  17 applications, 13 admitted, 12 accepted.
- Pairings (11):
    P8 Clarke-Evans and P9 Clarke-Foster ended ("Not the right fit", "Schedules ...");
    P1 Adams-Evans, P2 Adams-Foster, P3 Adams-Garcia (coordinator rule: themes),
    P4 Baker-Hughes, P5 Baker-Ibrahim, P6 Baker-Jones: active, sharing attendance (6 pairs);
    P11 Clarke-Moreau: active, coordinator rule "nothing";
    P7 Clarke-Khan: was active, then the mentor tightened the rule to "nothing" (version 2,
    unsigned): awaiting agreement;
    P10 Clarke-Lopez: proposed.
- Meetings (days from today): P1 -1, -45, +5; P2 -10, -75; P3 -29; P4 -40, -100, -400;
  P6 -200; P11 -2, -20 (not shared); P7 -5 (no longer shared).
- Two past group sessions: 3 registered (one more cancelled, one still waiting), 2 attended;
  2 registered, 1 attended. One upcoming session with registrations (not counted).
- Time to match: every mentoree was admitted 365 days ago; their first pairings were
  proposed 2, 3, 5, 7, 8, 10, 14, 21 and 30 days later.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from pairings import services as pairing_services
from pairings.models import Pairing
from pairings.selectors import ending_categories_by_month
from people.models import Employee, User
from programs import services as program_services
from programs.models import Application, GroupSession, Program, Registration
from reports.selectors import SMALL_GROUP, program_dashboard, programs_overview
from tests.builders.confidentiality import change_rules, is_login_redirect
from tests.builders.pairings import accept_both, log_meeting, propose, sign_both
from tests.builders.people import named
from tests.builders.programs import apply, join_program, make_program
from tests.factories import EmployeeFactory

# A <script> without src: the policy allows only files from static/ (htmx, in base.html).
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)

# Days from admission to each mentoree's first proposed pairing, by that pairing.
FIRST_MATCH_DAYS = {
    "P8": 2,
    "P9": 3,
    "P3": 5,
    "P4": 7,
    "P5": 8,
    "P6": 10,
    "P7": 14,
    "P10": 21,
    "P11": 30,
}
ADMITTED_DAYS_AGO = 365

# Meetings by pair, in days from today (negative: in the past).
MEETINGS = {
    "P1": [-1, -45, 5],
    "P2": [-10, -75],
    "P3": [-29],
    "P4": [-40, -100, -400],
    "P6": [-200],
    "P11": [-2, -20],
}


@dataclass
class Company:
    program: Program
    people: dict[str, Employee] = field(default_factory=dict)
    pairs: dict[str, Pairing] = field(default_factory=dict)
    sessions: list[GroupSession] = field(default_factory=list)

    def pair(self, key: str) -> Pairing:
        return Pairing.objects.get(pk=self.pairs[key].pk)


def month_label(days: int) -> str:
    """How the dashboard names the month of a meeting `days` from today."""
    return (timezone.localtime() + timedelta(days=days)).strftime("%b %Y")


def past_session(program, coordinator, leader, *, title, capacity, register, cancel=(), came=()):
    """A group session that has taken place: people register (in order) while it is ahead,
    some cancel (the first on the waiting list moves up), then time passes (its start moves
    into the past, as in tests/programs/test_sessions.py) and the coordinator records who
    came."""
    session = program_services.session_create(
        program=program,
        by=coordinator,
        leader=leader,
        title=title,
        description="",
        starts_at=timezone.now() + timedelta(days=3),
        duration_minutes=60,
        location="Video call",
        capacity=capacity,
    )
    for employee in register:
        program_services.session_register(session=session, employee=employee)
    for employee in cancel:
        program_services.session_cancel_registration(session=session, employee=employee)
    GroupSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(days=2, hours=1)
    )
    session.refresh_from_db()
    program_services.session_record_attendance(
        session=session,
        by=coordinator,
        attended_ids=Registration.objects.filter(
            session=session, participant__in=list(came)
        ).values_list("pk", flat=True),
    )
    return session


def build_company(coordinator, *, slug: str = "grow-2027", name: str = "Grow 2027") -> Company:
    """The company of the module docstring, built through the services."""
    program = make_program(coordinator=coordinator, slug=slug, name=name)
    company = Company(program=program)
    people = company.people

    def join(key, role, last_name, *, accept=True, **fields):
        extra = {"capacity": 3} if role == Application.Role.MENTOR else {}
        people[key] = join_program(
            program,
            coordinator,
            role,
            accept=accept,
            first_name=f"{key}first",
            last_name=f"{last_name}{slug[:4]}",
            **extra,
            **fields,
        )

    def applicant(key, role, last_name, **fields):
        fields.setdefault("level", 7 if role == Application.Role.MENTOR else 4)
        people[key] = EmployeeFactory(
            first_name=f"{key}first", last_name=f"{last_name}{slug[:4]}", **fields
        )
        return apply(people[key], program, role)

    for key, last in (("M1", "Adams"), ("M2", "Baker"), ("M3", "Clarke")):
        join(key, Application.Role.MENTOR, last, department="Risk")
    program_services.application_decide(
        application=applicant("M4", Application.Role.MENTOR, "Drago"),
        by=coordinator,
        decision="decline",
        reason="Not this year.",
    )
    mentorees = ["Evans", "Foster", "Garcia", "Hughes", "Ibrahim", "Jones", "Khan", "Lopez"]
    for index, last in enumerate([*mentorees, "Moreau"], start=1):
        join(f"E{index}", Application.Role.MENTOREE, last, department="Technology")
    join("E10", Application.Role.MENTOREE, "Nolan", accept=False)
    program_services.application_decide(
        application=applicant("E11", Application.Role.MENTOREE, "Owens"),
        by=coordinator,
        decision="waitlist",
        reason="Full for now.",
    )
    applicant("E12", Application.Role.MENTOREE, "Patel")
    program_services.application_withdraw(
        application=applicant("E13", Application.Role.MENTOREE, "Quinn"), by=people["E13"]
    )

    pairs = company.pairs

    def pair(key, mentor, mentoree, *, active=True):
        pairing = propose(program, people[mentor], people[mentoree], by=coordinator)
        pairs[key] = accept_both(pairing) if active else pairing
        return pairs[key]

    # Two pairings that ended (without fault), before their mentorees were matched again.
    for key, mentoree, category in (
        ("P8", "E1", Pairing.EndCategory.FIT),
        ("P9", "E2", Pairing.EndCategory.SCHEDULE),
    ):
        ended = pair(key, "M3", mentoree)
        pairing_services.pairing_end(pairing=ended, by=ended.mentoree, category=category)
    for key, mentor, mentoree in (
        ("P1", "M1", "E1"),
        ("P2", "M1", "E2"),
        ("P3", "M1", "E3"),
        ("P4", "M2", "E4"),
        ("P5", "M2", "E5"),
        ("P6", "M2", "E6"),
        ("P11", "M3", "E9"),
        ("P7", "M3", "E7"),
    ):
        pair(key, mentor, mentoree)
    pair("P10", "M3", "E8", active=False)
    for key, days in MEETINGS.items():
        for day in days:
            log_meeting(pairs[key], days=day)
    log_meeting(pairs["P7"], days=-5)
    # P3: the mentoree lets the coordinator learn consented themes; both sign again.
    change_rules(pairs["P3"], people["E3"].user, coordinator="themes")
    pairs["P3"] = sign_both(pairs["P3"])
    # P11: the mentor tightens the coordinator's rule to nothing; both sign again.
    change_rules(pairs["P11"], people["M3"].user, coordinator="nothing")
    pairs["P11"] = sign_both(pairs["P11"])
    # P7: tightened too, and nobody has signed version 2 yet.
    change_rules(pairs["P7"], people["M3"].user, coordinator="nothing")
    for key in pairs:
        pairs[key] = company.pair(key)

    # Time to match: admitted a year ago, first proposals at known days after that.
    admitted_on = timezone.now() - timedelta(days=ADMITTED_DAYS_AGO)
    Application.objects.filter(
        program=program, role=Application.Role.MENTOREE, status=Application.Status.ADMITTED
    ).update(decided_at=admitted_on)
    for key, days in FIRST_MATCH_DAYS.items():
        Pairing.objects.filter(pk=pairs[key].pk).update(
            proposed_at=admitted_on + timedelta(days=days)
        )

    leader = EmployeeFactory(
        title="President", department="Executive Office", level=settings.GROUP_ONLY_LEVEL
    )
    # Capacity 3: Evans, Foster, Garcia take the seats, Hughes and Ibrahim wait; Garcia
    # cancels and Hughes moves up. Evans and Foster come, Hughes does not.
    company.sessions.append(
        past_session(
            program,
            coordinator,
            leader,
            title="Leading through uncertainty",
            capacity=3,
            register=[people[k] for k in ("E1", "E2", "E3", "E4", "E5")],
            cancel=[people["E3"]],
            came=[people["E1"], people["E2"]],
        )
    )
    company.sessions.append(
        past_session(
            program,
            coordinator,
            leader,
            title="Negotiating budgets",
            capacity=5,
            register=[people["M1"], people["E5"]],
            came=[people["M1"]],
        )
    )
    upcoming = program_services.session_create(
        program=program,
        by=coordinator,
        leader=leader,
        title="Board presentations",
        description="",
        starts_at=timezone.now() + timedelta(days=10),
        duration_minutes=60,
        location="Board room",
        capacity=5,
    )
    for key in ("E6", "E7"):
        program_services.session_register(session=upcoming, employee=people[key])
    company.sessions.append(upcoming)
    return company


# --- Fixtures -------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_dashboard_from_another_test():
    """The dashboard page keeps its figures in the cache for REPORTS_CACHE_SECONDS under the
    program's id; the local-memory cache outlives a test and ids are reused from one test to
    the next, so each test starts with an empty cache."""
    cache.clear()
    yield
    cache.clear()


@dataclass(frozen=True)
class Built:
    """The module's company as ids: built once, every test in a savepoint on top of it."""

    coordinator: int
    program: int
    people: dict[str, int]
    pairs: dict[str, int]
    sessions: list[int]


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker) -> Iterator[Built]:
    """The company, built once for the module (some forty tests read it) in a transaction
    rolled back at the module's end; pytest-django's `db` runs each test in a savepoint, so
    what one test changes is gone for the next."""
    with django_db_blocker.unblock(), transaction.atomic():
        coordinator = named("coordinator")
        company = build_company(coordinator)
        yield Built(
            coordinator=coordinator.pk,
            program=company.program.pk,
            people={key: employee.pk for key, employee in company.people.items()},
            pairs={key: pairing.pk for key, pairing in company.pairs.items()},
            sessions=[session.pk for session in company.sessions],
        )
        transaction.set_rollback(True)


@pytest.fixture
def coordinator(built, db) -> User:
    """The company's coordinator (the suite's named coordinator, made once for the module)."""
    return User.objects.get(pk=built.coordinator)


@pytest.fixture
def company(built, db) -> Company:
    """The company, fresh from the database for this test."""
    employees = Employee.objects.in_bulk(built.people.values())
    pairings = Pairing.objects.in_bulk(built.pairs.values())
    return Company(
        program=Program.objects.get(pk=built.program),
        people={key: employees[pk] for key, pk in built.people.items()},
        pairs={key: pairings[pk] for key, pk in built.pairs.items()},
        sessions=list(GroupSession.objects.filter(pk__in=built.sessions).order_by("pk")),
    )


@pytest.fixture
def other_coordinator(db):
    return EmployeeFactory(first_name="Oscar", last_name="Lindqvist", title="Program Lead").user


@pytest.fixture
def other_program(other_coordinator) -> Program:
    return make_program(coordinator=other_coordinator, name="Lead 2027", slug="lead-2027")


def dashboard_url(program) -> str:
    return reverse("reports:dashboard", args=[program.slug])


# --- The figures, against the hand count ----------------------------------------------------


def test_funnel_counts_every_application_by_status_and_by_role(company):
    d = program_dashboard(program=company.program)

    assert d.funnel == [
        ("Applied", 17),
        ("Admitted", 13),
        ("Waiting list", 1),
        ("Declined", 1),
        ("Awaiting decision", 1),
        ("Withdrawn", 1),
    ]
    assert d.applied == 17
    assert d.funnel_by_role == {
        "Mentor": {
            "Awaiting decision": 0,
            "Admitted": 3,
            "Declined": 1,
            "Waiting list": 0,
            "Withdrawn": 0,
        },
        "Mentoree": {
            "Awaiting decision": 1,
            "Admitted": 10,
            "Declined": 0,
            "Waiting list": 1,
            "Withdrawn": 1,
        },
    }


def test_pairings_are_counted_by_status(company):
    d = program_dashboard(program=company.program)

    assert d.pairings == [
        ("Proposed", 1),
        ("Awaiting agreement", 1),
        ("Active", 7),
        ("Ended", 2),
    ]


def test_time_to_match_is_the_median_and_90th_percentile_from_admission_to_first_proposal(
    company,
):
    d = program_dashboard(program=company.program)

    # Sorted days: 2, 3, 5, 7, 8, 10, 14, 21, 30 (nine mentorees; Nolan is not matched).
    # Median: the fifth, 8. 90th percentile: index round(0.9 * 8) = 7, that is 21.
    assert d.time_to_match.matched == 9
    assert d.time_to_match.median_days == 8.0
    assert d.time_to_match.slowest_days == 21.0


def test_time_to_match_is_withheld_under_five_matched_mentorees(coordinator):
    program = make_program(coordinator=coordinator, slug="solo-2027", name="Solo 2027")
    mentor = join_program(program, coordinator, "mentor", capacity=5)
    for count in range(1, SMALL_GROUP + 1):
        propose(program, mentor, join_program(program, coordinator), by=coordinator)
        ttm = program_dashboard(program=program).time_to_match
        assert ttm.matched == count
        if count < SMALL_GROUP:
            assert (ttm.median_days, ttm.slowest_days) == (None, None)
    assert ttm.median_days is not None
    assert ttm.slowest_days is not None


def test_matching_on_the_day_of_admission_reads_the_same_day_never_0_0_days(
    coordinator, signed_in_client
):
    program = make_program(coordinator=coordinator, slug="swift-2027", name="Swift 2027")
    mentor = join_program(program, coordinator, "mentor", capacity=5)
    for _ in range(SMALL_GROUP):
        propose(program, mentor, join_program(program, coordinator), by=coordinator)

    assert program_dashboard(program=program).time_to_match.median_days == 0.0
    html = signed_in_client(coordinator).get(dashboard_url(program)).content.decode()
    assert "0.0 days" not in html and "0.0<" not in html
    assert "half within <strong>the same day</strong> of admission" in html
    assert "nine in ten within the same day." in html


def test_meetings_per_month_count_past_meetings_of_active_pairs_sharing_attendance(company):
    d = program_dashboard(program=company.program)

    assert d.sharing_pairs == 6  # P1-P6; P11 and P7 share nothing, the rest are not active
    # Shared past meetings within the twelve months: P1 -1, -45; P2 -10, -75; P3 -29;
    # P4 -40, -100; P6 -200. Not: P1's upcoming one, P4's at -400, P11's and P7's.
    expected = Counter(month_label(day) for day in (-1, -45, -10, -75, -29, -40, -100, -200))
    assert d.meetings_per_month is not None
    assert len(d.meetings_per_month) == 12
    assert d.meetings_per_month[-1][0] == month_label(0)
    assert dict(d.meetings_per_month) == {
        label: expected.get(label, 0) for label, _ in d.meetings_per_month
    }
    assert sum(n for _, n in d.meetings_per_month) == 8


def test_share_of_sharing_pairs_that_met_in_the_last_30_days(company):
    d = program_dashboard(program=company.program)

    # P1 (-1), P2 (-10) and P3 (-29) met; P4 (-40), P5 (never) and P6 (-200) did not.
    # P11 met two days ago but shares nothing with the coordinator.
    assert (d.met_recently.part, d.met_recently.whole) == (3, 6)
    assert d.met_recently.percent == 50


def test_commitment_completion_counts_admitted_people_who_accepted_the_current_version(
    company, coordinator
):
    d = program_dashboard(program=company.program)
    assert (d.commitment.part, d.commitment.whole) == (12, 13)  # Nolan has not accepted
    assert d.commitment.percent == 92

    program_services.commitment_publish(
        program=company.program,
        by=coordinator,
        text="Version two of the promise: your job is safe, what you say stays in the pair, "
        "and either of you may end the pairing without fault.",
    )
    program_services.commitment_accept(employee=company.people["E1"], program=company.program)

    d = program_dashboard(program=company.program)
    assert (d.commitment.part, d.commitment.whole) == (1, 13)


def test_agreement_completion_counts_live_pairings_both_members_signed_in_the_current_version(
    company,
):
    d = program_dashboard(program=company.program)

    # Live: P1-P7, P10, P11 (nine). Signed by both in the current version: P1-P6 and P11.
    # P7's members signed version 1 only; P10's nobody.
    assert (d.agreements.part, d.agreements.whole) == (7, 9)
    assert d.agreements.percent == 78


def test_session_attendance_counts_past_sessions_only(company):
    d = program_dashboard(program=company.program)

    assert [(s.title, s.registered, s.attended) for s in d.sessions] == [
        ("Leading through uncertainty", 3, 2),
        ("Negotiating budgets", 2, 1),
    ]
    # The upcoming session is not counted at all.
    assert (d.session_totals.part, d.session_totals.whole) == (3, 5)
    assert d.session_totals.percent == 60


def test_session_attendance_leaves_out_cancelled_and_waiting_registrations(company):
    first = company.sessions[0]
    statuses = Counter(Registration.objects.filter(session=first).values_list("status", flat=True))
    assert statuses == {"registered": 3, "cancelled": 1, "waitlisted": 1}

    d = program_dashboard(program=company.program)
    assert (d.sessions[0].registered, d.sessions[0].attended) == (3, 2)


def test_this_months_endings_are_not_broken_down(company, coordinator, signed_in_client):
    """F7: the company's two endings are this month's: no category is shown, however many."""
    assert ending_categories_by_month(program=company.program, user=coordinator) == []
    html = signed_in_client(coordinator).get(dashboard_url(company.program)).content.decode()
    assert "No pairing ended in a month that is over." in html
    for label in Pairing.EndCategory.labels:
        assert label not in html


def end_pairings(program, coordinator, mentor, categories, *, last_month=False) -> None:
    """Pairings that ended, one per category; with `last_month`, on the 2nd of last month
    (the service stamps the present: the history is moved back by hand)."""
    ended = []
    for category in categories:
        pairing = propose(program, mentor, join_program(program, coordinator), by=coordinator)
        pairing_services.pairing_end(pairing=pairing, by=pairing.mentoree, category=category)
        ended.append(pairing.pk)
    if last_month:
        start = timezone.localtime().replace(day=1, hour=12, minute=0, second=0, microsecond=0)
        Pairing.objects.filter(pk__in=ended).update(
            ended_at=(start - timedelta(days=1)).replace(day=2)
        )


def test_ending_categories_are_counted_from_five_endings_in_a_closed_month(coordinator):
    """F7: only counts per category, only for a month that is over, and only once five
    pairings ended in it."""
    program = make_program(coordinator=coordinator, slug="solo-2027", name="Solo 2027")
    mentor = join_program(program, coordinator, "mentor", capacity=1)
    four = ["fit", "goals_met", "fit", "other"]
    end_pairings(program, coordinator, mentor, four, last_month=True)
    [month] = ending_categories_by_month(program=program, user=coordinator)
    assert (month.categories, month.total) == (None, None)

    end_pairings(program, coordinator, mentor, ["goals_met"], last_month=True)

    [month] = ending_categories_by_month(program=program, user=coordinator)
    assert month.total == 5
    assert month.categories == [
        ("Schedules did not allow it", 0),
        ("Not the right fit", 2),
        ("Goals met", 2),
        ("Role change", 0),
        ("Other", 1),
    ]


# --- F6: the sharing rules decide which meetings count --------------------------------------


def test_f6_a_pair_whose_coordinator_rule_becomes_nothing_stops_counting(company):
    before = program_dashboard(program=company.program)
    p1 = company.pairs["P1"]

    # The mentor tightens what the coordinator may learn; both sign the new version, so the
    # pairing is active again, now sharing nothing.
    change_rules(p1, company.people["M1"].user, coordinator="nothing")
    assert sign_both(p1).status == Pairing.Status.ACTIVE

    after = program_dashboard(program=company.program)
    assert after.sharing_pairs == before.sharing_pairs - 1 == 5
    assert sum(n for _, n in after.meetings_per_month) == 8 - 2  # P1's -1 and -45 are gone
    dropped = Counter(dict(before.meetings_per_month))
    dropped.subtract(Counter([month_label(-1), month_label(-45)]))
    assert dict(after.meetings_per_month) == dict(dropped)
    assert (after.met_recently.part, after.met_recently.whole) == (2, 5)


def test_f6_tightening_alone_takes_effect_at_once_without_new_signatures(company):
    change_rules(company.pairs["P1"], company.people["E1"].user, coordinator="nothing")

    d = program_dashboard(program=company.program)
    assert d.sharing_pairs == 5
    assert sum(n for _, n in d.meetings_per_month) == 6


def test_f6_a_loosened_rule_counts_only_once_both_have_signed_it(company):
    """P11's mentoree lets the coordinator see attendance again: not counted until both have
    signed that version (and the pair is active again)."""
    p11 = company.pairs["P11"]
    change_rules(p11, company.people["E9"].user, coordinator="attendance")

    d = program_dashboard(program=company.program)
    assert d.sharing_pairs == 6
    assert sum(n for _, n in d.meetings_per_month) == 8

    sign_both(p11)

    d = program_dashboard(program=company.program)
    assert d.sharing_pairs == 7
    assert sum(n for _, n in d.meetings_per_month) == 8 + 2
    assert (d.met_recently.part, d.met_recently.whole) == (4, 7)


def test_meeting_figures_are_withheld_when_fewer_than_five_active_pairs_share_attendance(
    company,
):
    for key, member in (("P1", "M1"), ("P2", "M1")):
        change_rules(company.pairs[key], company.people[member].user, coordinator="nothing")
        sign_both(company.pairs[key])

    d = program_dashboard(program=company.program)
    assert d.sharing_pairs == 4
    assert d.meetings_per_month is None
    assert d.met_recently is None


def test_meetings_per_month_count_only_active_pairs_like_the_other_attendance_figures(company):
    before = program_dashboard(program=company.program)
    p6 = company.pairs["P6"]

    pairing_services.pairing_end(pairing=p6, by=p6.mentoree, category="goals_met")
    # Five active pairs still share attendance, so the chart is still shown.
    after = program_dashboard(program=company.program)
    assert after.sharing_pairs == 5

    assert sum(n for _, n in after.meetings_per_month) == (
        sum(n for _, n in before.meetings_per_month) - 1  # P6's meeting 200 days ago
    )


# --- The page -------------------------------------------------------------------------------


def test_dashboard_page_shows_the_figures_to_the_programs_coordinator(
    company, coordinator, signed_in_client
):
    response = signed_in_client(coordinator).get(dashboard_url(company.program))

    assert response.status_code == 200
    d = response.context["d"]
    assert d.applied == 17
    assert d.sharing_pairs == 6
    html = response.content.decode()
    assert "Grow 2027" in html
    assert "50%" in html  # of sharing pairs met in the last 30 days
    assert "12 of 13" in html  # commitment
    assert "7 of 9" in html  # agreements
    assert "No pairing ended in a month that is over." in html


def chart_ids(html: str) -> list[str]:
    return re.findall(r'<svg [^>]*aria-labelledby="([a-z]+)-title"', html)


def test_every_chart_is_an_svg_with_a_table_of_its_figures_and_no_style_or_script(
    company, coordinator, signed_in_client
):
    html = signed_in_client(coordinator).get(dashboard_url(company.program)).content.decode()

    # Endings are withheld here (two endings): four charts, each drawn wide and narrow (a
    # phone gets the narrow drawing, whose labels stay readable).
    assert chart_ids(html) == ["funnel", "pairings", "meetings", "sessions"]
    assert re.findall(r'<svg [^>]*aria-labelledby="([a-z]+)-narrow-title"', html) == [
        "funnel",
        "pairings",
        "meetings",
        "sessions",
    ]
    assert html.count("<svg") == 8
    for title in (
        "Applications",
        "Pairings by status",
        "Meetings per month",
        "Attendance at past group sessions",
    ):
        assert f'<caption class="visually-hidden">{title}</caption>' in html
    assert html.count('<table class="chart-table">') == 4
    assert "style=" not in html
    assert not INLINE_SCRIPT.search(html)  # scripts only from static/ (CSP)


def test_the_endings_table_appears_with_five_endings_in_a_closed_month(
    coordinator, signed_in_client
):
    program = make_program(coordinator=coordinator, slug="solo-2027", name="Solo 2027")
    mentor = join_program(program, coordinator, "mentor", capacity=1)
    categories = ["fit", "fit", "schedule", "other", "role_change"]
    end_pairings(program, coordinator, mentor, categories, last_month=True)

    html = signed_in_client(coordinator).get(dashboard_url(program)).content.decode()

    assert chart_ids(html) == ["funnel", "pairings"]  # a table by month, not a chart
    assert '<caption class="visually-hidden">How pairings ended, by month</caption>' in html
    assert '<th scope="rowgroup" rowspan="5">' in html
    assert html.count("<svg") == 2 * html.count('<table class="chart-table">')
    assert "style=" not in html
    assert not INLINE_SCRIPT.search(html)  # scripts only from static/ (CSP)


def test_withheld_figures_say_so_on_the_page(coordinator, signed_in_client):
    program = make_program(coordinator=coordinator, slug="solo-2027", name="Solo 2027")

    html = signed_in_client(coordinator).get(dashboard_url(program)).content.decode()

    assert "Meeting figures are not shown: fewer than 5 active pairs share attendance." in html
    assert "No pairing ended in a month that is over." in html
    assert "No group session has taken place yet." in html
    assert chart_ids(html) == ["funnel", "pairings"]


def test_the_page_reads_its_figures_from_the_cache_for_a_while(
    company, coordinator, settings, signed_in_client
):
    settings.REPORTS_CACHE_SECONDS = 60
    client = signed_in_client(coordinator)
    first = client.get(dashboard_url(company.program)).context["d"]
    apply(EmployeeFactory(level=4), company.program)  # one more application meanwhile

    again = client.get(dashboard_url(company.program)).context["d"]

    assert again.applied == first.applied == 17
    assert again.now == first.now


def test_f6_the_page_stops_counting_a_pair_the_moment_its_rule_is_tightened(
    company, coordinator, settings, signed_in_client
):
    settings.REPORTS_CACHE_SECONDS = 60
    client = signed_in_client(coordinator)
    assert client.get(dashboard_url(company.program)).context["d"].sharing_pairs == 6

    change_rules(company.pairs["P1"], company.people["E1"].user, coordinator="nothing")

    d = client.get(dashboard_url(company.program)).context["d"]
    assert d.sharing_pairs == 5
    assert sum(n for _, n in d.meetings_per_month) == 6


# --- Who may see the figures ----------------------------------------------------------------


def test_the_programs_coordinator_and_hr_admins_open_the_dashboard(
    company, coordinator, hr_admin, signed_in_client
):
    for user in (coordinator, hr_admin):
        assert signed_in_client(user).get(dashboard_url(company.program)).status_code == 200


@pytest.mark.parametrize(
    "who",
    [
        "other_coordinator",
        "outsider",
        "mentor_in_program",
        "mentoree_in_program",
        "committee_member",
        "talent_reviewer",
    ],
)
def test_anyone_else_gets_a_404_for_the_dashboard(
    who, company, coordinator, other_program, committee_member, request, signed_in_client
):
    program_services.committee_member_add(
        program=company.program, by=coordinator, user=committee_member
    )
    users = {
        "mentor_in_program": company.people["M1"].user,
        "mentoree_in_program": company.people["E1"].user,
    }
    user = users.get(who) or request.getfixturevalue(who)

    assert signed_in_client(user).get(dashboard_url(company.program)).status_code == 404


def test_a_coordinator_sees_their_own_program_and_not_anothers(
    company, other_program, other_coordinator, signed_in_client
):
    client = signed_in_client(other_coordinator)
    assert client.get(dashboard_url(other_program)).status_code == 200
    assert client.get(dashboard_url(company.program)).status_code == 404


def test_an_unknown_program_is_a_404_even_for_hr_admins(hr_admin, signed_in_client):
    response = signed_in_client(hr_admin).get(reverse("reports:dashboard", args=["nope"]))
    assert response.status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(company, client):
    for url in (dashboard_url(company.program), reverse("reports:overview")):
        assert is_login_redirect(client.get(url))


def test_the_dashboard_only_answers_get_and_head(company, coordinator, signed_in_client):
    client = signed_in_client(coordinator)
    assert client.head(dashboard_url(company.program)).status_code == 200
    assert client.post(dashboard_url(company.program)).status_code == 405


# --- The overview ---------------------------------------------------------------------------


def test_overview_gives_hr_admins_one_line_per_program(
    company, other_program, hr_admin, signed_in_client
):
    response = signed_in_client(hr_admin).get(reverse("reports:overview"))

    assert response.status_code == 200
    rows = {row.program.slug: row for row in response.context["rows"]}
    grow = rows["grow-2027"]
    assert (grow.applied, grow.admitted) == (17, 13)
    assert (grow.live_pairs, grow.active_pairs, grow.ended_pairs) == (9, 7, 2)
    lead = rows["lead-2027"]
    assert (lead.applied, lead.admitted, lead.live_pairs, lead.ended_pairs) == (0, 0, 0, 0)
    html = response.content.decode()
    assert reverse("reports:dashboard", args=["grow-2027"]) in html
    assert "style=" not in html
    assert not INLINE_SCRIPT.search(html)  # scripts only from static/ (CSP)


def test_overview_selector_matches_the_page(company, hr_admin):
    rows = programs_overview(user=hr_admin)
    assert [(r.program.slug, r.applied, r.active_pairs) for r in rows] == [("grow-2027", 17, 7)]


@pytest.mark.parametrize("who", ["coordinator", "outsider", "committee_member", "superuser"])
def test_overview_is_a_404_for_everyone_but_hr_admins(who, company, request, signed_in_client):
    user = request.getfixturevalue(who)
    assert signed_in_client(user).get(reverse("reports:overview")).status_code == 404
