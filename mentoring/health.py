"""The health check's probes: the database, Redis (broker and cache) and the due messages
nobody has delivered. Each answers in a word and logs only the exception's class."""

import logging
from datetime import timedelta

import redis
from django.conf import settings
from django.db import connection

from notifications.selectors import messages_overdue_count

logger = logging.getLogger(__name__)


def database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        logger.warning("health check: database unavailable (%s)", exc.__class__.__name__)
        return "unavailable"
    return "ok"


def redis_broker() -> str:
    if not settings.REDIS_URL:
        return "not configured"

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2
        )
        client.ping()
    except redis.RedisError as exc:
        logger.warning("health check: redis unavailable (%s)", exc.__class__.__name__)
        return "unavailable"
    finally:
        if "client" in locals():
            client.close()
    return "ok"


def overdue_messages() -> int | None:
    """Messages due more than five minutes ago and still pending: a growing number means no
    worker or no beat is running. Reported, not judged: the web node itself is healthy."""
    try:
        return messages_overdue_count(older_than=timedelta(minutes=5))
    except Exception:
        return None
