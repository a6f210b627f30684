"""The authorization matrix: every URL the resolver knows x every role x expected outcome.

One table (MATRIX) holds a decision for every URL name: for each method tested (GET, and POST
where the URL changes something) and each of the fourteen roles, what comes back. The URL's
arguments are filled from one world built once for the module through the services
(tests/builders/world.py): the object that belongs to "this program" and "this pair".
A URL the resolver finds that has no row fails test_every_url_has_a_row (a new URL cannot be
added without a decision), and so does a row for a URL that is gone.

Outcomes:
- 200, 302, 400, 403, 404, 405: exactly that status. Hidden objects are 404, never 403 (a 403
  confirms the object exists); 403 only where nothing secret is at stake (a page of a
  company-wide role such as "create a program"). 302 here is a refusal or a no-op that sends
  the person back to the page, with a message.
- "login": 302 to the sign-in page (signed out, or an inactive account: it must behave like
  a signed-out visitor).
- "ok": the POST was allowed to act (2xx or 3xx); the only cells where rows may change.
Every other POST cell must leave every row of the apps' models as it was (AccessEvent aside:
a refused attempt on a confidential object is *meant* to be logged, F8).

Then ID swapping: each URL with an id or slug, requested by each role that is not privileged
for it with the id of another person's object of the same kind (the other pair's pairing,
meeting, goal, notes, agreement and theme; the other program's slug, application, acceptance,
session, resource, matching run, proposal and pin; a review the role does not sit on) is a
404, and refused POSTs change nothing. The admin and the secret calendar address have
smaller checks of their own at the end.

Each cell is its own test, named url_name-method-role; every test runs in a savepoint of the
module's transaction, so whatever one cell does is gone before the next.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from firewall.models import AccessEvent
from tests.builders.world import ROLES, Side, World

LOGIN = "login"
OK = "ok"
Expected = int | str

# The world (tests/builders/world.py) comes from the `world` fixture: built once per module,
# each cell in a savepoint of its own, rolled back so whatever an allowed POST did is gone
# before the next cell.


# --- Rows: helpers --------------------------------------------------------------------------


def _row(default: Expected, signed_out: Expected = LOGIN, **cells: Expected) -> dict:
    """`default` for every signed-in role, `signed_out` for the anonymous visitor and the
    inactive account, then the named exceptions."""
    row = dict.fromkeys(ROLES, default)
    row["anonymous"] = row["inactive"] = signed_out
    row.update(cells)
    return row


def signed_in(default: Expected, **cells: Expected) -> dict:
    return _row(default, **cells)


def only(expected: Expected, *roles: str, others: Expected = 404, **cells: Expected) -> dict:
    """`expected` for the named roles, then the named exceptions; `others` (404: the object
    is hidden) for every other signed-in role."""
    return _row(others, **dict.fromkeys(roles, expected), **cells)


def public(expected: Expected) -> dict:
    """A page anyone may open, signed in or not."""
    return _row(expected, signed_out=expected)


NOT_GET = signed_in(405)  # a POST-only URL answers GET with 405 (after the sign-in check)
MEMBERS = ("mentor", "mentoree")
PARTICIPANTS = ("mentor", "mentoree", "other_mentor", "other_mentoree")  # admitted in program
COORDINATORS = ("coordinator", "other_coordinator")  # "Program coordinators", each has one


def post_only(post: dict) -> dict:
    return {"GET": NOT_GET, "POST": post}


# --- THE TABLE ----------------------------------------------------------------------------------
# url name (with "@variant" when one URL is checked on two objects) -> method -> role -> outcome.

MATRIX: dict[str, dict[str, dict[str, Expected]]] = {
    # --- The project's own pages and the account ----------------------------------------------
    "home": {"GET": signed_in(200)},
    "healthz": {"GET": public(200)},
    "favicon": {"GET": public(301)},
    "inbox": {"GET": signed_in(200)},
    "notification_settings": {"GET": signed_in(200), "POST": signed_in(OK)},
    "calendar_settings": {"GET": signed_in(200)},
    "calendar_reset": post_only(signed_in(OK)),
    # Signed in: sent home. The inactive account is signed out, so it sees the form.
    "login": {"GET": _row(302, signed_out=200), "POST": _row(302, signed_out=200)},
    "logout": post_only(signed_in(OK)),
    "password_change": {"GET": signed_in(200), "POST": signed_in(200)},
    "password_change_done": {"GET": signed_in(200)},
    "password_reset": {"GET": public(200), "POST": public(200)},
    "password_reset_done": {"GET": public(200)},
    # A bad link: "this link is invalid", and a POST to it sets nothing.
    "password_reset_confirm": {"GET": public(200), "POST": public(200)},
    "password_reset_complete": {"GET": public(200)},
    # One's own sign-in address (F12): everyone may cancel a new address waiting for their own
    # confirmation; a confirmation link that is not one's own pending change is a 404.
    "account_address": {"GET": signed_in(200), "POST": signed_in(OK)},
    "account_address_confirm": {"GET": signed_in(404), "POST": signed_in(404)},
    # --- Programs -------------------------------------------------------------------------
    "programs:list": {"GET": signed_in(200)},
    # A company-wide role's page: "Program coordinators" and HR admins (model permission).
    # The creator coordinates the program: HR admins and superusers create programs in the
    # admin, where nobody names themselves (F13).
    "programs:create": {
        "GET": signed_in(403, **dict.fromkeys(COORDINATORS, 200)),
        "POST": signed_in(403, **dict.fromkeys(COORDINATORS, 200)),
    },
    "programs:my_applications": {"GET": signed_in(200)},
    # The mentoree's own application, decided: sent back to the list, never editable.
    "programs:application_edit": {"GET": only(302, "mentoree"), "POST": only(302, "mentoree")},
    "programs:application_withdraw": post_only(only(302, "mentoree")),
    # Consent to show one's goals to a proposed mentor: only the mentoree, decided or not.
    "programs:application_consent": post_only(only(OK, "mentoree")),
    "programs:my_commitments": {"GET": signed_in(200, superuser=404)},  # no directory entry
    "programs:acceptance": {"GET": only(200, "mentoree")},
    "programs:committee_queue": {"GET": only(200, "committee_member")},
    "programs:committee_application": {"GET": only(200, "committee_member", "coordinator")},
    # An empty vote or decision is a form error on the page.
    "programs:vote": post_only(only(400, "committee_member", "coordinator")),
    "programs:decide": post_only(only(400, "committee_member", "coordinator")),
    # The applicant reports to the committee member: recused, they never see it (404).
    "programs:committee_application@recused": {"GET": only(200, "coordinator")},
    "programs:vote@recused": post_only(only(400, "coordinator")),
    "programs:decide@recused": post_only(only(400, "coordinator")),
    "programs:my_sessions": {"GET": signed_in(200)},
    # Its leader, the program's coordinators and admitted participants see a session.
    "programs:session": {"GET": only(200, *PARTICIPANTS, "coordinator", "executive")},
    "programs:session_register": post_only(only(OK, *PARTICIPANTS, coordinator=302, executive=302)),
    "programs:session_cancel": post_only(only(302, *PARTICIPANTS, "coordinator", "executive")),
    "programs:session_attendance": post_only(only(302, *PARTICIPANTS, "coordinator", "executive")),
    "programs:session_ics": {"GET": only(200, *PARTICIPANTS, "coordinator", "executive")},
    # Its leader and the program's coordinators change it (an empty form is a page of field
    # errors); only a coordinator cancels it (the leader is sent back with the reason).
    "programs:session_edit": {
        "GET": only(200, "coordinator", "executive"),
        "POST": only(200, "coordinator", "executive"),
    },
    "programs:session_call_off": post_only(only(302, "executive", coordinator=OK)),
    "programs:resources": {"GET": signed_in(200)},
    "programs:resource_create": {
        "GET": signed_in(403, hr_admin=200, superuser=200),
        "POST": signed_in(403, hr_admin=200, superuser=200),
    },
    "programs:resource_download": {"GET": only(200, *PARTICIPANTS, "coordinator")},
    # The shared vocabulary of tags belongs to every coordinator; its existence is no secret.
    "programs:tags": {
        "GET": signed_in(403, **dict.fromkeys(COORDINATORS, 200)),
        "POST": signed_in(403, **dict.fromkeys(COORDINATORS, 200)),
    },
    "programs:tag_delete": post_only(signed_in(403, **dict.fromkeys(COORDINATORS, OK))),
    "programs:detail": {"GET": signed_in(200)},  # accepting applications: open to all
    "programs:edit": {"GET": only(200, "coordinator"), "POST": only(200, "coordinator")},
    "programs:transition": post_only(only(302, "coordinator")),
    "programs:manage": {"GET": only(200, "coordinator")},
    # An empty choice comes back as the people picker's field error on a page of its own.
    "programs:committee_add": post_only(only(400, "coordinator")),
    # The people picker's searches answer to the same permission as the form they serve.
    "programs:people_committee": {"GET": only(200, "coordinator")},
    "programs:people_leader": {"GET": only(200, "coordinator")},
    "programs:committee_remove": post_only(only(OK, "coordinator")),
    # Applying as a mentoree: the form for those who may; those who may not (already applied,
    # above the grade) read why, and an empty POST is refused with it (400).
    "programs:apply": {
        "GET": signed_in(200, superuser=404),
        "POST": signed_in(200, **dict.fromkeys((*PARTICIPANTS, "executive"), 400), superuser=404),
    },
    # Applying as a mentor: F4, the executive leads groups and is refused (so are the employee,
    # below the mentors' grade, and those who applied already).
    "programs:apply@mentor": {
        "GET": signed_in(200, superuser=404),
        "POST": signed_in(
            200, **dict.fromkeys((*PARTICIPANTS, "executive", "employee"), 400), superuser=404
        ),
    },
    "programs:commitment": {
        "GET": only(200, *PARTICIPANTS, "coordinator"),
        "POST": only(OK, *PARTICIPANTS),
    },
    "programs:commitment_publish": {
        "GET": only(200, "coordinator"),
        "POST": only(200, "coordinator"),
    },
    "programs:session_create": {"GET": only(200, "coordinator"), "POST": only(200, "coordinator")},
    "programs:program_resource_create": {
        "GET": only(200, "coordinator"),
        "POST": only(200, "coordinator"),
    },
    # --- Pairings: the pair's space is for its two members only ---------------------------
    "pairings:mine": {"GET": signed_in(200)},
    "pairings:space": {"GET": only(200, *MEMBERS)},
    "pairings:accept": post_only(only(302, *MEMBERS)),  # already accepted: nothing changes
    "pairings:end": {"GET": only(200, *MEMBERS), "POST": only(200, *MEMBERS)},
    "pairings:meeting_create": post_only(only(400, *MEMBERS)),
    "pairings:goal_create": post_only(only(400, *MEMBERS)),
    "pairings:meeting_ics": {"GET": only(200, *MEMBERS)},
    "pairings:meeting_delete": post_only(only(OK, *MEMBERS)),
    "pairings:goal_status": post_only(only(302, *MEMBERS)),
    "pairings:meeting_edit": {"GET": only(200, *MEMBERS), "POST": only(400, *MEMBERS)},
    "pairings:meeting_cancel": post_only(only(OK, *MEMBERS)),
    "pairings:goal_edit": {"GET": only(200, *MEMBERS), "POST": only(400, *MEMBERS)},
    # --- Pairings: the coordinator's pages of this program ---------------------------------
    "pairings:program": {"GET": only(200, "coordinator")},
    "pairings:suggestions": {"GET": only(200, "coordinator")},
    "pairings:propose": post_only(only(OK, "coordinator")),  # body: a mentor with room left
    "pairings:matching": {"GET": only(200, "coordinator")},
    # The progress fragment; the world's run has finished, so htmx is told to stop (286).
    "pairings:matching_status": {"GET": only(286, "coordinator")},
    "pairings:matching_start": post_only(only(OK, "coordinator")),
    "pairings:pin_add": post_only(only(400, "coordinator")),
    "pairings:pin_people": {"GET": only(200, "coordinator")},
    "pairings:pin_people@mentoree": {"GET": only(200, "coordinator")},
    "pairings:pin_remove": post_only(only(OK, "coordinator")),
    "pairings:proposal_remove": post_only(only(OK, "coordinator")),
    "pairings:proposal_swap": post_only(only(302, "coordinator")),
    "pairings:matching_publish": post_only(only(OK, "coordinator")),
    # --- Confidentiality: the agreement and notes (F1, F6) ------------------------------------
    "confidentiality:agreement": {"GET": only(200, *MEMBERS)},
    # F6 audiences: a manager's page (the committee member has a direct report) and a senior
    # leader's (the executive's grade); a role, a flag or a group adds nothing: 404.
    "confidentiality:shared_manager": {"GET": only(200, "committee_member")},
    "confidentiality:shared_leadership": {"GET": only(200, "executive")},
    "confidentiality:agreement_sign": post_only(only(400, *MEMBERS)),
    "confidentiality:agreement_rules": post_only(only(400, *MEMBERS)),
    "confidentiality:theme_add": post_only(only(400, *MEMBERS)),
    # Only the mentoree withdraws a theme; the mentor is refused and nothing changes.
    "confidentiality:theme_withdraw": post_only(only(OK, "mentoree", mentor=302)),
    "confidentiality:notes": {"GET": only(200, *MEMBERS), "POST": only(400, *MEMBERS)},
    # The mentor's shared note: both members read it; only the author changes it.
    "confidentiality:note": {"GET": only(200, *MEMBERS)},
    "confidentiality:note_edit": {
        "GET": only(200, "mentor", mentoree=302),
        "POST": only(200, "mentor", mentoree=302),
    },
    "confidentiality:note_share": post_only(only(OK, "mentor", mentoree=302)),
    "confidentiality:note_delete": post_only(only(OK, "mentor", mentoree=302)),
    # The mentor's private note: the author alone.
    "confidentiality:note@private": {"GET": only(200, "mentor")},
    "confidentiality:note_edit@private": {"GET": only(200, "mentor"), "POST": only(200, "mentor")},
    "confidentiality:note_share@private": post_only(only(OK, "mentor")),
    "confidentiality:note_delete@private": post_only(only(OK, "mentor")),
    # --- Talent reviews: the Talent team (and the panel) only (F2) -------------------------
    "reviews:list": {"GET": signed_in(200)},
    "reviews:create": {
        "GET": signed_in(403, talent_reviewer=200),
        "POST": signed_in(403, talent_reviewer=200),
    },
    # The review of the mentoree: its subject never sees it.
    "reviews:detail": {"GET": only(200, "talent_reviewer")},
    # The people picker's searches: the Talent team, on a review it may see.
    "reviews:people_subject": {"GET": signed_in(403, talent_reviewer=200)},
    "reviews:people_panel": {"GET": only(200, "talent_reviewer")},
    "reviews:dossier": {"GET": only(200, "talent_reviewer")},
    "reviews:recusals": {"GET": only(200, "talent_reviewer")},
    "reviews:seat_add": post_only(only(400, "talent_reviewer")),
    "reviews:seat_remove": post_only(only(OK, "talent_reviewer")),
    "reviews:transition": post_only(only(302, "talent_reviewer")),
    "reviews:outcome": post_only(only(400, "talent_reviewer")),
    # --- Reports: figures for the program's coordinator and HR admins, nobody else -----------
    "reports:overview": {"GET": only(200, "hr_admin")},
    "reports:dashboard": {"GET": only(200, "coordinator", "hr_admin")},
    # Exports that name people: the program's coordinators only (HR is no audience, F6).
    "reports:export_participants": {"GET": only(200, "coordinator")},
    "reports:export_meetings": {"GET": only(200, "coordinator")},
    "reports:export_figures": {"GET": only(200, "coordinator", "hr_admin")},
}

# Known authorization bugs: (url name, method, role) -> why. The table above holds the correct
# outcome; these cells are marked xfail(strict=True) so the suite stays green while the bug is
# visible, and turns red the day it is fixed (then delete the line).
BUGS: dict[tuple[str, str, str], str] = {}

# --- URL arguments -------------------------------------------------------------------------------
# How to fill each URL's arguments from one side of the world (this side for the matrix, the
# other side for ID swapping).

ARGS: dict[str, Callable[[Side], dict]] = {
    "password_reset_confirm": lambda s: {"uidb64": "MQ", "token": "not-a-valid-token"},
    "account_address_confirm": lambda s: {"token": "not-a-valid-token"},
    "programs:application_edit": lambda s: {"pk": s.application},
    "programs:application_withdraw": lambda s: {"pk": s.application},
    "programs:application_consent": lambda s: {"pk": s.application},
    "programs:acceptance": lambda s: {"pk": s.acceptance},
    "programs:committee_application": lambda s: {"pk": s.committee_application},
    "programs:vote": lambda s: {"pk": s.committee_application},
    "programs:decide": lambda s: {"pk": s.committee_application},
    "programs:committee_application@recused": lambda s: {"pk": s.recused_application},
    "programs:vote@recused": lambda s: {"pk": s.recused_application},
    "programs:decide@recused": lambda s: {"pk": s.recused_application},
    "programs:session": lambda s: {"pk": s.session},
    "programs:session_register": lambda s: {"pk": s.session},
    "programs:session_cancel": lambda s: {"pk": s.session},
    "programs:session_attendance": lambda s: {"pk": s.session},
    "programs:session_ics": lambda s: {"pk": s.session},
    "programs:session_edit": lambda s: {"pk": s.session},
    "programs:session_call_off": lambda s: {"pk": s.session},
    "programs:resource_download": lambda s: {"pk": s.resource},
    "programs:tag_delete": lambda s: {"pk": s.tag},
    "programs:detail": lambda s: {"slug": s.program},
    "programs:edit": lambda s: {"slug": s.program},
    "programs:transition": lambda s: {"slug": s.program},
    "programs:manage": lambda s: {"slug": s.program},
    "programs:committee_add": lambda s: {"slug": s.program},
    "programs:committee_remove": lambda s: {"slug": s.program, "user_id": s.committee_user},
    "programs:apply": lambda s: {"slug": s.program, "role": "mentoree"},
    "programs:apply@mentor": lambda s: {"slug": s.program, "role": "mentor"},
    "programs:commitment": lambda s: {"slug": s.program},
    "programs:commitment_publish": lambda s: {"slug": s.program},
    "programs:session_create": lambda s: {"slug": s.program},
    "programs:people_committee": lambda s: {"slug": s.program},
    "programs:people_leader": lambda s: {"slug": s.program},
    "programs:program_resource_create": lambda s: {"slug": s.program},
    "pairings:space": lambda s: {"pk": s.pairing},
    "pairings:accept": lambda s: {"pk": s.pairing},
    "pairings:end": lambda s: {"pk": s.pairing},
    "pairings:meeting_create": lambda s: {"pk": s.pairing},
    "pairings:goal_create": lambda s: {"pk": s.pairing},
    "pairings:meeting_ics": lambda s: {"pk": s.meeting},
    "pairings:meeting_delete": lambda s: {"pk": s.meeting},
    "pairings:goal_status": lambda s: {"pk": s.goal},
    "pairings:meeting_edit": lambda s: {"pk": s.meeting},
    "pairings:meeting_cancel": lambda s: {"pk": s.meeting},
    "pairings:goal_edit": lambda s: {"pk": s.goal},
    "pairings:program": lambda s: {"slug": s.program},
    "pairings:suggestions": lambda s: {"slug": s.program, "employee_id": s.waiting_mentoree},
    "pairings:propose": lambda s: {"slug": s.program, "employee_id": s.waiting_mentoree},
    "pairings:matching": lambda s: {"slug": s.program},
    "pairings:matching_status": lambda s: {"slug": s.program},
    "pairings:matching_start": lambda s: {"slug": s.program},
    "pairings:pin_add": lambda s: {"slug": s.program},
    "pairings:pin_people": lambda s: {"slug": s.program, "role": "mentor"},
    "pairings:pin_people@mentoree": lambda s: {"slug": s.program, "role": "mentoree"},
    "pairings:pin_remove": lambda s: {"slug": s.program, "pin_id": s.pin},
    "pairings:proposal_remove": lambda s: {"slug": s.program, "pair_id": s.proposed_pair},
    "pairings:proposal_swap": lambda s: {"slug": s.program},
    "pairings:matching_publish": lambda s: {"slug": s.program, "run_id": s.run},
    "confidentiality:agreement": lambda s: {"pk": s.pairing},
    "confidentiality:agreement_sign": lambda s: {"pk": s.pairing},
    "confidentiality:agreement_rules": lambda s: {"pk": s.pairing},
    "confidentiality:theme_add": lambda s: {"pk": s.pairing},
    "confidentiality:theme_withdraw": lambda s: {"pk": s.pairing, "theme_id": s.theme},
    "confidentiality:notes": lambda s: {"pk": s.pairing},
    "confidentiality:note": lambda s: {"pk": s.shared_note},
    "confidentiality:note_edit": lambda s: {"pk": s.shared_note},
    "confidentiality:note_share": lambda s: {"pk": s.shared_note},
    "confidentiality:note_delete": lambda s: {"pk": s.shared_note},
    "confidentiality:note@private": lambda s: {"pk": s.private_note},
    "confidentiality:note_edit@private": lambda s: {"pk": s.private_note},
    "confidentiality:note_share@private": lambda s: {"pk": s.private_note},
    "confidentiality:note_delete@private": lambda s: {"pk": s.private_note},
    "reviews:detail": lambda s: {"pk": s.review},
    "reviews:people_panel": lambda s: {"pk": s.review},
    "reviews:dossier": lambda s: {"pk": s.review},
    "reviews:recusals": lambda s: {"pk": s.review},
    "reviews:seat_add": lambda s: {"pk": s.review},
    "reviews:seat_remove": lambda s: {"pk": s.review, "seat_id": s.seat},
    "reviews:transition": lambda s: {"pk": s.review},
    "reviews:outcome": lambda s: {"pk": s.review},
    "reports:dashboard": lambda s: {"slug": s.program},
    "reports:export_participants": lambda s: {"slug": s.program},
    "reports:export_meetings": lambda s: {"slug": s.program},
    "reports:export_figures": lambda s: {"slug": s.program},
}

# A minimal body where an empty one would only show a form error to the one role allowed.
POST_DATA: dict[str, Callable[[Side], dict]] = {
    "pairings:propose": lambda s: {"mentor": s.free_mentor},
}

# Arguments that are not ids of anyone's object, or ids nobody owns: nothing to swap.
NOT_SWAPPED = {
    "password_reset_confirm": "a token, not an object",
    "account_address_confirm": "a token, not an object (tests/firewall/test_insiders_identity.py)",
    # The other side has no recusal of its own: the plain rows swap the application already.
    "programs:committee_application@recused": "covered by programs:committee_application",
    "programs:vote@recused": "covered by programs:vote",
    "programs:decide@recused": "covered by programs:decide",
    "programs:tag_delete": "no URL argument but the tag, a vocabulary every coordinator shares",
}

# The other program accepts applications: its page and application form are open to every
# employee by design (README: employees browse the programs open to them). The swapped slug
# for them is the other coordinator's program still in draft, which nobody else may see.
SWAP_ARGS: dict[str, Callable[[World], dict]] = {
    "programs:detail": lambda w: {"slug": w.draft_program},
    "programs:apply": lambda w: {"slug": w.draft_program, "role": "mentoree"},
    "programs:apply@mentor": lambda w: {"slug": w.draft_program, "role": "mentor"},
}


def _split(key: str) -> str:
    return key.split("@", 1)[0]


def _url(key: str, side: Side) -> str:
    return reverse(_split(key), kwargs=ARGS[key](side) if key in ARGS else None)


# --- Resolver ------------------------------------------------------------------------------------

SEPARATE = {"calendar_feed"}  # the secret address: checked on its own below


def _walk(patterns, namespace: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}" if entry.name else f"{namespace}<unnamed {entry}>"


def resolver_names() -> set[str]:
    return {
        name
        for name in _walk(get_resolver().url_patterns)
        if not name.startswith("admin:") and name not in SEPARATE
    }


def test_every_url_has_a_row():
    """A new URL fails here until someone decides who may open it; a row for a URL that is
    gone fails too."""
    names = resolver_names()
    rows = {_split(key) for key in MATRIX}
    missing = sorted(names - rows)
    assert not missing, f"URLs without a row in MATRIX (decide who may open them): {missing}"
    gone = sorted(rows - names)
    assert not gone, f"MATRIX rows for URLs the resolver no longer has: {gone}"
    assert len(names) > 80  # guards against a walk that finds nothing


def test_every_row_is_complete_and_every_argument_is_filled():
    for key, methods in MATRIX.items():
        assert "GET" in methods, key
        for method, row in methods.items():
            assert set(row) == set(ROLES), f"{key} {method}: roles {set(ROLES) ^ set(row)}"
    for key in ARGS:
        assert key in MATRIX, f"ARGS for {key}, which has no row"
    for key, reason in BUGS.items():
        assert key[0] in MATRIX and key[1] in MATRIX[key[0]], (key, reason)


# --- Whether anything changed ------------------------------------------------------------------

WATCHED_APPS = (
    "people",
    "notifications",
    "programs",
    "pairings",
    "confidentiality",
    "firewall",
    "reviews",
    "auth",
    "guardian",
)
# Refused attempts on confidential objects are logged on purpose (F8); sign-in sessions and
# django-axes' records are the client's, not the application's data.
NOT_WATCHED_TABLES = {AccessEvent._meta.db_table, "django_session"}
WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


def _watched_tables() -> list[str]:
    return sorted(
        {
            model._meta.db_table
            for label in WATCHED_APPS
            for model in apps.get_app_config(label).get_models(include_auto_created=True)
        }
        - NOT_WATCHED_TABLES
    )


def _row_counts() -> dict[str, int]:
    """The number of rows of every table of the apps' models, in one query."""
    quote = connection.ops.quote_name
    sql = " UNION ALL ".join(
        f"SELECT '{table}', COUNT(*) FROM {quote(table)}"  # noqa: S608 - our own table names
        for table in _watched_tables()
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


def _writes(queries) -> list[str]:
    """The statements that wrote to a watched table (an UPDATE that changes nothing counts
    too: a refused request has no business writing at all)."""
    tables = set(_watched_tables())
    return [
        query["sql"][:120]
        for query in queries
        if (found := WRITE.match(query["sql"])) and found.group(1) in tables
    ]


# --- Requests --------------------------------------------------------------------------------


def _describe(response) -> str:
    where = f" -> {response['Location']}" if response.has_header("Location") else ""
    return f"{response.status_code}{where}"


def _is_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(
        f"{reverse('login')}?next="
    )


def _check(world: World, cell: str, role: str, method: str, url: str, data, expected) -> None:
    if not world.baseline:  # once per module, before its first request changes anything
        world.baseline.update(_row_counts())
    client = world.client(role)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data or {}) if method == "POST" else client.get(url)
    got = _describe(response)
    if expected == LOGIN:
        assert _is_login(response), f"{cell}: expected the sign-in page, got {got}"
    elif expected == OK:
        assert 200 <= response.status_code < 400, f"{cell}: expected success, got {got}"
    else:
        assert response.status_code == expected, f"{cell}: expected {expected}, got {got}"
        if expected == 302:
            assert not _is_login(response), f"{cell}: expected {expected}, got the sign-in page"
    if method == "POST" and expected != OK:
        writes = _writes(queries)
        assert not writes, f"{cell}: a refused POST ({got}) wrote {writes}"
        counts = _row_counts()
        changed = {t: (n, counts[t]) for t, n in world.baseline.items() if counts[t] != n}
        assert not changed, f"{cell}: a refused POST ({got}) changed row counts {changed}"


