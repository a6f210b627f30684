"""Exactly-once delivery through a real Celery worker that is killed with SIGKILL mid-batch.

The test starts a worker as a separate process (prefork, two children) on its own queue,
enqueues a batch of due messages, waits until part of the batch is delivered, then kills the
worker's whole process group with SIGKILL: whatever transaction a child held is cut off and
rolled back by PostgreSQL. A new worker and beat (sweeping every second) take over. Every due
message must then be delivered exactly once, as an in-app notification and as an e-mail, in
bounded time; the whole test stops by itself within a minute.

Needs PostgreSQL (the worker processes share the test database) and Redis (the broker); in
CI both are there and a missing one is an error, never a skip.
"""

import time
import uuid

import pytest
from django.db import connection

from notifications.models import Message, Notification
from notifications.tasks import message_deliver
from tests.builders.programs import apply, make_program
from tests.factories import EmployeeFactory
from tests.jobs.mail_sink import CREATE, TABLE
from tests.jobs.workers import Processes, forget_queue, wait_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

APPLICANTS = 60  # two messages each: "received" to the applicant, "new" to the coordinator
DEADLINE_SECONDS = 45  # the whole test, from the first worker's start
RECOVERY_BOUND_SECONDS = 30  # from the new worker's start to the last delivery


def _sent() -> int:
    return Message.objects.filter(status=Message.Status.SENT).count()


def test_every_due_message_is_delivered_once_after_a_worker_is_killed_mid_batch(
    coordinator, tmp_path, monkeypatch
):
    started = time.monotonic()
    deadline = started + DEADLINE_SECONDS
    queue = f"mentoring-crash-test-{uuid.uuid4().hex[:12]}"
    processes = Processes(tmp_path, queue, sink_delay_ms=40)
    with connection.cursor() as cursor:
        cursor.execute(CREATE)
        cursor.execute(f"TRUNCATE {TABLE}")
    # Services hand each due message to a worker once their transaction commits; here the
    # hand-off goes to this test's own queue on the real broker.
    monkeypatch.setattr(
        message_deliver, "delay", lambda pk: message_deliver.apply_async((pk,), queue=queue)
    )
    try:
        program = make_program(coordinator=coordinator)
        for _ in range(APPLICANTS):
            apply(EmployeeFactory(), program)
        total = Message.objects.count()
        assert total == 2 * APPLICANTS
        assert _sent() == 0  # nothing is delivered in this process: it is all in the queue

        first = processes.worker("first")
        assert wait_for(lambda: _sent() >= total // 4, until=deadline), processes.logs()
        processes.kill(first)  # kill -9, in the middle of the batch
        cut_at = _sent()
        assert cut_at < total, "the worker finished before it could be killed mid-batch"

        restarted = time.monotonic()
        processes.worker("second")
        processes.beat()
        everything = wait_for(lambda: _sent() == total, until=deadline)
        recovery = time.monotonic() - restarted
        assert everything, f"{_sent()} of {total} delivered\n{processes.logs()}"
        print(
            f"\n{total} messages; worker killed after {cut_at} deliveries; the rest delivered "
            f"{recovery:.1f} s after the restart; whole test {time.monotonic() - started:.1f} s"
        )
        assert recovery < RECOVERY_BOUND_SECONDS

        # Exactly once: one in-app notification and one e-mail per message, none twice.
        assert not Message.objects.exclude(status=Message.Status.SENT).exists()
        assert Notification.objects.count() == total
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*), count(DISTINCT message_id) FROM {TABLE}")  # noqa: S608
            emails, distinct = cursor.fetchone()
        assert (emails, distinct) == (total, total)
        per_recipient = Notification.objects.values_list("recipient_id", flat=True)
        assert len(set(per_recipient)) == APPLICANTS + 1
    finally:
        processes.stop_all()
        forget_queue(queue)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
