"""The greedy baseline the benchmark (`manage.py bench_matching`) compares the solver with.

Pure numpy like the solver, no Django. It is not used by matching runs: it shows how much the
optimal assignment gains over taking the best pair still possible, again and again.
"""

from __future__ import annotations

import heapq
import time

import numpy as np

from pairings.matching.scores import Cohort, score_rows
from pairings.matching.solver import MatchingResult, apply_pins, candidates, matching_result


def greedy(cohort: Cohort) -> MatchingResult:
    """The baseline: pins first, then the highest-score allowed pair whose mentor has room,
    again and again. Each mentoree keeps a short sorted list of candidates and is re-scored
    in full only when all of them are taken."""
    started = time.perf_counter()
    plan = apply_pins(cohort)
    room = plan.slots.copy()
    k = 64
    cand_rows, cand_cols, cand_scores, bound = candidates(cohort, plan.free_rows, room, k)
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
    return matching_result(cohort, plan, assigned, bound, "greedy", started)