def _cells():
    for key, methods in MATRIX.items():
        for method in methods:
            for role in ROLES:
                marks = []
                bug = BUGS.get((key, method, role))
                if bug:
                    marks.append(pytest.mark.xfail(strict=True, reason=bug))
                yield pytest.param(key, method, role, id=f"{key}-{method}-{role}", marks=marks)


@pytest.mark.parametrize(("key", "method", "role"), list(_cells()))
def test_matrix(world: World, key, method, role):
    expected = MATRIX[key][method][role]
    url = _url(key, world.this)
    data = POST_DATA[key](world.this) if key in POST_DATA else None
    _check(world, f"{key} {method} as {role} ({url})", role, method, url, data, expected)


# --- ID swapping --------------------------------------------------------------------------------
# Every URL with an id or slug, requested with the id of someone else's object of the same kind
# (the other side of the world) by each role that is not privileged for it: 404, and refused
# POSTs change nothing. other_mentor, other_mentoree and other_coordinator own the other side;
# for them, this side's ids are the swapped ones, and the matrix above already holds those
# cells (404). HR admins and the superuser are privileged nowhere here but the reports and the
# company-wide pages, and the matrix holds their 404s too.

SWAP_ROLES = (
    "employee",
    "mentoree",
    "mentor",
    "coordinator",
    "committee_member",
    "executive",
    "talent_reviewer",
)
# The Talent team staffs every review: no review is "someone else's" for them.
SWAP_PRIVILEGED = {"reviews:": {"talent_reviewer"}}

