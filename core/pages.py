"""Pagination, the same for every list."""

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PAGE_SIZE = 25


def paginate(request: HttpRequest, queryset, param: str = "page", size: int = PAGE_SIZE) -> Page:
    """One page of a list; a missing or bad page number gives the first or last page."""
    return Paginator(queryset, size).get_page(request.GET.get(param))
