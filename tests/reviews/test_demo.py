"""seed_demo's talent reviews: a "2027 mid-year" cycle with panels, one of them the review of
the demo mentoree whose mentor was kept off the panel (F3) and is on its recusal list, never
with the reason; a second run adds nothing."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from pairings.models import Pairing
from people.models import Employee
from reviews.models import PanelSeat, Recusal, TalentReview
from tests.builders.reviews import REASON_WORDS, RECUSED, main_content

DEMO_CYCLE = "2027 mid-year"


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def by_email(key: str) -> Employee:
    return Employee.objects.select_related("user").get(email=f"{key}@northbank.example")


@pytest.fixture
def demo(db, media_root):
    return seed()


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_seed_demo_plans_a_review_cycle_with_staffed_panels(demo):
    reviews = TalentReview.objects.filter(cycle=DEMO_CYCLE)

    assert reviews.count() >= 2
    for review in reviews:
        assert review.is_open
        assert review.seats.exists(), f"{review} has no panel"
        for seat in review.seats.select_related("member__user"):
            assert seat.member != review.subject
            assert seat.member.user.has_perm("reviews.sit_on_panel", review)
    assert by_email("reviewer").user.groups.filter(name="Talent team").exists()


def test_seed_demo_keeps_the_mentoree_s_mentor_off_his_panel_and_lists_her_as_recused(
    demo, signed_in_client
):
    """F3 in the demo: the review of a subject whose mentor was refused a seat."""
    mentored = [
        review
        for review in TalentReview.objects.filter(cycle=DEMO_CYCLE).select_related("subject")
        if Pairing.objects.filter(mentoree=review.subject).exists()
    ]
    assert mentored, "no demo review has a subject who is a mentoree"
    with_recusal = [
        review
        for review in mentored
        if Recusal.objects.filter(
            review=review,
            person__in=Pairing.objects.filter(mentoree=review.subject).values("mentor"),
        ).exists()
    ]
    assert with_recusal, "no demo review lists the subject's mentor as recused"
    review = with_recusal[0]
    mentors = Employee.objects.filter(
        pk__in=Pairing.objects.filter(mentoree=review.subject).values("mentor")
    )
    assert not PanelSeat.objects.filter(review=review, member__in=mentors).exists()
    recused = Recusal.objects.get(review=review, person__in=mentors).person

    page = signed_in_client(by_email("reviewer").user).get(
        reverse("reviews:recusals", args=[review.pk])
    )

    assert page.status_code == 200
    content = main_content(page)
    assert recused.full_name in content
    assert RECUSED in content.lower()
    assert not REASON_WORDS.search(content), REASON_WORDS.search(content)


def test_running_seed_demo_twice_adds_no_review(demo):
    before = (TalentReview.objects.count(), PanelSeat.objects.count(), Recusal.objects.count())

    seed()

    assert (
        TalentReview.objects.count(),
        PanelSeat.objects.count(),
        Recusal.objects.count(),
    ) == before
