"""Quiet notifications (issue L, item 7): messages alike are one line of the inbox and of
the digest ("7 new applications are waiting"), and the settings page lists only what a
person can receive given their roles."""

from __future__ import annotations

import re
from datetime import timedelta

from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from notifications.messaging import _AUDIENCES, kinds, kinds_for
from notifications.models import MessageOptOut, Notification
from programs import services as program_services
from reports.digest import digests_plan
from reviews import services as review_services
from tests.builders.programs import apply, make_program
from tests.builders.reviews import plan_review, seat
from tests.factories import EmployeeFactory

WAITING = "new applications are waiting for the committee of"


def applicants(program, n: int) -> list:
    people = [EmployeeFactory(level=4, first_name=f"Applicant{i}") for i in range(n)]
    for person in people:
        apply(person, program)
    return people


def inbox(client):
    response = client.get(reverse("inbox"))
    assert response.status_code == 200
    return response


# --- The inbox -----------------------------------------------------------------------------------


def test_fifteen_new_applications_are_one_line_with_one_link(
    program, coordinator, signed_in_client, deliver
):
    applicants(program, 15)
    deliver()

    lines = inbox(signed_in_client(coordinator)).context["lines"]

    assert len(lines) == 1
    (line,) = lines
    assert line.title == f"15 {WAITING} {program.name}"
    assert line.url == reverse("programs:manage", args=[program.slug])
    assert line.count == 15 and line.unread == 15


def test_the_page_shows_the_line_once_and_marks_all_fifteen_read(
    program, coordinator, signed_in_client, deliver
):
    applicants(program, 15)
    deliver()
    client = signed_in_client(coordinator)

    html = inbox(client).content.decode()

    assert html.count(f"15 {WAITING} {program.name}") == 1
    assert "a new application is waiting" not in html
    assert not Notification.objects.filter(recipient=coordinator, read_at=None).exists()
    assert not inbox(client).context["lines"][0].unread


def test_each_program_and_each_day_is_a_line_of_its_own(
    program, coordinator, signed_in_client, deliver
):
    second = make_program(coordinator=coordinator, name="Lead 2028", slug="lead-2028")
    applicants(program, 3)
    deliver()
    Notification.objects.update(created_at=timezone.now() - timedelta(days=2))
    applicants(program, 2)
    applicants(second, 4)
    deliver()

    titles = [line.title for line in inbox(signed_in_client(coordinator)).context["lines"]]

    assert titles == [
        f"4 {WAITING} Lead 2028",
        f"2 {WAITING} {program.name}",
        f"3 {WAITING} {program.name}",
    ]


def test_one_application_reads_as_itself_and_other_kinds_stay_apart(
    program, coordinator, mentoree, signed_in_client, deliver
):
    second = make_program(coordinator=coordinator, name="Lead 2028", slug="lead-2028")
    apply(mentoree.employee, program)
    apply(mentoree.employee, second)
    deliver()

    coordinator_lines = inbox(signed_in_client(coordinator)).context["lines"]
    mentoree_lines = inbox(signed_in_client(mentoree)).context["lines"]

    assert sorted(line.title for line in coordinator_lines) == sorted(
        f"{p.name}: a new application is waiting for the committee" for p in (program, second)
    )
    # "We received your application" does not group: one line per message.
    assert [line.count for line in mentoree_lines] == [1, 1]


def test_older_pages_keep_their_new_labels(program, coordinator, signed_in_client, deliver):
    """25 lines a page: programs with one application each make 26 lines; the first page
    marks read only the lines it showed."""
    programs = [
        make_program(coordinator=coordinator, name=f"Program {i}", slug=f"program-{i}")
        for i in range(26)
    ]
    for each in programs:
        applicants(each, 1)
    deliver()

    inbox(signed_in_client(coordinator))

    assert Notification.objects.filter(recipient=coordinator, read_at=None).count() == 1


# --- The digest -------------------------------------------------------------------------------


def test_the_weekly_digest_groups_what_waits_in_the_inbox_without_names(
    program, coordinator, mentoree, deliver
):
    people = applicants(program, 7)
    deliver()
    mail.outbox.clear()

    digests_plan()
    deliver()

    (digest,) = [m for m in mail.outbox if m.subject == "Your mentoring programs this week"]
    html = digest.alternatives[0][0]
    for body in (digest.body, html):
        assert f"7 {WAITING} {program.name}" in body
        assert body.count(f"{WAITING} {program.name}") == 1
        assert not any(person.first_name in body for person in people)
    assert re.search(r"/programs/[^/]+/manage/", digest.body)


