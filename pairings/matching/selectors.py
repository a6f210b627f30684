"""Reads for the matching page: the program's latest run, its proposal and pins, and the rows
a coordinator's form names, always within the program (anything else is a 404)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import Count, Exists, Max, OuterRef, Q, Subquery
from django.http import Http404
from django.utils import timezone

from pairings.models import MatchingRun, Pairing, Pin, ProposedPair
from pairings.selectors import unmatched_mentorees
from people.models import Employee
from programs.models import Commitment, CommitmentAcceptance, Program

# The publication's progress lives in the cache (Redis in production, shared by the web and
# the workers): the run's row is locked, and its changes unseen, until the publication's one
# transaction ends. The key holds a run id and a percentage, nothing else.
PUBLISH_PROGRESS_SECONDS = 3600


def publish_progress_key(run_id: int) -> str:
    return f"matching-publish-progress:{run_id}"


# A publication takes well under a minute for 10,000 pairs (docs/PERFORMANCE.md); one still
# "publishing" this long after Publish was pressed has lost its worker.
STALLED_PUBLICATION_AFTER = timedelta(minutes=15)


def stalled_publications(*, program: Program, now: datetime) -> Q:
    """The runs of `program` still "publishing" long after Publish was pressed (or from
    before the time was recorded)."""
    return Q(program=program, status=MatchingRun.Status.PUBLISHING) & (
        Q(publishing_since__lt=now - STALLED_PUBLICATION_AFTER) | Q(publishing_since=None)
    )


def _stalled(run: MatchingRun, now: datetime) -> bool:
    return run.status == MatchingRun.Status.PUBLISHING and (
        run.publishing_since is None or run.publishing_since < now - STALLED_PUBLICATION_AFTER
    )


def matching_page_state(*, program: Program) -> dict[str, object]:
    """The latest run, whether it is still working (computing or publishing, with its
    progress) or its publication stalled, its proposed pairs (once done, or after a
    publication that did not go through) and the pins for the next run."""
    run = program.matching_runs.first()
    reviewable = (MatchingRun.Status.DONE, MatchingRun.Status.PUBLISH_FAILED)
    pairs = (
        run.pairs.select_related("mentor", "mentoree").order_by("pk")
        if run and run.status in reviewable
        else ProposedPair.objects.none()
    )
    stalled = run is not None and _stalled(run, timezone.now())
    publishing = run is not None and run.status == MatchingRun.Status.PUBLISHING and not stalled
    return {
        "run": run,
        "running": run is not None
        and run.status in (MatchingRun.Status.QUEUED, MatchingRun.Status.RUNNING),
        "publishing": publishing,
        # Publishing, but for so long that its worker must have stopped: the page says so
        # and offers to publish again (the service ends it first).
        "publish_stalled": stalled,
        "publish_progress": cache.get(publish_progress_key(run.pk), 0)
        if run is not None and publishing
        else None,
        "reviewable": run is not None and run.status in reviewable,
        "pairs": pairs,
        "pins": program.pins.select_related("mentor", "mentoree").order_by("pk"),
    }


# How many names each list of the matching page spells out before saying "and N more".
NAMED = 50

NOT_ACCEPTED = (
    "has not accepted the current program commitment yet, so matching leaves them out until "
    "they do (F5)"
)
NOT_ACTIVE = "is no longer an active employee"
NO_MENTOR = "was considered, but no mentor with room left may be paired with them"


@dataclass(frozen=True)
class LeftOut:
    """A mentoree without a pair and why, in words a coordinator understands."""

    mentoree: Employee
    reason: str


@dataclass(frozen=True)
class Gaps:
    """Of the admitted mentorees with no pair yet, who matching leaves out, and why."""

    waiting: int  # admitted mentorees with no pair yet
    left_out: list[LeftOut]  # not considered by matching: at most NAMED of them
    left_out_count: int
    without_pair: list[LeftOut]  # considered by the latest run, in none of its rows
    without_pair_count: int

    @property
    def considered(self) -> int:
        return self.waiting - self.left_out_count

    @property
    def left_out_more(self) -> int:
        return self.left_out_count - len(self.left_out)

    @property
    def without_pair_more(self) -> int:
        return self.without_pair_count - len(self.without_pair)


def matching_gaps(*, program: Program, run: MatchingRun | None) -> Gaps:
    """The figures the matching page gives, so they add up: of the admitted mentorees with no
    pair, who matching does not consider and why (the current commitment not accepted, or no
    longer an active employee), and, for a run ready for review, who it considered but left
    without a pair. Names are read a page at a time (NAMED), the counts in one aggregate, so
    a cohort of 100,000 costs the same few queries."""
    current = Commitment.objects.filter(program=program).order_by("-version").values("pk")[:1]
    accepted = CommitmentAcceptance.objects.filter(
        commitment_id=Subquery(current), employee=OuterRef("applicant")
    )
    waiting = unmatched_mentorees(program=program).annotate(accepted=Exists(accepted))
    not_considered = Q(applicant__is_active=False) | Q(accepted=False)
    reviewable = run is not None and run.status in (
        MatchingRun.Status.DONE,
        MatchingRun.Status.PUBLISH_FAILED,
    )
    unpaired_rule = Q(applicant__is_active=True, accepted=True)
    if run is not None:
        # NOT EXISTS, an anti-join: NOT IN (subquery) was rescanned per row by PostgreSQL
        # when the tables' statistics were missing or stale (7-9 s for a cohort of 2,000).
        waiting = waiting.annotate(
            proposed=Exists(ProposedPair.objects.filter(run=run, mentoree=OuterRef("applicant")))
        )
        unpaired_rule &= Q(proposed=False)
    # Every count in one pass over the waiting mentorees (each pass costs the anti-join of
    # a whole cohort); the names only where a count says there are some.
    counts = waiting.aggregate(
        waiting=Count("pk"),
        excluded=Count("pk", filter=not_considered),
        unpaired=Count("pk", filter=unpaired_rule),
    )
    left_out = (
        [
            LeftOut(a.applicant, NOT_ACTIVE if not a.applicant.is_active else NOT_ACCEPTED)
            for a in waiting.filter(not_considered)[:NAMED]
        ]
        if counts["excluded"]
        else []
    )
    without_pair: list[LeftOut] = []
    without_pair_count = 0
    if reviewable:
        without_pair_count = counts["unpaired"]
        if without_pair_count:
            unpaired = waiting.filter(unpaired_rule)
            without_pair = [LeftOut(a.applicant, NO_MENTOR) for a in unpaired[:NAMED]]
    return Gaps(
        waiting=counts["waiting"],
        left_out=left_out,
        left_out_count=counts["excluded"],
        without_pair=without_pair,
        without_pair_count=without_pair_count,
    )


def rematch_warnings(*, program: Program, pairs: list[tuple[Employee, Employee]]) -> list[str]:
    """For each (mentor, mentoree) given that was a pairing of this program and ended, the
    fact in words (when it ended; never why, F7). One query."""
    wanted = Q(pk__in=[])
    for mentor, mentoree in pairs:
        wanted |= Q(mentor=mentor, mentoree=mentoree)
    rows = (
        Pairing.objects.filter(wanted, program=program, status=Pairing.Status.ENDED)
        .values("mentor_id", "mentoree_id")
        .annotate(last=Max("ended_at"))
        .order_by()
    )
    last = {(r["mentor_id"], r["mentoree_id"]): r["last"] for r in rows}
    words = []
    for mentor, mentoree in pairs:
        when = last.get((mentor.pk, mentoree.pk))
        if when is not None:
            day = timezone.localdate(when)
            words.append(
                f"{mentor.full_name} and {mentoree.full_name} were a pair in this program until "
                f"{day.day} {day:%B %Y}; that pairing ended. Swap anyway only if both would "
                "welcome it."
            )
    return words


def run_of(*, program: Program, run_id: int) -> MatchingRun:
    run = MatchingRun.objects.filter(pk=run_id, program=program).first()
    if run is None:
        raise Http404("No such matching run")
    return run


def pin_of(*, program: Program, pin_id: int) -> Pin:
    pin = Pin.objects.filter(pk=pin_id, program=program).first()
    if pin is None:
        raise Http404("No such pin")
    return pin


def proposed_pair_of(*, program: Program, pair_id: int) -> ProposedPair:
    pair = ProposedPair.objects.filter(pk=pair_id, run__program=program).first()
    if pair is None:
        raise Http404("No such row of the proposal")
    return pair


def proposed_pairs_by_id(*, program: Program, ids: list[int]) -> dict[int, ProposedPair]:
    return {p.pk: p for p in ProposedPair.objects.filter(run__program=program, pk__in=ids)}
