"""The access log in the admin, built for millions of events (bench_access_log measures it):
no full count, the object types read through their index, the search finding people by
name or address and events by request id, and a plain word when the count stops."""

from __future__ import annotations

import pytest
from django.urls import reverse

from firewall.access import access_event_record, access_object_types
from firewall.admin import CappedCountPaginator
from firewall.models import AccessEvent

URL = "admin:firewall_accessevent_changelist"


def log(actor, object_type: str, n: int = 1, request_id: str = "") -> None:
    for i in range(n):
        access_event_record(
            actor=actor,
            action=AccessEvent.Action.READ,
            object_type=object_type,
            object_id=i + 1,
            outcome=AccessEvent.Outcome.ALLOWED,
            request_id=request_id,
        )


def test_the_object_types_are_every_distinct_one_in_order(db, mentor):
    for kind in ("pairing", "note", "agreement", "note", "group session"):
        log(mentor, kind)
    expected = sorted(set(AccessEvent.objects.values_list("object_type", flat=True)))
    assert access_object_types() == expected == ["agreement", "group session", "note", "pairing"]


def test_an_empty_log_has_no_object_types(db):
    assert access_object_types() == []


def test_the_filter_offers_the_object_types_and_filters_by_them(
    db, mentor, hr_admin, signed_in_client
):
    log(mentor, "note", 2)
    log(mentor, "pairing", 1)
    client = signed_in_client(hr_admin)

    cl = client.get(reverse(URL)).context["cl"]
    [spec] = [s for s in cl.filter_specs if s.title == "object type"]
    offered = [c["display"] for c in spec.choices(cl)]
    assert offered == [
        "All",
        *sorted(set(AccessEvent.objects.values_list("object_type", flat=True))),
    ]
    assert {"note", "pairing"} <= set(offered)
    response = client.get(reverse(URL) + "?object_type=pairing")
    assert [e.object_type for e in response.context["cl"].result_list] == ["pairing"]


@pytest.mark.parametrize(("events", "capped"), [(2, False), (6, True)])
def test_the_count_stops_past_the_cap_and_says_so(
    db, mentor, hr_admin, signed_in_client, monkeypatch, events, capped
):
    client = signed_in_client(hr_admin)
    cap = AccessEvent.objects.count() + 3  # what the people's making logged, and three more
    monkeypatch.setattr(CappedCountPaginator, "CAP", cap)
    log(mentor, "note", events)
    total = AccessEvent.objects.count()

    response = client.get(reverse(URL))

    assert response.context["cl"].result_count == (cap + 1 if capped else total)
    assert (f"More than {cap} events match" in response.content.decode()) is capped


def test_the_search_finds_a_persons_events_and_a_request_not_anyone_elses(
    db, mentor, mentoree, hr_admin, signed_in_client
):
    log(mentor, "note", 2)
    log(mentoree, "note", 1, request_id="req-abc123")
    client = signed_in_client(hr_admin)

    def found(term: str) -> set[str]:
        response = client.get(reverse(URL), {"q": term})
        return {e.actor_label for e in response.context["cl"].result_list}

    assert found(mentor.last_name) == {AccessEvent.objects.filter(actor=mentor)[0].actor_label}
    assert found(mentor.email.upper()) == found(mentor.last_name)
    assert found("req-abc123") == {AccessEvent.objects.get(actor=mentoree).actor_label}
    assert found("nobody-by-this-name") == set()
