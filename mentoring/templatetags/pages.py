from django import template
from django.http import QueryDict

register = template.Library()


@register.simple_tag(takes_context=True)
def page_query(context, param: str, number: int) -> str:
    """The current address's query string with one list's page number set; every other
    parameter (a filter, another list's page) is kept."""
    request = context.get("request")
    query: QueryDict = request.GET.copy() if request is not None else QueryDict(mutable=True)
    query[param or "page"] = str(number)
    return "?" + query.urlencode()
