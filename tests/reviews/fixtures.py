"""Fixtures and helpers for the talent-review tests (tests/reviews) and the firewall rules
about reviews (tests/firewall/test_f2_reviews_see_nothing.py, test_f3_recusal.py).

Everything is built through the services: `talent_reviewer` (tests/conftest.py, in the
Talent team) plans reviews and seats panels with `reviews.services`, so the guardian object
permission `sit_on_panel` and the conflict register's entries exist as in real life.

Import into a test module or conftest with `from tests.reviews.fixtures import *  # noqa: F403`.
It re-exports the pairing fixtures of tests/pairings/pair_fixtures.py (`program`,
`committee`, `enrol`, `new_mentor`, `new_mentoree`, `enrolled`, `pairing`, `active_pairing`).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from firewall.models import AccessEvent
from people.models import Employee
from reviews import services as review_services
from reviews.models import PanelSeat, TalentReview
from tests.factories import EmployeeFactory
from tests.pairings.pair_fixtures import *  # noqa: F403
from tests.pairings.pair_fixtures import as_employee

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


# --- Fixtures --------------------------------------------------------------------------------


@pytest.fixture
def panel_member(db):
    """Ingrid Solberg, who sits on `review`'s panel in `staffed_review`."""
    return EmployeeFactory(
        first_name="Ingrid", last_name="Solberg", title="Head of Data", department="Technology"
    ).user


@pytest.fixture
def review(talent_reviewer, mentoree) -> TalentReview:
    """A planned review of `mentoree` (Samuel Okoro), no panel yet."""
    return plan_review(mentoree, by=talent_reviewer)


@pytest.fixture
def staffed_review(review, panel_member, talent_reviewer) -> TalentReview:
    """`review` with `panel_member` seated."""
    seat(review, panel_member, by=talent_reviewer)
    return review


@pytest.fixture
def in_session_review(staffed_review, talent_reviewer) -> TalentReview:
    """`staffed_review`, moved on to in session: the panel may record its outcome."""
    return move(staffed_review, by=talent_reviewer, to=TalentReview.Status.IN_SESSION)


@pytest.fixture
def other_panel_member(db):
    return EmployeeFactory(
        first_name="Marco", last_name="Bellini", title="Head of Payments", department="Operations"
    ).user


@pytest.fixture
def other_review(talent_reviewer, outsider, other_panel_member) -> TalentReview:
    """Someone else's review (of `outsider`), with `other_panel_member` on its panel."""
    other = plan_review(outsider, by=talent_reviewer, days=28)
    seat(other, other_panel_member, by=talent_reviewer)
    return other
