"""The notes list's reads, built by the ORM once per process and run with the request's ids
(core.prepared). Written through the ORM, `note_list_for` cost the notes list about 4 ms of the
database's CPU planning its two queries afresh at each request (more than running them) and
2 ms of Python building them. The rule is `notes_readable_by`'s, written once more below and
held equal to it by tests: the user's own object permission on the note (F1), never a group's,
never a superuser's, never a global one. Nothing is kept between requests but the SQL: a
permission revoked a moment ago is read as revoked."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, QuerySet

from confidentiality.models import Note, NoteUserObjectPermission
from core.prepared import Prepared, instance
from pairings.models import Meeting
from people.models import User

_NOTE = tuple(field.attname for field in Note._meta.concrete_fields)


def _readable(user: int, pairing: int) -> QuerySet[Note]:
    """`notes_readable_by(user).filter(pairing=pairing)`: notes of the pairing the user
    holds `read_note` on, read from guardian's direct table (as `get_objects_for_user`
    reads it with use_groups, with_superuser and accept_global_perms all off)."""
    granted = NoteUserObjectPermission.objects.filter(
        content_object=OuterRef("pk"), user=user, permission__codename="read_note"
    )
    return Note.objects.filter(Exists(granted), pairing_id=pairing)


_COUNT = Prepared(
    lambda user, pairing: (
        _readable(user, pairing)
        .order_by()
        .values("pairing_id")
        .annotate(n=Count("pk"))
        .values_list("n")
    ),
    "user",
    "pairing",
)
_LATEST_FIRST = Prepared(
    lambda user, pairing: (
        _readable(user, pairing)
        .order_by("-created_at", "-pk")
        .values_list(*_NOTE, "meeting__starts_at")
    ),
    "user",
    "pairing",
)


class ReadableNotes:
    """The notes of a pairing a user may read, latest first, a page at a time (for the
    paginator: `count()` and a slice), each with the start of the meeting it is about
    (what `select_related("meeting")` loads as far as the list reads it)."""

    def __init__(self, *, user: User, pairing: int) -> None:
        # An inactive or signed-out user reads nothing, as with notes_readable_by.
        self._user = user.pk if user.is_authenticated and user.is_active else None
        self._pairing = pairing

    def count(self) -> int:
        if self._user is None:
            return 0
        rows = _COUNT.rows(user=self._user, pairing=self._pairing)
        return rows[0][0] if rows else 0

    def __getitem__(self, window: slice) -> list[Note]:
        start, stop = window.start or 0, window.stop
        if self._user is None or stop is None or stop <= start:
            return []
        rows = _LATEST_FIRST.page(
            offset=start, limit=stop - start, user=self._user, pairing=self._pairing
        )
        return [_note(row) for row in rows]


def _note(row: tuple) -> Note:
    note = instance(Note, **dict(zip(_NOTE, row[: len(_NOTE)], strict=True)))
    meeting = None
    if note.meeting_id is not None:
        meeting = instance(Meeting, id=note.meeting_id, starts_at=row[len(_NOTE)])
    Note.meeting.field.set_cached_value(note, meeting)
    return note


_MEETING = tuple(field.attname for field in Meeting._meta.concrete_fields)
_LATEST_MEETINGS = Prepared(
    lambda pairing: (
        Meeting.objects.filter(pairing_id=pairing, cancelled_at=None)
        .order_by("-starts_at", "-pk")
        .values_list(*_MEETING)
    ),
    "pairing",
)


def latest_meetings(*, pairing: int, limit: int) -> list[Meeting]:
    """The pair's meetings not cancelled, newest first, at most `limit`."""
    rows = _LATEST_MEETINGS.page(offset=0, limit=limit, pairing=pairing)
    return [instance(Meeting, **dict(zip(_MEETING, row, strict=True))) for row in rows]


def readable_notes(*, user: User, pairing) -> ReadableNotes:
    return ReadableNotes(user=user, pairing=pairing.pk)
