"""F8 Access log: every read of a note and every refused attempt on a confidential object
writes an append-only access event (who, what, when, outcome; never content). HR admins see
the log in the admin; nobody adds, changes or deletes an event. Each event carries the
request id that the response returns in `X-Request-ID`, so a log line and an event match.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from confidentiality.models import Note
from firewall.access import access_event_record, access_events_record_many
from firewall.identity import identity_change_record
from firewall.models import AccessEvent
from firewall.register import refusal_record
from pairings.models import Goal, Meeting, Pairing
from tests.builders.confidentiality import refused_events, write_note
from tests.builders.pairings import add_goal, log_meeting
from tests.factories import EmployeeFactory


@pytest.fixture
def event(outsider) -> AccessEvent:
    access_event_record(
        actor=outsider,
        action=AccessEvent.Action.REFUSED,
        object_type="note",
        object_id=42,
        outcome=AccessEvent.Outcome.REFUSED,
        request_id="req-0000001",
    )
    return AccessEvent.objects.get(request_id="req-0000001")


@pytest.fixture
def staff_without_permission(db):
    user = EmployeeFactory(first_name="Stella", last_name="Staff").user
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def changelist_url() -> str:
    return reverse("admin:firewall_accessevent_changelist")


def change_url(event) -> str:
    return reverse("admin:firewall_accessevent_change", args=[event.pk])


# --- Append-only ---------------------------------------------------------------------------


def test_f8_an_event_records_who_what_when_and_the_outcome(event, outsider):
    assert event.actor == outsider
    assert f"(user {outsider.pk})" in event.actor_label
    assert outsider.email in event.actor_label
    assert (event.action, event.object_type, event.object_id, event.outcome) == (
        "refused",
        "note",
        42,
        "refused",
    )
    assert event.at is not None
    assert event.request_id == "req-0000001"


def test_f8_an_event_cannot_be_changed(event):
    event.outcome = AccessEvent.Outcome.ALLOWED
    with pytest.raises(PermissionError):
        event.save()
    assert AccessEvent.objects.get(pk=event.pk).outcome == AccessEvent.Outcome.REFUSED


def test_f8_an_event_cannot_be_deleted(event):
    with pytest.raises(PermissionError):
        event.delete()
    assert AccessEvent.objects.filter(pk=event.pk).exists()


def test_f8_an_event_with_no_person_names_the_system_and_a_visitor_as_anonymous(db):
    """Every door writes the same label for the same kind of actor (firewall.access)."""
    for actor in (None, AnonymousUser()):
        access_event_record(
            actor=actor,
            action=AccessEvent.Action.REFUSED,
            object_type="pairing",
            object_id=1,
            outcome=AccessEvent.Outcome.REFUSED,
        )
    refusal_record(actor=None, object_type="panel seat")
    labels = list(AccessEvent.objects.order_by("pk").values_list("actor_id", "actor_label"))
    assert labels == [
        (None, "system (an import or a scheduled job, no person)"),
        (None, "anonymous visitor"),
        (None, "system (an import or a scheduled job, no person)"),
    ]


def test_f8_a_person_is_labelled_the_same_way_by_every_door(outsider):
    """The access log's rows for one person read alike, whichever service wrote them: the
    access record, the recusal refusal, the identity change, a page read in bulk."""
    access_event_record(
        actor=outsider,
        action=AccessEvent.Action.REFUSED,
        object_type="pairing",
        object_id=1,
        outcome=AccessEvent.Outcome.REFUSED,
    )
    refusal_record(actor=outsider, object_type="panel seat")
    access_events_record_many(
        actor=outsider, action=AccessEvent.Action.READ, object_type="note", object_ids=[1, 2]
    )
    identity_change_record(
        None, user_id=outsider.pk, actor_id=outsider.pk, detail="password", notify=False
    )

    labels = set(AccessEvent.objects.values_list("actor_label", flat=True))
    assert labels == {f"{outsider.get_full_name()} <{outsider.email}> (user {outsider.pk})"}
    assert AccessEvent.objects.count() == 5


def test_f8_events_outlive_the_account_that_made_them(event, outsider):
    """Deleting the account keeps the event, and who it was, as they were at the time."""
    label = event.actor_label
    outsider.employee.delete()
    outsider.delete()
    fresh = AccessEvent.objects.get(pk=event.pk)
    assert fresh.actor is None
    assert fresh.actor_label == label


# --- The admin --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["hr_admin", "superuser"])
def test_f8_the_admin_offers_no_add_change_or_delete(who, request, event, client_for):
    client = client_for(request.getfixturevalue(who))
    page = client.get(change_url(event))
    assert page.status_code == 200  # view only
    assert not page.context["has_change_permission"]
    assert not page.context["has_delete_permission"]
    response = client.post(
        change_url(event),
        {
            "actor_label": "someone else",
            "action": "read",
            "object_type": "note",
            "object_id": 1,
            "outcome": "allowed",
            "request_id": "",
        },
    )
    assert response.status_code == 403
    add = reverse("admin:firewall_accessevent_add")
    assert client.get(add).status_code == 403
    assert client.post(add, {"action": "read", "outcome": "allowed"}).status_code == 403
    delete = reverse("admin:firewall_accessevent_delete", args=[event.pk])
    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    changelist = client.post(
        changelist_url(), {"action": "delete_selected", "_selected_action": [event.pk]}
    )
    assert changelist.status_code in (200, 302, 403)
    fresh = AccessEvent.objects.get(pk=event.pk)
    assert (fresh.actor_label, fresh.action, fresh.outcome) == (
        event.actor_label,
        "refused",
        "refused",
    )
    # Nothing was added but the identity changes that made the fixture's HR admin (F12).
    assert AccessEvent.objects.exclude(action=AccessEvent.Action.IDENTITY).count() == 1


def test_f8_hr_admins_browse_and_filter_the_log(
    hr_admin, active_pairing, mentor, outsider, client_for
):
    note = write_note(active_pairing, mentor, "Private.")
    client_for(mentor).get(reverse("confidentiality:note", args=[note.pk]))
    client_for(outsider).get(reverse("confidentiality:note", args=[note.pk]))
    admin_client = client_for(hr_admin)

    everything = admin_client.get(changelist_url())
    assert everything.status_code == 200
    actions = {e.action for e in everything.context["cl"].result_list}
    assert {"read", "refused", "sign"} <= actions

    for query, field in [("?action=refused", "action"), ("?outcome=refused", "outcome")]:
        response = admin_client.get(changelist_url() + query)
        assert response.status_code == 200
        results = list(response.context["cl"].result_list)
        assert results
        assert {getattr(e, field) for e in results} == {"refused"}
        assert {e.object_id for e in results} == {note.pk}

    by_type = admin_client.get(changelist_url() + "?object_type=note&outcome=allowed")
    assert {(e.action, e.object_id) for e in by_type.context["cl"].result_list} == {
        ("read", note.pk)
    }
    assert "Private." not in everything.content.decode()


def test_f8_the_log_can_be_searched_by_request_id(hr_admin, event, client_for):
    response = client_for(hr_admin).get(changelist_url() + "?q=req-0000001")
    assert response.status_code == 200
    assert [e.pk for e in response.context["cl"].result_list] == [event.pk]


def test_f8_someone_outside_the_admin_is_sent_to_sign_in(outsider, event, client_for):
    for url in (changelist_url(), change_url(event)):
        response = client_for(outsider).get(url)
        assert response.status_code == 302
        assert reverse("admin:login") in response["Location"]


def test_f8_staff_without_the_permission_cannot_read_the_log(
    staff_without_permission, event, client_for
):
    client = client_for(staff_without_permission)
    assert client.get(changelist_url()).status_code == 403
    assert client.get(change_url(event)).status_code == 403


def test_f8_the_view_permission_alone_opens_the_log(staff_without_permission, event, client_for):
    staff_without_permission.user_permissions.add(
        Permission.objects.get(content_type__app_label="firewall", codename="view_accessevent")
    )
    assert client_for(staff_without_permission).get(changelist_url()).status_code == 200


# --- Request ids ---------------------------------------------------------------------------------


def test_f8_every_response_carries_a_request_id(outsider, client_for):
    response = client_for(outsider).get(reverse("home"))
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    again = client_for(outsider).get(reverse("home"))
    assert again["X-Request-ID"] != response["X-Request-ID"]


def test_f8_a_refused_attempt_carries_the_request_id_of_its_response(
    active_pairing, mentor, outsider, client_for
):
    note = write_note(active_pairing, mentor, "Private.")
    response = client_for(outsider).get(reverse("confidentiality:note", args=[note.pk]))
    assert response.status_code == 404
    [event] = refused_events(actor=outsider, object_type="note", object_id=note.pk)
    assert event.request_id == response["X-Request-ID"]
    assert event.request_id


def test_f8_a_well_formed_proxy_request_id_is_kept(active_pairing, mentor, outsider, client_for):
    note = write_note(active_pairing, mentor, "Private.")
    response = client_for(outsider).post(
        reverse("confidentiality:note_delete", args=[note.pk]),
        HTTP_X_REQUEST_ID="proxy-abc.123_XYZ",
    )
    assert response.status_code == 404
    assert response["X-Request-ID"] == "proxy-abc.123_XYZ"
    [event] = refused_events(actor=outsider, object_type="note", object_id=note.pk)
    assert event.request_id == "proxy-abc.123_XYZ"


@pytest.mark.parametrize(
    "incoming", ["short", "has spaces in it", "x" * 65, "<script>alert(1)</script>", "a\nb"]
)
def test_f8_a_malformed_request_id_is_replaced(
    incoming, active_pairing, mentor, outsider, client_for
):
    note = write_note(active_pairing, mentor, "Private.")
    response = client_for(outsider).get(
        reverse("confidentiality:note", args=[note.pk]), HTTP_X_REQUEST_ID=incoming
    )
    assert response["X-Request-ID"] != incoming
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    [event] = refused_events(actor=outsider, object_type="note", object_id=note.pk)
    assert event.request_id == response["X-Request-ID"]


# --- Refused attempts on the pair's other confidential objects ------------------------------------


@pytest.mark.parametrize(
    "who", ["coordinator", "hr_admin", "superuser", "outsider", "other_mentor"]
)
def test_f8_refused_attempts_on_the_pairs_space_meetings_and_goals_are_logged(
    who, request, active_pairing, client_for
):
    """F8: the pair's space, its meetings and its goals answer 404 outside the pair, and each
    attempt is a refused event naming the object (never its content)."""
    meeting = log_meeting(active_pairing, days=-1)
    goal = add_goal(active_pairing, "A goal nobody else reads")
    user = request.getfixturevalue(who)
    client = client_for(user)
    attempts = [
        ("get", reverse("pairings:space", args=[active_pairing.pk]), "pairing", active_pairing.pk),
        (
            "post",
            reverse("pairings:accept", args=[active_pairing.pk]),
            "pairing",
            active_pairing.pk,
        ),
        ("get", reverse("pairings:end", args=[active_pairing.pk]), "pairing", active_pairing.pk),
        ("get", reverse("pairings:meeting_ics", args=[meeting.pk]), "meeting", meeting.pk),
        ("post", reverse("pairings:meeting_delete", args=[meeting.pk]), "meeting", meeting.pk),
        ("post", reverse("pairings:goal_status", args=[goal.pk]), "goal", goal.pk),
    ]
    for method, url, object_type, object_id in attempts:
        before = refused_events(actor=user, object_type=object_type, object_id=object_id).count()
        response = getattr(client, method)(
            url, {"status": "achieved"} if method == "post" else None
        )
        assert response.status_code == 404, url
        assert "A goal nobody else reads" not in response.content.decode()
        after = refused_events(actor=user, object_type=object_type, object_id=object_id).count()
        assert after == before + 1, url
    goal.refresh_from_db()
    assert goal.status == "open"
    assert active_pairing.meetings.filter(pk=meeting.pk).exists()


def test_f8_the_log_refuses_bulk_updates_and_deletes(event):
    """Append-only holds for querysets too: no bulk rewrite or purge through the ORM."""
    with pytest.raises(PermissionError):
        AccessEvent.objects.filter(pk=event.pk).update(outcome="allowed")
    with pytest.raises(PermissionError):
        AccessEvent.objects.filter(pk=event.pk).delete()
    assert AccessEvent.objects.filter(pk=event.pk).exists()


# --- A hidden object and a missing one cost the same ---------------------------------------------

_VOLATILE_SQL = [
    (re.compile(r"'[0-9a-f]{32}'"), "'REQUEST-ID'"),  # the request id in the event
    (re.compile(r"\d+"), "N"),  # ids, timestamps
]
_VOLATILE_HTML = re.compile(r'(name="csrfmiddlewaretoken" value|nonce)="[^"]*"')


def _shape(queries) -> list[str]:
    shapes = []
    for query in queries:
        sql = query["sql"]
        for pattern, replacement in _VOLATILE_SQL:
            sql = pattern.sub(replacement, sql)
        shapes.append(sql)
    return shapes


def _missing_id(model) -> int:
    return (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000


@pytest.mark.parametrize("who", ["outsider", "superuser", "coordinator"])
@pytest.mark.parametrize(
    ("name", "method", "object_type"),
    [
        ("pairings:space", "get", "pairing"),
        ("pairings:end", "get", "pairing"),
        ("pairings:meeting_ics", "get", "meeting"),
        ("pairings:goal_status", "post", "goal"),
        ("confidentiality:notes", "get", "pairing"),
        ("confidentiality:note", "get", "note"),
        ("confidentiality:note_delete", "post", "note"),
    ],
)
def test_f8_a_hidden_object_and_a_missing_one_cost_the_same_work_and_answer_the_same(
    name,
    method,
    object_type,
    who,
    request,
    active_pairing,
    mentor,
    client_for,
    django_assert_num_queries,
):
    """F8, and no oracle: asking for an object one may not see and for one that does not
    exist run the same queries (the selector's, then one INSERT of a refused event naming the
    id asked for; no existence check), answer the same 404 page, and log the same event."""
    hidden = {
        "pairing": active_pairing.pk,
        "meeting": log_meeting(active_pairing, days=2).pk,
        "goal": add_goal(active_pairing, "A goal nobody else reads").pk,
        "note": write_note(active_pairing, mentor, "Private.").pk,
    }[object_type]
    model = {"pairing": Pairing, "meeting": Meeting, "goal": Goal, "note": Note}[object_type]
    missing = _missing_id(model)
    user = request.getfixturevalue(who)
    client = client_for(user)

    def ask(pk):
        return getattr(client, method)(reverse(name, args=[pk]))

    ask(_missing_id(model) + 1)  # warm up: the session, the user, the content types
    with CaptureQueriesContext(connection) as hidden_queries:
        hidden_response = ask(hidden)
    with django_assert_num_queries(len(hidden_queries)) as missing_queries:
        missing_response = ask(missing)

    assert _shape(hidden_queries.captured_queries) == _shape(missing_queries.captured_queries)
    inserts = [q for q in _shape(hidden_queries.captured_queries) if q.startswith("INSERT")]
    assert len(inserts) == 1 and AccessEvent._meta.db_table in inserts[0]
    assert hidden_response.status_code == missing_response.status_code == 404
    assert _VOLATILE_HTML.sub("", hidden_response.content.decode()) == _VOLATILE_HTML.sub(
        "", missing_response.content.decode()
    )
    [seen] = refused_events(actor=user, object_type=object_type, object_id=hidden)
    [unseen] = refused_events(actor=user, object_type=object_type, object_id=missing)
    fields = ("actor_id", "actor_label", "action", "object_type", "outcome")
    assert [getattr(seen, f) for f in fields] == [getattr(unseen, f) for f in fields]
