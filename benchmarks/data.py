"""The data bench_pages measures its pages on, topped up on the demo company where it falls
short: the yardstick mentor's meetings, the demo pair's notes, a matching proposal."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from django.core.management.base import CommandError
from django.db.models import Count
from django.utils import timezone

from confidentiality.models import Note
from confidentiality.services import note_create
from pairings.matching.services import proposal_compute_and_store
from pairings.models import MatchingRun, Meeting
from people.models import Employee, User

PAIR_NOTES = 200
YARDSTICK_MEETINGS = 200


def yardstick_mentor(say: Callable[[str], object]) -> tuple[User, int]:
    """The demo mentor with the most meetings, topped up to YARDSTICK_MEETINGS (the
    yardstick lists 25 of a mentor's 200 meetings)."""
    busiest = (
        Employee.objects.annotate(n=Count("mentor_pairings__meetings"))
        .filter(n__gt=0, user__isnull=False)
        .order_by("-n", "pk")
        .first()
    )
    if busiest is None:
        raise CommandError("The demo has no meetings: run again with --seed.")
    pairing = busiest.mentor_pairings.order_by("pk").first()
    missing = YARDSTICK_MEETINGS - busiest.n
    if missing > 0:
        start = timezone.now() - timedelta(days=3 * YARDSTICK_MEETINGS)
        Meeting.objects.bulk_create(
            Meeting(pairing=pairing, starts_at=start + timedelta(days=3 * i, hours=7))
            for i in range(missing)
        )
        say(f"Topped the yardstick mentor up to {YARDSTICK_MEETINGS} meetings.")
    return busiest.user, max(busiest.n, YARDSTICK_MEETINGS)


def proposal_note(program, coordinator, say: Callable[[str], object]) -> str:
    """The matching page shows the latest run's proposal: run whole-cohort matching once
    on the big program (kept; later runs reuse it) so the page has one to review."""
    run = program.matching_runs.first()
    if run is None or run.status != MatchingRun.Status.DONE:
        started = time.perf_counter()
        run = MatchingRun.objects.create(program=program, started_by=coordinator)
        proposal_compute_and_store(run=run)
        say(
            f"Matched {program.slug} for the matching page in "
            f"{time.perf_counter() - started:.1f} s."
        )
    return f"a proposal of {run.pairs.count()} pairs, 25 a page"


def top_up_notes(pairing, author, say: Callable[[str], object]) -> int:
    missing = PAIR_NOTES - Note.objects.filter(pairing=pairing).count()
    for i in range(missing):
        note_create(
            pairing=pairing,
            author=author,
            text=(
                f"Benchmark note {i + 1}. We talked through the quarterly architecture "
                "review, how to open with the decision needed, and who to brief "
                "beforehand. Next time: practise the first two minutes out loud."
            ),
            shared=i % 2 == 0,
        )
    if missing > 0:
        say(f"Topped the demo pair up to {PAIR_NOTES} notes ({missing} added).")
    return max(missing, 0)
