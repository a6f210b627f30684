"""Whole-cohort matching: the assignment of mentorees to mentors that maximises the total score.

The coordinator starts a run for a program (`matching_run_start`); a Celery task computes the
proposal (`matching_run_execute`); the coordinator reviews it, swaps or removes rows, and
publishes it (`matching_run_publish`), which proposes every pairing through
`pairings.services.pairing_propose`, the one gate every path to a pairing goes through.

How the proposal is found:

- The cohort is read in a fixed number of queries (`load_cohort`): available mentors with their
  capacity left, mentorees without a mentor, their tags, and the whole manager map, from which
  the management-chain exclusions are computed in Python.
- Scores are computed with numpy, a block of mentoree rows at a time, and equal
  `pairings.scoring.score_pair` for every allowed pair (a test holds the two equal).
- The objective is the total score; among assignments with the best total, the one that pairs
  the most mentorees. Each allowed pair is worth `score * (n + 1) + 1` internally (n: the number
  of mentorees), so a score-0 pair is still worth more than leaving a mentoree out, and the
  tie-break can never outweigh a single point of score. Forbidden cells are worth exactly what
  an unassigned mentoree is worth (nothing), so dropping them afterwards loses nothing.
- Each mentor is expanded into one column per place left (capacity slots). Up to
  EXACT_MAX_CELLS cells, `scipy.optimize.linear_sum_assignment` solves it exactly. Beyond, each
  mentoree keeps its CANDIDATES_PER_MENTOREE best mentors (ties spread by a fixed jitter so not
  everyone queues for the same person) plus a private dummy column, and
  `scipy.sparse.csgraph.min_weight_full_bipartite_matching` solves that sparse problem; a last
  pass gives any mentoree it left out the best mentor who still has room.
"""

from __future__ import annotations

import heapq
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from confidentiality.register import open_assessments
from pairings.models import MatchingRun, Pairing, Pin, ProposedPair
from pairings.scoring import (
    MAX_SCORE,
    MAX_SHARED_TAGS,
    POINTS_GAP_CLOSE,
    POINTS_GAP_WIDE,
    POINTS_OTHER_DEPARTMENT,
    POINTS_PER_SHARED_TAG,
    POINTS_ROOM_LEFT,
    POINTS_SAME_LOCATION,
    Participant,
    score_pair,
)
from pairings.services import pairing_propose, pairing_refusals
from people.models import Employee, User
from people.selectors import MAX_CHAIN_DEPTH, in_management_chain
from programs.models import Application, Commitment, CommitmentAcceptance, Program
from programs.selectors import is_coordinator

logger = logging.getLogger(__name__)

# Largest mentorees x capacity-slots matrix solved exactly (float64: 200 MB at the limit).
EXACT_MAX_CELLS = 25_000_000
# Candidates per mentoree kept by the sparse solver for bigger cohorts.
CANDIDATES_PER_MENTOREE = 40
# Cells scored at a time: bounds the memory of the numpy temporaries whatever the cohort size.
BLOCK_CELLS = 2_000_000
# Largest table of points for (mentoree profile, mentor profile) before scoring cell by cell.
PROFILE_TABLE_MAX = 4_000_000
# A queued or running run older than this is taken as lost (its worker died) and superseded.
STALE_RUN_AFTER_SECONDS = 3600
IN_PROGRESS = (MatchingRun.Status.QUEUED, MatchingRun.Status.RUNNING)

# --- The cohort ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PinRequest:
    """A pair the coordinator fixed before the run, as read from the Pin table."""

    mentor_id: int
    mentoree_id: int
    mentor_name: str
    mentoree_name: str
    mentor_group_only: bool = False


@dataclass
class Cohort:
    """Who can be matched in a program right now, and which pairs the hard constraints forbid.

    `forbidden` holds (mentor employee id, mentoree employee id) pairs: the same person on both
    sides, or one in the other's management chain. Everything else about eligibility (admitted,
    active, commitment accepted, below the group-only level, room left, no mentor yet) has
    already decided who is in the two lists.
    """

    mentors: list[Participant]
    mentorees: list[Participant]
    forbidden: set[tuple[int, int]] = field(default_factory=set)
    pins: list[PinRequest] = field(default_factory=list)
    program_id: int | None = None

    @cached_property
    def encoded(self) -> _Encoded:
        return _encode(self)

    @cached_property
    def mentor_index(self) -> dict[int, int]:
        return {p.employee_id: i for i, p in enumerate(self.mentors)}

    @cached_property
    def mentoree_index(self) -> dict[int, int]:
        return {p.employee_id: i for i, p in enumerate(self.mentorees)}

    def allowed(self, mentor: Participant, mentoree: Participant) -> bool:
        return (
            mentor.employee_id != mentoree.employee_id
            and (mentor.employee_id, mentoree.employee_id) not in self.forbidden
        )


def _chain_limit() -> int:
    depth = settings.PAIRING_CHAIN_DEPTH
    return MAX_CHAIN_DEPTH if depth is None else max(0, min(depth, MAX_CHAIN_DEPTH))


