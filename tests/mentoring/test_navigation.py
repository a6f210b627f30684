"""The main navigation (mentoring.navigation): who sees which item, and aria-current on the
item's own page ("page") and on the pages beneath it ("true")."""

import re

import pytest
from django.urls import get_resolver, reverse

from mentoring.navigation import ITEMS
from notifications.models import Notification
from tests.factories import EmployeeFactory

NAV = re.compile(r'<nav class="site-nav" aria-label="Main">(.*?)</nav>', re.S)
LINK = re.compile(r'<a href="([^"]+)"( aria-current="(page|true)")?>([^<]+)')


def _nav(response) -> dict[str, str]:
    """{label: aria-current or ""} of the main navigation on the page."""
    html = NAV.search(response.content.decode()).group(1)
    return {label.strip(): current or "" for _, _, current, label in LINK.findall(html)}


def _view_names() -> set[str]:
    names = set()

    def walk(resolver, prefix):
        for pattern in resolver.url_patterns:
            if hasattr(pattern, "url_patterns"):
                ns = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
                walk(pattern, ns)
            elif pattern.name:
                names.add(prefix + pattern.name)

    walk(get_resolver(), "")
    return names


def test_every_page_an_item_names_or_covers_exists():
    names = _view_names()
    namespaces = {name.rpartition(":")[0] for name in names}
    for item in ITEMS:
        assert item.url_name in names, item.url_name
        for covered in item.covers:
            if covered.endswith(":*"):
                assert covered[:-2] in namespaces, covered
            else:
                assert covered in names, covered


def test_an_employee_sees_their_own_items_and_the_current_page_is_marked(
    signed_in_client, mentoree
):
    nav = _nav(signed_in_client(mentoree).get(reverse("pairings:mine")))

    assert nav["My pairs"] == "page"
    assert nav["Home"] == ""
    assert {"Home", "Programs", "My applications", "Sessions", "Resources", "Inbox"} <= set(nav)
    assert not {"Committee", "Talent reviews", "Tags", "Reports", "Administration"} & set(nav)


@pytest.mark.django_db
def test_a_page_beneath_an_item_marks_it_true(signed_in_client, mentoree):
    client = signed_in_client(mentoree)

    assert _nav(client.get(reverse("programs:my_commitments")))["My applications"] == "true"
    assert _nav(client.get(reverse("home")))["Home"] == "page"


def test_roles_bring_their_items(signed_in_client, hr_admin, talent_reviewer):
    assert _nav(signed_in_client(hr_admin).get(reverse("reports:overview")))["Reports"] == "page"
    assert "Talent reviews" in _nav(signed_in_client(talent_reviewer).get(reverse("home")))


def test_the_unread_count_shows_on_the_inbox_item(signed_in_client, mentoree):
    Notification.objects.create(recipient=mentoree, title="Hello", url="/")
    html = signed_in_client(mentoree).get(reverse("home")).content.decode()

    assert re.search(
        r"Inbox<span class=\"visually-hidden\">,</span> <span class=\"count-badge\">1", html
    )


def test_the_pages_shared_with_a_manager_sit_under_home_not_under_my_pairs(signed_in_client):
    """F6's audience pages are reached from home; a manager's page is not one of their pairs."""
    manager = EmployeeFactory(level=6)
    EmployeeFactory(level=3, manager=manager)
    nav = _nav(signed_in_client(manager.user).get(reverse("confidentiality:shared_manager")))
    assert nav["Home"] == "true"
    assert nav["My pairs"] == ""
