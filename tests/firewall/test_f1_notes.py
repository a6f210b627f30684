"""F1 Notes: a note is readable only by users holding an explicit object permission on it, its
author, and for a shared note the other member of the pair. No role, group, global permission
or superuser status reads a note.

The matrix of every kind of person x every page that touches a note is in
test_f1_note_matrix.py; here, the selectors below the pages, superuser status, global
permissions and groups, and the access log of reads and lists.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from guardian.shortcuts import assign_perm

from confidentiality import selectors, services
from confidentiality.models import Agreement, ConsentedTheme, Note
from firewall.models import AccessEvent
from pairings.models import PrivateEndReason
from tests.builders.confidentiality import (
    PRIVATE_TEXT,
    SHARED_TEXT,
    event_values,
    refused_events,
    write_note,
)
from tests.builders.notes import EDITED_TEXT, attempt, listed_ids, snapshot
from tests.factories import EmployeeFactory

MANAGE_ACTIONS = ["edit_post", "delete", "share"]
# Nobody here holds an object permission on either note.
STRANGERS = [
    "mentorees_other_mentor",
    "coordinator",
    "committee_member",
    "talent_reviewer",
    "hr_admin",
    "superuser",
    "outsider",
]


@pytest.mark.parametrize("kind", ["private", "shared"])
@pytest.mark.parametrize("role", STRANGERS)
def test_f1_no_selector_gives_a_stranger_a_note(
    role, kind, request, active_pairing, mentor, client_for
):
    """F1: the selectors themselves, below the pages, give nobody outside the pair a note."""
    note = write_note(active_pairing, mentor, PRIVATE_TEXT, shared=kind == "shared")
    user = request.getfixturevalue(role)
    assert not selectors.notes_readable_by(user=user).exists()
    assert not selectors.note_list_for(user=user, pairing=active_pairing).exists()
    with pytest.raises(Http404):
        selectors.note_get_for(user=user, pk=note.pk)


def test_f1_a_deactivated_member_reads_nothing_even_with_the_permission_row(
    active_pairing, mentor, mentoree
):
    """F1: the other member's shared note, once they are deactivated, is out of reach."""
    note = write_note(active_pairing, mentor, SHARED_TEXT, shared=True)
    assert selectors.note_get_for(user=mentoree, pk=note.pk) == note
    mentoree.is_active = False
    mentoree.save(update_fields=["is_active"])
    assert not selectors.notes_readable_by(user=mentoree).exists()
    with pytest.raises(Http404):
        selectors.note_get_for(user=mentoree, pk=note.pk)


# --- Superusers, global permissions and groups ----------------------------------------------


@pytest.fixture
def all_permissions_user(db):
    """An employee holding every global permission the installation knows."""
    user = EmployeeFactory(first_name="Omni", last_name="Potent", level=8).user
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.set(Permission.objects.all())
    return user


@pytest.fixture
def group_member(db):
    """An employee in a group that holds every global permission."""
    group = Group.objects.create(name="Everything")
    group.permissions.set(Permission.objects.all())
    user = EmployeeFactory(first_name="Gus", last_name="Grouped", level=8).user
    user.groups.add(group)
    return user


@pytest.mark.parametrize("who", ["superuser", "all_permissions_user", "group_member"])
def test_f1_no_superuser_status_global_permission_or_group_reads_a_note(
    who, request, active_pairing, mentor, client_for
):
    """F1: superuser status, every global permission, or a group holding them, read nothing:
    not through a selector, not through a page, not through a service."""
    user = request.getfixturevalue(who)
    if who != "superuser":
        assert user.has_perm("confidentiality.read_note")  # the global grant is really there
    notes = [
        write_note(active_pairing, mentor, PRIVATE_TEXT),
        write_note(active_pairing, mentor, SHARED_TEXT, shared=True),
    ]
    assert not selectors.notes_readable_by(user=user).exists()
    assert not selectors.note_list_for(user=user, pairing=active_pairing).exists()
    client = client_for(user)
    assert client.get(reverse("confidentiality:notes", args=[active_pairing.pk])).status_code == (
        404
    )
    for note in notes:
        with pytest.raises(Http404):
            selectors.note_get_for(user=user, pk=note.pk)
        for name in ("note", "note_edit"):
            assert client.get(reverse(f"confidentiality:{name}", args=[note.pk])).status_code == 404
        with pytest.raises(ValidationError):
            services.note_update(note=note, by=user, text=EDITED_TEXT)
        with pytest.raises(ValidationError):
            services.note_set_shared(note=note, by=user, shared=not note.shared)
        with pytest.raises(ValidationError):
            services.note_delete(note=note, by=user)
        assert Note.objects.get(pk=note.pk).text == note.text