def _ancestors(employee_id: int, managers: dict[int, int | None], limit: int) -> list[int]:
    """Managers of the employee, nearest first, up to `limit` levels (a cycle stops the walk)."""
    chain: list[int] = []
    seen = {employee_id}
    current = managers.get(employee_id)
    while current is not None and len(chain) < limit and current not in seen:
        chain.append(current)
        seen.add(current)
        current = managers.get(current)
    return chain


def chain_exclusions(
    *, mentor_ids: Sequence[int], mentoree_ids: Sequence[int], managers: dict[int, int | None]
) -> set[tuple[int, int]]:
    """(mentor, mentoree) pairs where one is in the other's management chain, or the same person.

    Same rule as people.selectors.in_management_chain, to settings.PAIRING_CHAIN_DEPTH levels,
    computed from the manager map instead of one query per pair.
    """
    limit = _chain_limit()
    mentors, mentorees = set(mentor_ids), set(mentoree_ids)
    forbidden = {(person, person) for person in mentors & mentorees}
    for mentoree in mentorees:
        for boss in _ancestors(mentoree, managers, limit):
            if boss in mentors:
                forbidden.add((boss, mentoree))
    for mentor in mentors:
        for boss in _ancestors(mentor, managers, limit):
            if boss in mentorees:
                forbidden.add((mentor, boss))
    return forbidden


def _full_name(first: str, last: str) -> str:
    return f"{first} {last}".strip()


def load_cohort(*, program: Program) -> Cohort:
    """The program's matchable cohort, in five queries whatever its size.

    Mentors: admitted, active, below the group-only level (F4), current commitment accepted
    (F5), with capacity left after their live pairings. Mentorees: admitted, active, current
    commitment accepted, no live pairing in the program. Pins are read as they are and checked
    when the cohort is solved.
    """
    current = Commitment.objects.filter(program=program).order_by("-version").values("pk")[:1]
    accepted = CommitmentAcceptance.objects.filter(
        commitment_id=Subquery(current), employee=OuterRef("applicant")
    )
    applications = list(
        Application.objects.filter(
            program=program, status=Application.Status.ADMITTED, applicant__is_active=True
        )
        .filter(Exists(accepted))
        .order_by("pk")
        .values_list(
            "pk",
            "role",
            "mentor_capacity",
            "applicant_id",
            "applicant__first_name",
            "applicant__last_name",
            "applicant__department",
            "applicant__level",
            "applicant__location",
        )
    )
    live_as_mentor: dict[int, int] = {}
    paired_mentorees: set[int] = set()
    for mentor_id, mentoree_id in Pairing.objects.filter(
        program=program, status__in=Pairing.LIVE
    ).values_list("mentor_id", "mentoree_id"):
        live_as_mentor[mentor_id] = live_as_mentor.get(mentor_id, 0) + 1
        paired_mentorees.add(mentoree_id)
    tags: dict[int, set[int]] = {}
    for application_id, tag_id in Application.tags.through.objects.filter(
        application__program=program, application__status=Application.Status.ADMITTED
    ).values_list("application_id", "tag_id"):
        tags.setdefault(application_id, set()).add(tag_id)
    managers: dict[int, int | None] = dict(Employee.objects.values_list("pk", "manager_id"))
    pins = [
        PinRequest(
            mentor_id=row[0],
            mentoree_id=row[1],
            mentor_name=_full_name(row[2], row[3]),
            mentoree_name=_full_name(row[5], row[6]),
            mentor_group_only=row[4] >= settings.GROUP_ONLY_LEVEL,
        )
        for row in Pin.objects.filter(program=program)
        .order_by("created_at", "pk")
        .values_list(
            "mentor_id",
            "mentoree_id",
            "mentor__first_name",
            "mentor__last_name",
            "mentor__level",
            "mentoree__first_name",
            "mentoree__last_name",
        )
    ]

    mentors: list[Participant] = []
    mentorees: list[Participant] = []
    for pk, role, capacity, employee_id, first, last, department, level, location in applications:
        left = 0
        if role == Application.Role.MENTOR:
            if level >= settings.GROUP_ONLY_LEVEL:
                continue
            left = (capacity or program.default_mentor_capacity) - live_as_mentor.get(
                employee_id, 0
            )
            if left <= 0:
                continue
        elif employee_id in paired_mentorees:
            continue
        participant = Participant(
            employee_id=employee_id,
            name=_full_name(first, last),
            department=department,
            level=level,
            location=location,
            tags=frozenset(tags.get(pk, ())),
            capacity_left=left,
        )
        (mentors if role == Application.Role.MENTOR else mentorees).append(participant)
    forbidden = chain_exclusions(
        mentor_ids=[p.employee_id for p in mentors],
        mentoree_ids=[p.employee_id for p in mentorees],
        managers=managers,
    )
    # F3, the reverse direction: no pair while the mentor sits on an open review of the
    # mentoree (one query; the register's yes-or-no, for the whole cohort at once).
    forbidden |= open_assessments(
        person_ids=[p.employee_id for p in mentors],
        subject_ids=[p.employee_id for p in mentorees],
    )
    return Cohort(
        mentors=mentors,
        mentorees=mentorees,
        forbidden=forbidden,
        pins=pins,
        program_id=program.pk,
    )


