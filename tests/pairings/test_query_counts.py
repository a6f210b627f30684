"""Pages of pairings keep a fixed number of queries however many rows they show: the count is
measured at the small size, then pinned with `django_assert_num_queries` at ten times as many
rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pairings import services
from pairings.models import Pairing
from tests.builders.pairings import accept_both, add_goal, log_meeting, propose


def count_queries(client, url) -> int:
    client.get(url)  # warm what lives for the process (content types, templates)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def assert_same_count(client, url, expected, django_assert_num_queries):
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("member", ["mentor", "mentoree"])
def test_the_pairs_space_query_count_does_not_grow_with_meetings_and_goals(
    member, request, active_pairing, signed_in_client, django_assert_num_queries
):
    def add(start, stop):
        for n in range(start, stop):
            # Half upcoming, half past.
            log_meeting(active_pairing, days=(n + 1) * (1 if n % 2 else -1))
            add_goal(active_pairing, f"Goal number {n}")

    client = signed_in_client(request.getfixturevalue(member))
    url = reverse("pairings:space", args=[active_pairing.pk])
    add(0, 2)
    few = count_queries(client, url)

    add(2, 20)

    response = assert_same_count(client, url, few, django_assert_num_queries)
    assert len(response.context["upcoming"]) + len(response.context["past"]) == 20
    assert len(response.context["goals"]) == 20


def test_the_coordinators_pairings_page_query_count_does_not_grow_with_the_pairings(
    program,
    enrolled,
    coordinator,
    new_mentor,
    new_mentoree,
    signed_in_client,
    django_assert_num_queries,
):
    mentors = []

    def add(start, stop):
        for n in range(start, stop):
            if n % 3 == 0:
                mentors.append(new_mentor(capacity=3))
            pairing = propose(program, mentors[-1], new_mentoree(), by=coordinator, score=n)
            if n % 3 >= 1:
                pairing = accept_both(pairing)
            if n % 3 == 2:
                services.pairing_end(
                    pairing=pairing, by=pairing.mentoree, category=Pairing.EndCategory.OTHER
                )
            new_mentoree()  # one more without a pair, for the unmatched list

    client = signed_in_client(coordinator)
    url = reverse("pairings:program", args=[program.slug])
    add(0, 3)
    few = count_queries(client, url)

    add(3, 30)

    response = assert_same_count(client, url, few, django_assert_num_queries)
    assert response.context["page"].paginator.count == 30
    for status in ("proposed", "active", "ended"):
        filtered = f"{url}?status={status}"
        assert_same_count(client, filtered, few, django_assert_num_queries)


def test_the_suggestions_page_query_count_does_not_grow_with_the_mentors(
    program,
    enrolled,
    mentoree,
    coordinator,
    new_mentor,
    signed_in_client,
    django_assert_num_queries,
):
    client = signed_in_client(coordinator)
    url = reverse("pairings:suggestions", args=[program.slug, mentoree.employee.pk])
    new_mentor()  # with `mentor` and `other_mentor`: three mentors
    few = count_queries(client, url)

    for _ in range(27):
        new_mentor()

    response = assert_same_count(client, url, few, django_assert_num_queries)
    assert len(response.context["suggestions"]) == 20  # the page shows the best twenty


def test_my_pairings_query_count_does_not_grow_with_my_pairings(
    program,
    enrolled,
    mentor,
    coordinator,
    new_mentoree,
    signed_in_client,
    django_assert_num_queries,
):
    def add(n):
        for _ in range(n):
            pairing = propose(program, mentor, new_mentoree(), by=coordinator)
            services.pairing_end(
                pairing=pairing, by=mentor.employee, category=Pairing.EndCategory.SCHEDULE
            )

    client = signed_in_client(mentor)
    url = reverse("pairings:mine")
    add(2)
    few = count_queries(client, url)

    add(18)

    response = assert_same_count(client, url, few, django_assert_num_queries)
    assert response.context["page"].paginator.count == 20
