"""The person's notification settings and calendar address.

Settings: optional kinds of message are checkboxes, required ones are listed as always sent;
saving turns kinds off (MessageOptOut rows) and a forged required kind changes nothing.
Calendar: a secret address (`/calendar/<token>.ics`) opened without signing in lists the
person's own meetings and group sessions, never anyone else's and never notes or goals (F9);
resetting it replaces the address at once.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from notifications.messaging import kinds_for
from notifications.models import CalendarFeed, MessageOptOut
from notifications.services import calendar_feed_reset
from people.models import User
from programs import services as program_services
from tests.builders.confidentiality import canary, write_note
from tests.builders.pairings import add_goal, log_meeting
from tests.factories import EmployeeFactory


def opted_out(user) -> set[str]:
    return set(MessageOptOut.objects.filter(user=user).values_list("kind", flat=True))


def feed_url(token: str) -> str:
    return reverse("calendar_feed", args=[token])


def vevents(body: str) -> int:
    return body.count("BEGIN:VEVENT")


def unfolded(body: str) -> str:
    """The feed's text with folded lines joined again (RFC 5545 3.1)."""
    return body.replace("\r\n ", "")


def uids(body: str) -> set[str]:
    return set(re.findall(r"^UID:(.+?)@", unfolded(body), re.MULTILINE))


# --- Notification settings ---------------------------------------------------------------------


def mine(user):
    """The optional kinds the person's settings list (tests/jobs/test_quiet_notifications.py
    holds which those are)."""
    return [k for k in kinds_for(user) if k.optional]


def test_the_settings_page_offers_optional_kinds_as_checkboxes_and_lists_required_ones(
    mentoree, signed_in_client
):
    MessageOptOut.objects.create(user=mentoree, kind="meeting_reminder")

    response = signed_in_client(mentoree).get(reverse("notification_settings"))

    assert response.status_code == 200
    page = response.content.decode()
    for kind in mine(mentoree):
        box = re.search(rf'<input type="checkbox" name="on" value="{kind.name}"[^>]*>', page)
        assert box, kind.name
        assert ("checked" in box.group(0)) is (kind.name != "meeting_reminder"), kind.name
        assert escape(kind.label) in page
    for kind in kinds_for(mentoree):
        if not kind.optional:
            assert escape(kind.label) in page, kind.name
            assert f'value="{kind.name}"' not in page, kind.name


def test_saving_the_settings_turns_the_unticked_kinds_off(mentoree, signed_in_client):
    keep = ["meeting_reminder", "session_reminder"]

    response = signed_in_client(mentoree).post(reverse("notification_settings"), {"on": keep})

    assert response.status_code == 302
    assert response.url == reverse("notification_settings")
    assert opted_out(mentoree) == {k.name for k in mine(mentoree)} - set(keep)


def test_ticking_a_kind_again_turns_it_back_on(mentoree, signed_in_client):
    client = signed_in_client(mentoree)
    client.post(reverse("notification_settings"), {"on": []})
    assert opted_out(mentoree) == {k.name for k in mine(mentoree)}

    client.post(reverse("notification_settings"), {"on": [k.name for k in mine(mentoree)]})

    assert opted_out(mentoree) == set()


def test_a_forged_post_cannot_turn_off_a_required_kind(mentoree, signed_in_client):
    required = [k.name for k in kinds_for(mentoree) if not k.optional]
    everything_on = [k.name for k in mine(mentoree)]

    response = signed_in_client(mentoree).post(
        reverse("notification_settings"), {"on": everything_on, "off": required}
    )

    assert response.status_code == 302
    assert opted_out(mentoree) == set()
    # Unticking everything, required names included, turns off the optional kinds only.
    signed_in_client(mentoree).post(reverse("notification_settings"), {"on": ["not-a-kind"]})
    assert opted_out(mentoree) == set(everything_on)
    assert not opted_out(mentoree) & set(required)


def test_one_persons_settings_leave_everyone_elses_alone(mentor, mentoree, signed_in_client):
    MessageOptOut.objects.create(user=mentor, kind="weekly_digest")

    signed_in_client(mentoree).post(reverse("notification_settings"), {"on": []})

    assert opted_out(mentor) == {"weekly_digest"}


@pytest.mark.parametrize("name", ["notification_settings", "calendar_settings"])
def test_signed_out_visitors_are_sent_to_sign_in(db, name):
    response = Client().get(reverse(name))

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={reverse(name)}"


