"""The admin's sidebar lists every model a person may open (`{% quick_app_list %}`,
people/templatetags/quick_admin.py, in place of Django's admin/app_list.html): the HTML must
be the template's, link for link, for every kind of account and page."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.html import parse_html
from django.urls import reverse

from people.templatetags.quick_admin import _app_list_html
from tests.factories import EmployeeFactory

PATHS = [
    reverse("admin:index"),
    reverse("admin:app_list", args=["firewall"]),
    reverse("admin:firewall_accessevent_changelist"),
    reverse("admin:firewall_accessevent_changelist") + "1/change/",
    "/admin/people/employee/?q=<b>&x=é ü",
]


@pytest.fixture
def viewer(db):
    """Staff with one view permission: a model without add link, view only."""
    user = EmployeeFactory().user
    user.is_staff = True
    user.save()
    user.user_permissions.add(Permission.objects.get(codename="view_accessevent"))
    return user


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("show_changelinks", [False, True])
def test_the_quick_app_list_is_djangos(db, hr_admin, superuser, viewer, path, show_changelinks):
    for user in (hr_admin, superuser, viewer):
        request = RequestFactory().get(path)
        request.user = user
        app_list = admin.site.get_app_list(request)
        django = render_to_string(
            "admin/app_list.html",
            {"app_list": app_list, "show_changelinks": show_changelinks, "request": request},
        )

        ours = _app_list_html(app_list, request.path, show_changelinks)

        assert parse_html(ours) == parse_html(django), (user, path)
    assert ("current-model" in ours) == ("accessevent" in path)


def test_nothing_to_show_says_so_as_django_does(rf):
    request = rf.get("/admin/")
    django = render_to_string("admin/app_list.html", {"app_list": [], "request": request})
    assert parse_html(_app_list_html([], "/admin/", False)) == parse_html(django)


def test_the_sidebar_of_a_page_is_djangos(db, hr_admin, signed_in_client):
    url = reverse("admin:firewall_accessevent_changelist")
    response = signed_in_client(hr_admin).get(url)
    assert response.status_code == 200
    request = response.wsgi_request
    django = render_to_string(
        "admin/app_list.html",
        {
            "app_list": response.context["available_apps"],
            "show_changelinks": False,
            "request": request,
        },
    )
    page = response.content.decode()
    assert parse_html(django) in parse_html(page)
    assert 'aria-current="page"' in page
