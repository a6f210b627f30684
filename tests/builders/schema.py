"""Tests of "migrations only grow": put the database at an earlier release, then back at head.

Head is every app's latest migration (the graph's leaf nodes), never the migration a test is
about: a test that stopped at its own migration would leave later columns missing for every
test that runs after it in the same worker.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate_to_head() -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    head = executor.loader.graph.leaf_nodes()
    executor.migrate(head)
    left = MigrationExecutor(connection).migration_plan(head)
    assert not left, f"the database did not reach head: {left}"


@contextmanager
def at_release(*targets: tuple[str, str]) -> Iterator[Apps]:
    """Migrate back to `targets` and yield the models of that release; whatever happens in
    the block, the database leaves it at head."""
    executor = MigrationExecutor(connection)
    executor.migrate(list(targets))
    try:
        yield executor.loader.project_state(list(targets)).apps
    finally:
        migrate_to_head()
