"""Reads for pairings. The pair's space is for its two members only: everyone else, the
program's coordinator included, gets a 404. Coordinators read pairings as metadata."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    Exists,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce, Now, TruncMonth
from django.http import Http404
from django.utils import timezone
from guardian.shortcuts import get_objects_for_user

from core.prepared import Prepared
from pairings.models import Goal, GoalChange, Meeting, Pairing
from pairings.reads import agreement_in_force, goals_with_history, member_pairing
from pairings.scoring import Participant, score_pair
from people.models import Employee, User
from people.roles import HR_ADMINS
from people.selectors import employee_for_user, reporting_chain_down, reporting_chain_up
from programs.models import Application, CommitmentAcceptance, Program
from programs.selectors import (
    MentoreeContext,
    commitment_current,
    commitment_is_accepted,
    coordinated_program,
    is_coordinator,
    mentoree_context_for_proposed_mentor,
)

ACCESS = "pairings.access_pairing"


def pairing_list_for(*, user: User) -> QuerySet[Pairing]:
    """The pairings the user is a member of: explicit object permission, nothing implied."""
    if not user.is_authenticated or not user.is_active:
        return Pairing.objects.none()
    return (
        get_objects_for_user(
            user,
            ACCESS,
            klass=Pairing,
            use_groups=False,
            with_superuser=False,
            accept_global_perms=False,
        )
        .select_related("program", "mentor", "mentoree")
        .order_by("-proposed_at", "-pk")
    )


def pairing_get_for(*, user: User, pk: int) -> Pairing:
    """`pairing_list_for(user=user).get(pk=pk)`, read through one prepared query (every page
    of the pair opens with it): the pairing with its program and both members, or a 404."""
    pairing = member_pairing(user=user, pk=pk)
    if pairing is None:
        raise Http404("No such pairing")
    return pairing


def meeting_get_for(*, user: User, pk: int) -> Meeting:
    try:
        return Meeting.objects.select_related("pairing").get(
            pk=pk, pairing__in=pairing_list_for(user=user)
        )
    except Meeting.DoesNotExist:
        raise Http404("No such meeting") from None


def goal_get_for(*, user: User, pk: int) -> Goal:
    try:
        return Goal.objects.select_related("pairing").get(
            pk=pk, pairing__in=pairing_list_for(user=user)
        )
    except Goal.DoesNotExist:
        raise Http404("No such goal") from None


def meetings_to_come(
    *, pairing: Pairing, now: datetime | None = None
) -> tuple[list[Meeting], list[Meeting]]:
    """(planned, called off): the meetings whose time is still to come, soonest first, in one
    query. The pair's space offers each cancelled one's cancellation as a calendar file, for
    calendars that imported the meeting."""
    planned: list[Meeting] = []
    called_off: list[Meeting] = []
    to_come = pairing.meetings.filter(starts_at__gte=now or timezone.now())
    for meeting in to_come.order_by("starts_at", "pk"):
        (called_off if meeting.cancelled_at else planned).append(meeting)
    return planned, called_off


def past_meetings(*, pairing: Pairing, now: datetime | None = None) -> QuerySet[Meeting]:
    """The meetings held, latest first, cancelled ones left out. The past grows for years:
    callers show it a page at a time."""
    held = pairing.meetings.filter(cancelled_at__isnull=True, starts_at__lt=now or timezone.now())
    return held.order_by("-starts_at", "-pk")


def meetings_of(*, pairing: Pairing) -> tuple[list[Meeting], QuerySet[Meeting]]:
    """(upcoming soonest first, past latest first), cancelled meetings left out."""
    now = timezone.now()
    return meetings_to_come(pairing=pairing, now=now)[0], past_meetings(pairing=pairing, now=now)


def meetings_called_off(*, pairing: Pairing) -> list[Meeting]:
    """Cancelled meetings whose time is still to come, soonest first."""
    return meetings_to_come(pairing=pairing)[1]


@dataclass(frozen=True)
class AgreementBox:
    """The agreement box of the pair's space: the version in force and who signed it."""

    version: int
    signers: frozenset[int]  # the users who signed this version

    @property
    def signed_by_both(self) -> bool:
        return len(self.signers) >= 2


def agreement_box(*, pairing: Pairing) -> AgreementBox | None:
    """The pair's agreement, read fresh, with the signatures of its version in force: one
    prepared query through the pairing's own relations (the agreement's models belong to the
    app above), instead of the agreement and all its signatures in two. None: no agreement
    yet."""
    rows = agreement_in_force(pairing=pairing.pk)
    if not rows:
        return None
    return AgreementBox(
        version=rows[0][0], signers=frozenset(signer for _, signer in rows if signer is not None)
    )


