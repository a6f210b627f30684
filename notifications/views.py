"""The person's own message pages: the inbox (opening it marks what it showed read), which
kinds of message they receive, and their secret calendar address."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.pages import paginate
from notifications.messaging import kinds_for
from notifications.selectors import (
    calendar_feed_of,
    inbox_groups_of,
    inbox_lines,
    message_opt_outs_of,
    unread_ids_in,
)
from notifications.services import (
    calendar_feed_reset,
    message_opt_outs_set,
    notifications_mark_read,
)


@require_safe
def inbox(request: HttpRequest) -> HttpResponse:
    """The person's in-app messages, those alike grouped as one line per day ("7 new
    applications are waiting"); opening the inbox marks what it showed read."""
    page = paginate(request, inbox_groups_of(user=request.user))
    lines = inbox_lines(page)
    response = render(
        request,
        "inbox.html",
        {"page": page, "lines": lines, "any_unread": any(line.unread for line in lines)},
    )
    # Only what this page showed counts as read; later pages keep their "New" labels.
    notifications_mark_read(user=request.user, ids=unread_ids_in(user=request.user, lines=lines))
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    """Which messages the person receives: optional kinds can be turned off, required ones
    (decisions, what to sign, invitations) are listed as always sent. Only the kinds the
    person can receive given their roles (or has received) are listed, and saving changes
    only those."""
    every = sorted(kinds_for(request.user), key=lambda k: k.label)
    if request.method == "POST":
        wanted_on = set(request.POST.getlist("on"))
        shown = [k.name for k in every if k.optional]
        message_opt_outs_set(
            user=request.user,
            turned_off=[name for name in shown if name not in wanted_on],
            among=shown,
        )
        messages.success(request, "Your notification settings are saved.")
        return redirect("notification_settings")
    off = message_opt_outs_of(user=request.user)
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