# The parent is the role's own (their program, their pair, their review); the child id is the
# other side's. (url key -> arguments, the roles whose parent it is)
INNER_SWAPS: dict[str, tuple[Callable[[World], dict], tuple[str, ...]]] = {
    "pairings:suggestions": (
        lambda w: {"slug": w.this.program, "employee_id": w.other.waiting_mentoree},
        ("coordinator",),
    ),
    "pairings:propose": (
        lambda w: {"slug": w.this.program, "employee_id": w.other.waiting_mentoree},
        ("coordinator",),
    ),
    "pairings:pin_remove": (
        lambda w: {"slug": w.this.program, "pin_id": w.other.pin},
        ("coordinator",),
    ),
    "pairings:proposal_remove": (
        lambda w: {"slug": w.this.program, "pair_id": w.other.proposed_pair},
        ("coordinator",),
    ),
    "pairings:matching_publish": (
        lambda w: {"slug": w.this.program, "run_id": w.other.run},
        ("coordinator",),
    ),
    "confidentiality:theme_withdraw": (
        lambda w: {"pk": w.this.pairing, "theme_id": w.other.theme},
        MEMBERS,
    ),
    "reviews:seat_remove": (
        lambda w: {"pk": w.this.review, "seat_id": w.other.seat},
        ("talent_reviewer",),
    ),
}

