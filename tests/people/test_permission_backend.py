"""The sign-in backend reads a user's model permissions in one prepared query (issue K: the
admin asks on every page): the answer must be ModelBackend's for every kind of account, and a
permission granted or revoked shows on the user's next request."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission

from people.backends import EmailBackend
from tests.factories import EmployeeFactory


def fresh(user):
    """The user as the next request loads it (no permission kept from before)."""
    return get_user_model().objects.get(pk=user.pk)


def both(user) -> tuple[set[str], set[str]]:
    return EmailBackend().get_all_permissions(fresh(user)), ModelBackend().get_all_permissions(
        fresh(user)
    )


def test_the_permissions_are_model_backends(db, hr_admin, coordinator, mentor, superuser):
    auditors = Group.objects.create(name="Auditors of the test")
    view_event = Permission.objects.get(codename="view_accessevent")
    add_tag = Permission.objects.get(codename="add_tag")
    direct_and_group = EmployeeFactory().user
    direct_and_group.user_permissions.add(view_event, add_tag)
    direct_and_group.groups.add(auditors)
    auditors.permissions.add(view_event, Permission.objects.get(codename="view_employee"))
    inactive = EmployeeFactory().user
    inactive.user_permissions.add(add_tag)
    inactive.is_active = False
    inactive.save()

    for user in (hr_admin, coordinator, mentor, superuser, direct_and_group, inactive):
        ours, django = both(user)
        assert ours == django, user
        for perm in [*sorted(django)[:5], "people.no_such_permission"]:
            expected = user.is_active and (user.is_superuser or perm in django)
            assert fresh(user).has_perm(perm) == expected
    assert both(direct_and_group)[0] >= {"firewall.view_accessevent", "programs.add_tag"}
    assert both(inactive)[0] == set()
    assert len(both(superuser)[0]) == Permission.objects.count()
    assert EmailBackend().get_all_permissions(fresh(hr_admin), obj=hr_admin) == set()


def test_a_grant_and_a_revocation_show_on_the_next_request(db, mentor):
    perm = Permission.objects.get(codename="view_accessevent")
    assert "firewall.view_accessevent" not in both(mentor)[0]
    mentor.user_permissions.add(perm)
    ours, django = both(mentor)
    assert ours == django and "firewall.view_accessevent" in ours
    mentor.user_permissions.remove(perm)
    ours, django = both(mentor)
    assert ours == django and "firewall.view_accessevent" not in ours
