"""Builders for talent reviews: planning, seating, recusing and moving reviews along through
the services, and the neutral words of a refusal.
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone

from firewall.models import AccessEvent
from people.models import Employee
from reviews import services as review_services
from reviews.models import PanelSeat, TalentReview
from tests.builders.pairings import as_employee
from tests.factories import EmployeeFactory

CYCLE = "2027 mid-year"


NEUTRAL = "has a declared conflict of interest with the subject"


RECUSED = "recused: conflict of interest"


# Words that would tell a reader of the review side that the subject takes part in mentoring
# (F2): for the dossier, the access log and anything else that has no reason to speak of it.
MENTORING_WORDS = re.compile(r"mentor|pairing|\bprogram|agreement|commitment", re.IGNORECASE)


# Words that would say why someone was kept off a panel (F3). Review pages may say, in general,
# that they hold "nothing from mentoring"; they never name a mentor, a pairing or a program.
REASON_WORDS = re.compile(
    r"\bmentors?\b|mentoree|pairing|\bprograms?\b|agreement|commitment|former", re.IGNORECASE
)


def plan_review(subject, *, by, cycle: str = CYCLE, days: int = 21) -> TalentReview:
    """review_create through the service; `subject` is a User or an Employee."""
    return review_services.review_create(
        by=by,
        subject=as_employee(subject),
        cycle=cycle,
        scheduled_on=timezone.localdate() + timedelta(days=days),
    )


def seat(review: TalentReview, member, *, by) -> PanelSeat:
    """seat_add through the service; `member` is a User or an Employee."""
    return review_services.seat_add(review=review, member=as_employee(member), by=by)


def move(review: TalentReview, *, by, to: str) -> TalentReview:
    return review_services.review_transition(review=review, by=by, to_status=to)


def conclude(review: TalentReview, *, by) -> TalentReview:
    """planned -> in session -> concluded, one step at a time."""
    review.refresh_from_db()
    if review.status == TalentReview.Status.PLANNED:
        review = move(review, by=by, to=TalentReview.Status.IN_SESSION)
    return move(review, by=by, to=TalentReview.Status.CONCLUDED)


def neutral_refusal(who) -> str:
    """The exact words of a refused seat (or pairing) for this person."""
    return f"{as_employee(who).full_name} {NEUTRAL}."


def main_content(response) -> str:
    """The HTML of the page's <main> element: what the page itself says, without the
    site's header, navigation and footer (which name mentoring on every page)."""
    html = response.content.decode()
    found = re.search(r"<main\b.*?</main>", html, re.DOTALL)
    assert found, "the page has no <main> element"
    return found.group(0)


def recusal_events():
    return AccessEvent.objects.filter(
        action=AccessEvent.Action.RECUSAL, outcome=AccessEvent.Outcome.REFUSED
    )


def staff_member(**fields) -> Employee:
    """A new directory entry to sit on panels (level 6 unless told)."""
    fields.setdefault("level", 6)
    fields.setdefault("title", "Head of Department")
    return EmployeeFactory(**fields)
