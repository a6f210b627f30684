"""Reads for the matching page: the program's latest run, its proposal and pins, and the rows
a coordinator's form names, always within the program (anything else is a 404)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from core.prepared import Prepared, prepared_sql_rows
from pairings.models import MatchingRun, Pairing, Pin, ProposedPair
from people.models import Employee
from programs.models import Application, Program

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


# The latest run of a program, the name of who started it and the number of its proposed
# pairs, in one query built once (core.prepared): every visit and every two-second poll of
# the page reads it.
_RUN_COLUMNS = tuple(field.attname for field in MatchingRun._meta.concrete_fields)
_STARTER_COLUMNS = (
    "started_by__employee__id",
    "started_by__employee__first_name",
    "started_by__employee__last_name",
    "started_by__first_name",
    "started_by__last_name",
    "started_by__username",
)
_LATEST_RUN = Prepared(
    lambda program: (
        MatchingRun.objects.filter(program_id=program)
        .annotate(
            pairs_count=Coalesce(
                Subquery(
                    ProposedPair.objects.filter(run=OuterRef("pk"))
                    .order_by()
                    .values("run")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                0,
            )
        )
        .order_by("-created_at", "-pk")  # MatchingRun.Meta.ordering: the latest first
        .values_list(*_RUN_COLUMNS, *_STARTER_COLUMNS, "pairs_count")[:1]
    ),
    "program",
)


def _starter_name(employee_id, employee_first, employee_last, first, last, username) -> str:
    """Who started a run, as the page spells them: their directory name, else their
    account's (`{% firstof user.employee.full_name user %}`)."""
    if employee_id is not None:
        name = f"{employee_first} {employee_last}".strip()  # Employee.full_name
        if name:
            return name
    return f"{first} {last}".strip() or username  # str(User)


def matching_page_state(*, program: Program) -> dict[str, object]:
    """The latest run (with who started it, or "" once their account is gone), whether it
    is still working (computing or publishing, with its progress) or its publication
    stalled, its proposed pairs (once done, or after a publication that did not go through)
    and their number."""
    rows = _LATEST_RUN.rows(program=program.pk)
    run = None
    started_by = ""
    pairs_count = 0
    if rows:
        row = rows[0]
        run = MatchingRun.from_db(connection.alias, _RUN_COLUMNS, row[: len(_RUN_COLUMNS)])
        if run.started_by_id is not None:
            started_by = _starter_name(*row[len(_RUN_COLUMNS) : -1])
        pairs_count = row[-1]
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
        "started_by": started_by,
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
        "pairs_count": pairs_count,
    }


@dataclass(frozen=True)
class PinRow:
    """A pin as the page lists it: its id and the two full names."""

    id: int
    mentor_name: str
    mentoree_name: str


_PINS = Prepared(
    lambda program: (
        Pin.objects.filter(program_id=program)
        .order_by("pk")
        .values_list(
            "pk",
            "mentor__first_name",
            "mentor__last_name",
            "mentoree__first_name",
            "mentoree__last_name",
        )
    ),
    "program",
)


def pin_rows(*, program: Program) -> list[PinRow]:
    """The program's pins for the next run, in the order they were made (one query built
    once: core.prepared)."""
    return [
        PinRow(pk, f"{mentor_first} {mentor_last}".strip(), f"{first} {last}".strip())
        for pk, mentor_first, mentor_last, first, last in _PINS.rows(program=program.pk)
    ]


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
    """A mentoree without a pair (their full name) and why, in words a coordinator
    understands."""

    name: str
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


