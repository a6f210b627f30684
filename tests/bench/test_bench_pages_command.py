"""bench_pages: it refuses anything but PostgreSQL, and its statistics are right. The benchmark
itself is run by hand, never here."""

from unittest import mock

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from benchmarks.load import split
from benchmarks.stats import FLOOR_RATIO, Stats, percentile, summarize, verdict

SQLITE = {"ENGINE": "django.db.backends.sqlite3"}


def test_refuses_sqlite_with_a_clear_message():
    with (
        mock.patch.dict(settings.DATABASES["default"], SQLITE),
        pytest.raises(CommandError) as caught,
    ):
        call_command("bench_pages", "--requests", "10")
    message = str(caught.value)
    assert "PostgreSQL" in message
    assert "DATABASE_URL" in message
    assert "sqlite3" in message


def test_refuses_before_touching_the_database_or_seeding():
    with (
        mock.patch.dict(settings.DATABASES["default"], SQLITE),
        mock.patch("benchmarks.management.commands.bench_pages.call_command") as inner,
        pytest.raises(CommandError),
    ):
        call_command("bench_pages", "--seed")
    inner.assert_not_called()


def test_percentile_of_one_to_a_hundred():
    values = list(range(1, 101))
    assert percentile(values, 0) == 1
    assert percentile(values, 100) == 100
    assert percentile(values, 50) == pytest.approx(50.5)
    assert percentile(values, 95) == pytest.approx(95.05)


def test_percentile_interpolates_and_ignores_order():
    assert percentile([4, 1, 3, 2], 50) == pytest.approx(2.5)
    assert percentile([10, 20], 95) == pytest.approx(19.5)
    assert percentile([7], 95) == 7


@pytest.mark.parametrize("pct", [-1, 101])
def test_percentile_refuses_out_of_range(pct):
    with pytest.raises(ValueError, match="between 0 and 100"):
        percentile([1, 2, 3], pct)


def test_percentile_refuses_empty():
    with pytest.raises(ValueError, match="empty"):
        percentile([], 50)


def test_summarize_in_milliseconds_and_requests_per_second():
    latencies = [i / 1000 for i in range(1, 101)]  # 1 ms .. 100 ms
    stats = summarize(latencies, wall_s=2.0)
    assert stats.requests == 100
    assert stats.rps == pytest.approx(50.0)
    assert stats.p50_ms == pytest.approx(50.5)
    assert stats.p95_ms == pytest.approx(95.05)
    assert stats.max_ms == pytest.approx(100.0)


def test_summarize_refuses_zero_wall_time():
    with pytest.raises(ValueError, match="positive"):
        summarize([0.01], wall_s=0)


def _stats(rps, p95):
    return Stats(requests=100, wall_s=1, rps=rps, p50_ms=1, p95_ms=p95, max_ms=p95)


@pytest.mark.parametrize(
    ("rps", "p95", "ok"),
    [
        (500, 20, True),  # exactly half the yardstick: meets the target
        (499, 20, False),  # under half
        (900, 50, False),  # p95 must be under 50 ms, not at it
        (900, 49.9, True),
    ],
)
def test_verdict(rps, p95, ok):
    ratio, passed = verdict(_stats(rps, p95), yardstick=_stats(1000, 5))
    assert ratio == pytest.approx(rps / 1000)
    assert passed is ok


def test_the_floor_is_judged_at_eight_tenths_of_the_yardstick():
    assert verdict(_stats(800, 20), _stats(1000, 5), min_ratio=FLOOR_RATIO)[1]
    assert not verdict(_stats(799, 20), _stats(1000, 5), min_ratio=FLOOR_RATIO)[1]


@pytest.mark.parametrize(
    ("total", "parts", "shares"),
    [(10, 4, [3, 3, 2, 2]), (400, 4, [100] * 4), (2, 4, [1, 1]), (5, 1, [5])],
)
def test_split_into_round_robin_shares(total, parts, shares):
    assert split(total, parts) == shares
    assert sum(split(total, parts)) == total
