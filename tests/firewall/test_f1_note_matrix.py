"""F1 Notes, page by page: a private and a shared note (both by the mentor) x every kind of
person x every page that touches a note. Only the author does everything; the other member
reads the shared note and nothing more; everyone else gets a 404, as for a note that does not
exist (a 403 would confirm it exists), the anonymous visitor is sent to sign in, and the note
stays exactly as it was. Every refused attempt on an existing note is written to the access
log (F8), and so is every read.

The people and their pair are built once for the module (132 cells read them); each cell
runs in a savepoint, writes its own note and leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import transaction
from django.urls import reverse

from firewall.models import AccessEvent
from pairings.models import Pairing
from people.models import User
from tests.builders.confidentiality import (
    PRIVATE_TEXT,
    SHARED_TEXT,
    event_values,
    is_login_redirect,
    mentorees_other_mentor_in,
    refused_events,
    write_note,
)
from tests.builders.notes import assert_success, attempt, listed_ids, snapshot
from tests.builders.pairings import accept_both, enrol_in, propose
from tests.builders.people import named
from tests.builders.programs import make_program, seat_committee

ROLES = [
    "author",
    "other_member",
    "mentorees_other_mentor",
    "coordinator",
    "committee_member",
    "talent_reviewer",
    "hr_admin",
    "superuser",
    "outsider",
    "inactive_member",
    "anonymous",
]
ACTIONS = ["list", "detail", "edit_get", "edit_post", "delete", "share"]


@pytest.fixture(scope="module")
def cast(django_db_setup, django_db_blocker) -> Iterator[dict[str, int]]:
    """The pair (`mentor` and `mentoree`, active) and everyone around it, as user ids (and
    the pairing's id), built once in a transaction rolled back at the module's end."""
    with django_db_blocker.unblock(), transaction.atomic():
        people = {
            name: named(name)
            for name in (
                "mentor",
                "mentoree",
                "coordinator",
                "committee_member",
                "talent_reviewer",
                "hr_admin",
                "superuser",
                "outsider",
            )
        }
        program = make_program(coordinator=people["coordinator"])
        committee = seat_committee(
            program, by=people["coordinator"], first=people["committee_member"]
        )
        enrol_in(program, committee, people["mentor"].employee, "mentor", capacity=2)
        enrol_in(program, committee, people["mentoree"].employee, "mentoree")
        pairing = accept_both(
            propose(program, people["mentor"], people["mentoree"], by=people["coordinator"])
        )
        people["mentorees_other_mentor"] = mentorees_other_mentor_in(people["mentoree"])
        yield {"pairing": pairing.pk, **{name: user.pk for name, user in people.items()}}
        transaction.set_rollback(True)


def actor_for(role: str, cast: dict[str, int]) -> User | None:
    if role == "anonymous":
        return None
    if role == "inactive_member":
        # The other member, deactivated by the HRIS import: their permissions stay, their
        # account does not sign in any more.
        mentoree = User.objects.get(pk=cast["mentoree"])
        mentoree.is_active = False
        mentoree.save(update_fields=["is_active"])
        return mentoree
    name = {"author": "mentor", "other_member": "mentoree"}.get(role, role)
    return User.objects.get(pk=cast[name])


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("kind", ["private", "shared"])
@pytest.mark.parametrize("role", ROLES)
def test_f1_note_matrix_only_the_author_manages_and_the_other_member_reads_shared_notes(
    role, kind, action, cast, db, client_for
):
    """F1 (and F8): who may do what to a private and a shared note, page by page."""
    text = PRIVATE_TEXT if kind == "private" else SHARED_TEXT
    pairing = Pairing.objects.get(pk=cast["pairing"])
    mentor = User.objects.get(pk=cast["mentor"])
    note = write_note(pairing, mentor, text, shared=kind == "shared")
    user = actor_for(role, cast)
    client = client_for(user)
    before = snapshot(note)
    last_event = AccessEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    response = attempt(client, action, note)

    assert response.status_code != 500
    if role == "author":
        assert_success(action, response, note)
        return

    # Nobody but the author changes anything.
    assert snapshot(note) == before

    if role in ("anonymous", "inactive_member"):
        assert is_login_redirect(response), response.status_code
        # The request never reached the note: nothing was read.
        assert not AccessEvent.objects.filter(pk__gt=last_event).exists()
        return

    readable = role == "other_member" and kind == "shared"
    member = role == "other_member"
    if action == "list" and member:
        assert response.status_code == 200
        assert (note.pk in listed_ids(response)) is readable
        return
    if readable and action == "detail":
        assert response.status_code == 200
        assert response.context["note"].pk == note.pk
        return
    if readable:
        # The other member may read the shared note, never edit, share or delete it.
        assert response.status_code in (302, 404)
        if response.status_code == 302:
            assert response["Location"] == reverse("confidentiality:note", args=[note.pk])
        return

    assert response.status_code == 404
    if action == "list":
        events = refused_events(actor=user, object_type="pairing", object_id=note.pairing_id)
    else:
        events = refused_events(actor=user, object_type="note", object_id=note.pk)
    assert events.count() == 1
    for event in AccessEvent.objects.filter(pk__gt=last_event):
        assert text not in event_values(event)
        assert event.outcome == AccessEvent.Outcome.REFUSED
