"""The cohort as the solver sees it, and its scores computed with numpy a block at a time.

Plain data and arithmetic, no database and no Django: `pairings.matching.cohort` reads a
`Cohort` from the database, and the solver (`pairings.matching.solver`) and the greedy
baseline (`pairings.matching.greedy`) score it here.

Scores are computed a block of mentoree rows at a time and equal `pairings.scoring.score_pair`
for every allowed pair (a test holds the two equal). Tag sets are 64-bit bitsets; the points
other than tags depend only on (department, level, location, room left), so one small table of
distinct profiles replaces four passes per cell when it fits in PROFILE_TABLE_MAX.

For big cohorts the sparse solver needs only each mentoree's best few mentors:
`bounded_candidates` finds them without scoring most cells (a test holds its answer equal to
scoring every cell).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

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


# --- The best candidates of each row without scoring every cell ------------------------------

# Shared-tag counts of the cells of a level held at a time per chunk of rows (uint8).
CHUNK_CELLS = 2_000_000
# Threads scoring chunks of rows at once (numpy releases the GIL in the heavy loops).
THREADS = max(1, min(2, os.cpu_count() or 1))
# A cell whose shared-tag count is set to this is forbidden or its mentor has no room.
_MARKED = 255
# Candidates found: (rows, mentor columns, scores) and the upper bound of the rows.
_Found = tuple[np.ndarray, np.ndarray, np.ndarray, int]


def jitter_parts(rows: np.ndarray, cols: int) -> tuple[np.ndarray, np.ndarray]:
    """The row and column parts of the solver's tie-break: the jitter of (row, column) is
    `(row part + column part) & 63`, a fixed pseudo-random number in 0..63."""
    col_part = (np.arange(cols, dtype=np.uint32) * np.uint32(2654435761)) >> np.uint32(26)
    row_part = (rows.astype(np.uint32) * np.uint32(40503)) >> np.uint32(6)
    return (row_part & np.uint32(63)).astype(np.int64), (col_part & np.uint32(63)).astype(np.int64)


@dataclass
class _Levels:
    """One mentoree profile's view of the mentors: the distinct points other than tags it gets
    from them, highest first, and the mentor columns at each level."""

    points: np.ndarray  # (levels,) int64, decreasing
    cols: list[np.ndarray]  # mentor columns of each level
    level_of_profile: np.ndarray  # (mentor profiles,) level of each mentor profile
    offset: np.ndarray  # (mentor profiles,) where the profile's columns start in its level
    rank: np.ndarray  # (cols,) place of each mentor column among its profile's
    col_profile: np.ndarray  # (cols,)

    def locate(self, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The level of each mentor column and its position within that level."""
        profile = self.col_profile[cols]
        return self.level_of_profile[profile], self.offset[profile] + self.rank[cols]


@dataclass
class _Search:
    enc: _Encoded
    k: int
    no_room: np.ndarray  # mentor columns without room
    tag_points: np.ndarray  # (cap + 1,) int64: points for 0..cap shared tags
    tag_max: np.ndarray  # (rows,) most tag points each mentoree can get
    row_jitter: np.ndarray
    col_jitter: np.ndarray


