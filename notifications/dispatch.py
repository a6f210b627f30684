"""Hands a task to a worker once the transaction commits, naming the task instead of importing
it: the tasks modules import the services, so a service importing the tasks back would close
a cycle, and a lower app may hand work to a task registered by a higher one.

The name finds the very task object its app registered (each AppConfig.ready imports its
tasks in every process, not only in workers), so the task's own options, eager mode and any
test double apply as before. An unknown name fails here, in the service, not later in a
worker.
"""

from __future__ import annotations

from functools import partial

from celery import current_app
from django.db import transaction


def task_on_commit(name: str, *ids: int) -> None:
    """Call the task registered as `name` with `ids` once the current transaction commits (at
    once outside one); a rolled-back transaction sends nothing."""
    task = current_app.tasks[name]
    transaction.on_commit(partial(task.delay, *ids))
