"""The migration tests' helper leaves the whole schema at head, whatever the test does.

Stop 21's CI failed because a test migrated pairings back to 0001 and forward only to 0002:
every later transactional test in that worker read a table without 0004's columns.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from pairings.models import Meeting
from tests.builders.schema import at_release


def _unapplied() -> list:
    executor = MigrationExecutor(connection)
    return executor.migration_plan(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_going_back_to_the_first_release_comes_back_to_every_apps_latest_migration():
    with at_release(("pairings", "0001_initial")) as old:
        assert "cancelled_at" not in {
            field.name for field in old.get_model("pairings", "Meeting")._meta.get_fields()
        }
        assert _unapplied() != []
    assert _unapplied() == []
    assert Meeting.objects.filter(cancelled_at__isnull=True).count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_failing_block_still_leaves_the_database_at_head():
    with pytest.raises(RuntimeError), at_release(("pairings", "0003_pairing_program_page")):
        raise RuntimeError("the test's own assertion failed")
    assert _unapplied() == []
    assert Meeting.objects.filter(cancelled_at__isnull=True).count() == 0
