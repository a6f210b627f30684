"""What every test of this folder gets: a signed-in client, uploads in a temporary folder,
tasks run in process, an empty cache, and `deliver` for due messages. The named people and
the other fixtures are in tests/fixtures/ (registered in the root conftest.py); the builders
they use are plain functions in tests/builders/."""

import pytest
from django.core.cache import cache
from django.test import Client

from mentoring.celery import app
from notifications.messaging import messages_sweep


@pytest.fixture
def signed_in_client(db):
    """`signed_in_client(user)` gives a fresh test client signed in as that user."""

    def sign_in(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, tmp_path):
    """Uploaded files (resources, imports) go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _celery_runs_tasks_in_process(request):
    """Tasks run in the test's own process, as in `make run`, even when REDIS_URL is set;
    tests marked `redis` are the ones that use a real broker and a real worker."""
    if request.node.get_closest_marker("redis"):
        yield
        return
    was = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = was


@pytest.fixture
def deliver():
    """Deliver every due message now, as beat's sweep does in production: e-mails land in
    `django.core.mail.outbox`, in-app messages in `Notification`. Services only schedule rows
    (notifications.messaging.message_schedule); tests run inside a transaction that never commits,
    so the on-commit hand-off to a worker never fires and this stands in for it.
    Call it as `deliver()` or `deliver(now=...)` for messages due later."""
    return messages_sweep


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (the dashboard keeps its figures there)."""
    cache.clear()
    yield
    cache.clear()