def test_the_digest_counts_unread_messages_it_does_not_list(
    program, coordinator, deliver, executive
):
    """A message that does not group may name someone: the digest counts it only."""
    program_services.session_create(
        program=program,
        by=coordinator,
        leader=coordinator.employee,
        title="Town hall",
        starts_at=timezone.now() + timedelta(days=3),
        location="Hall",
    )
    applicants(program, 2)
    deliver()
    mail.outbox.clear()

    digests_plan()
    deliver()

    (digest,) = [m for m in mail.outbox if m.subject == "Your mentoring programs this week"]
    assert f"2 {WAITING} {program.name}" in digest.body
    assert "And 1 other unread message" in digest.body
    assert "Town hall" not in digest.body


# --- Settings: only what a person can receive -------------------------------------------------


def listed(client) -> set[str]:
    html = client.get(reverse("notification_settings")).content.decode()
    return {k.name for k in kinds() if k.label.replace("'", "&#x27;") in html}


def test_a_plain_employee_is_offered_no_coordinator_digest_nor_panel_invitations(
    outsider, signed_in_client
):
    shown = listed(signed_in_client(outsider))

    assert not shown & {"weekly_digest", "application_new", "panel_invitation", "session_leader"}
    assert {"meeting_reminder", "session_reminder", "application_decided"} <= shown
    assert {"password_reset", "account_changed"} <= shown


def test_each_role_is_offered_its_own_messages(
    program, coordinator, executive, outsider, talent_reviewer, signed_in_client
):
    review = plan_review(EmployeeFactory(level=5), by=talent_reviewer)
    seat(review, outsider.employee, by=talent_reviewer)

    assert {"weekly_digest", "application_new"} <= listed(signed_in_client(coordinator))
    assert "session_leader" in listed(signed_in_client(executive))
    assert "panel_invitation" in listed(signed_in_client(outsider))  # now seated on a panel


def test_an_account_outside_the_directory_is_offered_account_messages_only(
    superuser, signed_in_client
):
    shown = listed(signed_in_client(superuser))

    assert shown == {k.name for k in kinds() if k.audience == "everyone"}


def test_a_kind_once_received_stays_listed(outsider, talent_reviewer, deliver):
    """Taken off the panel, the person still finds the invitation they received."""
    review = plan_review(EmployeeFactory(level=5), by=talent_reviewer)
    panel_seat = seat(review, outsider.employee, by=talent_reviewer)
    deliver()
    review_services.seat_remove(seat=panel_seat, by=talent_reviewer)

    assert "panel_invitation" in {k.name for k in kinds_for(outsider)}
    assert "weekly_digest" not in {k.name for k in kinds_for(outsider)}


def test_saving_leaves_the_kinds_not_listed_alone(outsider, signed_in_client):
    """A digest turned off while the person coordinated stays off; nothing they were not
    shown is turned off behind their back."""
    MessageOptOut.objects.create(user=outsider, kind="weekly_digest")

    signed_in_client(outsider).post(reverse("notification_settings"), {"on": []})

    off = set(MessageOptOut.objects.filter(user=outsider).values_list("kind", flat=True))
    assert "weekly_digest" in off
    assert "application_new" not in off
    assert {"meeting_reminder", "session_reminder"} <= off


def test_every_kind_names_a_declared_audience():
    assert {k.audience for k in kinds()} <= set(_AUDIENCES)


PAIR_KINDS = {
    "pairing_proposed",
    "pairing_active",
    "pairing_ended",
    "meeting_reminder",
    "meeting_changed",
    "no_meeting_nudge",
    "agreement_to_sign",
    "agreement_reminder",
}


def test_an_executive_who_leads_groups_is_offered_no_pair_messages(executive, signed_in_client):
    """F4: at the group-only level nobody is in a one-to-one pair, so the President's settings
    hold the sessions they lead, not a pair's agreement, meetings or nudges."""
    shown = listed(signed_in_client(executive))

    assert not shown & PAIR_KINDS
    assert {"session_leader", "session_reminder", "application_decided"} <= shown


def test_a_pair_member_is_offered_every_pair_message(outsider, signed_in_client):
    assert listed(signed_in_client(outsider)) >= PAIR_KINDS


def test_someone_promoted_to_the_group_only_level_keeps_their_pairs_messages(
    active_pairing, signed_in_client
):
    mentor = active_pairing.mentor
    mentor.level = settings.GROUP_ONLY_LEVEL
    mentor.save(update_fields=["level"])

    assert listed(signed_in_client(mentor.user)) >= PAIR_KINDS
