import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

logger = logging.getLogger(__name__)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Greets the person and lists what their roles let them do."""
    return render(request, "home.html")


@require_safe
def inbox(request: HttpRequest) -> HttpResponse:
    """The person's in-app messages; opening the inbox marks them read."""
    from django.core.paginator import Paginator

    from people.services import notifications_mark_read

    page = Paginator(request.user.notifications.all(), 25).get_page(request.GET.get("page"))
    unread_ids = {n.pk for n in page if n.read_at is None}
    response = render(request, "inbox.html", {"page": page, "unread_ids": unread_ids})
    # Only what this page showed counts as read; later pages keep their "New" labels.
    notifications_mark_read(user=request.user, ids=unread_ids)
    return response


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        logger.warning("health check: database unavailable (%s)", exc.__class__.__name__)
        return "unavailable"
    return "ok"


def _check_redis() -> str:
    if not settings.REDIS_URL:
        return "not configured"
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2
        )
        client.ping()
    except redis.RedisError as exc:
        logger.warning("health check: redis unavailable (%s)", exc.__class__.__name__)
        return "unavailable"
    finally:
        if "client" in locals():
            client.close()
    return "ok"


def _overdue_messages() -> int | None:
    """Messages due more than five minutes ago and still pending: a growing number means no
    worker or no beat is running. Reported, not judged: the web node itself is healthy."""
    from datetime import timedelta

    from django.utils import timezone

    from people.models import Message

    try:
        return Message.objects.filter(
            status=Message.Status.PENDING, due_at__lt=timezone.now() - timedelta(minutes=5)
        ).count()
    except Exception:
        return None


@login_not_required
@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and compose: 200 when the database and, if configured, the broker
    (Redis) answer. Without REDIS_URL tasks run in the web process and there is no broker."""
    redis = _check_redis()
    # Redis is both the Celery broker and the cache: one round trip answers for both.
    checks = {"database": _check_database(), "broker": redis, "redis": redis}
    healthy = all(value in ("ok", "not configured") for value in checks.values())
    overdue = _overdue_messages() if checks["database"] == "ok" else None
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks, "overdue_messages": overdue},
        status=200 if healthy else 503,
    )


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    """The error page. When the cause is the database being away (restarting, failing over),
    a 503 "back in a moment" with Retry-After instead: the request's transaction was rolled
    back, and the next request reconnects (persistent connections are health-checked)."""
    # No context processors: the page must render even when the database is down.
    import sys

    from django.db import InterfaceError, OperationalError
    from django.template import loader

    exc = sys.exc_info()[1]
    if isinstance(exc, (OperationalError, InterfaceError)):
        logger.warning("database unavailable: %s", exc.__class__.__name__)
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "5"
        return response
    return HttpResponse(loader.get_template("500.html").render(), status=500)


@require_http_methods(["GET", "HEAD", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    """Which messages the person receives: optional kinds can be turned off, required ones
    (decisions, what to sign, invitations) are listed as always sent."""
    from people.messaging import kinds
    from people.models import MessageOptOut
    from people.services import message_opt_outs_set

    if request.method == "POST":
        wanted_on = set(request.POST.getlist("on"))
        message_opt_outs_set(
            user=request.user,
            turned_off=[k.name for k in kinds() if k.optional and k.name not in wanted_on],
        )
        messages.success(request, "Your notification settings are saved.")
        return redirect("notification_settings")
    off = set(MessageOptOut.objects.filter(user=request.user).values_list("kind", flat=True))
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
    from people.models import CalendarFeed

    feed = CalendarFeed.objects.filter(user=request.user).first()
    feed_url = (
        request.build_absolute_uri(reverse("calendar_feed", args=[feed.token])) if feed else ""
    )
    return render(request, "account/calendar.html", {"feed_url": feed_url})


@require_POST
def calendar_reset(request: HttpRequest) -> HttpResponse:
    """Make (or replace) the person's secret calendar address; the old one stops at once."""
    from people.models import CalendarFeed
    from people.services import calendar_feed_reset

    had_one = CalendarFeed.objects.filter(user=request.user).exists()
    calendar_feed_reset(user=request.user)
    messages.success(
        request,
        "Your calendar has a new address; the old one no longer works."
        if had_one
        else "Your calendar address is ready. Subscribe to it in your calendar program.",
    )
    return redirect("calendar_settings")


@login_not_required
@require_safe
@never_cache
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The secret address itself: no sign-in (calendar programs cannot sign in); the token
    is the credential, and an unknown or replaced one is a 404."""
    from mentoring.calendar_feed import feed_owner, feed_text

    user = feed_owner(token=token)
    response = HttpResponse(feed_text(user=user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="mentoring.ics"'
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_not_required
@require_safe
def bench_bare(request: HttpRequest) -> HttpResponse:
    """The benchmark's yardstick: the base template for a signed-out visitor, no query.
    Mounted only when BENCH_PAGES is on (`manage.py bench_pages` sets it for its server)."""
    return render(request, "bench_bare.html")