def test_signed_out_visitors_cannot_make_a_calendar_address(db):
    response = Client().post(reverse("calendar_reset"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not CalendarFeed.objects.exists()


# --- The calendar page and its address ---------------------------------------------------------


@pytest.fixture
def calendar_world(active_pairing, other_pairing, program, coordinator, mentor, mentoree):
    """The pair's two upcoming meetings; a session the mentoree registered for, one the
    mentor leads and one neither takes part in; someone else's pair with its own meeting
    (other_pairing); canaries in the pair's notes and goal."""
    secret = canary()
    meetings = [log_meeting(active_pairing, days=2), log_meeting(active_pairing, days=9)]
    write_note(active_pairing, mentor, f"{secret} private note")
    write_note(active_pairing, mentoree, f"{secret} shared note", shared=True)
    add_goal(active_pairing, f"{secret} goal")
    leader = EmployeeFactory(first_name="Victoria", level=9).user

    def session(title, by_leader, days):
        return program_services.session_create(
            program=program,
            by=coordinator,
            leader=by_leader.employee,
            title=title,
            description="",
            starts_at=timezone.now() + timedelta(days=days),
            duration_minutes=60,
            location="Board room",
            capacity=5,
        )

    registered = session("Negotiating well", leader, 4)
    program_services.session_register(session=registered, employee=mentoree.employee)
    led = session("Leading through uncertainty", mentor, 5)
    elsewhere = session("Reading the balance sheet", leader, 6)
    return {
        "secret": secret,
        "meetings": meetings,
        "registered": registered,
        "led": led,
        "elsewhere": elsewhere,
    }


def test_the_calendar_page_offers_to_make_an_address_and_makes_none_by_itself(
    mentor, signed_in_client
):
    response = signed_in_client(mentor).get(reverse("calendar_settings"))

    assert response.status_code == 200
    assert "Create my calendar address" in response.content.decode()
    assert not CalendarFeed.objects.exists()


def test_posting_to_reset_makes_an_address_shown_on_the_calendar_page(mentor, signed_in_client):
    client = signed_in_client(mentor)

    response = client.post(reverse("calendar_reset"))

    assert response.status_code == 302
    assert response.url == reverse("calendar_settings")
    feed = CalendarFeed.objects.get(user=mentor)
    assert len(feed.token) >= 32
    assert feed_url(feed.token) in client.get(reverse("calendar_settings")).content.decode()


def test_reset_refuses_get(mentor, signed_in_client):
    response = signed_in_client(mentor).get(reverse("calendar_reset"))

    assert response.status_code == 405
    assert not CalendarFeed.objects.exists()


def test_the_feed_opens_without_sign_in_with_the_persons_own_meetings_and_sessions(
    calendar_world, mentor, mentoree
):
    for user, sessions in (
        (mentoree, [calendar_world["registered"]]),
        (mentor, [calendar_world["led"]]),
    ):
        response = Client().get(feed_url(calendar_feed_reset(user=user)))

        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/calendar")
        body = response.content.decode()
        assert body.startswith("BEGIN:VCALENDAR")
        assert vevents(body) == len(calendar_world["meetings"]) + len(sessions)
        assert uids(body) == {f"meeting-{m.pk}" for m in calendar_world["meetings"]} | {
            f"group-session-{s.pk}" for s in sessions
        }


def test_the_feed_is_never_cached(calendar_world, mentor):
    response = Client().get(feed_url(calendar_feed_reset(user=mentor)))

    cache_control = response["Cache-Control"]
    assert "no-store" in cache_control
    assert "no-cache" in cache_control
    assert "private" in cache_control


def test_the_feed_holds_none_of_another_persons_events(
    calendar_world, other_pairing, outsider, mentor
):
    body = Client().get(feed_url(calendar_feed_reset(user=mentor))).content.decode()
    others = {f"meeting-{m.pk}" for m in other_pairing.meetings.all()}
    others.add(f"group-session-{calendar_world['elsewhere'].pk}")
    others.add(f"group-session-{calendar_world['registered'].pk}")  # the mentoree's, not hers

    assert others
    assert not uids(body) & others
    assert other_pairing.mentoree.full_name not in unfolded(body)
    # Someone with nothing on has an empty calendar.
    empty = Client().get(feed_url(calendar_feed_reset(user=outsider))).content.decode()
    assert vevents(empty) == 0


def test_the_feed_holds_no_notes_or_goals(calendar_world, mentor, mentoree):
    """F9: dates, places and names; never what the pair wrote."""
    for user in (mentor, mentoree):
        body = Client().get(feed_url(calendar_feed_reset(user=user))).content.decode()
        assert calendar_world["secret"] not in unfolded(body)
        assert "CANARY" not in unfolded(body)


def test_after_a_reset_the_old_address_is_gone_and_the_new_one_works(
    calendar_world, mentor, signed_in_client
):
    old = calendar_feed_reset(user=mentor)
    assert Client().get(feed_url(old)).status_code == 200

    signed_in_client(mentor).post(reverse("calendar_reset"))

    new = CalendarFeed.objects.get(user=mentor).token
    assert new != old
    assert Client().get(feed_url(old)).status_code == 404
    assert Client().get(feed_url(new)).status_code == 200


def test_an_unknown_address_is_a_404(db):
    assert Client().get(feed_url("not-a-real-token")).status_code == 404


def test_an_inactive_persons_address_is_a_404(calendar_world, mentor):
    token = calendar_feed_reset(user=mentor)
    User.objects.filter(pk=mentor.pk).update(is_active=False)

    assert Client().get(feed_url(token)).status_code == 404
