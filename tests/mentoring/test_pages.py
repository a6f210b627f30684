"""Pages as a whole: sign-in protection of every URL, the home page per role, errors, headers."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern, RoutePattern

from tests.factories import EmployeeFactory

# Pages anyone may open signed out. Everything else must send a visitor to sign in.
PUBLIC = {
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_complete",
    "healthz",
    "favicon",
}


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        pattern = entry.pattern
        if isinstance(pattern, RoutePattern):
            if pattern.converters:
                continue
            piece = str(pattern)
        elif isinstance(pattern, RegexPattern):
            if pattern.regex.groups:
                continue
            piece = str(pattern).removeprefix("^").removesuffix("$").replace("\\", "")
        else:  # pragma: no cover - a new kind of pattern: make it visible
            raise AssertionError(f"unknown pattern type {pattern!r}")
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + piece, ns)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name or ''}", "/" + prefix + piece


URLS = sorted(set(_walk(get_resolver().url_patterns)))
PROTECTED = [(name, path) for name, path in URLS if name not in PUBLIC]


def test_the_url_walk_finds_the_pages():
    """Guards the tests below against passing on an empty list."""
    names = {name for name, _ in URLS}
    assert {"home", "password_change", "login", "healthz"} <= names


@pytest.mark.parametrize(("name", "path"), PROTECTED, ids=[n or p for n, p in PROTECTED])
def test_page_sends_a_signed_out_visitor_to_sign_in(db, name, path):
    response = Client().get(path)

    assert response.status_code == 302, f"{name} ({path}) is open to signed-out visitors"
    assert response.url == f"{reverse('login')}?next={path}"


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_public_page_opens_signed_out(db, name):
    response = Client().get(reverse(name))

    # /favicon.ico sends the browser on to the icon (tests/mentoring/test_first_minutes.py).
    assert response.status_code == (301 if name == "favicon" else 200)


# --- The home page ------------------------------------------------------------------------------


def test_home_greets_the_person_and_shows_their_directory_entry(mentor, signed_in_client):
    response = signed_in_client(mentor).get(reverse("home"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Helena" in page
    assert mentor.employee.title in page
    assert mentor.employee.department in page


def test_hr_admin_is_offered_the_directory(hr_admin, signed_in_client):
    page = signed_in_client(hr_admin).get(reverse("home")).content.decode()

    assert "Manage the directory" in page
    assert "Join a mentoring program" in page


def test_employee_without_roles_is_offered_programs_but_not_the_directory(
    outsider, signed_in_client
):
    page = signed_in_client(outsider).get(reverse("home")).content.decode()

    assert "Join a mentoring program" in page
    assert "Manage the directory" not in page
    assert "Staff talent reviews" not in page
    assert "Lead group mentoring sessions" not in page


def test_talent_reviewer_is_offered_talent_reviews(talent_reviewer, signed_in_client):
    page = signed_in_client(talent_reviewer).get(reverse("home")).content.decode()

    assert "Staff talent reviews" in page
    assert "Manage the directory" not in page


def test_executive_leads_group_sessions_and_is_not_offered_one_to_one_mentoring(
    db, signed_in_client
):
    """F4: at or above the group-only level people lead groups, never mentor one-to-one."""
    executive = EmployeeFactory(level=settings.GROUP_ONLY_LEVEL, title="Chief Risk Officer").user

    page = signed_in_client(executive).get(reverse("home")).content.decode()

    assert "Lead group mentoring sessions" in page
    assert "Join a mentoring program" not in page


def test_the_presidents_home_offers_no_mentoring_pairs(executive, signed_in_client):
    """F4: a President is never in a one-to-one pair, so neither the home page nor the
    navigation offers "Your mentoring pairs"; a director one level below still has them."""
    page = signed_in_client(executive).get(reverse("home")).content.decode()
    assert "Your mentoring pairs" not in page
    assert reverse("pairings:mine") not in page

    director = EmployeeFactory(level=settings.GROUP_ONLY_LEVEL - 1).user
    page = signed_in_client(director).get(reverse("home")).content.decode()
    assert "Your mentoring pairs" in page
    assert reverse("pairings:mine") in page


def test_one_level_below_group_only_is_offered_one_to_one_mentoring(db, signed_in_client):
    director = EmployeeFactory(level=settings.GROUP_ONLY_LEVEL - 1).user

    page = signed_in_client(director).get(reverse("home")).content.decode()

    assert "Join a mentoring program" in page
    assert "Lead group mentoring sessions" not in page


def test_superuser_outside_the_directory_is_offered_administration_only(
    superuser, signed_in_client
):
    response = signed_in_client(superuser).get(reverse("home"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Manage the directory" in page
    assert "Join a mentoring program" not in page
    assert "Lead group mentoring sessions" not in page


# --- Errors and headers --------------------------------------------------------------------------


def test_unknown_url_shows_the_friendly_not_found_page_signed_in(mentor, signed_in_client):
    response = signed_in_client(mentor).get("/no-such-page/")

    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    assert mentor.employee.full_name in response.content.decode()  # still shown as signed in


def test_unknown_url_shows_the_friendly_not_found_page_signed_out(db):
    response = Client().get("/no-such-page/")

    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]


def _pages(mentor, signed_in_client):
    signed_in = signed_in_client(mentor)
    return {
        "home": signed_in.get(reverse("home")),
        "password change": signed_in.get(reverse("password_change")),
        "sign in": Client().get(reverse("login")),
        "password reset": Client().get(reverse("password_reset")),
        "not found": signed_in.get("/no-such-page/"),
    }


def test_pages_carry_a_content_security_policy_without_unsafe_inline(mentor, signed_in_client):
    for name, response in _pages(mentor, signed_in_client).items():
        policy = response.headers.get("Content-Security-Policy", "")
        assert "default-src 'self'" in policy, name
        assert "'unsafe-inline'" not in policy, name
        assert "'unsafe-eval'" not in policy, name
        assert "frame-ancestors 'none'" in policy, name


def test_pages_hold_no_inline_script_or_style_the_policy_would_block(mentor, signed_in_client):
    for name, response in _pages(mentor, signed_in_client).items():
        html = response.content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), name
        assert "<style" not in html, name
        assert not re.search(r"\sstyle=", html), name
        assert not re.search(r"\son[a-z]+=", html), name


# --- The authorization matrix: every URL x every role -> expected status -------------------------
# A new URL without a row here fails test_every_url_has_a_row_in_the_matrix. "default" is the
# status for every signed-in role not named in the row.

ROLES = [
    "anonymous",
    "mentor",
    "mentoree",
    "other_mentor",
    "coordinator",
    "committee_member",
    "talent_reviewer",
    "hr_admin",
    "superuser",
    "outsider",
]

MATRIX = {
    "home": {"anonymous": 302, "default": 200},
    "logout": {"anonymous": 302, "default": 405},  # GET: signing out needs POST
    "password_change": {"anonymous": 302, "default": 200},
    "password_change_done": {"anonymous": 302, "default": 200},
    "login": {"anonymous": 200, "default": 302},  # signed in: sent home
    "password_reset": {"anonymous": 200, "default": 200},
    "password_reset_done": {"anonymous": 200, "default": 200},
    "password_reset_complete": {"anonymous": 200, "default": 200},
    "account_address": {"anonymous": 302, "default": 200},
    "healthz": {"anonymous": 200, "default": 200},
    "favicon": {"anonymous": 301, "default": 301},
    "inbox": {"anonymous": 302, "default": 200},
    # Everyone signed in has messages to tune and a calendar address to make.
    "notification_settings": {"anonymous": 302, "default": 200},
    "calendar_settings": {"anonymous": 302, "default": 200},
    "calendar_reset": {"anonymous": 302, "default": 405},  # GET: making an address needs POST
    "programs:list": {"anonymous": 302, "default": 200},
    # Creating programs: coordinators (members of "Program coordinators") only, since the
    # creator coordinates the program; HR admins create programs in the admin (F13).
    "programs:create": {"anonymous": 302, "default": 403},
    "programs:my_applications": {"anonymous": 302, "default": 200},
    # Only people in the directory take part in programs.
    "programs:my_commitments": {"anonymous": 302, "default": 200, "superuser": 404},
    # Nobody here sits on a committee yet: the queue does not exist for them.
    "programs:committee_queue": {"anonymous": 302, "default": 404},
    "programs:my_sessions": {"anonymous": 302, "default": 200},
    "programs:resources": {"anonymous": 302, "default": 200},
    "programs:resource_create": {
        "anonymous": 302,
        "default": 403,
        "hr_admin": 200,
        "superuser": 200,
    },
    # Tags are managed by coordinators of a program; a superuser is not one unless named.
    "programs:tags": {"anonymous": 302, "default": 403},
    "pairings:mine": {"anonymous": 302, "default": 200},
    # Nobody here manages anyone or is a senior leader: the audience pages are not theirs (F6).
    "confidentiality:shared_manager": {"anonymous": 302, "default": 404},
    "confidentiality:shared_leadership": {"anonymous": 302, "default": 404},
    # Everyone signed in sees the reviews they may see (none, unless panel or Talent team).
    "reviews:list": {"anonymous": 302, "default": 200},
    # Only the Talent team staffs reviews; a superuser is not part of it unless named.
    "reviews:create": {"anonymous": 302, "default": 403, "talent_reviewer": 200},
    # The people picker's search for a review's subject: the Talent team's, like the form.
    "reviews:people_subject": {"anonymous": 302, "default": 403, "talent_reviewer": 200},
    # The all-programs overview is for HR admins; for anyone else it does not exist.
    "reports:overview": {"anonymous": 302, "default": 404, "hr_admin": 200},
}

ADMIN_STAFF = {"hr_admin": 200, "superuser": 200}
ADMIN_MATRIX = {
    "admin:index": {"anonymous": 302, "default": 302, **ADMIN_STAFF},
    "admin:people_employee_changelist": {"anonymous": 302, "default": 302, **ADMIN_STAFF},
    "admin:people_employee_add": {"anonymous": 302, "default": 302, **ADMIN_STAFF},
    "admin:people_employee_import": {"anonymous": 302, "default": 302, **ADMIN_STAFF},
    "admin:people_user_changelist": {"anonymous": 302, "default": 302, **ADMIN_STAFF},
    # HR admins are never superusers and cannot make accounts that are.
    "admin:people_user_add": {"anonymous": 302, "default": 302, "hr_admin": 403, "superuser": 200},
    "admin:auth_group_changelist": {
        "anonymous": 302,
        "default": 302,
        "hr_admin": 403,
        "superuser": 200,
    },
}


def test_every_url_has_a_row_in_the_matrix():
    names = {name for name, _ in URLS}
    assert not names - set(MATRIX), f"add rows to MATRIX for: {sorted(names - set(MATRIX))}"
    assert not set(MATRIX) - names, (
        f"MATRIX rows for URLs that are gone: {sorted(set(MATRIX) - names)}"
    )


def _client_for(request, role):
    if role == "anonymous":
        request.getfixturevalue("db")
        return Client()
    return request.getfixturevalue("signed_in_client")(request.getfixturevalue(role))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted({**MATRIX, **ADMIN_MATRIX}))
def test_authorization_matrix(request, name, role):
    row = {**MATRIX, **ADMIN_MATRIX}[name]
    expected = row.get(role, row["default"])

    response = _client_for(request, role).get(reverse(name))

    assert response.status_code == expected, f"{role} on {name}"
    if expected == 302 and role == "anonymous":
        sign_in_pages = (reverse("login"), reverse("admin:login"))
        assert response.url.startswith(sign_in_pages), f"{name} sends {role} to {response.url}"


def test_hr_admin_cannot_make_themselves_superuser(hr_admin, signed_in_client):
    client = signed_in_client(hr_admin)

    response = client.post(
        reverse("admin:people_user_change", args=[hr_admin.pk]),
        {
            "username": hr_admin.username,
            "email": hr_admin.email,
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
        },
    )

    assert response.status_code == 403
    hr_admin.refresh_from_db()
    assert not hr_admin.is_superuser
