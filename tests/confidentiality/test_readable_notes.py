"""The notes list reads its notes with two prepared queries (confidentiality.reads): for
every person of the test world they answer exactly what `note_list_for` (guardian's explicit
object permission, no group, no superuser, no global permission: F1) answers, in the same
order, with the same fields and the meeting each note is about; and a permission revoked a
moment ago is read as revoked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.paginator import Paginator
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from confidentiality.models import Note
from confidentiality.reads import readable_notes
from confidentiality.selectors import meetings_to_note_on, note_list_for
from confidentiality.services import note_create
from pairings.models import Meeting
from tests.builders.pairings import AROUND_A_PAIR


@pytest.fixture
def notes(active_pairing, mentor, mentoree) -> list[Note]:
    meeting = Meeting.objects.create(
        pairing=active_pairing, starts_at=timezone.now() - timedelta(days=2)
    )
    written = []
    for n in range(7):
        author = mentor if n % 3 else mentoree
        written.append(
            note_create(
                pairing=active_pairing,
                author=author,
                text=f"Note {n}: <b>bold</b> & 'quoted'\nsecond line",
                shared=n % 2 == 0,
                meeting=meeting if n % 2 else None,
            )
        )
    # Two notes written in the same instant: the order falls back on the id, as the ORM's.
    same = timezone.now() - timedelta(days=1)
    Note.objects.filter(pk__in=[written[0].pk, written[1].pk]).update(created_at=same)
    return written


def _same(found: list[Note], expected: list[Note]) -> None:
    assert [n.pk for n in found] == [n.pk for n in expected]
    for mine, theirs in zip(found, expected, strict=True):
        assert not mine._state.adding
        for field in Note._meta.concrete_fields:
            assert getattr(mine, field.attname) == getattr(theirs, field.attname), field.name
            assert type(getattr(mine, field.attname)) is type(getattr(theirs, field.attname))
        if theirs.meeting_id is None:
            assert mine.meeting is None
        else:
            assert mine.meeting.pk == theirs.meeting.pk
            assert mine.meeting.starts_at == theirs.meeting.starts_at


@pytest.mark.parametrize("person", AROUND_A_PAIR)
def test_the_prepared_reads_answer_what_guardian_answers(request, person, active_pairing, notes):
    user = request.getfixturevalue(person)
    expected = list(note_list_for(user=user, pairing=active_pairing))
    listed = readable_notes(user=user, pairing=active_pairing)
    assert listed.count() == len(expected)
    _same(listed[0:100], expected)
    _same(listed[2:5], expected[2:5])
    assert listed[5:5] == []
    if person == "mentor":
        assert len(expected) == 6  # the mentor's own four and the two the mentoree shared
    if person not in ("mentor", "mentoree"):
        assert expected == []


def test_a_page_costs_two_queries_and_the_meeting_comes_with_it(
    active_pairing, notes, mentor, django_assert_num_queries
):
    with django_assert_num_queries(2):
        page = Paginator(readable_notes(user=mentor, pairing=active_pairing), 4).page(2)
        assert [note.meeting and note.meeting.starts_at for note in page]
    assert len(page) == 2 and page.paginator.count == 6


def test_only_the_users_own_live_permission_lets_a_note_be_read(
    active_pairing, notes, mentoree, outsider
):
    """A revoked permission hides the note at once; a permission through a group, a global
    permission or a superuser's flag never shows one (F1)."""
    shared = notes[0]
    assert shared.pk in [n.pk for n in readable_notes(user=mentoree, pairing=active_pairing)[0:50]]
    remove_perm("confidentiality.read_note", mentoree, shared)
    assert shared.pk not in [
        n.pk for n in readable_notes(user=mentoree, pairing=active_pairing)[0:50]
    ]

    group = Group.objects.create(name="Readers of everything")
    assign_perm("confidentiality.read_note", group, shared)
    outsider.groups.add(group)
    outsider.user_permissions.add(Permission.objects.get(codename="read_note"))
    outsider.is_superuser = True
    outsider.save()
    assert readable_notes(user=outsider, pairing=active_pairing).count() == 0
    assert readable_notes(user=outsider, pairing=active_pairing)[0:50] == []


def test_an_inactive_member_reads_nothing(active_pairing, notes, mentor):
    mentor.is_active = False
    mentor.save()
    assert list(note_list_for(user=mentor, pairing=active_pairing)) == []
    assert readable_notes(user=mentor, pairing=active_pairing).count() == 0
    assert readable_notes(user=mentor, pairing=active_pairing)[0:25] == []


def test_the_meetings_a_note_may_be_about_are_the_latest_not_cancelled(
    active_pairing, django_assert_num_queries
):
    start = timezone.now() - timedelta(days=30)
    for n in range(8):
        Meeting.objects.create(
            pairing=active_pairing,
            starts_at=start + timedelta(days=n),
            cancelled_at=timezone.now() if n % 3 == 0 else None,
        )
    expected = list(
        active_pairing.meetings.filter(cancelled_at__isnull=True).order_by("-starts_at")[:4]
    )
    with django_assert_num_queries(1):
        found = meetings_to_note_on(pairing=active_pairing, limit=4)
    assert [m.pk for m in found] == [m.pk for m in expected]
    for mine, theirs in zip(found, expected, strict=True):
        for field in Meeting._meta.concrete_fields:
            assert getattr(mine, field.attname) == getattr(theirs, field.attname), field.name
    assert len(meetings_to_note_on(pairing=active_pairing)) == 5
