"""The sparse solver's candidates: the bounded generator gives what scoring every cell gives.

`pairings.matching.candidates.bounded_candidates` skips the mentors that cannot be among a
mentoree's k best; these tests hold it equal, row by row, to `solver.candidates_full` (every
cell scored, then `argpartition`): the same keys `score * 64 + jitter`, so the same scores and
the same tie-breaks, and the same upper bound, on random cohorts (Hypothesis), with forbidden
pairs, mentors without room, tag sets over several 64-bit words, and in one thread or two.
No database: the cohorts are built in memory.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from pairings.matching import scores as matching_scores
from pairings.matching import solver as matching_solver
from pairings.matching.candidates import bounded_candidates, jitter_parts
from pairings.matching.scores import Cohort
from pairings.matching.solver import candidates, candidates_full, solve
from pairings.scoring import Participant
from tests.pairings.test_matching import assert_valid, random_cohort

SETTINGS = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow],
    # The same examples on every run, and nothing written to a .hypothesis folder.
    "derandomize": True,
    "database": None,
    "print_blob": False,
}


def keys_by_row(result: tuple[np.ndarray, np.ndarray, np.ndarray, int]) -> dict[int, list[int]]:
    """Each row's candidate keys `score * 64 + jitter`, sorted: what the candidates are worth
    and how their ties were broken, whichever of several equal columns was picked."""
    rows, cols, scores, _ = result
    row_part, _ = jitter_parts(rows, 0)
    _, col_part = jitter_parts(np.zeros(0, dtype=np.int64), int(cols.max(initial=-1)) + 1)
    keys = scores.astype(np.int64) * 64 + ((row_part + col_part[cols]) & 63)
    out: dict[int, list[int]] = {}
    for row, key in zip(rows.tolist(), keys.tolist(), strict=True):
        out.setdefault(row, []).append(key)
    return {row: sorted(keys) for row, keys in out.items()}


def assert_same_candidates(cohort: Cohort, rows: np.ndarray, slots: np.ndarray, k: int) -> None:
    expected = candidates_full(cohort, rows, slots, k)
    for threads in (1, 2):
        got = bounded_candidates(cohort, rows, slots, k, threads=threads)
        assert got[3] == expected[3]  # the upper bound
        assert keys_by_row(got) == keys_by_row(expected)
        # Every candidate is an allowed mentor with room, scored as scoring every cell scores it.
        full = matching_scores.score_matrix(cohort)
        assert (slots[got[1]] > 0).all()
        assert (full[got[0], got[1]] == got[2]).all()
        assert len(set(zip(got[0].tolist(), got[1].tolist(), strict=True))) == len(got[0])


@st.composite
def cohorts(draw) -> tuple[Cohort, np.ndarray, np.ndarray, int]:
    seed = draw(st.integers(0, 10**6))
    mentors = draw(st.integers(1, 60))
    mentorees = draw(st.integers(1, 40))
    tags = draw(st.sampled_from([1, 5, 12, 40, 130]))
    rng = random.Random(seed)
    cohort = random_cohort(
        rng,
        mentors,
        mentorees,
        tags=tags,
        capacity=(1, 3),
        exclusions=draw(st.integers(0, mentors * mentorees // 3)),
    )
    # Some mentors without room (their places taken by pins) and a subset of the rows.
    slots = np.array([0 if rng.random() < 0.15 else m.capacity_left for m in cohort.mentors])
    rows = np.array(sorted(rng.sample(range(mentorees), rng.randint(1, mentorees))))
    k = draw(st.integers(1, 12))
    return cohort, rows, slots, k


@hypothesis_settings(max_examples=120, **SETTINGS)
@given(cohorts())
def test_bounded_candidates_equal_scoring_every_cell(case):
    assert_same_candidates(*case)


@pytest.mark.parametrize("seed", range(3))
def test_bounded_candidates_equal_scoring_every_cell_on_a_bigger_cohort(seed):
    """Hundreds of mentors sharing few profiles: most rows stop after the first levels."""
    rng = random.Random(900 + seed)
    cohort = random_cohort(rng, 400, 300, tags=25, capacity=(1, 3), exclusions=500)
    slots = np.array([m.capacity_left for m in cohort.mentors])
    slots[rng.sample(range(400), 20)] = 0
    assert_same_candidates(cohort, np.arange(300), slots, 40)


def test_ties_are_broken_by_the_jitter_like_scoring_every_cell():
    """Sixty equally good mentors for each of three mentorees: which five are kept is the
    jitter's choice in both generators."""
    mentors = [
        Participant(i, f"Mentor {i}", "Risk", 6, "Paris", frozenset({1}), capacity_left=1)
        for i in range(60)
    ]
    mentorees = [
        Participant(100 + i, f"Mentoree {i}", "Technology", 4, "Paris", frozenset({1}))
        for i in range(3)
    ]
    cohort = Cohort(mentors=mentors, mentorees=mentorees)
    assert_same_candidates(cohort, np.arange(3), np.ones(60, dtype=np.int64), 5)


def test_the_jitter_parts_add_up_to_the_solvers_jitter():
    rows = np.arange(0, 5000, 7)
    row_part, col_part = jitter_parts(rows, 300)
    col = (np.arange(300, dtype=np.uint32) * np.uint32(2654435761)) >> np.uint32(26)
    row = (rows.astype(np.uint32) * np.uint32(40503)) >> np.uint32(6)
    expected = ((col[None, :] + row[:, None]) & np.uint32(63)).astype(np.int16)
    assert (matching_solver._jitter(rows, 300) == expected).all()
    assert (((row_part[:, None] + col_part[None, :]) & 63) == expected).all()


def test_without_the_profile_table_candidates_score_every_cell(monkeypatch):
    monkeypatch.setattr(matching_scores, "PROFILE_TABLE_MAX", 0)
    cohort = random_cohort(random.Random(5), 30, 20, tags=12, exclusions=20)
    assert cohort.encoded.table is None
    slots = np.array([m.capacity_left for m in cohort.mentors])
    got = candidates(cohort, np.arange(20), slots, 6)
    assert keys_by_row(got) == keys_by_row(candidates_full(cohort, np.arange(20), slots, 6))


def test_sparse_solver_leaves_mentorees_out_when_nobody_can_pair_them_all():
    """More mentorees than places: no matching pairs everyone, so the solver falls back to
    the private dummy columns; the places are all used and the best mentorees get them."""
    for seed in range(4):
        rng = random.Random(40 + seed)
        cohort = random_cohort(rng, 10, 40, tags=8, capacity=(1, 2), exclusions=30)
        places = sum(m.capacity_left for m in cohort.mentors)
        exact, sparse = solve(cohort, method="exact"), solve(cohort, method="sparse")
        assert_valid(cohort, sparse)
        assert len(sparse.pairs) == len(exact.pairs) == places
        assert sparse.total_score <= exact.total_score


def test_sparse_solver_pairs_everyone_when_the_candidates_allow_it():
    rng = random.Random(77)
    cohort = random_cohort(rng, 120, 150, tags=20, capacity=(1, 3), exclusions=100)
    exact, sparse = solve(cohort, method="exact"), solve(cohort, method="sparse")
    assert_valid(cohort, sparse)
    assert sparse.unmatched == exact.unmatched == 0
    assert sparse.total_score == exact.total_score