def bounded_candidates(
    cohort: Cohort, rows: np.ndarray, slots: np.ndarray, k: int, threads: int | None = None
) -> _Found:
    """For each row, the k allowed mentors with room of highest key `score * 64 + jitter`:
    (rows, mentors, scores) and the rows' upper bound, as scoring every cell would give.

    A score is the points of the (mentoree profile, mentor profile) pair plus the tag points,
    at most `tag_max` of the row. Mentoree rows are taken one profile at a time; that profile
    splits the mentors into levels of equal profile points, visited highest first, and only
    the shared-tag counts are computed there (one AND and one popcount per cell), with how many
    cells reach each score. A row stops as soon as its k-th best score is above anything a
    later level can give (the level's points plus `tag_max`), so every cell that can be among
    its k best has been seen; ties at the k-th score are decided by the same jitter as in
    `solver.candidates_full`. Chunks of rows run in `threads` threads.
    """
    enc = cohort.encoded
    if enc.table is None:
        raise ValueError("bounded_candidates needs the profile table (see PROFILE_TABLE_MAX)")
    table = enc.table
    cap = MAX_SHARED_TAGS
    tag_count = np.zeros(enc.rows, dtype=np.int64)
    for word in range(enc.row_tags.shape[1]):
        tag_count += np.bitwise_count(enc.row_tags[:, word])
    tag_points = enc.tag_points[: cap + 1].astype(np.int64)
    row_jitter, col_jitter = jitter_parts(np.arange(enc.rows), enc.cols)
    search = _Search(
        enc=enc,
        k=k,
        no_room=np.flatnonzero(slots <= 0),
        tag_points=tag_points,
        tag_max=tag_points[np.minimum(tag_count, cap)],
        row_jitter=row_jitter,
        col_jitter=col_jitter,
    )
    profile = enc.row_profile[rows]
    order = np.argsort(profile, kind="stable")
    rows, profile = rows[order], profile[order]
    edges = np.searchsorted(profile, np.arange(table.shape[0] + 1))
    size = max(1, CHUNK_CELLS // max(enc.cols, 1))
    by_profile = np.argsort(enc.col_profile, kind="stable")
    first = np.searchsorted(enc.col_profile[by_profile], np.arange(table.shape[1] + 1))
    rank = np.empty(enc.cols, dtype=np.int64)
    rank[by_profile] = np.arange(enc.cols) - first[enc.col_profile[by_profile]]
    groups = [(int(rp), rows[edges[rp] : edges[rp + 1]]) for rp in np.flatnonzero(np.diff(edges))]

    def one_profile(job: tuple[int, np.ndarray]) -> list[_Found]:
        # The levels of one mentoree profile exist only while its rows are searched.
        rp, group = job
        levels = _levels(table[rp], enc.col_profile, by_profile, first, rank)
        return [_chunk(search, group[s : s + size], levels) for s in range(0, len(group), size)]

    threads = THREADS if threads is None else threads
    if threads > 1 and len(groups) > 1:
        with ThreadPoolExecutor(threads) as pool:
            results = [r for done in pool.map(one_profile, groups) for r in done]
    else:
        results = [r for job in groups for r in one_profile(job)]
    bound = sum(r[3] for r in results)
    if not results:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty.astype(np.int8), bound
    return (
        np.concatenate([r[0] for r in results]),
        np.concatenate([r[1] for r in results]),
        np.concatenate([r[2] for r in results]),
        bound,
    )


def _levels(
    profile_points: np.ndarray,
    col_profile: np.ndarray,
    by_profile: np.ndarray,
    first: np.ndarray,
    rank: np.ndarray,
) -> _Levels:
    """The mentors as one mentoree profile sees them (`profile_points`: its row of the profile
    table). `by_profile` lists the mentor columns sorted by profile, `first` is where each
    profile starts in it, `rank` each column's place within its profile: the levels are runs
    of whole profiles, so nothing is sorted here."""
    points = profile_points.astype(np.int64)
    distinct = np.unique(points)[::-1]
    level_of_profile = np.searchsorted(-distinct, -points)
    profiles = np.argsort(level_of_profile, kind="stable")
    lengths = first[profiles + 1] - first[profiles]
    run_start = np.cumsum(lengths) - lengths
    by_level = by_profile[
        np.repeat(first[profiles] - run_start, lengths) + np.arange(int(lengths.sum()))
    ]
    sizes = np.bincount(level_of_profile, weights=first[1:] - first[:-1], minlength=len(distinct))
    starts = np.concatenate([[0], np.cumsum(sizes.astype(np.int64))])
    # Where each profile's run starts within its level.
    offset = np.empty(len(points), dtype=np.int64)
    offset[profiles] = run_start - starts[level_of_profile[profiles]]
    return _Levels(
        points=distinct,
        cols=[by_level[starts[i] : starts[i + 1]] for i in range(len(distinct))],
        level_of_profile=level_of_profile,
        offset=offset,
        rank=rank,
        col_profile=col_profile,
    )


def _count(shared: np.ndarray, cap: int) -> np.ndarray:
    """(rows, cap + 1) cells of each row: allowed, then allowed with >= 1 .. >= cap shared tags.

    Each count is one comparison and one `uint8` row sum (about 1 ns per cell for all four on
    this machine; a table lookup into packed `uint64` counters took 3.7 ns)."""
    out = np.empty((shared.shape[0], cap + 1), dtype=np.int64)
    marked = np.add.reduce((shared == _MARKED).view(np.uint8), axis=1, dtype=np.int32)
    out[:, 0] = shared.shape[1] - marked
    for c in range(1, cap + 1):
        out[:, c] = np.add.reduce((shared >= c).view(np.uint8), axis=1, dtype=np.int32) - marked
    return out


def _chunk(search: _Search, rows: np.ndarray, levels: _Levels) -> _Found:
    enc, k, tag_points = search.enc, search.k, search.tag_points
    cap = len(tag_points) - 1
    n = len(rows)
    words = enc.row_tags.shape[1]
    hist = np.zeros((n, MAX_SCORE + 1), dtype=np.int64)  # allowed cells with room, per score
    best = np.full(n, -1, dtype=np.int64)  # best allowed score, whatever the room
    theta = np.zeros(n, dtype=np.int64)  # k-th best score (0: take every allowed cell)
    tag_max = search.tag_max[rows]
    # The forbidden cells of these rows, by level and position in their level.
    starts, stops = enc.forbidden_indptr[rows], enc.forbidden_indptr[rows + 1]
    counts = stops - starts
    f_row = np.repeat(np.arange(n), counts)
    offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    f_col = enc.forbidden_cols[np.repeat(starts, counts) + offsets]
    f_level, f_pos = levels.locate(f_col)
    nr_level, nr_pos = levels.locate(search.no_room)
    active = np.arange(n)
    index_of = np.full(n, -1, dtype=np.int64)
    seen: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]] = []
    for level, cols in enumerate(levels.cols):
        if len(active) == 0:
            break
        points = int(levels.points[level])
        r = rows[active]
        shared = np.bitwise_count(enc.row_tags[r, 0][:, None] & enc.col_tags[cols, 0][None, :])
        for word in range(1, words):
            shared += np.bitwise_count(
                enc.row_tags[r, word][:, None] & enc.col_tags[cols, word][None, :]
            )
        if words * 64 >= _MARKED:
            np.minimum(shared, cap, out=shared)
        index_of[active] = np.arange(len(active))
        here = f_level == level
        f_local = index_of[f_row[here]]
        shared[f_local[f_local >= 0], f_pos[here][f_local >= 0]] = _MARKED
        index_of[active] = -1
        no_room = nr_pos[nr_level == level]
        if len(no_room):
            # Mentors without room count for the bound, never as candidates.
            room_less = shared[:, no_room]
            room_less = np.where(
                room_less == _MARKED, -1, points + tag_points[np.minimum(room_less, cap)]
            )
            best[active] = np.maximum(best[active], room_less.max(axis=1))
            shared[:, no_room] = _MARKED
        reach = _count(shared, cap)  # allowed, >= 1, ..., >= cap
        exactly = reach - np.concatenate([reach[:, 1:], np.zeros((len(active), 1), np.int64)], 1)
        for c in range(cap + 1):
            hist[active, points + tag_points[c]] += exactly[:, c]
        seen.append((level, active, shared, reach))
        # The k-th best score so far; done once nothing in a later level can reach it.
        from_top = np.cumsum(hist[active, ::-1], axis=1)
        enough = from_top[:, -1] >= k
        kth = np.where(enough, MAX_SCORE - np.argmax(from_top >= k, axis=1), 0)
        theta[active] = kth
        if level + 1 < len(levels.cols):
            done = enough & (kth > int(levels.points[level + 1]) + tag_max[active])
            active = active[~done]
    top_seen = MAX_SCORE - np.argmax(hist[:, ::-1] > 0, axis=1)
    best = np.maximum(best, np.where(hist.any(axis=1), top_seen, -1))
    bound = int(np.maximum(best, 0).sum())
    # Every cell scoring theta or more has been seen: take them, then the k best keys.
    out_rows, out_cols, out_scores = [], [], []
    for level, seen_rows, shared, reach in seen:
        points = int(levels.points[level])
        # Tags needed for theta: the fewest c with points + tag_points[c] >= theta.
        needed = np.searchsorted(tag_points, theta[seen_rows] - points)
        # Rows with a cell here that reaches theta (the counts say which; most have none).
        useful = needed <= cap
        useful[useful] = reach[np.flatnonzero(useful), needed[useful]] > 0
        if not useful.any():
            continue
        if not useful.all():
            shared, seen_rows, needed = shared[useful], seen_rows[useful], needed[useful]
        i, j = np.nonzero(shared >= needed[:, None].astype(np.uint8))
        count = shared[i, j]
        real = count != _MARKED
        i, j, count = i[real], j[real], count[real]
        out_rows.append(seen_rows[i])
        out_cols.append(levels.cols[level][j])
        out_scores.append(points + tag_points[np.minimum(count, cap)])
    if not out_rows:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty.astype(np.int8), bound
    local = np.concatenate(out_rows)
    cols_all = np.concatenate(out_cols)
    scores = np.concatenate(out_scores)
    keep = _top_keys(search, rows, local, cols_all, scores, theta, k)
    return rows[local[keep]], cols_all[keep], scores[keep].astype(np.int8), bound


