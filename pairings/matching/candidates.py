"""The best few mentors of each mentoree without scoring every cell, for the sparse solver.

Mentorees are taken one profile at a time; that profile splits the mentors into levels of
equal points other than tags, visited from the highest, and a mentoree stops once its k-th
best score is above anything a later level can give (its points plus the most tag points the
mentoree can get). The answer equals scoring every cell (`pairings.matching.scores`) and
keeping each row's k best by the solver's key, ties broken by the same jitter: a test holds
the two equal on random cohorts.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from pairings.matching.scores import Cohort, _Encoded
from pairings.scoring import MAX_SCORE, MAX_SHARED_TAGS

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
