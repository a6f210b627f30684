"""Two rules that hold for every URL, walked from the resolver over the authorization matrix's
world (tests/builders/world.py):

- F9, no-store: every response to a signed-in user, and every response of the admin, says
  `Cache-Control: no-store, private` and `Vary: Cookie` (mentoring.middleware.NoStoreMiddleware).
  Every page is about someone: the viewer, or the people the viewer coordinates, judges or
  meets. Checked on every URL of the matrix, as every role that may open it and one that may
  not, and on the admin's pages.
- Ids beyond 64 bits: every URL argument that is an object id goes through the one `id`
  converter (mentoring/converters.py), so 2**63 and 10**30 match no URL: a 404, never a 500,
  whoever asks. No `<int:` is left in any urls.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, SlugConverter, StringConverter
from django.urls.resolvers import RoutePattern

from mentoring.converters import MAX_ID, IdConverter
from tests.builders.world import ROLES, World
from tests.firewall.test_authorization_matrix import ARGS, MATRIX, POST_DATA

# The world (tests/builders/world.py) comes from the `world` fixture: built once per module,
# each test in a savepoint of its own.


# --- F9: no-store on every response to a signed-in user --------------------------------------

SIGNED_IN = tuple(role for role in ROLES if role not in ("anonymous", "inactive"))
# The pages once served without no-store (issue I): each must be among those checked.
ONCE_CACHEABLE = (
    "pairings:program",
    "programs:committee_queue",
    "programs:manage",
    "reports:dashboard",
    "reviews:recusals",
    "pairings:mine",
    "inbox",
    "calendar_settings",
    "pairings:meeting_ics",
    "home",
)


def _url(key: str) -> Callable[[World], str]:
    name = key.split("@", 1)[0]
    return lambda w: reverse(name, kwargs=ARGS[key](w.this) if key in ARGS else None)


def _no_store(response) -> list[str]:
    """What is wrong with the response's caching headers (nothing: an empty list)."""
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",")}
    problems = []
    if not {"no-store", "private"} <= directives:
        problems.append(f"Cache-Control: {response.get('Cache-Control')!r}")
    if "public" in directives:
        problems.append("public")
    if "cookie" not in vary:
        problems.append(f"Vary: {response.get('Vary')!r}")
    return problems


def _roles_for(row: dict) -> list[str]:
    """Every signed-in role the matrix lets open the URL, and the first one it refuses."""
    allowed = [role for role in SIGNED_IN if row[role] in (200, "ok")]
    refused = [role for role in SIGNED_IN if role not in allowed]
    return allowed + refused[:1]


def test_the_pages_once_cached_are_walked():
    for key in ONCE_CACHEABLE:
        assert key in MATRIX, key
        assert any(MATRIX[key]["GET"][role] == 200 for role in SIGNED_IN), key


@pytest.mark.parametrize("key", sorted(MATRIX))
def test_f9_every_answer_to_a_signed_in_user_is_no_store(world: World, key):
    url = _url(key)(world)
    answers = []
    for method, row in MATRIX[key].items():
        for role in _roles_for(row):
            client = world.client(role)
            if method == "GET":
                response = client.get(url)
            else:
                data = POST_DATA[key](world.this) if key in POST_DATA else {}
                savepoint = transaction.savepoint_create()
                response = client.post(url, data)
                transaction.savepoint_rollback(savepoint)
            answers.append((method, role, response.status_code))
            problems = _no_store(response)
            assert not problems, f"{method} {url} as {role} ({response.status_code}): {problems}"
    if any(MATRIX[key]["GET"][role] == 200 for role in SIGNED_IN):
        assert any(m == "GET" and status == 200 for m, _, status in answers), answers


def _admin_pages() -> list[str]:
    """The admin's index, sign-in and every changelist and add page (URLs without arguments)."""
    names = []
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "admin":
            names += [
                f"admin:{p.name}"
                for p in _endpoints(entry.url_patterns)
                if p.name and not p.pattern.regex.groupindex
            ]
    return sorted(set(names))


def _endpoints(patterns) -> Iterator[URLPattern]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _endpoints(entry.url_patterns)
        else:
            yield entry


@pytest.mark.parametrize("role", ["hr_admin", "superuser", "employee"])
def test_f9_every_page_of_the_admin_is_no_store(world: World, role):
    pages = _admin_pages()
    assert "admin:index" in pages and "admin:firewall_accessevent_changelist" in pages
    client = world.client(role)
    for name in pages:
        if name == "admin:logout":
            continue
        response = client.get(reverse(name))
        problems = _no_store(response)
        assert not problems, f"{name} as {role} ({response.status_code}): {problems}"


def test_f9_the_admins_sign_in_page_is_no_store_for_a_visitor_too(world: World):
    response = world.client("anonymous").get(reverse("admin:login"))

    assert response.status_code == 200
    assert not _no_store(response)


def test_healthz_to_a_visitor_costs_no_session(world: World, django_assert_num_queries):
    """The middleware asks who is signed in only after the view: a probe without a cookie
    makes no session or user query for it (the health check's own queries aside)."""
    client = world.client("anonymous")
    client.get(reverse("healthz"))
    with django_assert_num_queries(2):  # SELECT 1, and the overdue messages
        response = client.get(reverse("healthz"))
    assert response.status_code == 200


# --- Ids beyond 64 bits -----------------------------------------------------------------------

INTEGER_CONVERTERS = (IdConverter, IntConverter)
TOO_BIG = (2**63, 10**30)


