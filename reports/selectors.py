"""Program health in aggregate: the coordinator's dashboard, the HR admins' overview, the
weekly digest and the CSV exports all read their figures here.

Only what the sharing rules allow (F6): attendance (meeting counts and dates) is counted only
among pairs whose agreement, as in force, lets the coordinator see attendance; small groups
are not broken down (fewer than five people or pairs behind a figure: it is withheld, so no
individual can be singled out). Never a note, a goal, an agreement's text or why a pairing
ended. How pairings ended is not a figure of the dashboard: it is read, per closed month, from
pairings.selectors.ending_categories_by_month alone (F7).

Every figure is one aggregate query, so the dashboard's query count does not grow with the
program (pinned in tests/reports).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone

from confidentiality.models import Agreement, Signature
from pairings.models import Meeting, Pairing
from people.models import User
from people.roles import HR_ADMINS
from programs.models import Application, CommitmentAcceptance, GroupSession, Program, Registration
from programs.selectors import (
    PUBLIC_STATUSES,
    commitment_current,
    coordinated_program,
    coordinated_programs,
)

SMALL_GROUP = 5
MONTHS = 12
SHARES_ATTENDANCE = ("attendance", "themes")


# --- Who may see a program's figures ----------------------------------------------------------


def is_hr_admin(*, user: User) -> bool:
    return user.is_active and user.groups.filter(name=HR_ADMINS).exists()


def program_get_for_reports(*, user: User, slug: str) -> tuple[Program, bool]:
    """The program whose figures the user may see, and whether they coordinate it.
    Coordinators see their own programs'; HR admins every program's figures."""
    program = coordinated_program(user=user, slug=slug)
    if program is not None:
        return program, True
    if is_hr_admin(user=user):
        program = Program.objects.filter(slug=slug).first()
        if program is not None:
            return program, False
    raise Http404("No such program")


def program_get_for_people_exports(*, user: User, slug: str) -> Program:
    """The exports that name people (who takes part, who is paired with whom, how often they
    meet) go to the program's own coordinators only: the sharing rules name the coordinator
    as an audience, not HR. HR admins keep the figures, which name no one."""
    program = coordinated_program(user=user, slug=slug)
    if program is None:
        raise Http404("No such program")
    return program


def programs_overview_for(*, user: User) -> QuerySet[Program]:
    """The all-programs view is for HR admins; anyone else gets a 404."""
    if not is_hr_admin(user=user):
        raise Http404("No such page")
    return Program.objects.order_by("-starts_on", "name")


# --- The figures -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Count2:
    """`part` of `whole`, with the share in per cent (None when there is no whole)."""

    part: int
    whole: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.part / self.whole) if self.whole else None


@dataclass(frozen=True)
class TimeToMatch:
    matched: int
    median_days: float | None  # None: withheld (fewer than five matched)
    slowest_days: float | None  # the 90th percentile

    @property
    def median_words(self) -> str:
        return days_in_words(self.median_days)

    @property
    def slowest_words(self) -> str:
        return days_in_words(self.slowest_days)


def days_in_words(days: float | None) -> str:
    """A span of days as people say it: "the same day" (never "0.0 days"), "1 day", "2.5 days"."""
    if days is None:
        return "\u2013"  # an en dash, as the page shows for a figure withheld
    if days < 0.05:
        return "the same day"
    return "1 day" if days == 1 else f"{days:g} days"


@dataclass(frozen=True)
class SessionFigures:
    title: str
    starts_at: datetime
    registered: int
    attended: int


@dataclass
class Dashboard:
    program: Program
    now: datetime
    funnel: list[tuple[str, int]]
    funnel_by_role: dict[str, dict[str, int]]
    pairings: list[tuple[str, int]]
    time_to_match: TimeToMatch
    sharing_pairs: int  # active pairs whose agreement shares attendance with the coordinator
    meetings_per_month: list[tuple[str, int]] | None  # None: withheld
    met_recently: Count2 | None  # None: withheld
    commitment: Count2
    agreements: Count2
    sessions: list[SessionFigures]
    session_totals: Count2
    small_group: int = SMALL_GROUP
    notes: list[str] = field(default_factory=list)

    @property
    def applied(self) -> int:
        return sum(n for _, n in self.funnel[1:])


def _funnel(program: Program) -> tuple[list[tuple[str, int]], dict[str, dict[str, int]]]:
    rows = program.applications.values_list("role", "status").annotate(n=Count("pk")).order_by()
    by_role: dict[str, dict[str, int]] = {
        label: dict.fromkeys(Application.Status.labels, 0) for label in Application.Role.labels
    }
    totals = dict.fromkeys(Application.Status.values, 0)
    for role, status, n in rows:
        by_role[Application.Role(role).label][Application.Status(status).label] += n
        totals[status] += n
    order = [
        Application.Status.ADMITTED,
        Application.Status.WAITLISTED,
        Application.Status.DECLINED,
        Application.Status.SUBMITTED,
        Application.Status.WITHDRAWN,
    ]
    funnel = [("Applied", sum(totals.values()))] + [
        (Application.Status(status).label, totals[status]) for status in order
    ]
    return funnel, by_role


def _pairings(program: Program) -> list[tuple[str, int]]:
    counts = dict(program.pairings.values_list("status").annotate(n=Count("pk")).order_by())
    return [(label, counts.get(value, 0)) for value, label in Pairing.Status.choices]


def _time_to_match(program: Program) -> TimeToMatch:
    """Days from a mentoree's admission to their first proposed pairing in this program.
    Two grouped queries joined here: a subquery per mentoree was a hundred times slower."""
    first = dict(
        Pairing.objects.filter(program=program)
        .values_list("mentoree")
        .annotate(first=Min("proposed_at"))
        .order_by()
    )
    rows = [
        (decided, first[applicant])
        for applicant, decided in program.applications.filter(
            role=Application.Role.MENTOREE,
            status=Application.Status.ADMITTED,
            decided_at__isnull=False,
        ).values_list("applicant", "decided_at")
        if applicant in first
    ]
    days = sorted(max((p - d).total_seconds(), 0) / 86400 for d, p in rows)
    if len(days) < SMALL_GROUP:
        return TimeToMatch(matched=len(days), median_days=None, slowest_days=None)
    slowest = days[min(len(days) - 1, round(0.9 * (len(days) - 1)))]
    return TimeToMatch(
        matched=len(days),
        median_days=round(statistics.median(days), 1),
        slowest_days=round(slowest, 1),
    )


def _month_starts(now: datetime) -> list[datetime]:
    local = timezone.localtime(now)
    year, month = local.year, local.month
    starts = []
    for _ in range(MONTHS):
        starts.append(
            local.replace(year=year, month=month, day=1, hour=0, minute=0, second=0, microsecond=0)
        )
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(starts))


def _sharing(program: Program) -> QuerySet[Pairing]:
    return Pairing.objects.filter(
        program=program,
        status=Pairing.Status.ACTIVE,
        agreement__in_force_coordinator_rule__in=SHARES_ATTENDANCE,
    )


def _meetings_per_month(program: Program, now: datetime) -> list[tuple[str, int]]:
    starts = _month_starts(now)
    counts = {
        timezone.localtime(month).strftime("%Y-%m"): n
        for month, n in Meeting.objects.filter(
            pairing__program=program,
            pairing__status=Pairing.Status.ACTIVE,
            pairing__agreement__in_force_coordinator_rule__in=SHARES_ATTENDANCE,
            starts_at__gte=starts[0],
            starts_at__lte=now,
            cancelled_at__isnull=True,
        )
        .annotate(month=TruncMonth("starts_at"))
        .values_list("month")
        .annotate(n=Count("pk"))
        .order_by()
    }
    return [(start.strftime("%b %Y"), counts.get(start.strftime("%Y-%m"), 0)) for start in starts]


def _agreements(program: Program) -> Count2:
    """Live pairings whose current agreement version both members have signed."""
    signed = (
        Signature.objects.filter(
            agreement__pairing=OuterRef("pk"), version=OuterRef("agreement__version")
        )
        .values("agreement")
        .annotate(n=Count("signer", distinct=True))
        .values("n")
    )
    live = Pairing.objects.filter(program=program, status__in=Pairing.LIVE)
    totals = live.annotate(signers=Subquery(signed)).aggregate(
        whole=Count("pk"), part=Count("pk", filter=Q(signers__gte=2))
    )
    return Count2(part=totals["part"], whole=totals["whole"])


def _commitment(program: Program) -> Count2:
    current = commitment_current(program=program)
    admitted = program.applications.filter(status=Application.Status.ADMITTED)
    if current is None:
        return Count2(part=0, whole=admitted.count())
    accepted = CommitmentAcceptance.objects.filter(
        commitment=current, employee=OuterRef("applicant")
    )
    totals = admitted.aggregate(whole=Count("pk"), part=Count("pk", filter=Q(Exists(accepted))))
    return Count2(part=totals["part"], whole=totals["whole"])


def _sessions(program: Program, now: datetime) -> tuple[list[SessionFigures], Count2]:
    past = (
        GroupSession.objects.filter(program=program, starts_at__lte=now)
        .annotate(
            registered=Count(
                "registrations", filter=Q(registrations__status=Registration.Status.REGISTERED)
            ),
            attended=Count("registrations", filter=Q(registrations__attended=True)),
        )
        .order_by("-starts_at", "-pk")
    )
    totals = past.aggregate(
        whole=Count(
            "registrations", filter=Q(registrations__status=Registration.Status.REGISTERED)
        ),
        part=Count("registrations", filter=Q(registrations__attended=True)),
    )
    recent = [SessionFigures(s.title, s.starts_at, s.registered, s.attended) for s in past[:MONTHS]]
    return list(reversed(recent)), Count2(part=totals["part"] or 0, whole=totals["whole"] or 0)


def program_dashboard(*, program: Program, now: datetime | None = None) -> Dashboard:
    now = now or timezone.now()
    funnel, by_role = _funnel(program)
    sharing = _sharing(program)
    sharing_pairs = sharing.count()
    enough = sharing_pairs >= SMALL_GROUP
    met = Meeting.objects.filter(
        pairing=OuterRef("pk"),
        starts_at__gte=now - timedelta(days=30),
        starts_at__lte=now,
        cancelled_at__isnull=True,
    )
    sessions, session_totals = _sessions(program, now)
    return Dashboard(
        program=program,
        now=now,
        funnel=funnel,
        funnel_by_role=by_role,
        pairings=_pairings(program),
        time_to_match=_time_to_match(program),
        sharing_pairs=sharing_pairs,
        meetings_per_month=_meetings_per_month(program, now) if enough else None,
        met_recently=(
            Count2(part=sharing.filter(Exists(met)).count(), whole=sharing_pairs)
            if enough
            else None
        ),
        commitment=_commitment(program),
        agreements=_agreements(program),
        sessions=sessions,
        session_totals=session_totals,
    )


def program_dashboard_cached(*, program: Program) -> Dashboard:
    """The dashboard as computed at most REPORTS_CACHE_SECONDS ago (default one minute; the
    page says "figures as of"): at 100,000 meetings the figures take about 80 ms of SQL, and
    a team of coordinators reloading the page need not recompute them each time."""
    seconds = settings.REPORTS_CACHE_SECONDS
    if not seconds:
        return program_dashboard(program=program)
    # F6: a tightened sharing rule applies at once. Any change to an agreement of the
    # program (it saves the agreement) makes a new key, so no figure outlives its rule.
    changed = Agreement.objects.filter(pairing__program=program).aggregate(
        last=Max("updated_at"), n=Count("pk")
    )
    stamp = f"{changed['last'].timestamp() if changed['last'] else 0}-{changed['n']}"
    key = f"reports:dashboard:{program.pk}:{stamp}"
    figures = cache.get(key)
    if figures is None:
        figures = program_dashboard(program=program)
        cache.set(key, figures, seconds)
    return figures


@dataclass(frozen=True)
class OverviewRow:
    program: Program
    applied: int
    admitted: int
    active_pairs: int
    live_pairs: int
    ended_pairs: int


def programs_overview(*, user: User) -> list[OverviewRow]:
    """One line per program for HR admins, in three queries whatever the number of programs."""
    programs = list(
        programs_overview_for(user=user).annotate(
            applied=Count("applications", distinct=True),
            admitted=Count(
                "applications",
                filter=Q(applications__status=Application.Status.ADMITTED),
                distinct=True,
            ),
        )
    )
    pairs: dict[int, dict[str, int]] = {}
    for program_id, status, n in (
        Pairing.objects.filter(program__in=[p.pk for p in programs])
        .values_list("program", "status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        pairs.setdefault(program_id, {})[status] = n
    rows = []
    for program in programs:
        counts = pairs.get(program.pk, {})
        rows.append(
            OverviewRow(
                program=program,
                applied=program.applied,  # type: ignore[attr-defined]
                admitted=program.admitted,  # type: ignore[attr-defined]
                active_pairs=counts.get(Pairing.Status.ACTIVE, 0),
                live_pairs=sum(counts.get(s, 0) for s in Pairing.LIVE),
                ended_pairs=counts.get(Pairing.Status.ENDED, 0),
            )
        )
    return rows


def live_programs_coordinated_by(*, user: User) -> QuerySet[Program]:
    return coordinated_programs(user=user).filter(status__in=PUBLIC_STATUSES).order_by("name")
