"""The coordinator's pairings page as it is shown: its rows made once in Python, so the
template only places them. A row took two dozen template lookups, filters and comparisons
(names through two relations, a date filter, the status's tone and label, the F6 branch),
the most expensive part of the page; the words are the same."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils.dateformat import format as date_format
from django.utils.timezone import localtime

from pairings.models import Pairing
from programs.models import Application

DAY = "j M Y"
STATUS_LABELS = dict(Pairing.Status.choices)


def _day(moment: datetime | None) -> str:
    return date_format(localtime(moment), DAY) if moment is not None else ""


@dataclass(frozen=True)
class PairingRow:
    """One pairing as the coordinator's list shows it: who, where it stands, when it was
    proposed, its score and, where the pair's rule allows it (F6), its attendance; the
    themes its mentoree consented to pass on."""

    mentor: str
    mentoree: str
    paused: bool
    status: str  # its label
    status_value: str  # for its tone (the template's `tone` filter)
    proposed: str
    score: int | None
    attendance_visible: bool
    meetings_held: int
    last_meeting: str  # "" when none yet (or not shared)
    themes: list[str]


def pairing_rows(pairings: Iterable[Pairing]) -> list[PairingRow]:
    """The rows of a page of pairings that `attach_attendance` and
    `attach_coordinator_themes` have been through."""
    return [
        PairingRow(
            mentor=pairing.mentor.full_name,
            mentoree=pairing.mentoree.full_name,
            paused=bool(getattr(pairing, "paused", False)),
            status=STATUS_LABELS.get(pairing.status, pairing.status),
            status_value=pairing.status,
            proposed=_day(pairing.proposed_at),
            score=pairing.score,
            attendance_visible=pairing.attendance_visible,
            meetings_held=pairing.meetings_held,
            last_meeting=_day(pairing.last_meeting),
            themes=pairing.coordinator_themes,
        )
        for pairing in pairings
    ]


@dataclass(frozen=True)
class UnmatchedRow:
    """An admitted mentoree without a pair: who they are and where to find mentors."""

    name: str
    title: str
    department: str
    suggestions_url: str


def unmatched_rows(
    applications: Iterable[Application], suggestions_url: Callable[[int], str]
) -> list[UnmatchedRow]:
    return [
        UnmatchedRow(
            name=application.applicant.full_name,
            title=application.applicant.title,
            department=application.applicant.department,
            suggestions_url=suggestions_url(application.applicant_id),
        )
        for application in applications
    ]
