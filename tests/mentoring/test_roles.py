"""The navigation's roles (mentoring.roles.roles_for) come from one query kept as SQL; they
must answer exactly what the selectors that guard the pages answer, for every person of the
world, and follow a grant or a revocation at once (nothing is cached between requests)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from guardian.shortcuts import assign_perm, remove_perm

from mentoring.roles import roles_for
from notifications.models import Notification
from people.roles import HR_ADMINS, TALENT_TEAM
from programs import selectors as program_selectors
from programs.models import GroupSession, Program
from reviews.models import PanelSeat


def expected_roles(user) -> dict[str, object]:
    """What the selectors and the ORM answer, one question at a time."""
    groups = set(user.groups.values_list("name", flat=True))
    employee = getattr(user, "employee", None)
    return {
        "is_hr_admin": HR_ADMINS in groups,
        "is_talent_team": TALENT_TEAM in groups,
        "is_coordinator": program_selectors.is_any_coordinator(user=user),
        "is_committee_member": program_selectors.committee_programs(user=user).exists(),
        "can_create_programs": program_selectors.creates_programs(user=user),
        "leads_sessions": bool(employee and GroupSession.objects.filter(leader=employee).exists()),
        "sits_on_panels": bool(employee and PanelSeat.objects.filter(member=employee).exists()),
        "unread_count": user.notifications.filter(read_at__isnull=True).count(),
    }


def roles_of(user) -> dict[str, object]:
    roles = roles_for(user)
    return {name: getattr(roles, name) for name in expected_roles(user)}


def test_every_person_of_the_world_has_the_roles_the_selectors_give(world):
    Notification.objects.create(recipient=world.user("mentor"), title="Your pair met")
    seen = {name: set() for name in expected_roles(world.user("mentor"))}
    for name in world.users:
        user = world.user(name)
        assert roles_of(user) == expected_roles(user), name
        for flag, value in roles_of(user).items():
            seen[flag].add(bool(value))
    # The world has someone on each side of every flag: the comparison could fail.
    assert all(values == {True, False} for values in seen.values()), seen


def test_the_roles_take_one_query_besides_the_directory_entry(world, django_assert_num_queries):
    user = world.user("coordinator")
    assert user.employee is not None  # loaded once per request, before the navigation asks
    with django_assert_num_queries(1):
        roles_for(user)


def test_superuser_and_inactive_accounts_hold_no_program_role(world):
    for name in ("superuser", "hr_admin"):
        roles = roles_for(world.user(name))
        assert not roles.is_coordinator and not roles.is_committee_member, name
    coordinator = world.user("coordinator")
    coordinator.is_active = False
    roles = roles_for(coordinator)
    assert not roles.is_coordinator and not roles.can_create_programs


def test_a_role_granted_through_a_group_counts_and_a_revoked_one_is_gone_at_once(world):
    outsider = world.user("outsider")
    program = Program.objects.get(slug=world.this.program)
    assert not roles_for(outsider).is_committee_member

    group = Group.objects.create(name="Panel of the year")
    group.user_set.add(outsider)
    assign_perm("programs.review_applications", group, program)
    assert roles_for(outsider).is_committee_member
    remove_perm("programs.review_applications", group, program)
    assert not roles_for(outsider).is_committee_member

    talent = world.user("talent_reviewer")
    assert roles_for(talent).is_talent_team
    talent.groups.remove(Group.objects.get(name=TALENT_TEAM))
    assert not roles_for(talent).is_talent_team


@pytest.mark.parametrize("unread", [0, 3])
def test_the_unread_count_is_live(world, unread):
    mentor = world.user("mentor")
    Notification.objects.filter(recipient=mentor).update(read_at="2026-01-01T00:00:00Z")
    for n in range(unread):
        Notification.objects.create(recipient=mentor, title=f"Note {n}")
    assert roles_for(mentor).unread_count == unread


def test_the_committee_program_ids_are_the_committee_programs_for_everyone(world):
    """The prepared id list the committee pages use answers what `committee_programs` does,
    for every person of the world (superusers and HR admins included: none is implied), and a
    revocation is gone at once."""
    on_a_committee = 0
    for name in world.users:
        user = world.user(name)
        expected = sorted(
            program_selectors.committee_programs(user=user).values_list("pk", flat=True)
        )
        assert sorted(program_selectors.committee_program_ids(user=user)) == expected, name
        on_a_committee += bool(expected)
    assert 0 < on_a_committee < len(world.users)

    outsider = world.user("outsider")
    program = Program.objects.get(slug=world.this.program)
    assign_perm("programs.review_applications", outsider, program)
    assert program_selectors.committee_program_ids(user=outsider) == [program.pk]
    remove_perm("programs.review_applications", outsider, program)
    assert program_selectors.committee_program_ids(user=outsider) == []