# --- Vectorised scoring ----------------------------------------------------------------------


@dataclass
class _Encoded:
    """The cohort as numpy arrays: mentorees are rows, mentors are columns."""

    rows: int
    cols: int
    row_tags: np.ndarray  # (rows, words) uint64 bitsets
    col_tags: np.ndarray  # (cols, words) uint64
    row_profile: np.ndarray  # (rows,) int32: index into table's rows
    col_profile: np.ndarray  # (cols,) int32
    table: np.ndarray | None  # (row profiles, col profiles) int8: points other than tags
    row_attrs: tuple[np.ndarray, np.ndarray, np.ndarray]  # department, level, location codes
    col_attrs: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # ... and room points
    tag_points: np.ndarray  # shared-tag count -> points, int8
    forbidden_indptr: np.ndarray  # CSR by row: forbidden mentor columns of each mentoree
    forbidden_cols: np.ndarray
    capacity: np.ndarray  # (cols,) int32: capacity left of each mentor


def _codes(values: Sequence, mapping: dict) -> np.ndarray:
    return np.fromiter((mapping.setdefault(v, len(mapping)) for v in values), np.int32, len(values))


def _bitsets(groups: Sequence[frozenset[int]], bit_of: dict[int, int], words: int) -> np.ndarray:
    out = np.zeros((len(groups), words), dtype=np.uint64)
    for i, group in enumerate(groups):
        for tag in group:
            bit = bit_of[tag]
            out[i, bit >> 6] |= np.uint64(1) << np.uint64(bit & 63)
    return out


def _base_points(
    row_attrs: tuple[np.ndarray, np.ndarray, np.ndarray],
    col_attrs: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
) -> np.ndarray:
    """Points other than shared tags, for every (row, column): int8, same rules as score_pair."""
    r_dept, r_level, r_loc = row_attrs
    c_dept, c_level, c_loc, c_room = col_attrs
    points = (r_dept[:, None] != c_dept[None, :]).astype(np.int8) * np.int8(POINTS_OTHER_DEPARTMENT)
    gap = c_level[None, :].astype(np.int16) - r_level[:, None].astype(np.int16)
    # gap <= 0: nothing; 1..3: close; >= 4: wide. Index np.clip(gap, 0, 4) into a table.
    gap_points = np.array(
        [0, POINTS_GAP_CLOSE, POINTS_GAP_CLOSE, POINTS_GAP_CLOSE, POINTS_GAP_WIDE], dtype=np.int8
    )
    points += gap_points[np.clip(gap, 0, 4)]
    # Empty locations are coded -1 for mentors and -2 for mentorees, so they never match.
    points += (r_loc[:, None] == c_loc[None, :]).astype(np.int8) * np.int8(POINTS_SAME_LOCATION)
    points += c_room[None, :]
    return points