# The admitted mentorees of the program with no live pairing (`unmatched_mentorees`), each
# once with what sorts them: inactive, or without the current commitment accepted (left
# out), or in none of the run's rows (considered, left without a pair). Each anti-join is
# evaluated once (hash joins on PostgreSQL; an acceptance and a row of the run are unique
# per person, and only their unique index's columns are read: index-only scans), the
# current commitment read once; the counts and the first NAMED names of each list come
# back together (part 0: the counts; 1: left out; 2: without a pair). NOT EXISTS, never
# NOT IN (subquery): PostgreSQL rescanned that per row on tables without statistics (7-9 s
# for a cohort of 2,000). The aggregate with an EXISTS per rule and a second query for the
# names took 11 ms of the database a page on the 10,000-person demo; this, about 5.
_GAPS_SQL = """
WITH waiting AS (
    SELECT a.id, e.first_name, e.last_name, e.is_active,
           ca.employee_id IS NOT NULL AS accepted, pp.mentoree_id IS NOT NULL AS proposed
    FROM programs_application a
    JOIN people_employee e ON e.id = a.applicant_id
    LEFT JOIN programs_commitmentacceptance ca
        ON ca.employee_id = a.applicant_id
        AND ca.commitment_id = (
            SELECT c.id FROM programs_commitment c
            WHERE c.program_id = %(program)s ORDER BY c.version DESC LIMIT 1
        )
    LEFT JOIN pairings_proposedpair pp
        ON pp.mentoree_id = a.applicant_id AND pp.run_id = %(run)s
    WHERE a.program_id = %(program)s AND a.role = %(mentoree)s AND a.status = %(admitted)s
        AND NOT EXISTS (
            SELECT 1 FROM pairings_pairing p
            WHERE p.mentoree_id = a.applicant_id AND p.program_id = %(program)s
                AND p.status IN (%(live0)s, %(live1)s, %(live2)s)
        )
)
SELECT 0, COUNT(*), COUNT(CASE WHEN NOT is_active OR NOT accepted THEN 1 END),
       COUNT(CASE WHEN is_active AND accepted AND NOT proposed THEN 1 END), NULL, NULL
FROM waiting
UNION ALL
SELECT * FROM (
    SELECT 1, id, CASE WHEN is_active THEN 1 ELSE 0 END, 0, first_name, last_name FROM waiting
    WHERE NOT is_active OR NOT accepted ORDER BY last_name, first_name, id LIMIT %(named)s
) left_out
UNION ALL
SELECT * FROM (
    SELECT 2, id, 1, 0, first_name, last_name FROM waiting
    WHERE is_active AND accepted AND NOT proposed
    ORDER BY last_name, first_name, id LIMIT %(named)s
) without_pair
ORDER BY 1, 6, 5, 2
"""


def matching_gaps(*, program: Program, run: MatchingRun | None) -> Gaps:
    """The figures the matching page gives, so they add up: of the admitted mentorees with no
    pair, who matching does not consider and why (the current commitment not accepted, or no
    longer an active employee), and, for a run ready for review, who it considered but left
    without a pair. One query, prepared on the server: the counts, and the names a page at a
    time (NAMED), so a cohort of 100,000 costs the same."""
    rows = prepared_sql_rows(
        _GAPS_SQL,
        {
            "program": program.pk,
            "run": run.pk if run is not None else None,
            "mentoree": Application.Role.MENTOREE.value,
            "admitted": Application.Status.ADMITTED.value,
            **{f"live{i}": status.value for i, status in enumerate(Pairing.LIVE)},
            "named": NAMED,
        },
    )
    (_, waiting, excluded, unpaired, _, _) = rows[0]
    left_out: list[LeftOut] = []
    without_pair: list[LeftOut] = []
    for part, _pk, is_active, _, first_name, last_name in rows[1:]:
        # As Employee.full_name spells it.
        name = f"{first_name} {last_name}".strip()
        if part == 1:
            left_out.append(LeftOut(name, NOT_ACCEPTED if is_active else NOT_ACTIVE))
        else:
            without_pair.append(LeftOut(name, NO_MENTOR))
    reviewable = run is not None and run.status in (
        MatchingRun.Status.DONE,
        MatchingRun.Status.PUBLISH_FAILED,
    )
    return Gaps(
        waiting=waiting,
        left_out=left_out,
        left_out_count=excluded,
        without_pair=without_pair if reviewable else [],
        without_pair_count=unpaired if reviewable else 0,
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
