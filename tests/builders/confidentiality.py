"""Builders for the confidentiality and firewall tests: canaries, notes, sharing rules and
reads of the raw database column.
"""

from __future__ import annotations

import uuid

from django.db import connection
from django.urls import reverse

from confidentiality import services as conf_services
from confidentiality.models import Agreement, Note
from firewall.models import AccessEvent
from pairings.models import Pairing
from people.models import User
from programs import services as program_services
from tests.builders.pairings import accept_both, propose, sign_both
from tests.builders.programs import apply, join_program, make_program
from tests.factories import EmployeeFactory

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


def second_program_coordinator_make() -> User:
    """Priya Raman, who runs a second program (Grow 2028)."""
    return EmployeeFactory(
        first_name="Priya", last_name="Raman", title="Program Lead", level=6
    ).user


def mentorees_other_mentor_in(mentoree: User, *, coordinator: User | None = None) -> User:
    """A mentor of the same mentoree in another program (an active pair of its own there):
    a member of *a* pairing with the mentoree, never of the first one. The second program
    is run by `coordinator` (made now when not given)."""
    coordinator = coordinator or second_program_coordinator_make()
    program = make_program(coordinator=coordinator, name="Grow 2028", slug="grow-2028")
    other = join_program(
        program, coordinator, "mentor", first_name="Viktor", last_name="Hale", department="Finance"
    )
    application = apply(mentoree.employee, program, "mentoree")
    program_services.application_decide(
        application=application, by=coordinator, decision="admit", reason="Fits the program."
    )
    program_services.commitment_accept(employee=mentoree.employee, program=program)
    pairing = accept_both(propose(program, other, mentoree, by=coordinator))
    assert pairing.status == Pairing.Status.ACTIVE
    return other.user
