"""Pagination, the same for every list."""

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PAGE_SIZE = 25


def paginate(
    request: HttpRequest,
    queryset,
    param: str = "page",
    size: int = PAGE_SIZE,
    *,
    count: int | None = None,
) -> Page:
    """One page of a list; a missing or bad page number gives the first or last page.
    `count`: the number of items, when the page already knows it (figures it shows anyway),
    instead of one more COUNT query."""
    paginator = Paginator(queryset, size)
    if count is not None:
        paginator.count = count  # what its cached property would have asked the database
    return paginator.get_page(request.GET.get(param))
