"""Fetching a confidential object for a request, and logging a refused attempt (F8).

A user who asks for a note, pairing, agreement or meeting they may not see gets a 404, as
for an object that does not exist; when the object does exist, the attempt is recorded.
"""

from collections.abc import Callable

from django.http import Http404, HttpRequest

from confidentiality.models import AccessEvent
from confidentiality.services import access_event_record


def get_or_404_logged[T](
    request: HttpRequest, *, getter: Callable[[], T], model, pk: int, object_type: str
) -> T:
    try:
        return getter()
    except Http404:
        if model._default_manager.filter(pk=pk).exists():
            access_event_record(
                actor=request.user,
                action=AccessEvent.Action.REFUSED,
                object_type=object_type,
                object_id=pk,
                outcome=AccessEvent.Outcome.REFUSED,
                request_id=getattr(request, "request_id", ""),
            )
        raise
