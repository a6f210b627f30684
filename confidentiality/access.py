"""Fetching a confidential object for a request, and logging a refused attempt (F8).

A user who asks for a note, pairing, agreement or meeting they may not see gets a 404, as
for an object that does not exist. Both cases cost the same work: the selector's one query,
then one refused access event naming the id that was asked for. The event never says whether
the object exists (nor does the query count or the time it takes to answer): an id that is
hidden and an id that is free look the same from the outside, to the requester, and in the log.
"""

from collections.abc import Callable

from django.http import Http404, HttpRequest

from confidentiality.models import AccessEvent
from confidentiality.services import access_event_record


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
