"""The pure solver: the assignment of mentorees to mentors that maximises the total score.

numpy and scipy only, no Django (a test imports this module in a clean interpreter and checks
that Django stays out): everything it needs comes in the `Cohort` it is given.

- The objective is the total score; among assignments with the best total, the one that pairs
  the most mentorees. Each allowed pair is worth `score * (n + 1) + 1` internally (n: the number
  of mentorees), so a score-0 pair is still worth more than leaving a mentoree out, and the
  tie-break can never outweigh a single point of score. Forbidden cells are worth exactly what
  an unassigned mentoree is worth (nothing), so dropping them afterwards loses nothing.
- Pins come first (`apply_pins`): a valid pin takes one of its mentor's places, an invalid one
  is reported in words and ignored.
- Each mentor is expanded into one column per place left (capacity slots). Up to
  EXACT_MAX_CELLS cells, `scipy.optimize.linear_sum_assignment` solves it exactly. Beyond, each
  mentoree keeps its CANDIDATES_PER_MENTOREE best mentors (ties spread by a fixed jitter so not
  everyone queues for the same person), found without scoring most cells
  (`candidates.bounded_candidates`), and `scipy.sparse.csgraph.min_weight_full_bipartite_matching`
  solves that sparse problem: first asking for everyone to be paired, and only if the
  candidates cannot pair everyone with a private dummy column per mentoree; a last pass gives
  any mentoree left out the best mentor who still has room.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from pairings.matching.candidates import bounded_candidates, jitter_parts
from pairings.matching.scores import Cohort, row_blocks, score_rows
from pairings.scoring import MAX_SCORE, score_pair

# Largest mentorees x capacity-slots matrix solved exactly (float64: 200 MB at the limit).
EXACT_MAX_CELLS = 25_000_000
# Candidates per mentoree kept by the sparse solver for bigger cohorts.
CANDIDATES_PER_MENTOREE = 40

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
class Plan:
    """The cohort after the pins: what is fixed, what is left to optimise."""

    pinned: list[MatchPair]
    pinned_rows: set[int]
    free_rows: np.ndarray
    slots: np.ndarray  # places left per mentor column after the pins
    problems: list[str]


def apply_pins(cohort: Cohort) -> Plan:
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
    return Plan(pinned, pinned_rows, free_rows, slots, problems)


def _weights(scores: np.ndarray, n: int) -> np.ndarray:
    """Internal objective of each cell: score * (n + 1) + 1 when allowed, 0 when forbidden.

    The +1 makes a score-0 pair worth more than no pair; scaling the score by n + 1 keeps the
    sum of all those +1s below one point of score, so the total score always comes first.
    """
    weights = scores.astype(np.float64) * (n + 1) + 1.0
    weights[scores < 0] = 0.0
    return weights


def _solve_exact(
    cohort: Cohort, plan: Plan, progress: Callable[[int], None]
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
    for block in row_blocks(rows, cols):
        yield start, block
        start += len(block)


def _jitter(rows: np.ndarray, cols: int) -> np.ndarray:
    """A fixed pseudo-random tie-break in 0..63 for every (row, column), so equal-score
    candidates are spread over the mentors instead of everyone listing the same few."""
    row_part, col_part = jitter_parts(rows, cols)
    return ((col_part[None, :] + row_part[:, None]) & 63).astype(np.int16)


def candidates_full(
    cohort: Cohort, rows: np.ndarray, slots: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """`candidates` by scoring every cell: the k best keys `score * 64 + jitter` of each row
    among its allowed mentors with room (the reference the bounded generator is held to)."""
    cols = cohort.encoded.cols
    no_room = slots <= 0
    out_rows, out_cols, out_scores = [], [], []
    bound = 0
    for block in row_blocks(rows, cols):
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
    return _joined(out_rows, out_cols, out_scores, bound)


def _joined(
    out_rows: list[np.ndarray], out_cols: list[np.ndarray], out_scores: list[np.ndarray], bound: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    if not out_rows:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty.astype(np.int8), bound
    return (
        np.concatenate(out_rows).astype(np.int64),
        np.concatenate(out_cols).astype(np.int64),
        np.concatenate(out_scores).astype(np.int8),
        bound,
    )


def candidates(
    cohort: Cohort, rows: np.ndarray, slots: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """The k best allowed mentors with room for each row: (rows, mentors, scores), and the
    upper bound of those rows (best allowed score, whatever the room).

    "Best" is the highest key `score * 64 + jitter`; the result has the same keys, row by row,
    as scoring every cell (`candidates_full`, a test holds them equal) without scoring most
    cells: see `pairings.matching.candidates.bounded_candidates`.
    """
    if cohort.encoded.table is None or cohort.encoded.cols == 0 or len(rows) == 0:
        return candidates_full(cohort, rows, slots, k)
    return bounded_candidates(cohort, np.asarray(rows, dtype=np.int64), slots, k)


def _solve_sparse(
    cohort: Cohort, plan: Plan, progress: Callable[[int], None], k: int
) -> tuple[list[tuple[int, int, int]], int]:
    rows = plan.free_rows
    n = len(rows)
    cand_rows, cand_cols, cand_scores, bound = candidates(cohort, rows, plan.slots, k)
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
    # Costs are positive (a sparse matrix has no explicit zeros): K - weight.
    big = float(MAX_SCORE * (n + 1) + 2)
    costs = big - _weights(edge_score, n)
    r, c = _full_matching(costs, edge_local, edge_slot, (n, slot_count), unmatched=big)
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


def _full_matching(
    costs: np.ndarray,
    edge_row: np.ndarray,
    edge_col: np.ndarray,
    shape: tuple[int, int],
    unmatched: float,
) -> tuple[np.ndarray, np.ndarray]:
    """The minimum-cost matching of the sparse graph that pairs every row if one exists
    (about twice as fast, as measured at 100,000 participants), else with a private dummy
    column per row costing `unmatched` (K, the value of leaving that mentoree out), so one
    always exists.

    Pairing everyone when the candidates allow it can in principle cost score that leaving a
    mentoree with a low-scoring option out would keep; on every cohort measured it did not
    (the 20,000 runs still equal the exact optimum)."""
    n, slot_count = shape
    if n <= slot_count:
        graph = csr_matrix((costs, (edge_row, edge_col)), shape=(n, slot_count))
        try:
            return min_weight_full_bipartite_matching(graph)
        except ValueError:
            pass  # no matching pairs everyone: let some mentorees go unmatched
    graph = csr_matrix(
        (
            np.concatenate([costs, np.full(n, unmatched)]),
            (
                np.concatenate([edge_row, np.arange(n)]),
                np.concatenate([edge_col, slot_count + np.arange(n)]),
            ),
        ),
        shape=(n, slot_count + n),
    )
    return min_weight_full_bipartite_matching(graph)


def _fill(cohort: Cohort, rows: np.ndarray, room: np.ndarray) -> list[tuple[int, int, int]]:
    """Give each row in turn its best allowed mentor with room left (room is updated)."""
    out: list[tuple[int, int, int]] = []
    for block in row_blocks(rows, cohort.encoded.cols):
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


def matching_result(
    cohort: Cohort,
    plan: Plan,
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

    plan = apply_pins(cohort)
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
    result = matching_result(cohort, plan, assigned, bound, method, started)
    result.timings = {"score": marks[60] - started, "solve": solved - marks[60]}
    report(90)
    return result


def upper_bound(cohort: Cohort) -> int:
    """Each mentoree's best allowed score, summed, ignoring capacity (pinned ones: the pin)."""
    plan = apply_pins(cohort)
    total = sum(p.score for p in plan.pinned)
    for block in row_blocks(plan.free_rows, cohort.encoded.cols):
        total += int(np.maximum(score_rows(cohort, block).max(axis=1, initial=-1), 0).sum())
    return total
