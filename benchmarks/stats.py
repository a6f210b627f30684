"""Statistics of a load run (pure, unit-tested): percentiles, requests per second, and the
verdict against the yardstick page."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# Against the yardstick (a plain signed-in list page of 4 queries): every heavy page at half
# its throughput or better, the signed-in floor (the home page) at 0.8, p95 under 50 ms.
MIN_RATIO = 0.5
FLOOR_RATIO = 0.8
MAX_P95_MS = 50.0


def percentile(values: Sequence[float], pct: float) -> float:
    """The pct-th percentile (0-100) by linear interpolation between the closest ranks
    (numpy's default, statistics.quantiles' "inclusive" method)."""
    if not values:
        raise ValueError("percentile of an empty list")
    if not 0 <= pct <= 100:
        raise ValueError("pct must be between 0 and 100")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Stats:
    requests: int
    wall_s: float
    rps: float
    p50_ms: float
    p95_ms: float
    max_ms: float


def summarize(latencies_s: Sequence[float], wall_s: float) -> Stats:
    """Requests per second over the wall time, and latency percentiles in milliseconds."""
    if wall_s <= 0:
        raise ValueError("wall time must be positive")
    return Stats(
        requests=len(latencies_s),
        wall_s=wall_s,
        rps=len(latencies_s) / wall_s,
        p50_ms=percentile(latencies_s, 50) * 1000,
        p95_ms=percentile(latencies_s, 95) * 1000,
        max_ms=max(latencies_s) * 1000,
    )


def verdict(stats: Stats, yardstick: Stats, min_ratio: float = MIN_RATIO) -> tuple[float, bool]:
    """The page's throughput as a share of the yardstick's, and whether it meets the target
    (`min_ratio` of the yardstick, p95 under MAX_P95_MS)."""
    ratio = stats.rps / yardstick.rps
    return ratio, ratio >= min_ratio and stats.p95_ms < MAX_P95_MS