# Known bugs among the swapped cells: (url key, method, role, "swap" | "inner") -> why.
# (theme_withdraw once answered another pair's theme id with a 302; it is a 404 now.)
SWAP_BUGS: dict[tuple[str, str, str, str], str] = {}


def _swap_methods(key: str) -> list[str]:
    """The methods that reach the view: a POST-only URL answers GET with 405 before it looks
    anything up, whatever the id."""
    methods = MATRIX[key]
    return [m for m in methods if not (m == "GET" and methods["GET"] is NOT_GET)]


def _swap_roles(key: str) -> list[str]:
    privileged = {
        r for prefix, roles in SWAP_PRIVILEGED.items() if key.startswith(prefix) for r in roles
    }
    return [role for role in SWAP_ROLES if role not in privileged]


def _swaps():
    for key in ARGS:
        if key in NOT_SWAPPED:
            continue
        for method in _swap_methods(key):
            for role in _swap_roles(key):
                yield key, method, role, "swap"
    for key, (_, roles) in INNER_SWAPS.items():
        for method in _swap_methods(key):
            for role in roles:
                yield key, method, role, "inner"


def _swap_params():
    for key, method, role, kind in _swaps():
        bug = SWAP_BUGS.get((key, method, role, kind))
        marks = [pytest.mark.xfail(strict=True, reason=bug)] if bug else []
        yield pytest.param(key, method, role, kind, id=f"{key}-{method}-{role}-{kind}", marks=marks)