def goals_of(*, pairing: Pairing) -> list[Goal]:
    """The pair's goals, each with its history, newest change first (one more query; both
    prepared: pairings.reads)."""
    return goals_with_history(pairing=pairing.pk)


def goal_history(*, goal: Goal) -> QuerySet[GoalChange]:
    """Who changed what of one goal, and when, newest first; for the pair only (the goal
    itself was read through `goal_get_for`)."""
    return goal.changes.all()


# --- Coordinators ------------------------------------------------------------------------------


def program_for_coordinator(*, user: User, slug: str) -> Program:
    program = coordinated_program(user=user, slug=slug)
    if program is None:
        raise Http404("No such program")
    return program


# What the coordinator's list shows of each pairing (and `with_attendance` reads): only
# these columns are read, not every column of the pairing, both people and the agreement.
PAIRING_LIST_FIELDS = (
    "program_id",
    "status",
    "score",
    "proposed_at",
    "mentor__first_name",
    "mentor__last_name",
    "mentoree__first_name",
    "mentoree__last_name",
    "agreement__pairing_id",
    "agreement__in_force_coordinator_rule",
)


def pairings_of_program(*, program: Program, status: str | None = None) -> QuerySet[Pairing]:
    """Metadata only: who is paired and where the pairing stands. Meeting dates are shown
    only where the pair's sharing rules allow attendance to be seen (`with_attendance`, for
    the page shown); never goals, notes or why a pairing ended."""
    qs = program.pairings.select_related("mentor", "mentoree", "agreement").only(
        *PAIRING_LIST_FIELDS
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("status", "-proposed_at", "-pk")


# F6: a pair's attendance (meetings held, the last one's date) reaches the coordinator only
# under these rules of the agreement in force.
ATTENDANCE_RULES = ("attendance", "themes")


def with_attendance(pairings: QuerySet[Pairing]) -> QuerySet[Pairing]:
    """`pairings` (of `pairings_of_program`) with `attendance_visible`, `meetings_held` and
    `last_meeting` worked out in their own query: the meetings held so far (not called off)
    are counted, and the last one's time read, only for the pairs whose rule for the
    coordinator allows attendance (F6); the others read 0 and None, their meetings never
    looked at. Two subqueries on the meetings' (pairing, start) index per row listed, run
    for the page's rows only; "now" is the database's, so the query is built once
    (`pairings.lists`). Before: a query of its own for each page (an IN list of the page's
    pairs and the time, built and planned at every call), before that every meeting of the
    program aggregated before paging (270 ms a page for 100,000 meetings)."""
    visible = Q(agreement__in_force_coordinator_rule__in=ATTENDANCE_RULES)
    held = (
        Meeting.objects.filter(
            pairing=OuterRef("pk"), starts_at__lte=Now(), cancelled_at__isnull=True
        )
        .order_by()
        .values("pairing")
    )
    return pairings.annotate(
        attendance_visible=Case(When(visible, then=True), default=False),
        meetings_held=Case(
            When(visible, then=Coalesce(Subquery(held.annotate(n=Count("pk")).values("n")), 0)),
            default=0,
        ),
        last_meeting=Case(
            When(visible, then=Subquery(held.annotate(last=Max("starts_at")).values("last"))),
            default=None,
            output_field=DateTimeField(),
        ),
    )


def attach_coordinator_themes(*, pairings) -> None:
    """Sets `coordinator_themes` on each pairing given: the themes its mentoree consented to
    pass on to the coordinator, where the rule still allows themes. One query, through the
    pairing's own relations (the agreement's models belong to the app above)."""
    themes: dict[int, list[str]] = {}
    rows = Pairing.objects.filter(
        pk__in=[p.pk for p in pairings],
        agreement__in_force_coordinator_rule="themes",
        agreement__themes__audience="coordinator",
    ).values_list("pk", "agreement__themes__text")
    newest_first = ("pk", "-agreement__themes__created_at", "-agreement__themes__pk")
    for pairing_id, text in rows.order_by(*newest_first):
        themes.setdefault(pairing_id, []).append(text)
    for pairing in pairings:
        pairing.coordinator_themes = themes.get(pairing.pk, [])


# --- How pairings ended (F7) ------------------------------------------------------------------

ENDINGS_SMALL_GROUP = 5


@dataclass(frozen=True)
class EndingMonth:
    """The endings of one calendar month that is over, in the site's time zone."""

    month: date  # its first day
    categories: list[tuple[str, int]] | None  # (label, count) in category order; None: fewer
    # than ENDINGS_SMALL_GROUP endings, not broken down (and not counted either)

    @property
    def label(self) -> str:
        return self.month.strftime("%B %Y")

    @property
    def total(self) -> int | None:
        return sum(n for _, n in self.categories) if self.categories is not None else None


def _endings(program: int, zone):
    """A program's ended pairings counted by calendar month of ending (in `zone`) and
    category, every month at once: the caller keeps the months that are over (F7)."""
    return (
        Pairing.objects.filter(program_id=program, status=Pairing.Status.ENDED)
        .exclude(ended_at=None)
        .annotate(month=TruncMonth("ended_at", tzinfo=zone))
        .values_list("month", "end_category")
        .annotate(n=Count("pk"))
        .order_by()
    )


# One per time zone (the site's, which a deployment's settings fix), the program written in.
_ENDINGS: dict[str, Prepared] = {}


def _endings_by_month(*, program: int, zone) -> list[tuple]:
    """(month as the ORM reads it, category, count) for every month with an ending, one
    prepared query (core.prepared): read on every coordinator's pairings and dashboard."""
    prepared = _ENDINGS.get(str(zone))
    if prepared is None:
        prepared = _ENDINGS[str(zone)] = Prepared(
            lambda program: _endings(program, zone), "program", written=("program",)
        )
    return prepared.rows(program=program)


def ending_categories_by_month(
    *, program: Program, user: User, now: datetime | None = None
) -> list[EndingMonth]:
    """How pairings ended, the only way anyone sees it (F7): per calendar month that is over,
    latest first, broken down by category only where at least five pairings ended in it.

    Why months, and only closed ones: a coordinator sees each named pair's status. Any count
    that moves when one pair ends (a live count per category, even from five endings on)
    tells them why that pair ended, by comparing the page before and after. A closed month's
    figures never move again, and the pairs that ended in it are at least five; the current
    month is never broken down, anywhere. Every page, export and e-mail that shows ending
    categories reads them here. For the program's coordinators and HR admins; anyone else
    gets a 404. Three queries at most (who may read, then one aggregate), however many
    pairings.
    """
    if not _reads_program_figures(user=user, program=program):
        raise Http404("No such program")
    zone = timezone.get_default_timezone()
    local_now = timezone.localtime(now or timezone.now(), zone)
    month_start = local_now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    by_month: dict[date, Counter[str]] = {}
    for month, category, n in _endings_by_month(program=program.pk, zone=zone):
        first_day = timezone.localtime(month, zone).date()
        if first_day < month_start.date():  # a month that is over: its figures never move
            by_month.setdefault(first_day, Counter())[category] += n
    return [
        EndingMonth(
            month=month,
            categories=[
                (label, counts.get(value, 0)) for value, label in Pairing.EndCategory.choices
            ]
            if counts.total() >= ENDINGS_SMALL_GROUP
            else None,
        )
        for month, counts in sorted(by_month.items(), reverse=True)
    ]


def _reads_program_figures(*, user: User, program: Program) -> bool:
    """The program's own coordinators and HR admins read its figures."""
    if not user.is_authenticated or not user.is_active:
        return False
    return is_coordinator(user=user, program=program) or user.groups.filter(name=HR_ADMINS).exists()


def unmatched_mentorees(*, program: Program) -> QuerySet[Application]:
    live = Pairing.objects.filter(
        program=program, mentoree=OuterRef("applicant"), status__in=Pairing.LIVE
    )
    return (
        program.applications.filter(
            role=Application.Role.MENTOREE, status=Application.Status.ADMITTED
        )
        .annotate(paired=Exists(live))
        .filter(paired=False)
        .select_related("applicant")
        # Who they are, never what they wrote when applying (motivation, goals).
        .only(
            "program_id",
            "applicant__first_name",
            "applicant__last_name",
            "applicant__title",
            "applicant__department",
        )
        .order_by("applicant__last_name", "applicant__first_name", "pk")
    )


# --- Suggestions for one mentoree -----------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    mentor: Employee
    score: int
    reasons: list[str]
    capacity_left: int


def _participant(application: Application, capacity_left: int = 0) -> Participant:
    employee = application.applicant
    return Participant(
        employee_id=employee.pk,
        name=employee.full_name,
        department=employee.department,
        level=employee.level,
        location=employee.location,
        tags=frozenset(t.pk for t in application.tags.all()),
        capacity_left=capacity_left,
    )


def suggestions_for(*, program: Program, mentoree: Employee, limit: int = 20) -> list[Suggestion]:
    """Mentors ranked for one mentoree, with the reasons in words. Every mentor a hard
    constraint rules out is left out: the same person, a group-only executive, anyone in the
    mentoree's management chain, a mentor without capacity or without the current
    commitment accepted. A fixed number of queries however many mentors there are."""
    try:
        mentoree_application = (
            program.applications.prefetch_related("tags")
            .select_related("applicant")
            .get(
                applicant=mentoree,
                role=Application.Role.MENTOREE,
                status=Application.Status.ADMITTED,
            )
        )
    except Application.DoesNotExist:
        return []
    # A mentoree who cannot be paired now gets no suggestions: the coordinator would only
    # meet a refusal.
    if not commitment_is_accepted(employee=mentoree, program=program) or (
        Pairing.objects.filter(program=program, mentoree=mentoree, status__in=Pairing.LIVE).exists()
    ):
        return []
    current = commitment_current(program=program)
    accepted = CommitmentAcceptance.objects.filter(
        commitment=current, employee=OuterRef("applicant")
    )
    mentors = (
        program.applications.filter(
            role=Application.Role.MENTOR,
            status=Application.Status.ADMITTED,
            applicant__is_active=True,
        )
        .annotate(
            accepted=Exists(accepted),
            live=Count(
                "applicant__mentor_pairings",
                filter=Q(
                    applicant__mentor_pairings__program=program,
                    applicant__mentor_pairings__status__in=Pairing.LIVE,
                ),
            ),
        )
        .filter(accepted=True)
        .exclude(applicant=mentoree)
        .select_related("applicant")
        .prefetch_related("tags")
    )
    depth = settings.PAIRING_CHAIN_DEPTH
    chain = {e.pk for e in reporting_chain_up(employee=mentoree, depth=depth)} | set(
        reporting_chain_down(employee=mentoree, depth=depth).values_list("pk", flat=True)
    )
    target = _participant(mentoree_application)
    tag_names = {t.pk: t.name for a in [mentoree_application, *mentors] for t in a.tags.all()}
    suggestions = []
    for application in mentors:
        employee = application.applicant
        capacity = application.mentor_capacity or program.default_mentor_capacity
        left = capacity - application.live
        if left <= 0 or employee.is_group_only or employee.pk in chain:
            continue
        score, reasons = score_pair(_participant(application, left), target, tag_names)
        suggestions.append(Suggestion(employee, score, reasons, left))
    suggestions.sort(key=lambda s: (-s.score, s.mentor.last_name, s.mentor.pk))
    return suggestions[:limit]


def mentoree_for_coordinator(*, program: Program, employee_id: int) -> Employee:
    try:
        return program.applications.get(
            applicant_id=employee_id,
            role=Application.Role.MENTOREE,
            status=Application.Status.ADMITTED,
        ).applicant
    except Application.DoesNotExist:
        raise Http404("No such mentoree") from None


def my_pairing_view(*, pairing: Pairing, user: User) -> dict[str, object]:
    """What the pair's space shows its member: who the other member is and where things are."""
    me = employee_for_user(user=user)
    is_mentor = me is not None and me.pk == pairing.mentor_id
    return {
        "me": me,
        "is_mentor": is_mentor,
        "other": pairing.mentoree if is_mentor else pairing.mentor,
        "i_accepted": (pairing.mentor_accepted_at if is_mentor else pairing.mentoree_accepted_at)
        is not None,
    }


def mentoree_context_for(*, pairing: Pairing, user: User) -> MentoreeContext | None:
    """What the mentor sees of the mentoree before accepting a proposed match: their goals
    and topics from the application, only with the mentoree's consent. None for anyone but
    that mentor, and once the mentor has accepted or the pairing moved on; nobody else
    (the mentoree, a coordinator, an HR admin, a superuser) is ever given it."""
    me = employee_for_user(user=user)
    if (
        me is None
        or me.pk != pairing.mentor_id
        or pairing.status != Pairing.Status.PROPOSED
        or pairing.mentor_accepted_at is not None
    ):
        return None
    return mentoree_context_for_proposed_mentor(
        program_id=pairing.program_id, mentoree_id=pairing.mentoree_id
    )
