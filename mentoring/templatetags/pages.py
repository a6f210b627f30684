"""Template helpers: page links that keep the other query parameters, status tones."""

from django import template
from django.http import QueryDict

from core.tones import tone as status_tone

register = template.Library()


def _current_query(context) -> QueryDict:
    """A mutable copy of the current address's query string (empty outside a request)."""
    request = context.get("request")
    return request.GET.copy() if request is not None else QueryDict(mutable=True)


@register.simple_tag(takes_context=True)
def page_query(context, param: str, number: int) -> str:
    """The current address's query string with one list's page number set; every other
    parameter (a filter, another list's page) is kept."""
    query = _current_query(context)
    query[param or "page"] = str(number)
    return "?" + query.urlencode()


@register.simple_tag(takes_context=True)
def status_query(context, status: str | None, page_param: str = "page") -> str:
    """The current address's query string filtered to one status (None: all), back on the
    first page of that list; every other parameter is kept."""
    query = _current_query(context)
    query.pop(page_param, None)
    if status:
        query["status"] = status
    else:
        query.pop("status", None)
    return "?" + query.urlencode()


@register.filter
def tone(status: str) -> str:
    """The tone class suffix of a status (`class="status tone--{{ x.status|tone }}"`)."""
    return status_tone(status)
