"""The rows of the pair's space, made once in Python: each meeting's time in words, its date
for screen readers and its addresses, each goal's due date, addresses and history. The
template then only places them (per row, `date` filters and `{% url %}` tags were most of
what the page's lists cost). What the rows hold is the pair's own (goals are confidential):
their `repr` leaves the words out, so no log or error report carries them (F9)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.utils.timezone import localtime

from core.addresses import address_for_each
from core.dates import date_words
from pairings.models import Goal, GoalChange, Meeting
from pairings.templatetags.meetings import meeting_when

ON = "j F Y, H:i"  # "3 March 2026, 14:05": the meeting a link is about, for screen readers


@dataclass(frozen=True)
class MeetingRow:
    pk: int
    when: str  # "Tue 3 Mar 2026, 14:00 to 15:00"
    on: str
    minutes: int
    format: str
    ics: str
    edit: str
    cancel: str
    delete: str


def meeting_rows(meetings: Iterable[Meeting]) -> list[MeetingRow]:
    ics, edit, cancel, delete = (
        address_for_each(f"pairings:meeting_{name}") for name in ("ics", "edit", "cancel", "delete")
    )
    return [
        MeetingRow(
            pk=meeting.pk,
            when=meeting_when(meeting),
            on=date_words(localtime(meeting.starts_at), ON),
            minutes=meeting.duration_minutes,
            format=meeting.get_format_display(),
            ics=ics(meeting.pk),
            edit=edit(meeting.pk),
            cancel=cancel(meeting.pk),
            delete=delete(meeting.pk),
        )
        for meeting in meetings
    ]


@dataclass(frozen=True)
class HistoryRow:
    when: str
    who: str
    words: str = field(repr=False)


def history_rows(changes: Iterable[GoalChange], *, user, other) -> list[HistoryRow]:
    """A goal's history, newest first: who (you or the other member), what, when."""
    other_name = (other.full_name if other is not None else "") or "The other member"
    return [
        HistoryRow(
            when=date_words(localtime(change.changed_at), "j M Y, H:i"),
            who="You"
            if change.changed_by_id == user.pk
            else other_name
            if change.changed_by_id
            else "Before goals had a history",
            words=change.words,
        )
        for change in changes
    ]


@dataclass(frozen=True)
class GoalRow:
    pk: int
    status: str
    status_label: str
    due: str  # "3 March 2026"; "" without a due date
    edit: str
    change_status: str
    title: str = field(repr=False)
    description: str = field(repr=False)
    history: list[HistoryRow] = field(repr=False)


def _day(day: date | None) -> str:
    return date_words(day, "j F Y") if day else ""


def goal_rows(goals: Iterable[Goal], *, user, other) -> list[GoalRow]:
    edit, change_status = (
        address_for_each("pairings:goal_edit"),
        address_for_each("pairings:goal_status"),
    )
    return [
        GoalRow(
            pk=goal.pk,
            status=goal.status,
            status_label=goal.get_status_display(),
            due=_day(goal.due_on),
            edit=edit(goal.pk),
            change_status=change_status(goal.pk),
            title=goal.title,
            description=goal.description,
            history=history_rows(goal.changes.all(), user=user, other=other),
        )
        for goal in goals
    ]
