"""The coordinator's pairings page as it is shown: its rows made once in Python, so the
template only places them. A row took two dozen template lookups, filters and comparisons
(names through two relations, a date filter, the status's tone and label, the F6 branch),
the most expensive part of the page; the words are the same."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.template.defaultfilters import linebreaksbr
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.timezone import localtime

from core.dates import date_words
from core.tones import tone
from pairings.models import Pairing
from programs.models import Application

DAY = "j M Y"
STATUS_LABELS = dict(Pairing.Status.choices)


def _day(moment: datetime | None) -> str:
    return date_words(localtime(moment), DAY) if moment is not None else ""


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

    def __repr__(self) -> str:
        # The themes are what a mentoree chose to share with the coordinator: never in a
        # log or an error page (F9).
        return f"PairingRow({self.mentor!r}, {self.mentoree!r}, {self.status_value!r})"

    @property
    def html(self) -> SafeString:
        """The row (and the row of its themes) as the page's table shows it, made in one
        pass: 25 rows of a dozen template lookups, filters and branches each were the most
        expensive part of the page. Every value is escaped; a test holds the HTML equal to
        the template loop it replaces."""
        mentoree = escape(self.mentoree)
        if self.paused:
            status = (
                '<span class="status tone--waiting">Paused</span><div class="cell-note">A new '
                f"commitment version waits for {mentoree}'s acceptance</div>"
            )
        else:
            status = (
                f'<span class="status tone--{tone(self.status_value)}">{escape(self.status)}</span>'
            )
        score = (
            f'{self.score}<span class="visually-hidden"> out of 100</span>'
            if self.score is not None
            else '<span class="muted">Not scored</span>'
        )
        if self.attendance_visible:
            last = escape(self.last_meeting) or '<span class="muted">None yet</span>'
            attendance = f'<td class="numeric">{self.meetings_held}</td><td>{last}</td>'
        else:
            attendance = (
                '<td class="numeric"><span class="muted">Not shared</span></td>'
                '<td><span class="muted">Not shared</span></td>'
            )
        subrow = ' class="has-subrow"' if self.themes else ""
        html = (
            f"<tr{subrow}>"
            f'<th scope="row">{escape(self.mentor)}</th><td>{mentoree}</td><td>{status}</td>'
            f'<td>{escape(self.proposed)}</td><td class="numeric">{score}</td>{attendance}</tr>'
        )
        if self.themes:
            themes = "".join(
                f"<li>{linebreaksbr(theme, autoescape=True)}</li>" for theme in self.themes
            )
            html += (
                '<tr class="table-subrow"><td colspan="7"><p class="table-subrow__label">'
                f"Themes {mentoree} consented to share with you:</p>"
                f'<ul class="theme-list">{themes}</ul></td></tr>'
            )
        return SafeString(html)


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

    @property
    def html(self) -> SafeString:
        """The row as the page's table shows it, in one pass (every value escaped; a test
        holds it equal to the template loop it replaces)."""
        name = escape(self.name)
        return SafeString(
            f'<tr><th scope="row">{name}</th><td>{escape(self.title)}</td>'
            f"<td>{escape(self.department)}</td>"
            f'<td><a href="{escape(self.suggestions_url)}">Suggestions'
            f'<span class="visually-hidden"> for {name}</span></a></td></tr>'
        )


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
