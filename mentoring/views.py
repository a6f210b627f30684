import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

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


@login_not_required
@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and compose: 200 when the database (and Redis, if set) answer."""
    checks = {"database": _check_database(), "redis": _check_redis()}
    healthy = all(value in ("ok", "not configured") for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503
    )


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # No context processors: the page must render even when the database is down.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render(), status=500)
