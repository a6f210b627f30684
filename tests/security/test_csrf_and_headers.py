"""CSRF, the content security policy, caching of confidential pages, the deployment check and
the sign-in lockout at the admin site (issue H, part 3).

The state-changing URLs are not listed by hand: every named URL pattern of the resolver whose
view accepts POST is posted to (a new one is included automatically; the arguments of the
ones this file does not know are filled in from their converters). Whether a view accepts
POST is read from its decorators (`require_http_methods` and friends) or its class; a view
that says nothing (the admin's) is taken to accept it.
"""

from __future__ import annotations

import inspect
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import NoReverseMatch, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from confidentiality.models import Note
from notifications.services import calendar_feed_reset
from programs.models import CommitmentAcceptance, Program
from tests.builders.world import World
from tests.factories import DEFAULT_PASSWORD
from tests.security.hostile import read_page

# --- The URL patterns of the site ----------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # namespaced, e.g. "confidentiality:note_edit"
    params: dict[str, str]  # parameter -> converter ("int", "slug", "str", "path", "re")
    methods: frozenset[str] | None  # None: the view does not say


def _params(pattern) -> dict[str, str]:
    if isinstance(pattern, RoutePattern):
        return {
            name: type(conv).__name__.removesuffix("Converter").lower()
            for name, conv in pattern.converters.items()
        }
    return dict.fromkeys(pattern.regex.groupindex, "re")


def _methods(callback) -> frozenset[str] | None:
    """The HTTP methods a view accepts, as its decorators or its class declare them."""
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return frozenset(m.upper() for m in view_class.http_method_names if hasattr(view_class, m))
    func = callback
    while func is not None:
        try:
            nonlocals = inspect.getclosurevars(func).nonlocals
        except TypeError:
            nonlocals = {}
        if "request_method_list" in nonlocals:
            return frozenset(nonlocals["request_method_list"])
        func = getattr(func, "__wrapped__", None)
    return None


def routes() -> list[Route]:
    found: dict[str, Route] = {}

    def walk(patterns, namespace: str, params: dict[str, str]) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner, {**params, **_params(pattern.pattern)})
            elif pattern.name:
                name = namespace + pattern.name
                found.setdefault(
                    name,
                    Route(name, {**params, **_params(pattern.pattern)}, _methods(pattern.callback)),
                )

    walk(get_resolver().url_patterns, "", {})
    return list(found.values())


ROUTES = routes()
POST_ROUTES = [r for r in ROUTES if r.methods is None or "POST" in r.methods]
GET_ROUTES = [r for r in ROUTES if r.methods is None or "GET" in r.methods]


# --- Who acts where, and with which arguments -----------------------------------------------------

Args = Callable[[World], dict]


def _slug(w: World) -> dict:
    return {"slug": w.program.slug}


def _pk(name: str) -> Args:
    return lambda w: {"pk": getattr(w, name).pk}


def _reset(w: World) -> dict:
    mentor = w.mentor
    return {
        "uidb64": urlsafe_base64_encode(force_bytes(mentor.pk)),
        "token": default_token_generator.make_token(mentor),
    }


def _acceptance(w: World) -> dict:
    return {"pk": CommitmentAcceptance.objects.filter(employee=w.mentoree.employee).first().pk}


def _none(w: World) -> dict:
    return {}