@dataclass(frozen=True)
class Route:
    name: str  # namespaced
    route: str  # the full route, from the root URLconf
    converters: dict  # argument name -> converter

    @property
    def is_admin(self) -> bool:
        return self.name.startswith("admin:")

    def path(self, *, integer: int, slug: str) -> str:
        def fill(match: re.Match) -> str:
            converter = self.converters[match.group("name")]
            if isinstance(converter, INTEGER_CONVERTERS):
                return str(integer)
            if isinstance(converter, SlugConverter):
                return slug
            if isinstance(converter, StringConverter):
                return "mentoree"  # the only <str:> beside the calendar token: a role
            raise AssertionError(f"{self.name}: no value for {match.group(0)}")

        return "/" + re.sub(r"<(?:[^>:]+:)?(?P<name>[^>]+)>", fill, self.route)


def _routes(patterns=None, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    """Every endpoint whose route is a `path()` all the way down (a regex route, such as the
    admin's app index or catch-all, takes no integer argument)."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if not isinstance(entry.pattern, RoutePattern):
            continue
        route = prefix + str(entry.pattern)
        converters = entry.pattern.converters
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            for inner in _routes(entry.url_patterns, route, ns):
                yield Route(inner.name, inner.route, {**converters, **inner.converters})
        else:
            yield Route(f"{namespace}{entry.name or route}", route, dict(converters))


def integer_routes() -> list[Route]:
    return sorted(
        (
            r
            for r in _routes()
            if any(isinstance(c, INTEGER_CONVERTERS) for c in r.converters.values())
        ),
        key=lambda r: r.name,
    )


def test_the_walk_finds_the_urls_with_ids():
    names = {r.name for r in integer_routes()}
    assert {"pairings:suggestions", "pairings:propose", "pairings:space"} <= names
    assert len(names) > 40


@pytest.mark.parametrize(
    "route",
    [pytest.param(r, id=r.name) for r in integer_routes()],
)
def test_every_integer_argument_is_an_id(route: Route):
    """One converter for every id: no URL takes Django's unbounded `int`."""
    assert all(not isinstance(c, IntConverter) for c in route.converters.values()), route.route


@pytest.mark.parametrize("role", ["superuser", "coordinator", "employee"])
@pytest.mark.parametrize("route", integer_routes(), ids=lambda r: r.name)
def test_an_id_beyond_64_bits_is_a_404_in_every_url(world: World, route: Route, role):
    """2**63 and 10**30 in every id of the URL, the program's real slug elsewhere: a 404 for
    GET and POST, as the superuser, the program's coordinator (whose pages these are) and an
    ordinary employee. The admin answers those who are not staff with its sign-in page, as
    for any admin URL; nobody ever gets a 500."""
    client = world.client(role)
    for integer in TOO_BIG:
        url = route.path(integer=integer, slug=world.this.program)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if route.is_admin and role == "superuser" and response.status_code == 302:
                # No admin URL matches: the admin's catch-all sends the URL to the change
                # page, which finds no such object and sends the superuser to the index
                # with "does not exist" (the admin's own answer to a missing object).
                followed = getattr(client, method)(url, follow=True)
                assert followed.redirect_chain[-1][0] == reverse("admin:index"), url
                assert followed.status_code == 200
                continue
            if route.is_admin and role != "superuser":
                assert response.status_code == 302, f"{method} {url}: {response.status_code}"
                assert response["Location"].startswith(reverse("admin:login"))
            else:
                assert response.status_code == 404, f"{method} {url}: {response.status_code}"


def test_the_largest_id_still_reaches_the_views_and_is_a_plain_404(world: World):
    """2**63 - 1 is an id (the converter's bound, the database's too): the coordinator's
    suggestions and proposal pages look it up and find no such mentoree."""
    client = world.client("coordinator")
    for name, method in (("pairings:suggestions", "get"), ("pairings:propose", "post")):
        url = reverse(name, args=[world.this.program, MAX_ID])
        assert getattr(client, method)(url).status_code == 404, url


def test_no_urls_py_says_int():
    base = Path(settings.BASE_DIR)
    found = [
        f"{path.relative_to(base)}:{number}"
        for path in [*base.glob("*/urls.py"), *base.glob("*/admin.py")]
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if "<int:" in line
    ]
    assert not found, f"use <id:...> for object ids: {found}"
    assert (base / "mentoring/urls.py").exists()


BIG = str(10**20)


@pytest.mark.parametrize(
    "query",
    [
        f"programs/application/?program={BIG}",
        f"programs/application/?program__exact={BIG}",
        f"programs/application/?program__in=1,{BIG}",
        f"programs/commitment/?program={BIG}",
        f"programs/groupsession/?program__in={BIG}",
        f"programs/resource/?program={BIG}",
        f"people/employee/?level__in={BIG}",
        f"firewall/accessevent/?at__year={BIG}",
        f"firewall/accessevent/?at__year=2026&at__month={BIG}",
        f"people/employee/?level={'9' * 5000}",
    ],
)
def test_a_number_beyond_64_bits_in_an_admin_filter_is_refused_not_a_500(
    query, superuser, hr_admin, signed_in_client
):
    """The admin's own filters, given a number no id can be: the admin's refusal (400),
    never a database overflow (500), for a superuser and an HR admin alike."""
    for who in (superuser, hr_admin):
        response = signed_in_client(who).get(f"/admin/{query}")
        assert response.status_code == 400, (who, query, response.status_code)