@pytest.mark.parametrize(("key", "method", "role", "kind"), list(_swap_params()))
def test_someone_elses_id_is_a_404(world: World, key, method, role, kind):
    if kind == "inner":
        kwargs = INNER_SWAPS[key][0](world)
    elif key in SWAP_ARGS:
        kwargs = SWAP_ARGS[key](world)
    else:
        kwargs = ARGS[key](world.other)
    url = reverse(_split(key), kwargs=kwargs)
    data = POST_DATA[key](world.this) if key in POST_DATA else None
    cell = f"{key} {method} as {role} with another's id ({kind}: {url})"
    _check(world, cell, role, method, url, data, 404)


def test_the_swapped_ids_are_really_someone_elses(world: World):
    """Guards the swap tests against passing on ids that do not exist at all."""
    this, other = world.this, world.other
    for kind in ("pairing", "meeting", "goal", "shared_note", "private_note", "theme", "session"):
        assert getattr(this, kind) and getattr(other, kind), kind
        assert getattr(this, kind) != getattr(other, kind), kind
    assert this.program != other.program


def test_a_url_without_a_post_row_refuses_post(world: World):
    """The matrix tests POST only where a URL changes something: every other URL must answer
    POST with 405, or it accepts a POST nobody decided about (add a POST row)."""
    accepting = {}
    for key, methods in MATRIX.items():
        if "POST" in methods:
            continue
        # Someone the GET lets in (286: htmx's "stop polling"; 301: /favicon.ico's redirect).
        role = next(r for r in ROLES if methods["GET"][r] in (200, 286, 301, 302))
        response = world.client(role).post(_url(key, world.this))
        if response.status_code != 405:
            accepting[key] = f"{_describe(response)} as {role}"
    assert not accepting, f"URLs that accept POST without a POST row in MATRIX: {accepting}"


