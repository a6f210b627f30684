"""Fixtures and helpers for the confidentiality and firewall tests.

Everything is built through the services, as in real life (see tests/pairings/pair_fixtures.py,
whose fixtures this module re-exports): `active_pairing` is `mentor` with `mentoree` in
`program`, both accepted the match and signed the agreement. Notes are written by the
services too, so their guardian object permissions exist exactly as the app grants them.

Imported by the conftest.py of tests/confidentiality and tests/firewall, so every test module
there sees these fixtures and the named people of tests/conftest.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from confidentiality import services as conf_services
from confidentiality.models import Agreement, Note
from firewall.models import AccessEvent
from pairings.models import Pairing
from programs import services as program_services
from tests.pairings.conftest import join_program
from tests.pairings.pair_fixtures import *  # noqa: F403
from tests.pairings.pair_fixtures import accept_both, propose, sign_both
from tests.programs.conftest import apply, make_program

PRIVATE_TEXT = "Private: my worries about the reorganisation and the budget review."
SHARED_TEXT = "Shared: we agreed to practise the board presentation together."


def canary(label: str = "") -> str:
    """A string that appears nowhere unless a test wrote it."""
    return f"CANARY-{label}{uuid.uuid4().hex}"


def write_note(pairing: Pairing, author, text: str, *, shared: bool = False, meeting=None) -> Note:
    """A note written through the service (permissions granted as in real life)."""
    return conf_services.note_create(
        pairing=pairing, author=author, text=text, shared=shared, meeting=meeting
    )


def agreement_of(pairing: Pairing) -> Agreement:
    return Agreement.objects.get(pairing=pairing)


def change_rules(pairing: Pairing, by, **rules) -> Agreement:
    """agreement_change through the service, by a member (a User)."""
    return conf_services.agreement_change(agreement=agreement_of(pairing), by=by, rules=rules)


def resign(pairing: Pairing) -> Pairing:
    """Both members sign the agreement's current version again."""
    return sign_both(pairing)


def sign_as(pairing: Pairing, user, *, typed_name: str | None = None, text_hash=None, **kw):
    agreement = agreement_of(pairing)
    return conf_services.agreement_sign(
        agreement=agreement,
        signer=user,
        typed_name=typed_name if typed_name is not None else user.employee.full_name,
        confirmed=kw.pop("confirmed", True),
        text_hash=text_hash if text_hash is not None else agreement.text_hash(),
        **kw,
    )


def refused_events(*, actor=None, object_type: str, object_id: int):
    qs = AccessEvent.objects.filter(
        action=AccessEvent.Action.REFUSED,
        outcome=AccessEvent.Outcome.REFUSED,
        object_type=object_type,
        object_id=object_id,
    )
    return qs.filter(actor=actor) if actor is not None else qs


def event_values(event: AccessEvent) -> str:
    """Every stored value of an access event, as one string (to look for content in it)."""
    return " ".join(str(getattr(event, f.attname)) for f in AccessEvent._meta.concrete_fields)


def raw_column(table: str, column: str, pk: int) -> str:
    """The value exactly as the database stores it, below the ORM."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote(column)} FROM {quote(table)} WHERE id = %s",  # noqa: S608
            [pk],
        )
        return cursor.fetchone()[0]


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


# --- Fixtures ----------------------------------------------------------------------------------


@pytest.fixture
def client_for(signed_in_client) -> Callable[[object], Client]:
    """`client_for(user)`: a signed-in client; `client_for(None)`: an anonymous one."""

    def _client(user) -> Client:
        return Client() if user is None else signed_in_client(user)

    return _client


@pytest.fixture
def private_note(active_pairing, mentor) -> Note:
    """The mentor's private note on the pairing."""
    return write_note(active_pairing, mentor, PRIVATE_TEXT)


@pytest.fixture
def shared_note(active_pairing, mentor) -> Note:
    """The mentor's note, shared with the mentoree."""
    return write_note(active_pairing, mentor, SHARED_TEXT, shared=True)


@pytest.fixture
def second_program_coordinator(db):
    from tests.factories import EmployeeFactory

    return EmployeeFactory(
        first_name="Priya", last_name="Raman", title="Program Lead", level=6
    ).user


@pytest.fixture
def mentorees_other_mentor(active_pairing, mentoree, second_program_coordinator):
    """A mentor of the same mentoree in another program (an active pair of its own there):
    a member of *a* pairing with the mentoree, never of this one."""
    program = make_program(
        coordinator=second_program_coordinator, name="Grow 2028", slug="grow-2028"
    )
    other = join_program(
        program,
        second_program_coordinator,
        "mentor",
        first_name="Viktor",
        last_name="Hale",
        department="Finance",
    )
    application = apply(mentoree.employee, program, "mentoree")
    program_services.application_decide(
        application=application,
        by=second_program_coordinator,
        decision="admit",
        reason="Fits the program.",
    )
    program_services.commitment_accept(employee=mentoree.employee, program=program)
    pairing = accept_both(propose(program, other, mentoree, by=second_program_coordinator))
    assert pairing.status == Pairing.Status.ACTIVE
    return other.user
