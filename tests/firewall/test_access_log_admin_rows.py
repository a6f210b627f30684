"""The access log's rows in the admin are made in one pass (`{% quick_result_list %}`,
people/templatetags/quick_admin.py): the page must show exactly what Django's own
`{% result_list %}` shows, cell for cell and link for link, whatever the events hold."""

from __future__ import annotations

import pytest
from django.contrib.admin.templatetags.admin_list import result_list
from django.template.loader import render_to_string
from django.test.html import parse_html
from django.urls import reverse

from firewall.access import access_event_record
from firewall.models import AccessEvent
from people.templatetags.quick_admin import _plain_fields, quick_result_list

URL = "admin:firewall_accessevent_changelist"


def events(actor) -> None:
    """One of every action and outcome, an event with no actor (a system job), labels that
    need escaping, a large object id (thousand separators, where the locale has them)."""
    for i, action in enumerate(AccessEvent.Action.values):
        for outcome in AccessEvent.Outcome.values:
            access_event_record(
                actor=actor,
                action=action,
                object_type="note",
                object_id=1_234_567 + i,
                outcome=outcome,
            )
    for label, object_type in (('<script>alert("x")</script> & "co"', "a<b>"), ("", "note")):
        AccessEvent.objects.create(
            actor=None,
            actor_label=label,
            action=AccessEvent.Action.READ,
            object_type=object_type,
            object_id=7,
            outcome=AccessEvent.Outcome.ALLOWED,
        )


def rendered(context) -> str:
    return render_to_string("admin/change_list_results.html", context)


@pytest.mark.parametrize(
    "query", ["", "?o=2", "?action__exact=read", "?outcome__exact=refused&o=-1.3", "?p=2"]
)
def test_the_quick_rows_are_djangos_rows(db, mentor, hr_admin, signed_in_client, query):
    events(mentor)
    response = signed_in_client(hr_admin).get(reverse(URL) + query)
    assert response.status_code == 200
    cl = response.context["cl"]
    assert _plain_fields(cl) is not None, "the access log's columns are plain fields"

    ours, django = quick_result_list(cl), result_list(cl)

    assert [list(map(str, row)) for row in ours["results"]] == [
        list(map(str, row)) for row in django["results"]
    ]
    assert parse_html(rendered(ours)) == parse_html(rendered(django))
    page = response.content.decode()
    assert parse_html(rendered(django)) in parse_html(page)  # what the page itself shows
    assert "<script>alert" not in page


def test_a_list_of_other_columns_is_left_to_django(db, hr_admin, signed_in_client):
    response = signed_in_client(hr_admin).get(reverse("admin:firewall_conflictentry_changelist"))
    assert response.status_code == 200
    cl = response.context["cl"]
    assert _plain_fields(cl) is None  # methods and relations: Django's own tag
    assert quick_result_list(cl)["results"] == result_list(cl)["results"]
