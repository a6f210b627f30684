"""The access log (F8): appending events, and fetching a confidential object for a request
with a refused attempt logged.

A user who asks for a note, pairing, agreement or meeting they may not see gets a 404, as
for an object that does not exist. Both cases cost the same work: the selector's one query,
then one refused access event naming the id that was asked for. The event never says whether
the object exists (nor does the query count or the time it takes to answer): an id that is
hidden and an id that is free look the same from the outside, to the requester, and in the log.
"""

from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import Http404, HttpRequest

from firewall.models import AccessEvent
from people.models import User


def access_event_record(
    *,
    actor: User | AnonymousUser | None,
    action: str,
    object_type: str,
    object_id: int | None,
    outcome: str,
    request_id: str = "",
    concerns: User | None = None,
    detail: str = "",
) -> AccessEvent:
    """Append one event. Who, what, when, outcome: never content (F8). `concerns` names the
    person a role grant or an identity change is about, `detail` which role or which part of
    the identity (a fixed label, F12, F13)."""
    return AccessEvent.objects.create(
        **_event_fields(actor, action, object_type, object_id, outcome, request_id),
        concerns=concerns,
        detail=detail[:200],
    )


def access_events_record_many(
    *, actor: User, action: str, object_type: str, object_ids: list[int], request_id: str = ""
) -> None:
    """One event per object, written in a single query (a list of notes read)."""
    AccessEvent.objects.bulk_create(
        AccessEvent(**_event_fields(actor, action, object_type, object_id, "allowed", request_id))
        for object_id in object_ids
    )


def _event_fields(actor, action, object_type, object_id, outcome, request_id) -> dict:
    label = "anonymous"
    if actor is not None and actor.is_authenticated:
        label = f"{actor.get_full_name() or actor.username} <{actor.email}> (user {actor.pk})"
    return {
        "actor": actor if actor is not None and actor.is_authenticated else None,
        "actor_label": label[:300],
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "outcome": outcome,
        "request_id": (request_id or "")[:64],
    }


def get_or_404_logged[T](
    request: HttpRequest, *, getter: Callable[[], T], pk: int, object_type: str
) -> T:
    try:
        return getter()
    except Http404:
        access_event_record(
            actor=request.user,
            action=AccessEvent.Action.REFUSED,
            object_type=object_type,
            object_id=pk,
            outcome=AccessEvent.Outcome.REFUSED,
            request_id=getattr(request, "request_id", ""),
        )
        raise


def access_object_types() -> list[str]:
    """The kinds of object the log holds, sorted, through the (object_type, object_id) index
    one value at a time (a loose index scan: a few index probes, not a read of every event)."""
    table = connection.ops.quote_name(AccessEvent._meta.db_table)
    column = connection.ops.quote_name(AccessEvent._meta.get_field("object_type").column or "")
    sql = (
        f"WITH RECURSIVE kinds(v) AS ("  # noqa: S608 - our own table and column names
        f" SELECT MIN({column}) FROM {table}"
        f" UNION ALL"
        f" SELECT (SELECT MIN({column}) FROM {table} WHERE {column} > kinds.v)"
        f" FROM kinds WHERE kinds.v IS NOT NULL"
        f") SELECT v FROM kinds WHERE v IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [value for (value,) in cursor.fetchall()]
