"""The yardstick of `bench_pages`: what a plain signed-in Django list page costs on the same
server, database and data. The session, the user, one count and one page of 25 rows of a
large table (the signed-in mentor's meetings among the demo's 100,000, joined to both
members, ordered on an index): 4 queries, rendered in a layout of its own (no navigation, no
roles). Mounted only on the benchmark's server (`benchmarks.urls`)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from pairings.models import Meeting

PAGE_SIZE = 25


def meetings_of_mentor(user_id: int):
    """The mentor's meetings, newest first, with both members (indexed: Pairing's mentor key
    and Meeting's unique (pairing, starts_at))."""
    return (
        Meeting.objects.filter(pairing__mentor__user_id=user_id)
        .select_related("pairing__mentor", "pairing__mentoree")
        .only(
            "starts_at",
            "duration_minutes",
            "format",
            "pairing__mentor__first_name",
            "pairing__mentor__last_name",
            "pairing__mentoree__first_name",
            "pairing__mentoree__last_name",
        )
        .order_by("-starts_at", "-pk")
    )


@login_required
def yardstick(request: HttpRequest) -> HttpResponse:
    page = Paginator(meetings_of_mentor(request.user.pk), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    # Without the request: a plain project has none of our context processors (the
    # navigation and its roles are what the signed-in floor measures).
    html = render_to_string("benchmarks/yardstick.html", {"page": page, "user": request.user})
    return HttpResponse(html)
