"""The cohort as the solver sees it, and its scores computed with numpy a block at a time.

Plain data and arithmetic, no database and no Django: `pairings.matching.cohort` reads a
`Cohort` from the database, and the solver (`pairings.matching.solver`) and the greedy
baseline (`pairings.matching.greedy`) score it here.

Scores are computed a block of mentoree rows at a time and equal `pairings.scoring.score_pair`
for every allowed pair (a test holds the two equal). Tag sets are 64-bit bitsets; the points
other than tags depend only on (department, level, location, room left), so one small table of
distinct profiles replaces four passes per cell when it fits in PROFILE_TABLE_MAX.

For big cohorts the sparse solver needs only each mentoree's best few mentors:
`pairings.matching.candidates` finds them without scoring most cells.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from pairings.scoring import (
    MAX_SHARED_TAGS,
    POINTS_GAP_CLOSE,
    POINTS_GAP_WIDE,
    POINTS_OTHER_DEPARTMENT,
    POINTS_PER_SHARED_TAG,
    POINTS_ROOM_LEFT,
    POINTS_SAME_LOCATION,
    Participant,
)

# Cells scored at a time: bounds the memory of the numpy temporaries whatever the cohort size.
BLOCK_CELLS = 2_000_000
# Largest table of points for (mentoree profile, mentor profile) before scoring cell by cell.
PROFILE_TABLE_MAX = 4_000_000

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
    # One Python int per tag set (fast), then cut into 64-bit words.
    masks = [sum(1 << bit_of[tag] for tag in group) for group in groups]
    out = np.zeros((len(groups), words), dtype=np.uint64)
    low = (1 << 64) - 1
    for word in range(words):
        out[:, word] = np.fromiter(
            ((mask >> (64 * word)) & low for mask in masks), dtype=np.uint64, count=len(masks)
        )
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


def row_blocks(rows: np.ndarray, cols: int) -> Iterator[np.ndarray]:
    size = max(1, BLOCK_CELLS // max(cols, 1))
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def score_matrix(cohort: Cohort) -> np.ndarray:
    """Every mentoree (row) against every mentor (column): int8, -1 where forbidden."""
    enc = cohort.encoded
    out = np.empty((enc.rows, enc.cols), dtype=np.int8)
    rows = np.arange(enc.rows)
    for block in row_blocks(rows, enc.cols):
        out[block] = score_rows(cohort, block)
    return out
