"""Sessions kept in the database exactly as Django's `db` engine keeps them (the same table,
the same rows: a deployment switches engines without signing anyone out), read by one query
built once per process (core.prepared). Every signed-in request reads its session first: the
ORM spent 0.7 ms of Python building that query, the database 0.2 answering it (issue K).

A session is live while its expiry is ahead of the database's clock (Django compares it with
the web process's clock; with several web nodes the database is the one clock they share)."""

from __future__ import annotations

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db.models.functions import Now

from core.prepared import Prepared


def _live(key: str):
    return (
        DatabaseSessionStore.get_model_class()
        .objects.filter(session_key=key, expire_date__gt=Now())
        .values_list("session_data")
    )


_LIVE = Prepared(_live, texts=("key",))


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        """The live session of this key (its data only), or None and the key forgotten, as
        Django's engine does for a key that is unknown or expired."""
        rows = _LIVE.rows(key=self.session_key)
        if not rows:
            self._session_key = None
            return None
        return self.model(session_key=self.session_key, session_data=rows[0][0])
