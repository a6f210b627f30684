"""Fixtures of the talent-review tests: see tests/reviews/fixtures.py."""

from tests.reviews.fixtures import *  # noqa: F403
