"""Acting on one note through its pages, as the F1 tests do: the attempt, what the note
looked like before, and what the author must get."""

from __future__ import annotations

from django.urls import reverse
from guardian.shortcuts import get_users_with_perms

from confidentiality.models import Note

EDITED_TEXT = "Edited by whoever managed to edit it."


def attempt(client, action: str, note: Note):
    if action == "list":
        return client.get(reverse("confidentiality:notes", args=[note.pairing_id]))
    if action == "detail":
        return client.get(reverse("confidentiality:note", args=[note.pk]))
    if action == "edit_get":
        return client.get(reverse("confidentiality:note_edit", args=[note.pk]))
    if action == "edit_post":
        return client.post(
            reverse("confidentiality:note_edit", args=[note.pk]), {"text": EDITED_TEXT}
        )
    if action == "delete":
        return client.post(reverse("confidentiality:note_delete", args=[note.pk]))
    if action == "share":
        return client.post(
            reverse("confidentiality:note_share", args=[note.pk]),
            {"shared": "0" if note.shared else "1"},
        )
    raise AssertionError(action)


def snapshot(note: Note) -> tuple:
    fresh = Note.objects.get(pk=note.pk)
    readers = sorted(u.pk for u in get_users_with_perms(fresh, only_with_perms_in=["read_note"]))
    return (fresh.text, fresh.shared, fresh.updated_at, fresh.meeting_id, readers)


def listed_ids(response) -> set[int]:
    return {n.pk for n in response.context["notes"]}


def assert_success(action: str, response, note: Note) -> None:
    """What the author gets: every action works and does what it says."""
    if action == "list":
        assert response.status_code == 200
        assert note.pk in listed_ids(response)
    elif action == "detail":
        assert response.status_code == 200
        assert response.context["note"].pk == note.pk
    elif action == "edit_get":
        assert response.status_code == 200
        assert response.context["form"].initial["text"] == note.text
    elif action == "edit_post":
        assert response.status_code == 302
        assert response["Location"] == reverse("confidentiality:note", args=[note.pk])
        assert Note.objects.get(pk=note.pk).text == EDITED_TEXT
    elif action == "delete":
        assert response.status_code == 302
        assert not Note.objects.filter(pk=note.pk).exists()
    elif action == "share":
        assert response.status_code == 302
        assert Note.objects.get(pk=note.pk).shared is not note.shared
