"""Company-wide roles: groups declared in code, present after migrate, given through a service."""

import pytest
from django.contrib.auth.models import Group, Permission

from people.roles import HR_ADMINS, ROLE_PERMISSIONS, TALENT_TEAM, roles_sync
from people.services import user_add_to_role
from tests.factories import EmployeeFactory


def codes(group_name):
    group = Group.objects.get(name=group_name)
    return {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


@pytest.mark.parametrize("name", sorted(ROLE_PERMISSIONS))
def test_role_groups_exist_after_migrate_with_exactly_their_permissions(db, name):
    assert codes(name) == set(ROLE_PERMISSIONS[name])


def test_roles_sync_puts_back_drifted_permissions(db):
    hr_admins = Group.objects.get(name=HR_ADMINS)
    hr_admins.permissions.add(Permission.objects.get(codename="delete_employee"))

    roles_sync()
    roles_sync()

    assert codes(HR_ADMINS) == set(ROLE_PERMISSIONS[HR_ADMINS])
    assert Group.objects.filter(name=HR_ADMINS).count() == 1


def test_hr_admin_role_gives_the_admin_but_never_superuser(db):
    user = EmployeeFactory().user

    user_add_to_role(user=user, role=HR_ADMINS)

    user.refresh_from_db()
    assert user.is_staff
    assert not user.is_superuser
    assert user.has_perm("people.change_employee")
    assert not user.has_perm("people.delete_employee")
    assert not user.has_perm("people.change_user")


def test_talent_team_role_gives_no_admin(db):
    user = EmployeeFactory().user

    user_add_to_role(user=user, role=TALENT_TEAM)

    user.refresh_from_db()
    assert user.groups.filter(name=TALENT_TEAM).exists()
    assert not user.is_staff


def test_unknown_role_is_refused(db):
    user = EmployeeFactory().user

    with pytest.raises(ValueError, match="unknown role"):
        user_add_to_role(user=user, role="Superusers")
    assert not user.groups.exists()
