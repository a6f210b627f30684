"""The access log (F8): appending events, and fetching a confidential object for a request
with a refused attempt logged.

A user who asks for a note, pairing, agreement or meeting they may not see gets a 404, as
for an object that does not exist. Both cases cost the same work: the selector's one query,
then one refused access event naming the id that was asked for. The event never says whether
the object exists (nor does the query count or the time it takes to answer): an id that is
hidden and an id that is free look the same from the outside, to the requester, and in the log.
"""

import json
from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import Http404, HttpRequest
from django.utils import timezone

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
    """One event per object, written in a single statement (a list of notes read): the ids
    go as one array parameter and the database makes the rows, so a page of 25 notes costs
    what one event costs (building 25 model instances for bulk_create took longer than
    writing them)."""
    if not object_ids:
        return
    fields = _event_fields(actor, action, object_type, None, "allowed", request_id)
    table = connection.ops.quote_name(AccessEvent._meta.db_table)
    ids_param: list[int] | str
    if connection.vendor == "postgresql":
        ids_sql, ids_param = "SELECT unnest(%s::bigint[]) AS id", list(object_ids)
    else:
        ids_sql, ids_param = "SELECT value AS id FROM json_each(%s)", json.dumps(list(object_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (actor_id, actor_label, action, object_type, object_id, "  # noqa: S608 - our table name, values bound
            "outcome, request_id, concerns_id, detail, at) "
            f"SELECT %s, %s, %s, %s, ids.id, %s, %s, NULL, '', %s FROM ({ids_sql}) AS ids",
            [
                fields["actor"].pk if fields["actor"] is not None else None,
                fields["actor_label"],
                fields["action"],
                fields["object_type"],
                fields["outcome"],
                fields["request_id"],
                connection.ops.adapt_datetimefield_value(timezone.now()),
                ids_param,
            ],
        )


SYSTEM = "system (an import or a scheduled job, no person)"
SIGNED_OUT = "anonymous visitor"


def actor_label(actor) -> str:
    """Who acted, as the access log shows it on every row, written the same way by every
    door that records an event: a person as "Name <address> (user id)"; no person at all (the
    HRIS import from the command line, a task) as the system; a signed-out visitor as such."""
    if actor is None:
        return SYSTEM
    if not actor.is_authenticated:
        return SIGNED_OUT
    name = " ".join(actor.get_full_name().split()) or actor.username
    return f"{name} <{actor.email}> (user {actor.pk})"[:300]


def _event_fields(actor, action, object_type, object_id, outcome, request_id) -> dict:
    return {
        "actor": actor if actor is not None and actor.is_authenticated else None,
        "actor_label": actor_label(actor),
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
