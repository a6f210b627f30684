"""Fifty concurrent identical submissions make one row (issue H, faults).

Fifty browsers (threads, each with its own session and database connection) send the same
form at the same instant, released together by a barrier: a meeting logged by a member of
the pair, and a committee member's vote. The services lock the row they hang off (the
pairing, the application) and the tables carry unique constraints, so exactly one row is
made and no request fails with a server error. PostgreSQL only: SQLite serialises writers
and would prove nothing about row locks.
"""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pairings.models import Meeting
from programs.models import Vote
from tests.builders.pairings import accept_both, enrol_in, propose
from tests.builders.programs import apply, make_program
from tests.factories import EmployeeFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SUBMITTERS = 50


def _storm(user, url: str, data: dict) -> list[int]:
    """POST `data` to `url` from SUBMITTERS signed-in clients at once; their statuses."""
    clients = []
    for _ in range(SUBMITTERS):
        client = Client()
        client.force_login(user)
        clients.append(client)
    barrier = threading.Barrier(SUBMITTERS)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def submit(client: Client) -> None:
        try:
            barrier.wait(timeout=30)
            statuses.append(client.post(url, data).status_code)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors[:3]
    assert len(statuses) == SUBMITTERS
    return statuses


def _committee(program, coordinator):
    from programs import services

    members = [EmployeeFactory(title="Director", level=7).user for _ in range(3)]
    for member in members:
        services.committee_member_add(program=program, by=coordinator, user=member)
    return members


def test_fifty_identical_meeting_submissions_make_one_meeting(coordinator, mentor, mentoree):
    program = make_program(coordinator=coordinator)
    committee = _committee(program, coordinator)
    enrol_in(program, committee, mentor.employee, "mentor", capacity=2)
    enrol_in(program, committee, mentoree.employee)
    pairing = accept_both(propose(program, mentor, mentoree, by=coordinator))
    starts_at = timezone.localtime() + timedelta(days=3)
    data = {
        "starts_at": starts_at.strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "60",
        "format": "video",
    }

    statuses = _storm(mentor, reverse("pairings:meeting_create", args=[pairing.pk]), data)

    assert max(statuses) < 500, statuses
    assert Meeting.objects.filter(pairing=pairing).count() == 1
    assert statuses.count(302) == SUBMITTERS  # each sender sees their meeting saved


def test_fifty_identical_votes_make_one_vote(coordinator, mentoree):
    program = make_program(coordinator=coordinator)
    voter, *_ = _committee(program, coordinator)
    application = apply(mentoree.employee, program)

    statuses = _storm(
        voter,
        reverse("programs:vote", args=[application.pk]),
        {"choice": "admit", "comment": "Strong motivation."},
    )

    assert max(statuses) < 500, statuses
    assert Vote.objects.filter(application=application).count() == 1
    assert Vote.objects.get(application=application).choice == "admit"