def _top_keys(
    search: _Search,
    rows: np.ndarray,
    local: np.ndarray,
    cols: np.ndarray,
    scores: np.ndarray,
    theta: np.ndarray,
    k: int,
) -> np.ndarray:
    """Which of the cells (each scoring at least its row's theta) are among the k best keys
    of their row: all those above theta, and the ties at theta of highest jitter."""
    n = len(rows)
    jitter = (search.row_jitter[rows[local]] + search.col_jitter[cols]) & 63
    above = scores > theta[local]
    wanted = k - np.bincount(local[above], minlength=n)  # ties to take per row
    tie = ~above
    per_jitter = np.bincount(local[tie] * 64 + jitter[tie], minlength=n * 64).reshape(n, 64)
    from_top = np.cumsum(per_jitter[:, ::-1], axis=1)  # ties with jitter >= 63 - i
    reached = from_top >= wanted[:, None]
    step = np.where(reached.any(axis=1), np.argmax(reached, axis=1), 63)
    cut = 63 - step  # lowest jitter taken
    higher = np.where(step > 0, from_top[np.arange(n), np.maximum(step - 1, 0)], 0)
    at_cut = wanted - higher  # ties to take at the cut itself
    keep = above | (tie & (jitter > cut[local]))
    equal = np.flatnonzero(tie & (jitter == cut[local]))
    if len(equal):
        order = equal[np.argsort(local[equal], kind="stable")]
        group = local[order]
        first = np.searchsorted(group, group)
        rank = np.arange(len(order)) - first
        keep[order[rank < at_cut[group]]] = True
    return keep