def _encode(cohort: Cohort) -> _Encoded:
    mentors, mentorees = cohort.mentors, cohort.mentorees
    all_tags = sorted({t for p in (*mentors, *mentorees) for t in p.tags})
    bit_of = {tag: bit for bit, tag in enumerate(all_tags)}
    words = max(1, -(-len(all_tags) // 64))
    departments: dict[str, int] = {}
    locations: dict[str, int] = {}
    row_loc = np.array(
        [locations.setdefault(p.location, len(locations)) if p.location else -2 for p in mentorees],
        dtype=np.int32,
    )
    col_loc = np.array(
        [locations.setdefault(p.location, len(locations)) if p.location else -1 for p in mentors],
        dtype=np.int32,
    )
    row_attrs = (
        _codes([p.department for p in mentorees], departments),
        np.array([p.level for p in mentorees], dtype=np.int32),
        row_loc,
    )
    capacity = np.array([p.capacity_left for p in mentors], dtype=np.int32)
    col_attrs = (
        _codes([p.department for p in mentors], departments),
        np.array([p.level for p in mentors], dtype=np.int32),
        col_loc,
        np.where(capacity > 1, POINTS_ROOM_LEFT, 0).astype(np.int8),
    )
    # Distinct (department, level, location[, room]) profiles on each side: the points other
    # than tags depend on nothing else, so one small table replaces four passes per cell.
    row_keys = np.stack(row_attrs, axis=1) if mentorees else np.zeros((0, 3), np.int32)
    col_keys = (
        np.stack([a.astype(np.int32) for a in col_attrs], axis=1)
        if mentors
        else np.zeros((0, 4), np.int32)
    )
    row_unique, row_profile = np.unique(row_keys, axis=0, return_inverse=True)
    col_unique, col_profile = np.unique(col_keys, axis=0, return_inverse=True)
    table = None
    if len(row_unique) * len(col_unique) <= PROFILE_TABLE_MAX:
        table = _base_points(
            (row_unique[:, 0], row_unique[:, 1], row_unique[:, 2]),
            (
                col_unique[:, 0],
                col_unique[:, 1],
                col_unique[:, 2],
                col_unique[:, 3].astype(np.int8),
            ),
        )
    tag_points = (
        np.minimum(np.arange(64 * words + 1), MAX_SHARED_TAGS) * POINTS_PER_SHARED_TAG
    ).astype(np.int8)
    # Forbidden cells as CSR rows (mentoree) -> mentor columns.
    per_row: dict[int, list[int]] = {}
    for mentor_id, mentoree_id in cohort.forbidden:
        c = cohort.mentor_index.get(mentor_id)
        r = cohort.mentoree_index.get(mentoree_id)
        if c is not None and r is not None:
            per_row.setdefault(r, []).append(c)
    counts = np.zeros(len(mentorees) + 1, dtype=np.int64)
    for r, cols in per_row.items():
        counts[r + 1] = len(cols)
    indptr = np.cumsum(counts)
    forbidden_cols = np.zeros(int(indptr[-1]), dtype=np.int64)
    for r, cols in per_row.items():
        forbidden_cols[indptr[r] : indptr[r + 1]] = sorted(cols)
    return _Encoded(
        rows=len(mentorees),
        cols=len(mentors),
        row_tags=_bitsets([p.tags for p in mentorees], bit_of, words),
        col_tags=_bitsets([p.tags for p in mentors], bit_of, words),
        row_profile=row_profile.reshape(-1).astype(np.int32),
        col_profile=col_profile.reshape(-1).astype(np.int32),
        table=table,
        row_attrs=row_attrs,
        col_attrs=col_attrs,
        tag_points=tag_points,
        forbidden_indptr=indptr,
        forbidden_cols=forbidden_cols,
        capacity=capacity,
    )


def score_rows(cohort: Cohort, rows: np.ndarray) -> np.ndarray:
    """Scores of the given mentoree rows against every mentor: int8, -1 where forbidden."""
    enc = cohort.encoded
    rows = np.asarray(rows, dtype=np.int64)
    shared = np.bitwise_count(enc.row_tags[rows, 0][:, None] & enc.col_tags[None, :, 0])
    for word in range(1, enc.row_tags.shape[1]):
        shared += np.bitwise_count(enc.row_tags[rows, word][:, None] & enc.col_tags[None, :, word])
    scores = enc.tag_points[shared]
    if enc.table is not None:
        scores += enc.table[enc.row_profile[rows][:, None], enc.col_profile[None, :]]
    else:
        scores += _base_points(tuple(a[rows] for a in enc.row_attrs), enc.col_attrs)  # type: ignore[arg-type]
    starts, stops = enc.forbidden_indptr[rows], enc.forbidden_indptr[rows + 1]
    counts = stops - starts
    if counts.any():
        local = np.repeat(np.arange(len(rows)), counts)
        offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        scores[local, enc.forbidden_cols[np.repeat(starts, counts) + offsets]] = -1
    return scores


def _blocks(rows: np.ndarray, cols: int) -> Iterator[np.ndarray]:
    size = max(1, BLOCK_CELLS // max(cols, 1))
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def score_matrix(cohort: Cohort) -> np.ndarray:
    """Every mentoree (row) against every mentor (column): int8, -1 where forbidden."""
    enc = cohort.encoded
    out = np.empty((enc.rows, enc.cols), dtype=np.int8)
    rows = np.arange(enc.rows)
    for block in _blocks(rows, enc.cols):
        out[block] = score_rows(cohort, block)
    return out


# --- Pins and the plan -----------------------------------------------------------------------


@dataclass(frozen=True)
class MatchPair:
    mentor_id: int
    mentoree_id: int
    score: int
    pinned: bool = False


@dataclass
class MatchingResult:
    pairs: list[MatchPair]
    total_score: int
    upper_bound: int
    mentorees_considered: int
    unmatched: int
    problems: list[str]
    seconds: float
    solver: str
    slots: int
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step

    @property
    def ratio(self) -> float:
        return self.total_score / self.upper_bound if self.upper_bound else 1.0


@dataclass
class _Plan:
    """The cohort after the pins: what is fixed, what is left to optimise."""

    pinned: list[MatchPair]
    pinned_rows: set[int]
    free_rows: np.ndarray
    slots: np.ndarray  # places left per mentor column after the pins
    problems: list[str]


def _apply_pins(cohort: Cohort) -> _Plan:
    """Valid pins take one of their mentor's places; an invalid one is reported and ignored."""
    slots = cohort.encoded.capacity.copy()
    pinned: list[MatchPair] = []
    pinned_rows: set[int] = set()
    problems: list[str] = []
    for pin in cohort.pins:
        c = cohort.mentor_index.get(pin.mentor_id)
        r = cohort.mentoree_index.get(pin.mentoree_id)
        reason = ""
        if pin.mentor_id == pin.mentoree_id:
            reason = "a person cannot mentor themselves"
        elif pin.mentor_group_only:
            reason = (
                f"{pin.mentor_name} is at the group-only level and leads group sessions "
                "instead (F4)"
            )
        elif c is None:
            reason = (
                f"{pin.mentor_name} is not an available mentor of this program (admitted, "
                "active, commitment accepted, with room left)"
            )
        elif r is None:
            reason = (
                f"{pin.mentoree_name} is not an available mentoree of this program (admitted, "
                "active, commitment accepted, without a mentor yet)"
            )
        elif r in pinned_rows:
            reason = f"{pin.mentoree_name} is already pinned to another mentor"
        elif not cohort.allowed(cohort.mentors[c], cohort.mentorees[r]):
            reason = f"{pin.mentor_name} and {pin.mentoree_name} are in the same management chain"
        elif slots[c] <= 0:
            reason = f"{pin.mentor_name} has no room left for another mentoree"
        if reason or c is None or r is None:
            problems.append(
                f"The pin of {pin.mentor_name} with {pin.mentoree_name} was ignored: {reason}."
            )
            continue
        slots[c] -= 1
        pinned_rows.add(r)
        score, _ = score_pair(cohort.mentors[c], cohort.mentorees[r])
        pinned.append(MatchPair(pin.mentor_id, pin.mentoree_id, score, pinned=True))
    free_rows = np.array(
        [r for r in range(len(cohort.mentorees)) if r not in pinned_rows], dtype=np.int64
    )
    return _Plan(pinned, pinned_rows, free_rows, slots, problems)


def _weights(scores: np.ndarray, n: int) -> np.ndarray:
    """Internal objective of each cell: score * (n + 1) + 1 when allowed, 0 when forbidden.

    The +1 makes a score-0 pair worth more than no pair; scaling the score by n + 1 keeps the
    sum of all those +1s below one point of score, so the total score always comes first.
    """
    weights = scores.astype(np.float64) * (n + 1) + 1.0
    weights[scores < 0] = 0.0
    return weights


def _solve_exact(
    cohort: Cohort, plan: _Plan, progress: Callable[[int], None]
) -> tuple[list[tuple[int, int, int]], int]:
    rows = plan.free_rows
    scores = np.empty((len(rows), cohort.encoded.cols), dtype=np.int8)
    for start, block in _block_starts(rows, cohort.encoded.cols):
        scores[start : start + len(block)] = score_rows(cohort, block)
    bound = int(np.maximum(scores.max(axis=1, initial=-1), 0).sum())
    progress(60)
    slot_mentor = np.repeat(np.arange(cohort.encoded.cols), plan.slots)
    if len(rows) == 0 or len(slot_mentor) == 0:
        return [], bound
    weights = _weights(np.take(scores, slot_mentor, axis=1), len(rows))
    # Minimising the negated weights is maximising them, without the copy maximize=True makes.
    np.negative(weights, out=weights)
    r, c = linear_sum_assignment(weights)
    keep = weights[r, c] < 0
    mentors = slot_mentor[c[keep]]
    matched = rows[r[keep]]
    chosen = scores[r[keep], mentors]
    return list(zip(matched.tolist(), mentors.tolist(), chosen.tolist(), strict=True)), bound


def _block_starts(rows: np.ndarray, cols: int) -> Iterator[tuple[int, np.ndarray]]:
    start = 0
    for block in _blocks(rows, cols):
        yield start, block
        start += len(block)


def _jitter(rows: np.ndarray, cols: int) -> np.ndarray:
    """A fixed pseudo-random tie-break in 0..63 for every (row, column), so equal-score
    candidates are spread over the mentors instead of everyone listing the same few."""
    col_part = (np.arange(cols, dtype=np.uint32) * np.uint32(2654435761)) >> np.uint32(26)
    row_part = (rows.astype(np.uint32) * np.uint32(40503)) >> np.uint32(6)
    return ((col_part[None, :] + row_part[:, None]) & np.uint32(63)).astype(np.int16)


def _candidates(
    cohort: Cohort, rows: np.ndarray, slots: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """The k best allowed mentors with room for each row: (rows, mentors, scores), and the
    upper bound of those rows (best allowed score, whatever the room)."""
    cols = cohort.encoded.cols
    no_room = slots <= 0
    out_rows, out_cols, out_scores = [], [], []
    bound = 0
    for block in _blocks(rows, cols):
        scores = score_rows(cohort, block)
        bound += int(np.maximum(scores.max(axis=1, initial=-1), 0).sum())
        scores[:, no_room] = -1
        # int16 keys (score * 64 + jitter): the partition below is the costliest step.
        key = scores.astype(np.int16) * np.int16(64) + _jitter(block, cols)
        if cols > k:
            top = np.argpartition(key, cols - k, axis=1)[:, cols - k :]
        else:
            top = np.broadcast_to(np.arange(cols), (len(block), cols))
        top_scores = np.take_along_axis(scores, top, axis=1)
        ok = top_scores >= 0
        out_rows.append(np.broadcast_to(block[:, None], top.shape)[ok])
        out_cols.append(top[ok])
        out_scores.append(top_scores[ok])
    if not out_rows:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty.astype(np.int8), bound
    return (
        np.concatenate(out_rows),
        np.concatenate(out_cols).astype(np.int64),
        np.concatenate(out_scores),
        bound,
    )


def _solve_sparse(
    cohort: Cohort, plan: _Plan, progress: Callable[[int], None], k: int
) -> tuple[list[tuple[int, int, int]], int]:
    rows = plan.free_rows
    n = len(rows)
    cand_rows, cand_cols, cand_scores, bound = _candidates(cohort, rows, plan.slots, k)
    progress(60)
    if n == 0:
        return [], bound
    # Expand each candidate over its mentor's places: one edge per capacity slot.
    slot_start = np.concatenate([[0], np.cumsum(plan.slots)])[:-1]
    per = plan.slots[cand_cols].astype(np.int64)
    total = int(per.sum())
    edge_local = np.repeat(np.searchsorted(rows, cand_rows), per)
    first = np.repeat(np.cumsum(per) - per, per)
    edge_slot = np.repeat(slot_start[cand_cols], per) + (np.arange(total) - first)
    edge_score = np.repeat(cand_scores, per)
    slot_count = int(plan.slots.sum())
    # Costs are positive (a sparse matrix has no explicit zeros): K - weight, and each row's
    # private dummy column costs K, the value of leaving that mentoree unmatched.
    big = float(MAX_SCORE * (n + 1) + 2)
    costs = np.concatenate([big - _weights(edge_score, n), np.full(n, big)])
    graph = csr_matrix(
        (
            costs,
            (
                np.concatenate([edge_local, np.arange(n)]),
                np.concatenate([edge_slot, slot_count + np.arange(n)]),
            ),
        ),
        shape=(n, slot_count + n),
    )
    r, c = min_weight_full_bipartite_matching(graph)
    real = c < slot_count
    slot_mentor = np.repeat(np.arange(cohort.encoded.cols), plan.slots)
    mentors = slot_mentor[c[real]]
    matched_local = r[real]
    # The score of each chosen edge, looked up among the candidates by (row, mentor).
    cols = cohort.encoded.cols
    keys = cand_rows * cols + cand_cols
    order = np.argsort(keys)
    matched_rows = rows[matched_local]
    found = order[np.searchsorted(keys, matched_rows * cols + mentors, sorter=order)]
    assigned = list(
        zip(matched_rows.tolist(), mentors.tolist(), cand_scores[found].tolist(), strict=True)
    )
    # Anyone left out whose candidates were all taken: the best mentor with room left.
    used = np.bincount(mentors, minlength=cohort.encoded.cols)
    room = plan.slots - used
    left_out = np.setdiff1d(rows, rows[matched_local])
    assigned.extend(_fill(cohort, left_out, room))
    return assigned, bound


def _fill(cohort: Cohort, rows: np.ndarray, room: np.ndarray) -> list[tuple[int, int, int]]:
    """Give each row in turn its best allowed mentor with room left (room is updated)."""
    out: list[tuple[int, int, int]] = []
    for block in _blocks(rows, cohort.encoded.cols):
        if room.sum() <= 0:
            break
        scores = score_rows(cohort, block)
        for i, row in enumerate(block.tolist()):
            masked = np.where(room > 0, scores[i], -1)
            best = int(masked.argmax())
            if masked[best] >= 0:
                room[best] -= 1
                out.append((row, best, int(masked[best])))
    return out


def _result(
    cohort: Cohort,
    plan: _Plan,
    assigned: list[tuple[int, int, int]],
    bound: int,
    solver: str,
    started: float,
) -> MatchingResult:
    pairs = list(plan.pinned) + [
        MatchPair(cohort.mentors[c].employee_id, cohort.mentorees[r].employee_id, score)
        for r, c, score in assigned
    ]
    return MatchingResult(
        pairs=pairs,
        total_score=sum(p.score for p in pairs),
        upper_bound=bound + sum(p.score for p in plan.pinned),
        mentorees_considered=len(cohort.mentorees),
        unmatched=len(cohort.mentorees) - len(pairs),
        problems=plan.problems,
        seconds=time.perf_counter() - started,
        solver=solver,
        slots=int(cohort.encoded.capacity.sum()),
    )


def solve(
    cohort: Cohort,
    *,
    method: str = "auto",
    k: int = CANDIDATES_PER_MENTOREE,
    progress: Callable[[int], None] | None = None,
) -> MatchingResult:
    """The proposal: pins first, then the assignment of everyone else that maximises the total
    score (exactly, or with the sparse solver for cohorts above EXACT_MAX_CELLS)."""
    started = time.perf_counter()
    marks: dict[int, float] = {}

    def report(percent: int) -> None:
        marks[percent] = time.perf_counter()
        if progress is not None:
            progress(percent)

    plan = _apply_pins(cohort)
    cells = len(plan.free_rows) * int(plan.slots.sum())
    if method == "auto":
        method = "exact" if cells <= EXACT_MAX_CELLS else "sparse"
    if method == "exact":
        assigned, bound = _solve_exact(cohort, plan, report)
    elif method == "sparse":
        assigned, bound = _solve_sparse(cohort, plan, report, k)
    else:
        raise ValueError(f"Unknown matching method {method!r}.")
    solved = time.perf_counter()
    result = _result(cohort, plan, assigned, bound, method, started)
    result.timings = {"score": marks[60] - started, "solve": solved - marks[60]}
    report(90)
    return result


def greedy(cohort: Cohort) -> MatchingResult:
    """The baseline: pins first, then the highest-score allowed pair whose mentor has room,
    again and again. Each mentoree keeps a short sorted list of candidates and is re-scored
    in full only when all of them are taken."""
    started = time.perf_counter()
    plan = _apply_pins(cohort)
    room = plan.slots.copy()
    k = 64
    cand_rows, cand_cols, cand_scores, bound = _candidates(cohort, plan.free_rows, room, k)
    lists: dict[int, list[tuple[int, int]]] = {}
    order = np.lexsort((cand_cols, -cand_scores.astype(np.int16), cand_rows))
    for r, c, s in zip(
        cand_rows[order].tolist(),
        cand_cols[order].tolist(),
        cand_scores[order].tolist(),
        strict=True,
    ):
        lists.setdefault(r, []).append((s, c))
    heap = [(-options[0][0], r, 0) for r, options in lists.items()]
    heapq.heapify(heap)
    assigned: list[tuple[int, int, int]] = []
    refilled: set[int] = set()
    places = int(room.sum())
    while heap and places > 0:
        _, r, i = heapq.heappop(heap)
        score, c = lists[r][i]
        if room[c] > 0:
            room[c] -= 1
            places -= 1
            assigned.append((r, c, score))
            continue
        i += 1
        if i == len(lists[r]) and r not in refilled:
            # Every listed candidate is full: rescore the row against mentors with room left.
            refilled.add(r)
            scores = np.where(room > 0, score_rows(cohort, np.array([r]))[0], -1)
            allowed = np.flatnonzero(scores >= 0)
            best = allowed[np.lexsort((allowed, -scores[allowed].astype(np.int16)))]
            lists[r] = [(int(scores[c]), int(c)) for c in best]
            i = 0
        if i < len(lists[r]):
            heapq.heappush(heap, (-lists[r][i][0], r, i))
    return _result(cohort, plan, assigned, bound, "greedy", started)


def pin_problems(*, program: Program) -> list[str]:
    """Why any of the program's pins would be ignored by a run started now, in words.

    Reads the whole cohort (five queries): for the matching page until the run row can keep
    the problems its solve reported.
    """
    return _apply_pins(load_cohort(program=program)).problems


def upper_bound(cohort: Cohort) -> int:
    """Each mentoree's best allowed score, summed, ignoring capacity (pinned ones: the pin)."""
    plan = _apply_pins(cohort)
    total = sum(p.score for p in plan.pinned)
    for block in _blocks(plan.free_rows, cohort.encoded.cols):
        total += int(np.maximum(score_rows(cohort, block).max(axis=1, initial=-1), 0).sum())
    return total


# --- Runs: start, execute, review, publish ---------------------------------------------------


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def _require_coordinator(*, user: User, program: Program) -> None:
    if not is_coordinator(user=user, program=program):
        raise _refuse("Only a coordinator of this program can do that.", "not_coordinator")


@transaction.atomic
def matching_run_start(*, program: Program, by: User) -> MatchingRun:
    """Queue a whole-cohort matching run; the task starts once this transaction commits.

    The program row is locked while checking for a run in progress, so two coordinators
    pressing the button at once get one run, not two.
    """
    _require_coordinator(user=by, program=program)
    program = Program.objects.select_for_update().get(pk=program.pk)
    if not program.has_mentors:
        raise _refuse(
            "This is a group program: it has no one-to-one pairs to match.", "group_program"
        )
    if program.status == Program.Status.CLOSED:
        raise _refuse("This program is closed.", "closed")
    in_progress = MatchingRun.objects.filter(program=program, status__in=IN_PROGRESS)
    stale = timezone.now() - timedelta(seconds=STALE_RUN_AFTER_SECONDS)
    in_progress.filter(created_at__lt=stale).update(
        status=MatchingRun.Status.FAILED,
        error="Stopped: the worker did not finish it in time.",
        finished_at=timezone.now(),
    )
    if in_progress.exists():
        raise _refuse(
            "A matching run of this program is already under way: wait for it to finish.",
            "in_progress",
        )
    run = MatchingRun(program=program, started_by=by)
    run.full_clean()
    run.save()
    from pairings.tasks import run_matching

    transaction.on_commit(lambda: run_matching.delay(run.pk))
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
    _require_coordinator(user=by, program=run.program)
    if run.status != MatchingRun.Status.DONE:
        raise _refuse(
            "Only a finished proposal that is not yet published can be changed.", "not_done"
        )


def _locked_run(run_id: int) -> MatchingRun:
    return MatchingRun.objects.select_for_update().select_related("program").get(pk=run_id)


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


def _participant(program: Program, employee: Employee, role: str) -> Participant:
    """One participant as matching sees them (tags of their admission, mentor's room left)."""
    application = (
        Application.objects.filter(
            program=program, applicant=employee, role=role, status=Application.Status.ADMITTED
        )
        .prefetch_related("tags")
        .first()
    )
    tags = frozenset(t.pk for t in application.tags.all()) if application else frozenset()
    left = 0
    if application is not None and role == Application.Role.MENTOR:
        live = Pairing.objects.filter(
            program=program, mentor=employee, status__in=Pairing.LIVE
        ).count()
        left = (application.mentor_capacity or program.default_mentor_capacity) - live
    return Participant(
        employee_id=employee.pk,
        name=employee.full_name,
        department=employee.department,
        level=employee.level,
        location=employee.location,
        tags=tags,
        capacity_left=left,
    )


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
def proposal_swap(*, first: ProposedPair, second: ProposedPair, by: User) -> None:
    """Exchange the mentors of two rows of the same proposal, and rescore both.

    Refused when either new pair breaks a hard constraint (same person, management chain,
    group-only mentor), or when a row was pinned by the coordinator before the run.
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
        raise _refuse("Choose two different rows of the same proposal.", "not_same_run")
    a, b = rows[first.pk], rows[second.pk]
    if a.pinned or b.pinned:
        raise _refuse(
            "A pinned pair stays as it was fixed: remove the pin and run again to change it.",
            "pinned",
        )
    if a.mentor_id == b.mentor_id:
        raise _refuse("Both rows already have the same mentor.", "same_mentor")
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
    mentor_a = _participant(program, a.mentor, Application.Role.MENTOR)
    mentor_b = _participant(program, b.mentor, Application.Role.MENTOR)
    a.mentor, b.mentor = b.mentor, a.mentor
    a.score, _ = score_pair(mentor_b, _participant(program, a.mentoree, Application.Role.MENTOREE))
    b.score, _ = score_pair(mentor_a, _participant(program, b.mentoree, Application.Role.MENTOREE))
    for row in (a, b):
        row.save(update_fields=["mentor", "score"])
    _refresh_totals(run)


@transaction.atomic
def pin_add(*, program: Program, mentor: Employee, mentoree: Employee, by: User) -> Pin:
    """Fix a pair before the next run. Refused when the pair could not be proposed now
    (every reason `pairing_refusals` gives), when the mentoree is already pinned, or when the
    mentor's pins would exceed their room left."""
    _require_coordinator(user=by, program=program)
    program = Program.objects.select_for_update().get(pk=program.pk)
    reasons = pairing_refusals(program=program, mentor=mentor, mentoree=mentoree)
    if reasons:
        raise ValidationError(reasons, code="constraint")
    if Pin.objects.filter(program=program, mentoree=mentoree).exists():
        raise _refuse(
            f"{mentoree.full_name} is already pinned to a mentor: remove that pin first.",
            "already_pinned",
        )
    if (
        _participant(program, mentor, Application.Role.MENTOR).capacity_left
        <= Pin.objects.filter(program=program, mentor=mentor).count()
    ):
        raise _refuse(
            f"{mentor.full_name} has no room left for another pinned mentoree.", "no_room"
        )
    pin = Pin(program=program, mentor=mentor, mentoree=mentoree)
    pin.full_clean()
    pin.save()
    return pin


@transaction.atomic
def pin_remove(*, pin: Pin, by: User) -> None:
    _require_coordinator(user=by, program=pin.program)
    pin.delete()


@transaction.atomic
def matching_run_publish(*, run: MatchingRun, by: User) -> int:
    """Propose every pairing of the proposal, all or nothing; returns how many were made.

    Each row goes through pairing_propose, so every hard constraint is checked again against
    the program as it is now, and both members are told. If any row is refused (the cohort
    changed since the run), every refused row is listed and nothing is created: the whole
    transaction rolls back. The run row is locked, so one proposal is published once.
    """
    run = _locked_run(run.pk)
    _require_reviewable(run, by)
    program = run.program
    refused: list[str] = []
    created = 0
    for pair in run.pairs.select_related("mentor", "mentoree").order_by("pk"):
        try:
            with transaction.atomic():
                pairing_propose(
                    program=program,
                    mentor=pair.mentor,
                    mentoree=pair.mentoree,
                    by=by,
                    score=pair.score,
                )
        except ValidationError as exc:
            refused.append(
                f"{pair.mentor.full_name} and {pair.mentoree.full_name}: " + " ".join(exc.messages)
            )
        else:
            created += 1
    if refused:
        raise ValidationError(refused, code="refused")
    run.status = MatchingRun.Status.PUBLISHED
    run.save(update_fields=["status"])
    Pin.objects.filter(program=program).delete()
    return created
