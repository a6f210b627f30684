"""The person's own message pages: the inbox (opening it marks what it showed read), which
kinds of message they receive, and their secret calendar address."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.pages import paginate
from notifications.messaging import kinds
from notifications.selectors import calendar_feed_of, message_opt_outs_of, notifications_of
from notifications.services import (
    calendar_feed_reset,
    message_opt_outs_set,
    notifications_mark_read,
)


@require_safe
def inbox(request: HttpRequest) -> HttpResponse:
    """The person's in-app messages; opening the inbox marks them read."""
    page = paginate(request, notifications_of(user=request.user))
    unread_ids = {n.pk for n in page if n.read_at is None}
    response = render(request, "inbox.html", {"page": page, "unread_ids": unread_ids})
    # Only what this page showed counts as read; later pages keep their "New" labels.
    notifications_mark_read(user=request.user, ids=unread_ids)
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    """Which messages the person receives: optional kinds can be turned off, required ones
    (decisions, what to sign, invitations) are listed as always sent."""
    if request.method == "POST":
        wanted_on = set(request.POST.getlist("on"))
        message_opt_outs_set(
            user=request.user,
            turned_off=[k.name for k in kinds() if k.optional and k.name not in wanted_on],
        )
        messages.success(request, "Your notification settings are saved.")
        return redirect("notification_settings")
    off = message_opt_outs_of(user=request.user)
    every = sorted(kinds(), key=lambda k: k.label)
    return render(
        request,
        "account/notifications.html",
        {
            "optional": [(k, k.name not in off) for k in every if k.optional],
            "required": [k for k in every if not k.optional],
        },
    )


@require_safe
def calendar_settings(request: HttpRequest) -> HttpResponse:
    """The person's secret calendar address, if they made one."""
    feed = calendar_feed_of(user=request.user)
    feed_url = (
        request.build_absolute_uri(reverse("calendar_feed", args=[feed.token])) if feed else ""
    )
    return render(request, "account/calendar.html", {"feed_url": feed_url})


@require_POST
def calendar_reset(request: HttpRequest) -> HttpResponse:
    """Make (or replace) the person's secret calendar address; the old one stops at once."""
    had_one = calendar_feed_of(user=request.user) is not None
    calendar_feed_reset(user=request.user)
    messages.success(
        request,
        "Your calendar has a new address; the old one no longer works."
        if had_one
        else "Your calendar address is ready. Subscribe to it in your calendar program.",
    )
    return redirect("calendar_settings")
