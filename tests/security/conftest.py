"""Fixtures of the security tests: the world of tests/security/world.py, built once per test
module through the services inside a transaction rolled back when the module is done; every
test runs in a savepoint of its own (pytest-django's `db`)."""

import os
import tempfile
from pathlib import Path

import pytest
from django.db import transaction
from hypothesis.configuration import set_hypothesis_home_dir

from tests.security.world import World, build_world

# Hypothesis keeps caches (constants, unicode tables) in ./.hypothesis even without its
# example database; these tests leave the working tree as they found it.
if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
    set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "hypothesis-tests-security")


@pytest.fixture(scope="module")
def built_world(django_db_setup, django_db_blocker):
    """The world, built once for the module in a transaction rolled back at its end."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = build_world()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def world(built_world, db) -> World:
    return World(built_world)