ACTORS: dict[str, tuple[str | None, Args]] = {
    "home": ("mentor", _none),
    "healthz": (None, _none),
    "notification_settings": ("mentor", _none),
    "calendar_settings": ("mentor", _none),
    "calendar_reset": ("mentor", _none),
    "login": (None, _none),
    "logout": ("mentor", _none),
    "password_change": ("mentor", _none),
    "password_change_done": ("mentor", _none),
    "password_reset": (None, _none),
    "password_reset_done": (None, _none),
    "password_reset_confirm": (None, _reset),
    "password_reset_complete": (None, _none),
    "inbox": ("mentor", _none),
    "calendar_feed": (None, lambda w: {"token": calendar_feed_reset(user=w.mentor)}),
    "programs:list": ("outsider", _none),
    "programs:create": ("coordinator", _none),
    "programs:my_applications": ("applicant", _none),
    "programs:application_edit": ("applicant", _pk("open_application")),
    "programs:application_withdraw": ("applicant", _pk("open_application")),
    "programs:my_commitments": ("mentoree", _none),
    "programs:acceptance": ("mentoree", _acceptance),
    "programs:committee_queue": ("committee_member", _none),
    "programs:committee_application": ("committee_member", _pk("voting_application")),
    "programs:vote": ("committee_member", _pk("voting_application")),
    "programs:decide": ("committee_member", _pk("decidable_application")),
    "programs:my_sessions": ("mentoree", _none),
    "programs:session": ("mentoree", _pk("group_session")),
    "programs:session_register": ("mentoree", _pk("group_session")),
    "programs:session_cancel": ("mentoree", _pk("group_session")),
    "programs:session_attendance": ("coordinator", _pk("past_session")),
    "programs:session_ics": ("mentoree", _pk("group_session")),
    "programs:resources": ("mentoree", _none),
    "programs:resource_create": ("hr_admin", _none),
    "programs:tags": ("coordinator", _none),
    "programs:tag_delete": ("coordinator", lambda w: {"pk": w.topics[0].pk}),
    "programs:detail": ("mentoree", _slug),
    "programs:edit": ("coordinator", _slug),
    "programs:transition": ("coordinator", _slug),
    "programs:manage": ("coordinator", _slug),
    "programs:committee_add": ("coordinator", _slug),
    "programs:committee_remove": (
        "coordinator",
        lambda w: {"slug": w.program.slug, "user_id": w.committee[1].pk},
    ),
    "programs:apply": ("outsider", lambda w: {"slug": w.program.slug, "role": "mentoree"}),
    "programs:commitment": ("participant_needing_acceptance", _slug),
    "programs:commitment_publish": ("coordinator", _slug),
    "programs:session_create": ("coordinator", _slug),
    "programs:program_resource_create": ("coordinator", _slug),
    "pairings:mine": ("mentor", _none),
    "pairings:space": ("mentor", _pk("active_pairing")),
    "pairings:accept": ("other_mentor", _pk("proposed_pairing")),
    "pairings:end": ("mentor", _pk("active_pairing")),
    "pairings:meeting_create": ("mentor", _pk("active_pairing")),
    "pairings:goal_create": ("mentoree", _pk("active_pairing")),
    "pairings:meeting_ics": ("mentor", _pk("meeting")),
    "pairings:meeting_delete": ("mentor", _pk("meeting")),
    "pairings:goal_status": ("mentoree", _pk("goal")),
    "pairings:meeting_edit": ("mentor", _pk("meeting")),
    "pairings:meeting_cancel": ("mentor", _pk("meeting")),
    "pairings:goal_edit": ("mentoree", _pk("goal")),
    "pairings:program": ("coordinator", _slug),
    "pairings:suggestions": (
        "coordinator",
        lambda w: {"slug": w.program.slug, "employee_id": w.unmatched_mentoree.pk},
    ),
    "pairings:propose": (
        "coordinator",
        lambda w: {"slug": w.program.slug, "employee_id": w.unmatched_mentoree.pk},
    ),
    "pairings:matching": ("coordinator", _slug),
    "pairings:matching_start": ("coordinator", _slug),
    "pairings:pin_add": ("coordinator", _slug),
    "pairings:pin_remove": (
        "coordinator",
        lambda w: {"slug": w.program.slug, "pin_id": w.pins[0].pk},
    ),
    "pairings:proposal_remove": (
        "coordinator",
        lambda w: {"slug": w.program.slug, "pair_id": w.matching_run.pairs.first().pk},
    ),
    "pairings:proposal_swap": ("coordinator", _slug),
    "pairings:matching_publish": (
        "coordinator",
        lambda w: {"slug": w.program.slug, "run_id": w.matching_run.pk},
    ),
    "confidentiality:agreement": ("mentor", _pk("active_pairing")),
    "confidentiality:agreement_sign": ("other_mentor", _pk("proposed_pairing")),
    "confidentiality:agreement_rules": ("mentoree", _pk("active_pairing")),
    "confidentiality:theme_add": ("mentoree", _pk("active_pairing")),
    "confidentiality:theme_withdraw": (
        "mentoree",
        lambda w: {"pk": w.active_pairing.pk, "theme_id": w.themes[0].pk},
    ),
    "confidentiality:notes": ("mentor", _pk("active_pairing")),
    "confidentiality:note": ("mentor", _pk("my_note")),
    "confidentiality:note_edit": ("mentor", _pk("my_note")),
    "confidentiality:note_share": ("mentor", _pk("my_note")),
    "confidentiality:note_delete": ("mentor", _pk("my_note")),
    "reviews:list": ("talent_reviewer", _none),
    "reviews:create": ("talent_reviewer", _none),
    "reviews:detail": ("talent_reviewer", _pk("review")),
    "reviews:dossier": ("talent_reviewer", _pk("review")),
    "reviews:recusals": ("talent_reviewer", _pk("review")),
    "reviews:seat_add": ("talent_reviewer", _pk("review")),
    "reviews:seat_remove": (
        "talent_reviewer",
        lambda w: {
            "pk": w.in_session_review.pk,
            "seat_id": w.in_session_review.seats.first().pk,
        },
    ),
    "reviews:transition": ("talent_reviewer", _pk("review")),
    "reviews:outcome": ("panel_member", _pk("in_session_review")),
    "reports:overview": ("hr_admin", _none),
    "reports:dashboard": ("coordinator", _slug),
    "reports:export_participants": ("coordinator", _slug),
    "reports:export_meetings": ("coordinator", _slug),
    "reports:export_figures": ("coordinator", _slug),
}

