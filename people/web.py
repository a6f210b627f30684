"""Small helpers every app's views share: pagination and showing a service's refusal."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PAGE_SIZE = 25


def paginate(request: HttpRequest, queryset, param: str = "page", size: int = PAGE_SIZE) -> Page:
    """One page of a list; a missing or bad page number gives the first or last page."""
    return Paginator(queryset, size).get_page(request.GET.get(param))


def show_refusal(request: HttpRequest, exc: ValidationError) -> None:
    """A service's refusal, in its own words, as messages on the next page."""
    for message in exc.messages:
        messages.error(request, message)