# --- The admin: Django's own sign-in and staff check -------------------------------------------

ADMIN_LOGIN = "admin login"
ADMIN_ROLES_200 = ("hr_admin", "superuser")


def _admin_row(signed_out: Expected = LOGIN, **cells: Expected) -> dict:
    """Signed in but not staff: Django's admin sends the person to its own sign-in page.
    Signed out (or inactive): the site's sign-in page, as for every page (Django's
    LoginRequiredMiddleware answers first), except the admin's index, which is Django's."""
    row = dict.fromkeys(ROLES, ADMIN_LOGIN)
    row["anonymous"] = row["inactive"] = signed_out
    row.update(dict.fromkeys(ADMIN_ROLES_200, 200))
    row.update(cells)
    return row


ADMIN_MATRIX: dict[str, dict[str, Expected]] = {
    "admin:index": _admin_row(signed_out=ADMIN_LOGIN),
    # HR admins read the access log (F8); nobody changes it.
    "admin:firewall_accessevent_changelist": _admin_row(),
    "admin:people_employee_import": _admin_row(),
    # HR admins are never superusers and cannot make accounts (which could be).
    "admin:people_user_add": _admin_row(hr_admin=403),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(ADMIN_MATRIX))
def test_admin(world: World, name, role):
    expected = ADMIN_MATRIX[name][role]
    url = reverse(name)
    response = world.client(role).get(url)
    got = _describe(response)
    if expected == ADMIN_LOGIN:
        assert response.status_code == 302, (
            f"{name} as {role}: expected the admin's sign-in, got {got}"
        )
        assert response["Location"].startswith(f"{reverse('admin:login')}?next="), (
            f"{name} as {role}: expected the admin's sign-in, got {got}"
        )
    elif expected == LOGIN:
        assert _is_login(response), f"{name} as {role}: expected the sign-in page, got {got}"
    else:
        assert response.status_code == expected, f"{name} as {role}: expected {expected}, got {got}"


