"""The project's own pages: home, the calendar feed, the health check and the error pages.
(The inbox and the message settings are the notifications app's.)"""

import logging
import sys

from django.contrib.auth.decorators import login_not_required
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from mentoring import health
from mentoring.calendar_feed import feed_owner, feed_text
from mentoring.todo import home_for
from people.selectors import employee_for_user

logger = logging.getLogger(__name__)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Greets the person, lists what waits for them (each with its one link), then what their
    roles let them do."""
    employee = employee_for_user(user=request.user)
    return render(request, "home.html", {"home": home_for(user=request.user, employee=employee)})


@login_not_required
@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and compose: 200 when the database and, if configured, the broker
    (Redis) answer. Without REDIS_URL tasks run in the web process and there is no broker."""
    redis = health.redis_broker()
    # Redis is both the Celery broker and the cache: one round trip answers for both.
    checks = {"database": health.database(), "broker": redis, "redis": redis}
    healthy = all(value in ("ok", "not configured") for value in checks.values())
    overdue = health.overdue_messages() if checks["database"] == "ok" else None
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks, "overdue_messages": overdue},
        status=200 if healthy else 503,
    )


@login_not_required
@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers, feed readers and bookmarks ask for /favicon.ico whatever the page links to:
    they are sent to the icon itself (an SVG, which every current browser draws) rather than
    to a 404 in the log at every visit."""
    response = HttpResponsePermanentRedirect(static("favicon.svg"))
    response["Cache-Control"] = "public, max-age=86400"
    return response


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
    exc = sys.exc_info()[1]
    if isinstance(exc, (OperationalError, InterfaceError)):
        logger.warning("database unavailable: %s", exc.__class__.__name__)
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "5"
        return response
    return HttpResponse(loader.get_template("500.html").render(), status=500)


@login_not_required
@require_safe
@never_cache
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The secret address itself: no sign-in (calendar programs cannot sign in); the token
    is the credential, and an unknown or replaced one is a 404."""
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
