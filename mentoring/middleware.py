"""Middleware: a request id on every request and response, no-store for signed-in pages."""

import re
import uuid

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Gives every request an id (a proxy's X-Request-ID when it is well formed), returned in
    the response and written into access events, so a log line and an event can be matched."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response


class NoStoreMiddleware:
    """No page about a person is kept by a browser or a proxy: every response to a signed-in
    user, and every response of the admin, says `Cache-Control: no-store, private` and varies
    on the cookie (F9). By cause rather than page by page: a view that forgets `never_cache`
    is covered all the same. Directives a view set itself are kept (no-store wins over them);
    "public" goes. Static files never get here: WhiteNoise answers them before this runs.

    Placed after AuthenticationMiddleware; it reads `request.user` only once the view has
    answered, so a request with no session (a health probe, a calendar client) costs nothing.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if _is_admin(request) or _signed_in(request):
            patch_cache_control(response, no_store=True, private=True)
            patch_vary_headers(response, ("Cookie",))
        return response


def _signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated


def _is_admin(request: HttpRequest) -> bool:
    match = getattr(request, "resolver_match", None)
    return match is not None and "admin" in match.namespaces
