"""Sessions kept in the database exactly as Django's `db` engine keeps them (the same table,
the same rows: a deployment switches engines without signing anyone out), read by one query
built once per process (core.prepared). Every signed-in request reads its session first: the
ORM spent 0.7 ms of Python building that query, the database 0.2 answering it (issue K).

A session is live while its expiry is ahead of the web process's clock, as with Django's
engine: the expiry is read with the data and compared here, with the clock that wrote it."""

from __future__ import annotations

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.utils import timezone

from core.prepared import Prepared


def _by_key(key: str):
    return (
        DatabaseSessionStore.get_model_class()
        .objects.filter(session_key=key)
        .values_list("session_data", "expire_date")
    )


_BY_KEY = Prepared(_by_key, texts=("key",))


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        """The live session of this key (its data only), or None and the key forgotten, as
        Django's engine does for a key that is unknown or expired."""
        rows = _BY_KEY.rows(key=self.session_key)
        if not rows or rows[0][1] <= timezone.now():
            self._session_key = None
            return None
        data, expires = rows[0]
        return self.model(session_key=self.session_key, session_data=data, expire_date=expires)
