"""Fixtures of the confidentiality and firewall tests: see tests/confidentiality/fixtures.py."""

from tests.confidentiality.fixtures import *  # noqa: F403