def test_f1_a_group_holding_an_object_permission_on_a_note_gives_its_members_nothing(
    active_pairing, mentor, outsider, client_for
):
    """F1: only *users* holding an explicit object permission read a note; a group does not,
    even when someone grants the group read_note on that very note."""
    note = write_note(active_pairing, mentor, PRIVATE_TEXT)
    group = Group.objects.create(name="Curious people")
    outsider.groups.add(group)
    assign_perm("confidentiality.read_note", group, note)
    assign_perm("confidentiality.manage_note", group, note)

    assert not selectors.notes_readable_by(user=outsider).exists()
    with pytest.raises(Http404):
        selectors.note_get_for(user=outsider, pk=note.pk)
    assert client_for(outsider).get(
        reverse("confidentiality:note", args=[note.pk])
    ).status_code == (404)
    with pytest.raises(ValidationError):
        services.note_update(note=note, by=outsider, text=EDITED_TEXT)


def test_f1_the_admin_registers_no_confidential_model():
    """F1/F9: notes, agreements, consented themes and end reasons are not in the admin."""
    for model in (Note, Agreement, ConsentedTheme, PrivateEndReason):
        assert model not in admin.site._registry


def test_f1_the_other_member_gets_only_read_never_manage(active_pairing, mentor, mentoree):
    """F1: sharing grants the other member read_note only; the author holds both."""
    from guardian.shortcuts import get_perms

    note = write_note(active_pairing, mentor, SHARED_TEXT, shared=True)
    assert sorted(get_perms(mentor, note)) == ["manage_note", "read_note"]
    assert get_perms(mentoree, note) == ["read_note"]


@pytest.mark.parametrize("action", MANAGE_ACTIONS)
def test_f8_the_other_members_refused_change_of_a_shared_note_is_logged(
    action, active_pairing, mentor, mentoree, client_for
):
    """F8: every refused attempt on a confidential object writes an access event, also when
    the person may read the note but tries to edit, share or delete it."""
    note = write_note(active_pairing, mentor, SHARED_TEXT, shared=True)
    before = snapshot(note)
    response = attempt(client_for(mentoree), action, note)
    assert response.status_code in (302, 404)
    assert snapshot(note) == before
    assert refused_events(actor=mentoree, object_type="note", object_id=note.pk).count() == 1


# --- Reads are logged (F8) ------------------------------------------------------------------


def test_f1_listing_notes_writes_one_list_event_per_note_listed(
    active_pairing, mentor, mentoree, client_for
):
    """F1/F8: the notes page logs one `list` event for each note it shows, and only those."""
    mine = [write_note(active_pairing, mentor, f"Private {n}") for n in range(2)]
    shared = [write_note(active_pairing, mentor, f"Shared {n}", shared=True) for n in range(3)]
    theirs = write_note(active_pairing, mentoree, "The mentoree's own private note")

    response = client_for(mentoree).get(reverse("confidentiality:notes", args=[active_pairing.pk]))

    assert response.status_code == 200
    expected = {n.pk for n in shared} | {theirs.pk}
    assert listed_ids(response) == expected
    events = AccessEvent.objects.filter(actor=mentoree, action=AccessEvent.Action.LIST)
    assert sorted(events.values_list("object_id", flat=True)) == sorted(expected)
    assert set(events.values_list("object_type", "outcome")) == {
        ("note", AccessEvent.Outcome.ALLOWED)
    }
    assert not AccessEvent.objects.filter(
        object_type="note", object_id__in=[n.pk for n in mine], actor=mentoree
    ).exists()


def test_f1_reading_a_note_writes_one_read_event(active_pairing, mentor, mentoree, client_for):
    """F1/F8: opening a note logs exactly one `read` event, with no content."""
    note = write_note(active_pairing, mentor, SHARED_TEXT, shared=True)
    response = client_for(mentoree).get(
        reverse("confidentiality:note", args=[note.pk]), HTTP_X_REQUEST_ID="read-request-0001"
    )
    assert response.status_code == 200
    [event] = AccessEvent.objects.filter(actor=mentoree, object_type="note")
    assert (event.action, event.object_type, event.object_id, event.outcome) == (
        AccessEvent.Action.READ,
        "note",
        note.pk,
        AccessEvent.Outcome.ALLOWED,
    )
    assert event.request_id == "read-request-0001"
    assert SHARED_TEXT not in event_values(event)
