"""`pairing_get_for` reads the pairing, its program and both members in one prepared query
(pairings.reads): it answers exactly what `pairing_list_for(user).get(pk=...)` (guardian's
explicit object permission, no group, no superuser, no global permission) answers, for
every person of the test world, with the same rows loaded."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import Group, Permission
from django.http import Http404
from guardian.shortcuts import assign_perm, remove_perm

from pairings import services as pairing_services
from pairings.models import Goal, Pairing
from pairings.selectors import goals_of, pairing_get_for, pairing_list_for
from tests.builders.pairings import AROUND_A_PAIR, add_goal


def _orm(user, pk) -> Pairing | None:
    return pairing_list_for(user=user).filter(pk=pk).first()


def _prepared(user, pk) -> Pairing | None:
    try:
        return pairing_get_for(user=user, pk=pk)
    except Http404:
        return None


def _same(found: Pairing, expected: Pairing) -> None:
    for model_instance, other in [
        (found, expected),
        (found.program, expected.program),
        (found.mentor, expected.mentor),
        (found.mentoree, expected.mentoree),
    ]:
        assert type(model_instance) is type(other)
        assert not model_instance._state.adding
        for field in type(model_instance)._meta.concrete_fields:
            mine, theirs = getattr(model_instance, field.attname), getattr(other, field.attname)
            assert mine == theirs, field.name
            assert type(mine) is type(theirs), field.name


@pytest.mark.parametrize("person", AROUND_A_PAIR)
def test_the_prepared_read_answers_what_guardian_answers(request, person, active_pairing):
    user = request.getfixturevalue(person)
    expected = _orm(user, active_pairing.pk)
    found = _prepared(user, active_pairing.pk)
    assert (found is None) == (expected is None)
    assert (found is not None) == (person in ("mentor", "mentoree"))
    if found is not None and expected is not None:
        _same(found, expected)
    assert _prepared(user, active_pairing.pk + 1000) is None


def test_the_program_and_both_members_come_with_it(
    active_pairing, mentor, django_assert_num_queries
):
    with django_assert_num_queries(1):
        found = pairing_get_for(user=mentor, pk=active_pairing.pk)
        assert found.program.name and found.mentor.user_id == mentor.pk
        assert found.mentoree.full_name


def test_only_the_users_own_live_permission_opens_it(active_pairing, mentor, outsider):
    """A revoked permission closes the pair at once; a permission through a group, a global
    permission or an inactive account never opens it (F1-style explicit grants only)."""
    remove_perm("pairings.access_pairing", mentor, active_pairing)
    assert _prepared(mentor, active_pairing.pk) is None
    assign_perm("pairings.access_pairing", mentor, active_pairing)
    assert _prepared(mentor, active_pairing.pk) is not None

    group = Group.objects.create(name="Pair readers")
    group.user_set.add(outsider)
    assign_perm("pairings.access_pairing", group, active_pairing)
    outsider.user_permissions.add(Permission.objects.get(codename="access_pairing"))
    outsider = type(outsider).objects.get(pk=outsider.pk)
    assert _prepared(outsider, active_pairing.pk) is None
    assert _orm(outsider, active_pairing.pk) is None

    mentor.is_active = False
    assert _prepared(mentor, active_pairing.pk) is None


def test_goals_and_their_history_are_what_prefetch_related_reads(
    active_pairing, django_assert_num_queries
):
    """`goals_of` (two prepared queries): the pair's goals in order, each with its history
    newest first, decrypted as the ORM reads them."""

    first, second = add_goal(active_pairing, "First"), add_goal(active_pairing, "Second")
    pairing_services.goal_update(
        goal=first,
        by=active_pairing.mentor,
        title="First, renamed",
        description="Secret words",
        due_on=date(2027, 1, 2),
    )
    expected = list(Goal.objects.filter(pairing=active_pairing).prefetch_related("changes"))
    with django_assert_num_queries(2):
        found = goals_of(pairing=active_pairing)
        histories = [list(goal.changes.all()) for goal in found]
    assert [g.pk for g in found] == [g.pk for g in expected] == [first.pk, second.pk]
    for goal, want, history in zip(found, expected, histories, strict=True):
        _same_fields(goal, want)
        assert [c.pk for c in history] == [c.pk for c in want.changes.all()]
        for change, want_change in zip(history, want.changes.all(), strict=True):
            _same_fields(change, want_change)
    assert found[0].description == "Secret words"


def test_a_pair_without_goals_asks_once(active_pairing, django_assert_num_queries):

    with django_assert_num_queries(1):
        assert goals_of(pairing=active_pairing) == []


def _same_fields(found, expected) -> None:
    for field in type(found)._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(expected, field.attname), field.name
