"""Two requests at once, for the race tests on PostgreSQL (F3, F11)."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import connection


def race(actions: list[tuple[str, Callable[[], object]]]) -> dict[str, object]:
    """Start the named actions together, each in a thread of its own (its own database
    connection), in a random order behind a barrier. Returns, per name, "ok", "refused" (a
    ValidationError: a refusal in words) or the exception (an error, which the test shows)."""
    barrier = threading.Barrier(len(actions))
    results: dict[str, object] = {}

    def run(name: str, action: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            action()
            results[name] = "ok"
        except ValidationError:
            results[name] = "refused"
        except Exception as exc:  # an error, not a refusal: the test shows it
            results[name] = exc
        finally:
            connection.close()

    actions = list(actions)
    random.shuffle(actions)
    threads = [threading.Thread(target=run, args=action) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
