"""Reporting-chain reads: who manages whom, in one query however tall or wide the tree."""

import pytest

from people.selectors import in_management_chain, reporting_chain_down, reporting_chain_up
from tests.factories import EmployeeFactory


@pytest.fixture
def tree(db):
    """Two lines under one president.

    president -> vp -> director -> manager -> analyst and analyst_peer
    president -> other_vp -> other_director
    """
    people = {}
    people["president"] = EmployeeFactory(level=10)
    people["vp"] = EmployeeFactory(level=9, manager=people["president"])
    people["director"] = EmployeeFactory(level=7, manager=people["vp"])
    people["manager"] = EmployeeFactory(level=5, manager=people["director"])
    people["analyst"] = EmployeeFactory(level=3, manager=people["manager"])
    people["analyst_peer"] = EmployeeFactory(level=3, manager=people["manager"])
    people["other_vp"] = EmployeeFactory(level=9, manager=people["president"])
    people["other_director"] = EmployeeFactory(level=7, manager=people["other_vp"])
    return people


def test_chain_up_lists_managers_nearest_first(tree):
    chain = reporting_chain_up(employee=tree["analyst"])

    assert chain == [tree["manager"], tree["director"], tree["vp"], tree["president"]]


def test_chain_up_stops_at_the_depth_asked_for(tree):
    assert reporting_chain_up(employee=tree["analyst"], depth=1) == [tree["manager"]]
    assert reporting_chain_up(employee=tree["analyst"], depth=2) == [
        tree["manager"],
        tree["director"],
    ]
    assert reporting_chain_up(employee=tree["analyst"], depth=0) == []


def test_chain_up_of_the_top_is_empty(tree):
    assert reporting_chain_up(employee=tree["president"]) == []


def test_chain_down_lists_everyone_below_and_no_one_else(tree):
    below_vp = set(reporting_chain_down(employee=tree["vp"]))

    assert below_vp == {tree["director"], tree["manager"], tree["analyst"], tree["analyst_peer"]}
    assert set(reporting_chain_down(employee=tree["analyst"])) == set()
    assert len(reporting_chain_down(employee=tree["president"])) == len(tree) - 1


def test_chain_down_stops_at_the_depth_asked_for(tree):
    assert set(reporting_chain_down(employee=tree["vp"], depth=1)) == {tree["director"]}
    assert set(reporting_chain_down(employee=tree["vp"], depth=2)) == {
        tree["director"],
        tree["manager"],
    }


@pytest.mark.parametrize(
    ("a", "b"),
    [("president", "analyst"), ("analyst", "president"), ("manager", "analyst"), ("analyst", "vp")],
)
def test_in_management_chain_holds_in_both_directions(tree, a, b):
    assert in_management_chain(a=tree[a], b=tree[b])


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("analyst", "analyst_peer"),  # peers
        ("vp", "other_vp"),  # peers higher up
        ("director", "other_director"),  # cousins
        ("analyst", "other_director"),  # different branches
    ],
)
def test_in_management_chain_is_false_for_people_in_different_lines(tree, a, b):
    assert not in_management_chain(a=tree[a], b=tree[b])


def test_in_management_chain_respects_the_depth(tree):
    assert not in_management_chain(a=tree["analyst"], b=tree["vp"], depth=2)
    assert in_management_chain(a=tree["analyst"], b=tree["vp"], depth=3)
    assert not in_management_chain(a=tree["vp"], b=tree["analyst"], depth=2)


def _grow_tenfold(tree):
    """Ten times the rows: a chain 30 levels deeper under the analyst, each level with reports."""
    boss = tree["analyst"]
    added = []
    for _ in range(30):
        boss = EmployeeFactory(manager=boss)
        added.append(boss)
        added.append(EmployeeFactory(manager=boss))
        added.append(EmployeeFactory(manager=boss))
    return added


def test_chain_up_is_one_query_however_tall_the_tree(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        chain = reporting_chain_up(employee=tree["analyst"])
    assert len(chain) == 4

    added = _grow_tenfold(tree)
    bottom = added[-1]

    with django_assert_num_queries(1):
        chain = reporting_chain_up(employee=bottom)
    # 30 new managers, then the analyst and the analyst's four managers.
    assert len(chain) == 30 + 1 + 4
    assert chain[0] == bottom.manager
    assert chain[30] == tree["analyst"]
    assert chain[-1] == tree["president"]


def test_chain_down_is_one_query_however_big_the_tree(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        below = list(reporting_chain_down(employee=tree["president"]))
    assert len(below) == 7

    added = _grow_tenfold(tree)

    with django_assert_num_queries(1):
        below = list(reporting_chain_down(employee=tree["president"]))
    assert len(below) == 7 + len(added)


def test_in_management_chain_is_one_query_however_tall_the_tree(tree, django_assert_num_queries):
    added = _grow_tenfold(tree)

    with django_assert_num_queries(1):
        assert in_management_chain(a=added[-1], b=tree["president"])
    with django_assert_num_queries(1):
        assert not in_management_chain(a=added[-1], b=tree["other_director"])
