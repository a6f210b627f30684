"""CSV exports of a program: participants and their pairing status, meetings per pair as
counts (where the pair's agreement lets the coordinator see attendance), the dashboard's
figures. No content column, ever (F9): no motivation, goal, note, agreement text, vote
comment, decision reason or end reason, and no ending category against a pair (F7): endings
by category only per closed month of five or more, from the one selector that reads them."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.db.models import Count, Exists, Max, OuterRef, Q
from django.utils import timezone

from pairings.models import Pairing
from pairings.selectors import ENDINGS_SMALL_GROUP, EndingMonth
from programs.models import Application, CommitmentAcceptance, Program
from programs.selectors import commitment_current
from reports.selectors import SHARES_ATTENDANCE, Dashboard

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    """A spreadsheet-safe cell: text that a spreadsheet would run as a formula is quoted."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """Rows as CSV text, one line at a time, starting with a byte-order mark so that
    spreadsheet programs read the UTF-8 names right."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in rows:
        yield writer.writerow([cell(v) for v in row])


def participants_rows(*, program: Program) -> Iterator[list[object]]:
    yield [
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
    current = commitment_current(program=program)
    accepted = CommitmentAcceptance.objects.filter(
        commitment=current, employee=OuterRef("applicant")
    )
    applications = (
        program.applications.exclude(status=Application.Status.WITHDRAWN)
        .select_related("applicant")
        .annotate(accepted_current=Exists(accepted))
        .order_by("applicant__last_name", "applicant__first_name", "pk")
    )
    pairings: dict[int, list[Pairing]] = {}
    for pairing in (
        Pairing.objects.filter(program=program)
        .select_related("mentor", "mentoree")
        .order_by("proposed_at", "pk")
    ):
        pairings.setdefault(pairing.mentor_id, []).append(pairing)
        pairings.setdefault(pairing.mentoree_id, []).append(pairing)
    for application in applications.iterator(chunk_size=1000):
        person = application.applicant
        mine = pairings.get(person.pk) or [None]
        for pairing in mine:
            partner = ""
            if pairing is not None:
                other = pairing.mentoree if pairing.mentor_id == person.pk else pairing.mentor
                partner = other.full_name
            yield [
                person.number,
                person.last_name,
                person.first_name,
                person.department,
                application.get_role_display(),
                application.get_status_display(),
                "yes" if current and application.accepted_current else "no",
                pairing.get_status_display() if pairing else "not paired",
                partner,
                timezone.localdate(pairing.proposed_at).isoformat() if pairing else "",
            ]


def meetings_rows(*, program: Program, now) -> Iterator[list[object]]:
    yield [
        "mentor",
        "mentoree",
        "pairing_status",
        "attendance_shared_with_coordinator",
        "meetings_held",
        "last_meeting_on",
    ]
    shares = Q(agreement__in_force_coordinator_rule__in=SHARES_ATTENDANCE)
    held = Q(meetings__starts_at__lte=now, meetings__cancelled_at__isnull=True)
    pairs = (
        Pairing.objects.filter(program=program)
        .select_related("mentor", "mentoree")
        .annotate(
            shared=Count("pk", filter=shares, distinct=True),
            held=Count("meetings", filter=shares & held, distinct=True),
            last=Max("meetings__starts_at", filter=shares & held),
        )
        .order_by("mentor__last_name", "mentoree__last_name", "pk")
    )
    for pair in pairs.iterator(chunk_size=1000):
        shared = bool(pair.shared)
        yield [
            pair.mentor.full_name,
            pair.mentoree.full_name,
            pair.get_status_display(),
            "yes" if shared else "no",
            pair.held if shared else "",
            timezone.localdate(pair.last).isoformat() if shared and pair.last else "",
        ]


def figures_rows(
    *, dashboard: Dashboard, ending_months: list[EndingMonth]
) -> Iterator[list[object]]:
    withheld = f"withheld (fewer than {dashboard.small_group})"
    yield ["section", "figure", "value"]
    for label, n in dashboard.funnel:
        yield ["applications", label, n]
    for role, counts in dashboard.funnel_by_role.items():
        for label, n in counts.items():
            yield [f"applications: {role.lower()}s", label, n]
    for label, n in dashboard.pairings:
        yield ["pairings", label, n]
    ttm = dashboard.time_to_match
    yield ["time to match", "mentorees matched", ttm.matched]
    yield [
        "time to match",
        "median days",
        ttm.median_days if ttm.median_days is not None else withheld,
    ]
    yield [
        "time to match",
        "90th percentile days",
        ttm.slowest_days if ttm.slowest_days is not None else withheld,
    ]
    yield ["attendance", "active pairs sharing attendance", dashboard.sharing_pairs]
    if dashboard.met_recently is None:
        yield ["attendance", "met in the last 30 days", withheld]
    else:
        yield ["attendance", "met in the last 30 days", dashboard.met_recently.part]
    if dashboard.meetings_per_month is None:
        yield ["meetings per month", "all months", withheld]
    else:
        for label, n in dashboard.meetings_per_month:
            yield ["meetings per month", label, n]
    yield ["commitment", "admitted", dashboard.commitment.whole]
    yield ["commitment", "accepted the current version", dashboard.commitment.part]
    yield ["agreements", "live pairings", dashboard.agreements.whole]
    yield ["agreements", "signed by both members", dashboard.agreements.part]
    yield ["group sessions", "registered (past sessions)", dashboard.session_totals.whole]
    yield ["group sessions", "attended", dashboard.session_totals.part]
    yield ["endings", "the current month", "never broken down"]
    for month in ending_months:
        if month.categories is None:
            yield [
                "endings",
                month.label,
                f"not broken down (fewer than {ENDINGS_SMALL_GROUP} endings)",
            ]
            continue
        for label, n in month.categories:
            yield ["endings", f"{month.label}: {label}", n]
