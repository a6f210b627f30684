"""Search and filters of the talent-review list (issue 16, item 1): status and the subject's
name, e-mail, number, department or the cycle. No program filter: the review side knows
nothing of programs (F2). A panel member never finds a review they do not sit on, and nobody
finds a review of a subject they hold a mentoring-side relation with (F11)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.listing import UNKNOWN_STATUS
from reviews.models import TalentReview
from tests.builders.reviews import move, plan_review, seat
from tests.factories import EmployeeFactory

LIST = reverse("reviews:list")
HTMX = {"HX-Request": "true", "HX-Target": "reviews-results"}


def subjects(response) -> list[str]:
    return [review.subject.full_name for review in response.context["page"]]


def test_the_talent_team_filters_by_status_and_searches_subjects(
    staffed_review, other_review, talent_reviewer, signed_in_client
):
    move(other_review, by=talent_reviewer, to=TalentReview.Status.IN_SESSION)
    client = signed_in_client(talent_reviewer)

    in_session = client.get(LIST, {"status": "in_session"})
    by_name = client.get(LIST, {"q": "okoro"})
    by_department = client.get(LIST, {"q": "retail banking"})
    by_number = client.get(LIST, {"q": staffed_review.subject.number})
    none = client.get(LIST, {"q": "okoro", "status": "in_session"})

    assert subjects(in_session) == ["Lina Petrova"]
    assert "1 of 2 reviews" in in_session.content.decode()
    assert subjects(by_name) == ["Samuel Okoro"]
    assert subjects(by_department) == ["Lina Petrova"]
    assert subjects(by_number) == ["Samuel Okoro"]
    assert subjects(none) == []
    assert "No review matches “okoro”, with the status In session." in none.content.decode()


def test_a_panel_member_never_finds_a_review_they_do_not_sit_on(
    staffed_review, other_review, panel_member, signed_in_client
):
    client = signed_in_client(panel_member)

    theirs = client.get(LIST, {"q": "okoro"})
    not_theirs = client.get(LIST, {"q": "petrova"})
    every_status = client.get(LIST, {"status": "planned"})

    assert subjects(theirs) == ["Samuel Okoro"]
    assert subjects(not_theirs) == []
    assert "0 of 1 review" in not_theirs.content.decode()
    assert subjects(every_status) == ["Samuel Okoro"]


def test_the_review_list_offers_no_program_filter(
    staffed_review, talent_reviewer, signed_in_client
):
    response = signed_in_client(talent_reviewer).get(LIST, {"program": "grow-2027"})

    assert "program" not in response.context["filter_form"].fields
    assert subjects(response) == ["Samuel Okoro"]


@pytest.mark.parametrize("params", [{"status": "rated"}, {"status": ""}, {"q": " "}])
def test_bad_or_empty_values_are_calm(staffed_review, talent_reviewer, signed_in_client, params):
    response = signed_in_client(talent_reviewer).get(LIST, params)

    assert response.status_code == 200
    assert subjects(response) == ["Samuel Okoro"]
    assert (UNKNOWN_STATUS in response.content.decode()) == (params.get("status") == "rated")


def test_htmx_gets_the_reviews_region_alone(
    staffed_review, other_review, talent_reviewer, signed_in_client
):
    response = signed_in_client(talent_reviewer).get(LIST, {"q": "petrova"}, headers=HTMX)
    html = response.content.decode()

    assert html.lstrip().startswith('<div id="reviews-results"')
    assert "Lina Petrova" in html and "Samuel Okoro" not in html


def test_pagination_keeps_the_search(talent_reviewer, signed_in_client):
    for n in range(27):
        plan_review(EmployeeFactory(department="Legal"), by=talent_reviewer, days=n + 1)
    plan_review(EmployeeFactory(department="Sales"), by=talent_reviewer)
    client = signed_in_client(talent_reviewer)

    first = client.get(LIST, {"q": "legal"})
    second = client.get(LIST, {"q": "legal", "page": 2})

    assert "?q=legal&amp;page=2" in first.content.decode()
    assert "27 of 28 reviews" in first.content.decode()
    assert len(subjects(second)) == 2


@pytest.mark.parametrize("size", [3, 30], ids=["few", "many"])
def test_the_filtered_review_list_keeps_its_query_count(
    size, talent_reviewer, signed_in_client, django_assert_num_queries
):
    member = EmployeeFactory(level=6, title="Head of Department")
    for n in range(size):
        review = plan_review(EmployeeFactory(department="Legal"), by=talent_reviewer, days=n + 1)
        seat(review, member, by=talent_reviewer)
    url = f"{LIST}?q=legal&status=planned"
    for user in (talent_reviewer, member.user):
        client = signed_in_client(user)
        client.get(url)
        with django_assert_num_queries(7):  # as many as without filters
            response = client.get(url)
        assert len(subjects(response)) == min(size, 25)