ADMIN_NAME = re.compile(r"^admin:(?P<app>[a-z]+)_(?P<model>[a-z0-9]+)_(?P<action>[a-z]+)$")


def _admin_model(route: Route):
    match = ADMIN_NAME.match(route.name)
    try:
        return apps.get_model(match["app"], match["model"]) if match else None
    except LookupError:
        return None


def _admin_args(w: World, route: Route) -> dict:
    if route.name == "admin:view_on_site":
        return {
            "content_type_id": str(ContentType.objects.get_for_model(Program).pk),
            "object_id": str(w.program.pk),
        }
    if route.name == "admin:app_list":
        return {"app_label": "programs"}
    model = _admin_model(route)
    if model is not None and "object_id" in route.params:
        first = model._default_manager.order_by("pk").first()
        return {"object_id": str(first.pk if first else 1)}
    return dict.fromkeys(route.params, "1")


GUESSES = {"int": lambda w: 1, "slug": lambda w: w.program.slug}


def actor_and_url(w: World, route: Route) -> tuple[str | None, str]:
    """Who may use this URL, and the URL with arguments filled in (the objects of the world
    that person may act on; for a URL this file does not know, guesses by converter)."""
    if route.name in ACTORS:
        actor, args = ACTORS[route.name]
        return actor, reverse(route.name, kwargs=args(w))
    if route.name.startswith("admin:"):
        return "superuser", reverse(route.name, kwargs=_admin_args(w, route))
    kwargs = {name: GUESSES.get(conv, lambda w: "1")(w) for name, conv in route.params.items()}
    try:
        return "superuser", reverse(route.name, kwargs=kwargs)
    except NoReverseMatch:
        pytest.fail(f"{route.name}: add its arguments to ACTORS in {__file__}")


# --- CSRF --------------------------------------------------------------------------------------


