"""/healthz for load balancers and compose, and a real round trip through the Celery broker."""

from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from celery.result import EagerResult
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mentoring.celery import app as celery_app
from mentoring.celery import ping
from notifications.models import Message


def test_healthz_answers_signed_out_with_the_database_ok(db):
    response = Client().get(reverse("healthz"))

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert "no-cache" in response.headers["Cache-Control"]


def test_healthz_without_redis_configured_is_healthy(db, settings):
    settings.REDIS_URL = ""

    response = Client().get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json()["redis"] == "not configured"
    assert response.json()["broker"] == "not configured"


def test_healthz_reports_unavailable_when_redis_does_not_answer(db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    response = Client().get(reverse("healthz"))

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["redis"] == "unavailable"
    assert body["broker"] == "unavailable"
    assert body["database"] == "ok"


def test_healthz_refuses_writes(db):
    assert Client().post(reverse("healthz")).status_code == 405


@pytest.mark.redis
def test_healthz_reports_redis_ok_with_the_real_broker(db):
    response = Client().get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json()["redis"] == "ok"
    assert response.json()["broker"] == "ok"


@pytest.fixture
def celery_worker(db):
    was_eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        with start_worker(celery_app, perform_ping_check=False, shutdown_timeout=10) as worker:
            yield worker
    finally:
        celery_app.conf.task_always_eager = was_eager


@pytest.mark.redis
def test_ping_task_round_trips_through_a_real_worker(celery_worker):
    result = ping.delay()

    assert not isinstance(result, EagerResult)  # went through the broker, not run in place
    assert result.get(timeout=10) == "pong"


def test_healthz_reports_messages_overdue_without_failing(db, mentoree):
    """A backlog means no worker or beat runs: operators see it, the web node stays up."""
    Message.objects.create(
        recipient=mentoree,
        kind="weekly_digest",
        key="weekly-digest:2026-W01",
        due_at=timezone.now() - timedelta(minutes=30),
    )
    Message.objects.create(
        recipient=mentoree,
        kind="weekly_digest",
        key="weekly-digest:2026-W02",
        due_at=timezone.now(),
    )

    response = Client().get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json()["overdue_messages"] == 1
