"""The admin's sidebar lists the models a person may open (`MentoringAdminSite`,
mentoring/admin_site.py): the addresses and names are worked out once per process, the
permissions at every request. The list must be Django's own, model for model, for every kind
of account, app and script prefix, and a permission taken away must leave it at once."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.admin import AdminSite
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.urls import clear_script_prefix, reverse, set_script_prefix

from mentoring.admin_site import MentoringAdminSite
from tests.factories import EmployeeFactory


def _staff(*codenames: str):
    user = EmployeeFactory().user
    user.is_staff = True
    user.save()
    for codename in codenames:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return get_user_model().objects.get(pk=user.pk)  # no permission kept from before


def _request(user, path="/admin/"):
    request = RequestFactory().get(path)
    request.user = user
    return request


def _plain(app_dict: dict) -> dict:
    """Names (translated when shown) as text, so that two lists compare by what they show."""
    return {
        label: {
            **app,
            "name": str(app["name"]),
            "models": [{**m, "name": str(m["name"])} for m in app["models"]],
        }
        for label, app in app_dict.items()
    }


def test_the_site_is_ours():
    assert isinstance(admin.site, MentoringAdminSite)


@pytest.mark.parametrize("prefix", ["/", "/mentoring/"])
@pytest.mark.parametrize("label", [None, "firewall", "people", "auth"])
def test_the_app_list_is_djangos(db, hr_admin, superuser, coordinator, prefix, label):
    viewer = _staff("view_accessevent")
    adder = _staff("view_employee", "add_employee", "change_employee")
    nobody = _staff()
    set_script_prefix(prefix)
    try:
        for user in (hr_admin, superuser, coordinator, viewer, adder, nobody):
            request = _request(user)
            ours = admin.site._build_app_dict(request, label)
            django = AdminSite._build_app_dict(admin.site, request, label)
            assert _plain(ours) == _plain(django), (user, label)
            assert list(ours) == list(django)  # the same apps in the same order
            ours_list = admin.site.get_app_list(request, label)
            django_list = [
                app["app_label"] for app in AdminSite.get_app_list(admin.site, request, label)
            ]
            assert [app["app_label"] for app in ours_list] == django_list
        assert admin.site._build_app_dict(_request(superuser))["firewall"]["app_url"].startswith(
            prefix + "admin/"
        )
    finally:
        clear_script_prefix()
        set_script_prefix("/")


def test_a_permission_taken_away_leaves_the_list_at_once(db):
    viewer = _staff("view_accessevent")
    listed = admin.site._build_app_dict(_request(viewer))
    assert [m["object_name"] for m in listed["firewall"]["models"]] == ["AccessEvent"]
    assert listed["firewall"]["models"][0]["admin_url"] == reverse(
        "admin:firewall_accessevent_changelist"
    )

    viewer.user_permissions.clear()
    again = get_user_model().objects.get(pk=viewer.pk)  # the next request's user

    assert admin.site._build_app_dict(_request(again)) == {}
