"""Search and filters of the pairing lists (issue 16, item 1): the coordinator's pairings of a
program (status, mentor's or mentoree's name, e-mail, number, department) and a member's own
pairs (status, program or the other person's name). Never wider than the page: the
coordinator's list stays metadata of their own program (F6) and a member sees only their own
pairs; goals, notes and agreement terms are never searched."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.listing import UNKNOWN_STATUS
from pairings.models import Pairing
from tests.builders.pairings import add_goal, propose

HTMX = {"HX-Request": "true", "HX-Target": "pairings-results"}
GOAL = "Quetzal board confidence"


def program_url(program) -> str:
    return reverse("pairings:program", args=[program.slug])


def pairs(response) -> list[tuple[str, str]]:
    return [(p.mentor.full_name, p.mentoree.full_name) for p in response.context["page"]]


@pytest.fixture
def two_pairs(pairing, other_pairing):
    """Helena Marsh with Samuel Okoro (proposed), Karin Novak with Nadia (active, with a
    goal)."""
    add_goal(other_pairing, GOAL)
    return pairing, other_pairing


def test_the_coordinator_filters_pairings_by_status(
    two_pairs, program, coordinator, signed_in_client
):
    response = signed_in_client(coordinator).get(program_url(program), {"status": "proposed"})
    html = response.content.decode()

    assert pairs(response) == [("Helena Marsh", "Samuel Okoro")]
    assert "1 of 2 pairings" in html
    assert 'role="search"' in html and 'aria-label="Filter pairings by status"' not in html
    # The counts by status stay those of the whole program.
    assert response.context["status_counts"]["active"] == 1


@pytest.mark.parametrize(
    "query", ["okoro", "Samuel Okoro", "helena", "technology", "samuel.okoro"], ids=str
)
def test_the_coordinator_searches_either_member(
    two_pairs, program, coordinator, signed_in_client, query
):
    response = signed_in_client(coordinator).get(program_url(program), {"q": query})

    assert pairs(response) == [("Helena Marsh", "Samuel Okoro")]


def test_the_coordinator_searches_the_employee_number(
    two_pairs, program, coordinator, signed_in_client
):
    number = two_pairs[1].mentoree.number

    response = signed_in_client(coordinator).get(program_url(program), {"q": number})

    assert pairs(response) == [("Karin Novak", two_pairs[1].mentoree.full_name)]


def test_a_search_never_matches_goals(two_pairs, program, coordinator, signed_in_client):
    response = signed_in_client(coordinator).get(program_url(program), {"q": "Quetzal"})
    html = response.content.decode()

    assert pairs(response) == []
    assert "No pairing matches “Quetzal”." in html
    assert GOAL not in html


def test_search_and_status_combine(two_pairs, program, coordinator, signed_in_client):
    response = signed_in_client(coordinator).get(
        program_url(program), {"q": "novak", "status": "proposed"}
    )

    assert pairs(response) == []
    assert "No pairing matches “novak”, with the status Proposed." in response.content.decode()


def test_an_unknown_status_is_dropped_calmly(two_pairs, program, coordinator, signed_in_client):
    response = signed_in_client(coordinator).get(program_url(program), {"status": "deleted"})

    assert response.status_code == 200
    assert len(pairs(response)) == 2
    assert UNKNOWN_STATUS in response.content.decode()


def test_htmx_gets_the_pairings_region_alone(two_pairs, program, coordinator, signed_in_client):
    response = signed_in_client(coordinator).get(
        program_url(program), {"status": "proposed"}, headers=HTMX
    )
    html = response.content.decode()

    assert html.lstrip().startswith('<div id="pairings-results"')
    assert "Helena Marsh" in html and "Karin Novak" not in html
    assert "Mentorees without a pair" not in html
    assert 'hx-swap-oob="innerHTML">1 of 2 pairings' in html


def test_the_pairings_of_another_program_stay_a_404_with_filters(
    two_pairs, program, other_coordinator, signed_in_client
):
    response = signed_in_client(other_coordinator).get(
        program_url(program), {"q": "okoro"}, headers=HTMX
    )

    assert response.status_code == 404


# --- A member's own pairs --------------------------------------------------------------------

MINE = reverse("pairings:mine")


def test_a_member_filters_their_own_pairs(two_pairs, mentor, signed_in_client):
    client = signed_in_client(mentor)

    active = client.get(MINE, {"status": "active"})
    proposed = client.get(MINE, {"status": "proposed"})
    by_name = client.get(MINE, {"q": "okoro"})
    by_program = client.get(MINE, {"q": "grow"})
    never = client.get(MINE, {"q": "novak"})  # another pair's mentor

    assert list(active.context["page"]) == []
    assert [p.pk for p in proposed.context["page"]] == [two_pairs[0].pk]
    assert [p.pk for p in by_name.context["page"]] == [two_pairs[0].pk]
    assert [p.pk for p in by_program.context["page"]] == [two_pairs[0].pk]
    assert list(never.context["page"]) == []
    assert "0 of 1 pair" in never.content.decode()


def test_my_pairs_htmx_region(two_pairs, mentor, signed_in_client):
    response = signed_in_client(mentor).get(
        MINE, {"q": "okoro"}, headers={"HX-Request": "true", "HX-Target": "pairs-results"}
    )

    assert response.content.decode().lstrip().startswith('<div id="pairs-results"')


def test_no_pair_no_form(outsider, signed_in_client):
    html = signed_in_client(outsider).get(MINE).content.decode()

    assert 'role="search"' not in html
    assert "You are not in a pair yet." in html


# --- Paging and query counts -----------------------------------------------------------------


@pytest.fixture
def many_pairs(program, coordinator, new_mentor, new_mentoree):
    def grow(size: int) -> list[Pairing]:
        made = []
        for n in range(size):
            mentor = new_mentor(capacity=1, last_name=f"Guide{n}")
            mentoree = new_mentoree(first_name="Aisha" if n % 2 == 0 else "Bruno")
            made.append(propose(program, mentor, mentoree, by=coordinator))
        return made

    return grow


def test_pagination_keeps_the_search_and_status(many_pairs, program, coordinator, signed_in_client):
    many_pairs(54)
    client = signed_in_client(coordinator)

    first = client.get(program_url(program), {"q": "aisha", "status": "proposed"})
    second = client.get(program_url(program), {"q": "aisha", "status": "proposed", "page": 2})

    assert "?q=aisha&amp;status=proposed&amp;page=2" in first.content.decode()
    assert "27 of 54 pairings" in first.content.decode()
    assert len(pairs(second)) == 2
    assert all(mentoree.startswith("Aisha") for _, mentoree in pairs(second))


@pytest.mark.parametrize("size", [3, 30], ids=["few", "many"])
def test_the_filtered_pairings_page_keeps_its_query_count(
    size, many_pairs, program, coordinator, signed_in_client, django_assert_num_queries
):
    many_pairs(size)
    client = signed_in_client(coordinator)
    url = f"{program_url(program)}?q=aisha&status=proposed"
    client.get(url)
    # As many as the page without filters (tests/reports/test_query_counts.py): the search
    # is counted in the same grouped query as the statuses.
    # The themes are read only when a pair shown has some for the coordinator (none here),
    # the mentorees without a pair only when there are some (none here either).
    # The attendance of the pairs shown is read in the list's own query (F6 rules in SQL).
    with django_assert_num_queries(9):
        client.get(url)
    with django_assert_num_queries(8):  # the region alone: no navigation, so no roles
        client.get(url, headers=HTMX)


@pytest.mark.parametrize("size", [1, 10], ids=["few", "many"])
def test_my_filtered_pairs_keep_their_query_count(
    size,
    program,
    coordinator,
    new_mentor,
    new_mentoree,
    signed_in_client,
    django_assert_num_queries,
):
    mentor = new_mentor(capacity=size)
    for _ in range(size):
        propose(program, mentor, new_mentoree(), by=coordinator)
    client = signed_in_client(mentor.user)
    url = f"{MINE}?q=grow&status=proposed"
    client.get(url)
    # One query fewer than the unfiltered list with an active pair (whether it waits for a
    # new commitment version): none is active here.
    with django_assert_num_queries(5):
        response = client.get(url)
    assert len(response.context["page"]) == size
