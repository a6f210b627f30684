"""The services of whole-cohort matching: runs, their review and publication, and pins (writes).

The coordinator starts a run for a program (`matching_run_start`); a Celery task computes the
proposal (`matching_run_execute`): the cohort is read (`pairings.matching.cohort`) and solved
(`pairings.matching.solver`, pure numpy and scipy). The coordinator reviews it, swaps or
removes rows, and publishes it: `matching_run_publish_start` hands the publication to a Celery
task, which proposes every pairing at once (`matching_run_publish`, through
`pairings.bulk.pairings_propose_many`: the hard constraints of `pairing_refusals` and the
locks of `pairing_propose`, in a fixed number of queries per batch of rows).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.refusals import refuse
from pairings.bulk import Proposal, pairings_propose_many
from pairings.matching.cohort import load_cohort, load_participant
from pairings.matching.selectors import (
    PUBLISH_PROGRESS_SECONDS,
    publish_progress_key,
    rematch_warnings,
    stalled_publications,
)
from pairings.matching.solver import MatchingResult, solve
from pairings.models import MatchingRun, Pin, ProposedPair
from pairings.scoring import Participant, score_pair
from pairings.services import pairing_refusals
from pairings.tasks import publish_matching as publish_matching_task
from pairings.tasks import run_matching as run_matching_task
from people.models import Employee, User
from people.selectors import in_management_chain
from programs.models import Application, Program
from programs.services import require_coordinator

logger = logging.getLogger(__name__)

# A queued or running run older than this is taken as lost (its worker died) and superseded.
STALE_RUN_AFTER_SECONDS = 3600
IN_PROGRESS = (MatchingRun.Status.QUEUED, MatchingRun.Status.RUNNING)
# A proposal may be reviewed and published (again) in these states: ready, or a publication
# that was refused or failed (nothing of it remains).
PUBLISHABLE = (MatchingRun.Status.DONE, MatchingRun.Status.PUBLISH_FAILED)
STALLED_PUBLICATION = (
    "The publication did not finish: the worker doing it stopped, and nothing was published. "
    "Publish again, or ask the operator if it stops again."
)


def _end_stalled_publications(program: Program) -> None:
    """A publication still "publishing" long after Publish was pressed has lost its worker:
    its one transaction rolled back with it, so nothing of it exists. Mark it not published,
    so the proposal can be published again and new runs may start.

    A publication still at work holds its run's row lock until it commits; on PostgreSQL
    this UPDATE waits for that lock, then finds the run published and changes nothing. A
    task still queued behind a long backlog finds the run not publishing and does nothing."""
    MatchingRun.objects.filter(stalled_publications(program=program, now=timezone.now())).update(
        status=MatchingRun.Status.PUBLISH_FAILED,
        error=STALLED_PUBLICATION,
        refusals=[],
    )


@transaction.atomic
def matching_run_start(*, program: Program, by: User) -> MatchingRun:
    """Queue a whole-cohort matching run; the task starts once this transaction commits.

    The program row is locked while checking for a run in progress, so two coordinators
    pressing the button at once get one run, not two.
    """
    require_coordinator(user=by, program=program)
    program = Program.objects.select_for_update().get(pk=program.pk)
    if not program.has_mentors:
        raise refuse(
            "This is a group program: it has no one-to-one pairs to match.", "group_program"
        )
    if program.status == Program.Status.CLOSED:
        raise refuse("This program is closed.", "closed")
    _end_stalled_publications(program)
    in_progress = MatchingRun.objects.filter(program=program, status__in=IN_PROGRESS)
    stale = timezone.now() - timedelta(seconds=STALE_RUN_AFTER_SECONDS)
    in_progress.filter(created_at__lt=stale).update(
        status=MatchingRun.Status.FAILED,
        error="Stopped: the worker did not finish it in time.",
        finished_at=timezone.now(),
    )
    if in_progress.exists():
        raise refuse(
            "A matching run of this program is already under way: wait for it to finish.",
            "in_progress",
        )
    if MatchingRun.objects.filter(program=program, status=MatchingRun.Status.PUBLISHING).exists():
        raise refuse(
            "A proposal of this program is being published: wait for it to finish.",
            "publishing",
        )
    run = MatchingRun(program=program, started_by=by)
    run.full_clean()
    run.save()
    transaction.on_commit(lambda: run_matching_task.delay(run.pk))
    return run


def _set_progress(run: MatchingRun, percent: int, status: str | None = None) -> None:
    run.progress = percent
    fields = ["progress"]
    if status is not None:
        run.status = status
        fields.append("status")
    run.save(update_fields=fields)


def proposal_compute_and_store(*, run: MatchingRun) -> MatchingResult:
    """Load the cohort, solve it and store the proposal on the run (status done).

    The rows replace any the run had (a task delivered twice computes once more and keeps one
    proposal). Progress is saved as it goes, outside the final transaction, so the page can
    poll it.
    """
    started = time.perf_counter()
    cohort = load_cohort(program=run.program)
    loaded = time.perf_counter()
    _set_progress(run, 10)
    result = solve(cohort, progress=lambda percent: _set_progress(run, percent))
    storing = time.perf_counter()
    with transaction.atomic():
        ProposedPair.objects.filter(run=run).delete()
        ProposedPair.objects.bulk_create(
            [
                ProposedPair(
                    run=run,
                    mentor_id=pair.mentor_id,
                    mentoree_id=pair.mentoree_id,
                    score=pair.score,
                    pinned=pair.pinned,
                )
                for pair in result.pairs
            ],
            batch_size=2000,
        )
        result.seconds = time.perf_counter() - started
        result.timings["load"] = loaded - started
        run.total_score = result.total_score
        run.upper_bound = result.upper_bound
        run.mentorees_considered = result.mentorees_considered
        run.unmatched = result.unmatched
        run.seconds = result.seconds
        run.status = MatchingRun.Status.DONE
        run.progress = 100
        run.finished_at = timezone.now()
        run.error = ""
        run.save(
            update_fields=[
                "total_score",
                "upper_bound",
                "mentorees_considered",
                "unmatched",
                "seconds",
                "status",
                "progress",
                "finished_at",
                "error",
            ]
        )
    result.timings["store"] = time.perf_counter() - storing
    return result


def matching_run_execute(*, run_id: int) -> None:
    """What the task does: compute and store the proposal of one run.

    A run that is not queued or running (done, published, failed) is left alone, so a task
    delivered twice does no harm. On any error the run is marked failed with the error's class
    and a plain sentence: never its message, which could quote names or data (F9).
    """
    run = MatchingRun.objects.select_related("program").filter(pk=run_id).first()
    if run is None or run.status not in IN_PROGRESS:
        return
    try:
        _set_progress(run, 5, MatchingRun.Status.RUNNING)
        proposal_compute_and_store(run=run)
    except Exception as exc:
        kind = type(exc).__name__
        logger.error("Matching run %s failed with %s.", run_id, kind)
        MatchingRun.objects.filter(pk=run_id).update(
            status=MatchingRun.Status.FAILED,
            error=f"{kind}: the matching could not be completed. Try again or ask the operator.",
            finished_at=timezone.now(),
        )


def _require_reviewable(run: MatchingRun, by: User) -> None:
    require_coordinator(user=by, program=run.program)
    if run.status not in PUBLISHABLE:
        raise refuse(
            "Only a finished proposal that is not yet published can be changed.", "not_done"
        )


def _locked_run(run_id: int) -> MatchingRun:
    # The run's row only (of=self): locking the program's row as well would block every
    # pairing made meanwhile (its insert takes a key-share lock on the program) while that
    # pairing holds the application rows the publication waits for: a deadlock.
    return (
        MatchingRun.objects.select_for_update(of=("self",)).select_related("program").get(pk=run_id)
    )


def _refresh_totals(run: MatchingRun) -> None:
    scores = list(run.pairs.values_list("score", flat=True))
    run.total_score = sum(scores)
    run.unmatched = max(run.mentorees_considered - len(scores), 0)
    run.save(update_fields=["total_score", "unmatched"])


@transaction.atomic
def proposal_remove(*, pair: ProposedPair, by: User) -> None:
    """Take one row out of a proposal under review: that mentoree stays without a mentor."""
    run = _locked_run(pair.run_id)
    _require_reviewable(run, by)
    ProposedPair.objects.filter(pk=pair.pk, run=run).delete()
    _refresh_totals(run)


def _hard_constraint_refusal(mentor: Employee, mentoree: Employee) -> str:
    if mentor.pk == mentoree.pk:
        return "A person cannot mentor themselves."
    if mentor.is_group_only:
        return (
            f"{mentor.full_name} is at the group-only level: they lead group sessions and "
            "never mentor one person (F4)."
        )
    if in_management_chain(a=mentor, b=mentoree, depth=settings.PAIRING_CHAIN_DEPTH):
        return (
            f"{mentor.full_name} and {mentoree.full_name} are in the same management chain: "
            "nobody mentors their own manager or someone they manage."
        )
    return ""


@transaction.atomic
def proposal_swap(
    *, first: ProposedPair, second: ProposedPair, by: User, rematch_confirmed: bool = False
) -> None:
    """Exchange the mentors of two rows of the same proposal, and rescore both.

    Refused when either new pair breaks a hard constraint (same person, management chain,
    group-only mentor), or when a row was pinned by the coordinator before the run. A swap
    that would put together again two people whose pairing in this program ended is held
    back with a warning (code "rematch") until the coordinator confirms it.
    """
    run = _locked_run(first.run_id)
    _require_reviewable(run, by)
    rows = {
        p.pk: p
        for p in ProposedPair.objects.select_for_update()
        .filter(run=run, pk__in=[first.pk, second.pk])
        .select_related("mentor", "mentoree")
    }
    if first.pk == second.pk or len(rows) != 2:
        raise refuse("Choose two different rows of the same proposal.", "not_same_run")
    a, b = rows[first.pk], rows[second.pk]
    if a.pinned or b.pinned:
        raise refuse(
            "A pinned pair stays as it was fixed: remove the pin and run again to change it.",
            "pinned",
        )
    if a.mentor_id == b.mentor_id:
        raise refuse("Both rows already have the same mentor.", "same_mentor")
    program = run.program
    reasons = [
        reason
        for reason in (
            _hard_constraint_refusal(b.mentor, a.mentoree),
            _hard_constraint_refusal(a.mentor, b.mentoree),
        )
        if reason
    ]
    if reasons:
        raise ValidationError(reasons, code="constraint")
    if not rematch_confirmed:
        warnings = rematch_warnings(
            program=program, pairs=[(b.mentor, a.mentoree), (a.mentor, b.mentoree)]
        )
        if warnings:
            raise refuse(" ".join(warnings), "rematch")

    def participant(employee: Employee, role: str) -> Participant:
        return load_participant(program=program, employee=employee, role=role)

    mentor_a = participant(a.mentor, Application.Role.MENTOR)
    mentor_b = participant(b.mentor, Application.Role.MENTOR)
    a.mentor, b.mentor = b.mentor, a.mentor
    a.score, _ = score_pair(mentor_b, participant(a.mentoree, Application.Role.MENTOREE))
    b.score, _ = score_pair(mentor_a, participant(b.mentoree, Application.Role.MENTOREE))
    for row in (a, b):
        row.save(update_fields=["mentor", "score"])
    _refresh_totals(run)


@transaction.atomic
def pin_add(*, program: Program, mentor: Employee, mentoree: Employee, by: User) -> Pin:
    """Fix a pair before the next run. Refused when the pair could not be proposed now
    (every reason `pairing_refusals` gives), when the mentoree is already pinned, or when the
    mentor's pins would exceed their room left."""
    require_coordinator(user=by, program=program)
    program = Program.objects.select_for_update().get(pk=program.pk)
    reasons = pairing_refusals(program=program, mentor=mentor, mentoree=mentoree)
    if reasons:
        raise ValidationError(reasons, code="constraint")
    if Pin.objects.filter(program=program, mentoree=mentoree).exists():
        raise refuse(
            f"{mentoree.full_name} is already pinned to a mentor: remove that pin first.",
            "already_pinned",
        )
    as_mentor = load_participant(program=program, employee=mentor, role=Application.Role.MENTOR)
    if as_mentor.capacity_left <= Pin.objects.filter(program=program, mentor=mentor).count():
        raise refuse(f"{mentor.full_name} has no room left for another pinned mentoree.", "no_room")
    pin = Pin(program=program, mentor=mentor, mentoree=mentoree)
    pin.full_clean()
    pin.save()
    return pin