def every_row() -> dict[str, list]:
    """Every row of every table, to tell that nothing changed."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values_list())
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


# Values for the fields of every form at once: were a post without a token let through, it
# would change something (the fields a view does not know are ignored).
PLAUSIBLE = {
    "text": "A note written across sites: " + "x" * 60,
    "title": "Cross-site goal",
    "motivation": "Cross-site motivation",
    "choice": "admit",
    "decision": "admit",
    "reason": "Cross-site reason",
    "comment": "Cross-site comment",
    "category": "schedule",
    "status": "achieved",
    "shared": "1",
    "name": "Cross-site tag",
    "email": "lina.petrova@example.test",
    "member": "lina.petrova@example.test",
    "to": "running",
    "rating": "strong",
    "summary": "Cross-site summary",
    "on": "weekly_digest",
    "coordinator": "nothing",
    "audience": "coordinator",
    "starts_at": "2031-01-01T10:00",
    "duration_minutes": "60",
    "format": "video",
    "username": "x",
    "password": DEFAULT_PASSWORD,
}


def csrf_client(w: World, actor: str | None) -> Client:
    """A client that enforces CSRF as a browser would, signed in, holding a CSRF cookie
    (as after any page with a form): what it lacks is the token in the post."""
    client = Client(enforce_csrf_checks=True)
    if actor is not None:
        client.force_login(getattr(w, actor))
    client.get(reverse("login") if actor is None else reverse("home"))
    assert "csrftoken" in client.cookies
    return client


def test_the_resolver_knows_which_urls_change_state() -> None:
    """The enumeration itself: views that only read are left out, forms are in, and a view
    that does not say (the admin's) is included."""
    post = {r.name for r in POST_ROUTES}
    assert {"confidentiality:note_edit", "pairings:end", "login", "logout", "admin:login"} <= post
    assert {"programs:apply", "reviews:outcome", "admin:people_employee_change"} <= post
    assert not {"healthz", "calendar_feed", "pairings:space", "programs:list"} & post
    assert len(POST_ROUTES) >= 60


def test_every_post_without_a_csrf_token_is_refused_and_changes_nothing(world) -> None:
    """F-rule of every form: a post from another site (no token, or a forged one) is a 403
    and no row of any table changes. Every state-changing URL, as the person allowed to act."""
    problems = []
    clients: dict[str | None, Client] = {}
    for route in POST_ROUTES:
        actor, url = actor_and_url(world, route)
        if actor not in clients:
            clients[actor] = csrf_client(world, actor)
        client = clients[actor]
        before = every_row()
        for label, extra in (("no token", {}), ("forged token", {"csrfmiddlewaretoken": "A" * 64})):
            response = client.post(url, {**PLAUSIBLE, **extra})
            if response.status_code != 403:
                problems.append(f"{route.name} {url} ({label}): {response.status_code}")
        if every_row() != before:
            problems.append(f"{route.name} {url}: rows changed")
    assert not problems, "\n".join(problems)


def test_a_post_with_the_token_goes_through_so_the_check_above_can_fail(world) -> None:
    """The control: the same client with the token from the page does write a note."""
    client = csrf_client(world, "mentor")
    url = reverse("confidentiality:notes", args=[world.active_pairing.pk])
    token = client.cookies["csrftoken"].value
    before = Note.objects.count()

    response = client.post(url, {"text": "With a token", "csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert Note.objects.count() == before + 1


# --- Content security policy and inline code ----------------------------------------------------


def _policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"{response.wsgi_request.path}: no Content-Security-Policy header"
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


@pytest.mark.parametrize(
    ("who", "page"),
    [
        (None, "login"),
        (None, "password_reset"),
        ("mentor", "home"),
        ("mentor", "pairings:mine"),
        ("superuser", "admin:index"),
    ],
)
def test_pages_send_a_strict_content_security_policy(world, who, page) -> None:
    response = world.client(who).get(reverse(page))
    assert response.status_code == 200

    policy = _policy(response)

    header = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header
    assert policy["default-src"] == ["'self'"]
    for directive in ("script-src", "style-src"):
        assert "*" not in policy.get(directive, []) and "data:" not in policy.get(directive, [])
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_error_pages_send_the_policy_too(world) -> None:
    for who in (None, "mentor"):
        response = world.client(who).get("/no-such-page/")
        assert response.status_code in (302, 404)
        _policy(response)


def inline_code(html: str) -> list[str]:
    reader = read_page(html)
    return reader.scripts + reader.handlers + reader.style_attributes + reader.style_elements


ROLES = [
    "mentor",
    "mentoree",
    "other_mentor",
    "coordinator",
    "committee_member",
    "talent_reviewer",
    "panel_member",
    "hr_admin",
    "superuser",
    "executive",
    "outsider",
    "applicant",
    "participant_needing_acceptance",
]
MAIN_PAGES = [
    "home",
    "programs:list",
    "programs:my_applications",
    "programs:my_sessions",
    "programs:resources",
    "pairings:mine",
    "reviews:list",
    "inbox",
    "notification_settings",
    "calendar_settings",
    "password_change",
]


def test_no_page_holds_inline_script_style_or_event_handlers(world) -> None:
    """With `'self'` only, the browser would refuse inline code: every page, for every role,
    must work without it (SVG presentation attributes such as fill= are fine)."""
    pages: list[tuple[str | None, str]] = [(who, reverse(p)) for who in ROLES for p in MAIN_PAGES]
    pages += [(None, reverse(p)) for p in ("login", "password_reset", "password_reset_done")]
    pages += [(None, "/no-such-page/"), ("outsider", reverse("programs:create"))]  # 404, 403
    for route in GET_ROUTES:
        if not route.name.startswith("admin:"):
            pages.append(actor_and_url(world, route))
    pages += [
        ("hr_admin", reverse("admin:index")),
        ("superuser", reverse("admin:index")),
        ("superuser", reverse("admin:login")),
    ]
    for route in GET_ROUTES:
        if _admin_model(route) and route.name.endswith(("_changelist", "_add", "_change")):
            pages.append(actor_and_url(world, route))

    found, scanned = [], 0
    for who, url in pages:
        response = world.client(who).get(url, follow=True)
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        scanned += 1
        found += [f"{url} as {who}: {code}" for code in inline_code(response.content.decode())]
    assert scanned > 150
    assert not found, "\n".join(found[:40])


# --- Caching of confidential pages ----------------------------------------------------------------


@dataclass(frozen=True)
class Confidential:
    name: str
    actor: str
    url: Callable[[World], str]
    data: dict | None = None  # a post that the view refuses, so that it renders the page again
    expect_status: int = 200


def _pair_url(name: str, w: World) -> str:
    return reverse(name, args=[w.active_pairing.pk])


MISSING_NO_STORE = (
    "The view renders the same confidential page as its GET (never_cache) after a refused "
    "post, without never_cache: the browser and proxies may keep it."
)
CONFIDENTIAL = [
    # What the app marks with never_cache, as the people who see it.
    Confidential(
        "pair's space", "mentor", lambda w: reverse("pairings:space", args=[w.active_pairing.pk])
    ),
    Confidential(
        "end page", "mentor", lambda w: reverse("pairings:end", args=[w.active_pairing.pk])
    ),
    Confidential(
        "agreement",
        "mentor",
        lambda w: reverse("confidentiality:agreement", args=[w.active_pairing.pk]),
    ),
    Confidential(
        "notes list",
        "mentor",
        lambda w: reverse("confidentiality:notes", args=[w.active_pairing.pk]),
    ),
    Confidential("note", "mentor", lambda w: reverse("confidentiality:note", args=[w.my_note.pk])),
    Confidential(
        "note edit page",
        "mentor",
        lambda w: reverse("confidentiality:note_edit", args=[w.my_note.pk]),
    ),
    Confidential(
        "matching proposal",
        "coordinator",
        lambda w: reverse("pairings:matching", args=[w.program.slug]),
    ),
    Confidential(
        "commitment", "mentoree", lambda w: reverse("programs:commitment", args=[w.program.slug])
    ),
    Confidential(
        "application for the committee",
        "committee_member",
        lambda w: reverse("programs:committee_application", args=[w.voting_application.pk]),
    ),
    Confidential(
        "talent review", "talent_reviewer", lambda w: reverse("reviews:detail", args=[w.review.pk])
    ),
    Confidential(
        "dossier", "talent_reviewer", lambda w: reverse("reviews:dossier", args=[w.review.pk])
    ),
    *[
        Confidential(
            f"export {what}",
            "coordinator",
            lambda w, what=what: reverse(f"reports:export_{what}", args=[w.program.slug]),
        )
        for what in ("participants", "meetings", "figures")
    ],
    # The same pages, rendered again by the post that was refused.
    Confidential(
        "end page after a refused post",
        "mentor",
        lambda w: reverse("pairings:end", args=[w.active_pairing.pk]),
        {"category": "not-a-category"},
    ),
    Confidential(
        "agreement after a refused signature",
        "mentor",
        lambda w: reverse("confidentiality:agreement_sign", args=[w.active_pairing.pk]),
        {"typed_name": ""},
        400,
    ),
    Confidential(
        "agreement after refused rules",
        "mentoree",
        lambda w: reverse("confidentiality:agreement_rules", args=[w.active_pairing.pk]),
        {"manager": "everything"},
        400,
    ),
    Confidential(
        "agreement after a refused theme",
        "mentoree",
        lambda w: reverse("confidentiality:theme_add", args=[w.active_pairing.pk]),
        {"audience": "nobody", "text": "A confidential theme"},
        400,
    ),
    Confidential(
        "notes after a refused note",
        "mentor",
        lambda w: reverse("confidentiality:notes", args=[w.active_pairing.pk]),
        {"text": ""},
        400,
    ),
    Confidential(
        "note edit page after a refused edit",
        "mentor",
        lambda w: reverse("confidentiality:note_edit", args=[w.my_note.pk]),
        {"text": ""},
    ),
    Confidential(
        "pair's space after a refused meeting",
        "mentor",
        lambda w: reverse("pairings:meeting_create", args=[w.active_pairing.pk]),
        {"starts_at": "not a date", "duration_minutes": "60", "format": "video"},
        400,
    ),
    Confidential(
        "pair's space after a refused goal",
        "mentoree",
        lambda w: reverse("pairings:goal_create", args=[w.active_pairing.pk]),
        {"title": "A confidential goal " + "x" * 300},
        400,
    ),
    Confidential(
        "application after a refused vote",
        "committee_member",
        lambda w: reverse("programs:vote", args=[w.voting_application.pk]),
        {"choice": "maybe", "comment": "A confidential comment"},
        400,
    ),
    Confidential(
        "application after a refused decision",
        "committee_member",
        lambda w: reverse("programs:decide", args=[w.decidable_application.pk]),
        {"decision": "admit", "reason": ""},
        400,
    ),
    Confidential(
        "talent review after a refused seat",
        "talent_reviewer",
        lambda w: reverse("reviews:seat_add", args=[w.review.pk]),
        {"member": "nobody@example.test"},
        400,
    ),
    Confidential(
        "talent review after a refused outcome",
        "panel_member",
        lambda w: reverse("reviews:outcome", args=[w.in_session_review.pk]),
        {"rating": "", "summary": "A confidential summary"},
        400,
    ),
]
# Confidential pages re-rendered after a refused post once lacked no-store (found here, fixed).
NOT_MARKED: set[str] = set()


@pytest.mark.parametrize(
    "page",
    [
        pytest.param(
            c,
            marks=[pytest.mark.xfail(strict=True, reason=MISSING_NO_STORE)]
            if c.name in NOT_MARKED
            else [],
        )
        for c in CONFIDENTIAL
    ],
    ids=lambda c: c.name,
)
def test_confidential_pages_are_never_stored(world, page: Confidential) -> None:
    """F9: confidential pages send Cache-Control: no-store (README, "Security")."""
    client = world.client(page.actor)
    url = page.url(world)

    response = client.get(url) if page.data is None else client.post(url, page.data)

    assert response.status_code == page.expect_status
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    assert "no-store" in directives, f"{url}: Cache-Control is {response.get('Cache-Control')!r}"


# --- The deployment check -------------------------------------------------------------------------

BASE_DIR = Path(settings.BASE_DIR)


def _manage_check(**overrides: str) -> subprocess.CompletedProcess:
    environment = {
        k: v
        for k, v in os.environ.items()
        # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process (Playwright's loop);
        # a deployment never has it, and check --deploy rightly refuses it.
        if k
        not in {
            "PYTEST_VERSION",
            "DATABASE_URL",
            "REDIS_URL",
            "READ_DOT_ENV",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
        and not k.endswith("_FILE")
    }
    environment.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(64)[:60],
            "NOTE_KEYS": Fernet.generate_key().decode(),
            "ALLOWED_HOSTS": "mentoring.example.com",
            **overrides,
        }
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_deploy_check_is_clean_in_production_settings() -> None:
    result = _manage_check()

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_would_catch_debug_left_on() -> None:
    """The control: the same check fails when DEBUG is on, and names development mode even
    with Django's debug pages off (DEBUG_PAGES, tests/mentoring/test_first_minutes.py)."""
    result = _manage_check(DEBUG="1")

    assert result.returncode != 0
    assert "mentoring.W001" in result.stdout + result.stderr
    assert "security.W018" not in result.stdout + result.stderr

    result = _manage_check(DEBUG="1", DEBUG_PAGES="1")

    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr
    assert "mentoring.W001" in result.stdout + result.stderr


# --- Sign-in lockout at the admin site ------------------------------------------------------------


def _templates(response) -> list[str]:
    return sorted({t.name for t in response.templates if t.name})


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _sign_in(client, url: str, username: str, password: str):
    return client.post(url, {"username": username, "password": password, "next": "/admin/"})


ADMIN_LOGIN = "/admin/login/"


def test_failures_at_the_admin_sign_in_lock_the_account_there_and_at_the_normal_sign_in(
    world,
) -> None:
    """tests/mentoring/test_auth.py covers the normal sign-in; the admin's is a second door."""
    email = world.hr_admin.email
    client = Client()
    for n in range(settings.AXES_FAILURE_LIMIT):
        failed = _sign_in(client, ADMIN_LOGIN, email, f"wrong-{n}")
        assert failed.status_code in (200, 429)
        assert not _signed_in(client)

    at_admin = _sign_in(client, ADMIN_LOGIN, email, DEFAULT_PASSWORD)
    at_site = _sign_in(Client(), reverse("login"), email, DEFAULT_PASSWORD)

    assert at_admin.status_code == 429
    assert "registration/locked_out.html" in _templates(at_admin)
    assert at_site.status_code == 429
    assert "registration/locked_out.html" in _templates(at_site)
    assert Client().get("/admin/").status_code == 302


def test_failures_at_both_doors_add_up(world) -> None:
    email = world.hr_admin.email
    client = Client()
    for n in range(settings.AXES_FAILURE_LIMIT):
        url = ADMIN_LOGIN if n % 2 else reverse("login")
        _sign_in(client, url, email, f"wrong-{n}")

    response = _sign_in(client, ADMIN_LOGIN, email, DEFAULT_PASSWORD)

    assert response.status_code == 429
    assert not _signed_in(client)


def test_unknown_username_gets_the_same_answers_at_the_admin_sign_in(world) -> None:
    def story(username: str) -> list[tuple[int, list[str]]]:
        client = Client()
        seen = [
            _sign_in(client, ADMIN_LOGIN, username, f"wrong-{n}")
            for n in range(settings.AXES_FAILURE_LIMIT)
        ]
        seen.append(_sign_in(client, ADMIN_LOGIN, username, DEFAULT_PASSWORD))
        seen.append(_sign_in(client, reverse("login"), username, DEFAULT_PASSWORD))
        return [(r.status_code, _templates(r)) for r in seen]

    real = story(world.hr_admin.email)
    ghost = story("nobody.here@example.test")

    assert ghost == real
    assert real[-1][0] == real[-2][0] == 429


def test_admin_lockout_is_per_account(world) -> None:
    client = Client()
    for n in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, ADMIN_LOGIN, world.hr_admin.email, f"wrong-{n}")

    response = _sign_in(client, ADMIN_LOGIN, world.superuser.email, DEFAULT_PASSWORD)

    assert response.status_code == 302
    assert _signed_in(client)
