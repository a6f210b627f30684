"""Whole-cohort matching: the assignment of mentorees to mentors that maximises the total score.

- `cohort`: reads a program's cohort from the database (`load_cohort`).
- `scores`: the cohort as plain data and its scores, vectorised with numpy (no Django).
- `solver`: the pure solver, numpy and scipy only (no Django; a test holds it so).
- `greedy`: the greedy baseline the benchmark compares the solver with (no Django).
- `services`: runs, their review and publication, and pins (the writes).

The names below are re-exported so `from pairings.matching import ...` keeps working. The pure
ones are imported now; the ones that need Django are imported on first use, so importing
`pairings.matching.solver` never imports Django.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from pairings.matching.greedy import greedy
from pairings.matching.scores import Cohort, PinRequest, score_matrix, score_rows
from pairings.matching.solver import MatchingResult, MatchPair, solve, upper_bound

if TYPE_CHECKING:
    from pairings.matching.cohort import chain_exclusions, load_cohort, pin_problems
    from pairings.matching.services import (
        matching_run_execute,
        matching_run_publish,
        matching_run_publish_execute,
        matching_run_publish_start,
        matching_run_start,
        pin_add,
        pin_remove,
        proposal_compute_and_store,
        proposal_remove,
        proposal_swap,
    )

# Name -> submodule, for the names that need Django.
_NEED_DJANGO = {
    "chain_exclusions": "cohort",
    "load_cohort": "cohort",
    "pin_problems": "cohort",
    "matching_run_execute": "services",
    "matching_run_publish": "services",
    "matching_run_publish_execute": "services",
    "matching_run_publish_start": "services",
    "matching_run_start": "services",
    "pin_add": "services",
    "pin_remove": "services",
    "proposal_compute_and_store": "services",
    "proposal_remove": "services",
    "proposal_swap": "services",
}

__all__ = [
    "Cohort",
    "MatchPair",
    "MatchingResult",
    "PinRequest",
    "chain_exclusions",
    "greedy",
    "load_cohort",
    "matching_run_execute",
    "matching_run_publish",
    "matching_run_publish_execute",
    "matching_run_publish_start",
    "matching_run_start",
    "pin_add",
    "pin_problems",
    "pin_remove",
    "proposal_compute_and_store",
    "proposal_remove",
    "proposal_swap",
    "score_matrix",
    "score_rows",
    "solve",
    "upper_bound",
]


def __getattr__(name: str) -> Any:
    module = _NEED_DJANGO.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