@transaction.atomic
def pin_remove(*, pin: Pin, by: User) -> None:
    require_coordinator(user=by, program=pin.program)
    pin.delete()


@transaction.atomic
def matching_run_publish_start(*, run: MatchingRun, by: User) -> MatchingRun:
    """The coordinator presses Publish: the run moves to "publishing" under its row lock and
    the publication task starts once this commits. A second press (or a second coordinator)
    finds the run publishing and is refused, so one proposal is published once. A publication
    whose worker stopped long ago is taken as not published first."""
    _end_stalled_publications(run.program)
    run = _locked_run(run.pk)
    require_coordinator(user=by, program=run.program)
    if run.status not in PUBLISHABLE:
        raise refuse(
            "Only a finished proposal that is not yet published can be published.", "not_done"
        )
    run.status = MatchingRun.Status.PUBLISHING
    run.publishing_since = timezone.now()
    run.progress = 0
    run.error = ""
    run.refusals = []
    run.save(update_fields=["status", "publishing_since", "progress", "error", "refusals"])
    cache.set(publish_progress_key(run.pk), 0, PUBLISH_PROGRESS_SECONDS)
    transaction.on_commit(lambda: publish_matching_task.delay(run.pk, by.pk))
    return run


@transaction.atomic
def matching_run_publish(
    *, run: MatchingRun, by: User, progress: Callable[[int], None] | None = None
) -> int:
    """Propose every pairing of the proposal, all or nothing; returns how many were made.

    What the publication task does (`matching_run_publish_execute`), and what the benchmark
    measures. Every row is judged again by the hard constraints against the program as it
    is now, under the locks the single-pair path takes (`pairings_propose_many`, a fixed
    number of queries per batch of rows), and both members of each pair are told. If any
    row is refused (the cohort changed since the run), every refused row is listed and
    nothing is created: the whole transaction rolls back. The run row is locked throughout,
    and a published run is never publishable again.
    """
    run = _locked_run(run.pk)
    require_coordinator(user=by, program=run.program)
    if run.status not in (*PUBLISHABLE, MatchingRun.Status.PUBLISHING):
        raise refuse(
            "Only a finished proposal that is not yet published can be published.", "not_done"
        )
    program = run.program
    rows = [
        Proposal(mentor_id, mentoree_id, score)
        for mentor_id, mentoree_id, score in run.pairs.order_by("pk").values_list(
            "mentor_id", "mentoree_id", "score"
        )
    ]
    refused = pairings_propose_many(
        program=program,
        proposals=rows,
        by=by,
        progress=progress,
    )
    if refused:
        people = Employee.objects.only("first_name", "last_name").in_bulk(
            {rows[i].mentor_id for i in refused} | {rows[i].mentoree_id for i in refused}
        )
        raise ValidationError(
            [
                f"{people[rows[i].mentor_id].full_name} and "
                f"{people[rows[i].mentoree_id].full_name}: " + " ".join(reasons)
                for i, reasons in sorted(refused.items())
            ],
            code="refused",
        )
    run.status = MatchingRun.Status.PUBLISHED
    run.progress = 100
    run.error = ""
    run.refusals = []
    run.save(update_fields=["status", "progress", "error", "refusals"])
    Pin.objects.filter(program=program).delete()
    return len(rows)