# --- The secret calendar address: the token is the credential -----------------------------------


@pytest.mark.parametrize("role", ["anonymous", "mentor"])
def test_calendar_feed_opens_with_a_valid_token_without_sign_in(world: World, role):
    response = world.client(role).get(reverse("calendar_feed", args=[world.calendar_token]))

    assert response.status_code == 200, _describe(response)
    assert response["Content-Type"].startswith("text/calendar")


@pytest.mark.parametrize("role", ["anonymous", "employee"])
def test_calendar_feed_with_an_unknown_token_is_a_404(world: World, role):
    response = world.client(role).get(reverse("calendar_feed", args=["no-such-token"]))

    assert response.status_code == 404, _describe(response)


def test_calendar_feed_of_an_inactive_account_is_a_404(world: World):
    token = world.inactive_calendar_token
    response = world.client("anonymous").get(reverse("calendar_feed", args=[token]))

    assert response.status_code == 404, _describe(response)


# --- A panel member outside the Talent team ----------------------------------------------------


@pytest.mark.parametrize("name", ["reviews:detail", "reviews:dossier", "reviews:recusals"])
def test_a_panel_member_sees_their_review_and_no_other(world: World, name):
    """Not one of the fourteen roles: the matrix's talent reviewer is in the Talent team, who
    see every review; a panel member sees the reviews they sit on, and nothing else."""
    client = world.client("panel_member")

    mine = client.get(reverse(name, args=[world.this.review]))
    other = client.get(reverse(name, args=[world.other.review]))

    assert mine.status_code == 200, _describe(mine)
    assert other.status_code == 404, _describe(other)
