"""The retry policy every task shares: transient failures (the database or the broker away
for a moment) are retried with exponential backoff and jitter; the row a task works on is its
result, so nothing is kept in the result backend."""

from django.db import DatabaseError

TRANSIENT = (DatabaseError, ConnectionError, TimeoutError)
RETRY = {
    "autoretry_for": TRANSIENT,
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
    "acks_late": True,
    "ignore_result": True,  # the row is the result; nothing is kept in the backend
}