def matching_run_publish_execute(*, run_id: int, by_id: int) -> None:
    """What the publication task does: publish the run, all or nothing, and leave the outcome
    on the run for the page: published, or not published with every refused row in words, or
    not published after an error, in a sentence that names no data (F9). In every case but
    the first the database is as it was and the proposal can be published again.

    A run that is not publishing (already published, or not started) is left alone, so a task
    delivered twice does no harm; two deliveries at once queue on the run's row lock and the
    second finds it published.
    """
    run = MatchingRun.objects.filter(pk=run_id).first()
    by = User.objects.filter(pk=by_id).first()
    if run is None or by is None or run.status != MatchingRun.Status.PUBLISHING:
        return
    key = publish_progress_key(run_id)

    def progress(percent: int) -> None:
        cache.set(key, percent, PUBLISH_PROGRESS_SECONDS)

    try:
        matching_run_publish(run=run, by=by, progress=progress)
    except ValidationError as exc:
        MatchingRun.objects.filter(pk=run_id, status=MatchingRun.Status.PUBLISHING).update(
            status=MatchingRun.Status.PUBLISH_FAILED,
            error="Nothing was published: some rows are no longer allowed (listed below). "
            "Remove or swap them, or run matching again, then publish.",
            refusals=exc.messages,
        )
    except Exception as exc:
        kind = type(exc).__name__
        logger.error("Publishing matching run %s failed with %s.", run_id, kind)
        MatchingRun.objects.filter(pk=run_id, status=MatchingRun.Status.PUBLISHING).update(
            status=MatchingRun.Status.PUBLISH_FAILED,
            error=f"{kind}: the publication could not be completed, and nothing was "
            "published. Publish again, or ask the operator if it fails again.",
            refusals=[],
        )
    finally:
        cache.delete(key)
