"""The yardstick of bench_pages: a plain signed-in list page of four queries, whatever the
number of meetings, showing 25 of the signed-in mentor's own meetings and nobody else's."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.builders.pairings import log_meeting


@pytest.mark.urls("benchmarks.urls")
@pytest.mark.parametrize("meetings", [3, 30])
def test_the_yardstick_lists_the_mentors_meetings_in_four_queries(
    meetings, active_pairing, other_pairing, mentor, signed_in_client, django_assert_num_queries
):
    for n in range(meetings):
        log_meeting(active_pairing, days=-(n + 1))
    client = signed_in_client(mentor)
    url = reverse("bench_yardstick")
    client.get(url)

    with django_assert_num_queries(4):  # session, user, count, one page of rows
        response = client.get(url)

    assert response.status_code == 200
    rows = list(response.context["page"])
    assert len(rows) == min(meetings, 25)
    assert {row.pairing_id for row in rows} == {active_pairing.pk}
    assert "Nadia" not in response.content.decode()  # the other pair's mentoree


def test_the_yardstick_is_not_part_of_the_app(client, db):
    assert client.get("/bench/yardstick/").status_code == 404
