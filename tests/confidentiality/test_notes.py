"""Notes: a member writes private or shared notes on the pairing or on one of its meetings,
edits, shares, takes back and deletes them. Only the author manages a note; sharing and
unsharing move the other member's permission at once; notes grow only on live pairings. The
notes page costs the same number of queries however many notes it lists.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from guardian.shortcuts import get_perms

from confidentiality import selectors, services
from confidentiality.models import Note, NoteUserObjectPermission
from firewall.models import AccessEvent
from pairings import services as pairing_services
from pairings.models import Pairing
from tests.builders.confidentiality import refused_events, write_note
from tests.builders.pairings import log_meeting


def notes_url(pairing) -> str:
    return reverse("confidentiality:notes", args=[pairing.pk])


def note_url(note, name: str = "note") -> str:
    return reverse(f"confidentiality:{name}", args=[note.pk])


# --- Writing ----------------------------------------------------------------------------------


def test_a_member_writes_a_private_note_in_the_browser(
    active_pairing, mentor, mentoree, client_for
):
    response = client_for(mentor).post(notes_url(active_pairing), {"text": "  Only for me.  "})
    assert response.status_code == 302
    assert response["Location"] == notes_url(active_pairing)
    note = Note.objects.get()
    assert (note.author, note.shared, note.text, note.meeting) == (
        mentor,
        False,
        "Only for me.",
        None,
    )
    assert sorted(get_perms(mentor, note)) == ["manage_note", "read_note"]
    assert get_perms(mentoree, note) == []


def test_a_member_writes_a_shared_note_on_a_meeting_in_the_browser(
    active_pairing, mentor, mentoree, client_for
):
    meeting = log_meeting(active_pairing, days=-1)
    response = client_for(mentoree).post(
        notes_url(active_pairing),
        {"text": "What we said at the meeting.", "shared": "on", "meeting": meeting.pk},
    )
    assert response.status_code == 302
    note = Note.objects.get()
    assert (note.author, note.shared, note.meeting) == (mentoree, True, meeting)
    assert get_perms(mentor, note) == ["read_note"]
    assert client_for(mentor).get(note_url(note)).status_code == 200


def test_notes_on_the_pairing_and_on_a_meeting_through_the_service(active_pairing, mentor):
    meeting = log_meeting(active_pairing, days=-1)
    general = write_note(active_pairing, mentor, "About the pairing.")
    on_meeting = write_note(active_pairing, mentor, "About the meeting.", meeting=meeting)
    assert general.meeting is None
    assert on_meeting.meeting == meeting
    assert set(selectors.note_list_for(user=mentor, pairing=active_pairing)) == {
        general,
        on_meeting,
    }


def test_a_note_on_another_pairs_meeting_is_refused(
    active_pairing, other_pairing, mentor, client_for
):
    foreign = other_pairing.meetings.get()
    with pytest.raises(ValidationError) as exc_info:
        write_note(active_pairing, mentor, "Wrong meeting.", meeting=foreign)
    assert "meeting" in exc_info.value.error_dict
    response = client_for(mentor).post(
        notes_url(active_pairing), {"text": "Wrong meeting.", "meeting": foreign.pk}
    )
    assert response.status_code == 400
    assert "meeting" in response.context["form"].errors
    assert not Note.objects.exists()


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_an_empty_note_is_refused_with_a_field_error(text, active_pairing, mentor, client_for):
    with pytest.raises(ValidationError) as exc_info:
        write_note(active_pairing, mentor, text)
    assert "text" in exc_info.value.error_dict
    response = client_for(mentor).post(notes_url(active_pairing), {"text": text})
    assert response.status_code == 400
    assert "text" in response.context["form"].errors
    assert not Note.objects.exists()


def test_a_note_may_be_written_while_the_pairing_is_live_but_not_yet_active(pairing, mentor):
    assert pairing.status == Pairing.Status.PROPOSED
    note = write_note(pairing, mentor, "Before our first meeting.")
    assert note.pk


def test_no_note_on_an_ended_pairing(active_pairing, mentor, mentoree, client_for):
    kept = write_note(active_pairing, mentor, "Written while it lasted.")
    pairing_services.pairing_end(
        pairing=active_pairing, by=mentoree.employee, category=Pairing.EndCategory.GOALS_MET
    )
    ended = Pairing.objects.get(pk=active_pairing.pk)
    with pytest.raises(ValidationError) as exc_info:
        write_note(ended, mentor, "Too late.")
    assert exc_info.value.code == "ended"
    response = client_for(mentor).post(notes_url(active_pairing), {"text": "Too late."})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert list(Note.objects.all()) == [kept]
    # What was written stays readable by its author.
    assert client_for(mentor).get(note_url(kept)).status_code == 200


def test_note_create_checks_the_pairing_as_it_is_now_not_as_the_caller_last_saw_it(
    active_pairing, mentor, mentoree
):
    """The pairing was ended (by the other member, a moment ago) after the caller fetched
    it: like every pairing service, note_create must read the pairing afresh (and lock it),
    or a note lands on an ended pairing."""
    seen_by_the_caller = Pairing.objects.get(pk=active_pairing.pk)
    pairing_services.pairing_end(
        pairing=active_pairing, by=mentoree.employee, category=Pairing.EndCategory.FIT
    )
    with pytest.raises(ValidationError):
        write_note(seen_by_the_caller, mentor, "Written after the end.")
    assert not Note.objects.exists()


@pytest.mark.parametrize("who", ["coordinator", "other_mentor", "outsider", "superuser"])
def test_nobody_outside_the_pair_writes_a_note(who, request, active_pairing):
    with pytest.raises(ValidationError) as exc_info:
        write_note(active_pairing, request.getfixturevalue(who), "Not mine to write.")
    assert exc_info.value.code == "not_member"
    assert not Note.objects.exists()


# --- Editing, sharing, deleting ----------------------------------------------------------------


def test_the_author_edits_a_note_in_the_browser(active_pairing, mentor, client_for):
    note = write_note(active_pairing, mentor, "First thoughts.")
    client = client_for(mentor)
    page = client.get(note_url(note, "note_edit"))
    assert page.status_code == 200
    response = client.post(note_url(note, "note_edit"), {"text": "Second thoughts."})
    assert response.status_code == 302
    fresh = Note.objects.get(pk=note.pk)
    assert fresh.text == "Second thoughts."
    assert fresh.updated_at >= note.updated_at


def test_an_edit_to_nothing_is_refused_with_a_field_error(active_pairing, mentor, client_for):
    note = write_note(active_pairing, mentor, "Keep me.")
    response = client_for(mentor).post(note_url(note, "note_edit"), {"text": "   "})
    assert response.status_code in (200, 400)
    assert "text" in response.context["form"].errors
    assert Note.objects.get(pk=note.pk).text == "Keep me."
    with pytest.raises(ValidationError) as exc_info:
        services.note_update(note=note, by=mentor, text="  ")
    assert "text" in exc_info.value.error_dict


def test_sharing_grants_and_unsharing_revokes_at_once(active_pairing, mentor, mentoree, client_for):
    """The other member reads the note right after it is shared, and gets a 404 right after
    it is taken back (logged as a refused attempt)."""
    note = write_note(active_pairing, mentor, "Shall I share this?")
    author, other = client_for(mentor), client_for(mentoree)
    assert other.get(note_url(note)).status_code == 404

    response = author.post(note_url(note, "note_share"), {"shared": "1"})
    assert response.status_code == 302
    assert Note.objects.get(pk=note.pk).shared is True
    assert other.get(note_url(note)).status_code == 200
    assert note.pk in {n.pk for n in other.get(notes_url(active_pairing)).context["notes"]}

    response = author.post(note_url(note, "note_share"), {"shared": "0"})
    assert response.status_code == 302
    assert Note.objects.get(pk=note.pk).shared is False
    assert get_perms(mentoree, note) == []
    assert other.get(note_url(note)).status_code == 404
    assert note.pk not in {n.pk for n in other.get(notes_url(active_pairing)).context["notes"]}
    assert refused_events(actor=mentoree, object_type="note", object_id=note.pk).count() == 2
    # The author keeps everything.
    assert sorted(get_perms(mentor, note)) == ["manage_note", "read_note"]


def test_the_author_deletes_a_note_and_its_permissions_go_with_it(
    active_pairing, mentor, mentoree, client_for
):
    note = write_note(active_pairing, mentor, "Delete me.", shared=True)
    assert NoteUserObjectPermission.objects.filter(content_object=note).count() == 3
    response = client_for(mentor).post(note_url(note, "note_delete"))
    assert response.status_code == 302
    assert response["Location"] == notes_url(active_pairing)
    assert not Note.objects.filter(pk=note.pk).exists()
    assert not NoteUserObjectPermission.objects.exists()
    assert client_for(mentoree).get(note_url(note)).status_code == 404


def test_only_the_author_manages_a_note(active_pairing, mentor, mentoree):
    """The other member reads a shared note, and can neither edit, share nor delete it."""
    note = write_note(active_pairing, mentor, "Shared with you.", shared=True)
    for call in (
        lambda: services.note_update(note=note, by=mentoree, text="Changed by the reader."),
        lambda: services.note_set_shared(note=note, by=mentoree, shared=False),
        lambda: services.note_delete(note=note, by=mentoree),
    ):
        with pytest.raises(ValidationError) as exc_info:
            call()
        assert exc_info.value.code == "not_author"
    fresh = Note.objects.get(pk=note.pk)
    assert (fresh.text, fresh.shared) == ("Shared with you.", True)
    assert get_perms(mentoree, note) == ["read_note"]


def test_the_other_member_is_sent_back_from_the_edit_page(
    active_pairing, mentor, mentoree, client_for
):
    note = write_note(active_pairing, mentor, "Shared with you.", shared=True)
    response = client_for(mentoree).get(note_url(note, "note_edit"))
    assert response.status_code == 302
    assert response["Location"] == note_url(note)


def test_the_state_changing_note_addresses_refuse_get(active_pairing, mentor, client_for):
    note = write_note(active_pairing, mentor, "Mine.")
    client = client_for(mentor)
    for name in ("note_share", "note_delete"):
        assert client.get(note_url(note, name)).status_code == 405
    assert Note.objects.filter(pk=note.pk).exists()


# --- Query count --------------------------------------------------------------------------------


def fill(pairing, mentor, mentoree, start: int, stop: int) -> None:
    meetings = [log_meeting(pairing, days=-(n + 1)) for n in range(start, stop, 5)]
    for n in range(start, stop):
        author = mentor if n % 3 else mentoree
        write_note(
            pairing,
            author,
            f"Note number {n}",
            shared=n % 2 == 0,
            meeting=meetings[(n - start) // 5] if n % 4 == 0 else None,
        )


@pytest.mark.parametrize("reader", ["mentor", "mentoree"])
def test_the_notes_page_query_count_does_not_grow_with_the_notes(
    reader, request, active_pairing, mentor, mentoree, client_for, django_assert_num_queries
):
    """The list, its authors, meetings and one access event per note: fixed queries."""
    user = request.getfixturevalue(reader)
    client = client_for(user)
    url = notes_url(active_pairing)
    fill(active_pairing, mentor, mentoree, 0, 2)
    client.get(url)  # warm what lives for the process
    with CaptureQueriesContext(connection) as queries:
        few = client.get(url)
    assert few.status_code == 200
    few_listed = len(few.context["notes"])
    assert few_listed >= 1

    fill(active_pairing, mentor, mentoree, 2, 20)

    with django_assert_num_queries(len(queries)):
        many = client.get(url)
    assert many.status_code == 200
    listed = len(many.context["notes"])
    assert listed > few_listed * 5
    assert listed == selectors.note_list_for(user=user, pairing=active_pairing).count()
    events = AccessEvent.objects.filter(actor=user, action=AccessEvent.Action.LIST)
    assert events.count() == few_listed * 2 + listed
