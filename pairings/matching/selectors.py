"""Reads for the matching page: the program's latest run, its proposal and pins, and the rows
a coordinator's form names, always within the program (anything else is a 404)."""

from __future__ import annotations

from django.core.cache import cache
from django.http import Http404

from pairings.models import MatchingRun, Pin, ProposedPair
from programs.models import Program

# The publication's progress lives in the cache (Redis in production, shared by the web and
# the workers): the run's row is locked, and its changes unseen, until the publication's one
# transaction ends. The key holds a run id and a percentage, nothing else.
PUBLISH_PROGRESS_SECONDS = 3600


def publish_progress_key(run_id: int) -> str:
    return f"matching-publish-progress:{run_id}"


def matching_page_state(*, program: Program) -> dict[str, object]:
    """The latest run, whether it is still working (computing or publishing, with its
    progress), its proposed pairs (once done, or after a publication that did not go
    through) and the pins for the next run."""
    run = program.matching_runs.first()
    reviewable = (MatchingRun.Status.DONE, MatchingRun.Status.PUBLISH_FAILED)
    pairs = (
        run.pairs.select_related("mentor", "mentoree").order_by("pk")
        if run and run.status in reviewable
        else ProposedPair.objects.none()
    )
    publishing = run is not None and run.status == MatchingRun.Status.PUBLISHING
    return {
        "run": run,
        "running": run is not None
        and run.status in (MatchingRun.Status.QUEUED, MatchingRun.Status.RUNNING),
        "publishing": publishing,
        "publish_progress": cache.get(publish_progress_key(run.pk), 0)
        if run is not None and publishing
        else None,
        "reviewable": run is not None and run.status in reviewable,
        "pairs": pairs,
        "pins": program.pins.select_related("mentor", "mentoree").order_by("pk"),
    }


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
