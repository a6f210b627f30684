"""The coordinator's pairings page (`pairings:program`): status counts, a status filter, the
admitted mentorees without a pair. Metadata only: no goal titles, no meeting data, no private
reasons (F6, F7). Everyone but the program's coordinators gets a 404."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from pairings import selectors, services
from pairings.models import Goal, Meeting, Pairing, PrivateEndReason
from programs import services as program_services
from tests.builders.pairings import (
    NEW_COMMITMENT_TEXT,
    accept_both,
    add_goal,
    enrol_in,
    person,
    propose,
)

GOAL_TITLE = "Become credible with the board on cyber risk"
PRIVATE_REASON = "Private: she was dismissive in every meeting."


def program_url(program, query: str = "") -> str:
    return reverse("pairings:program", args=[program.slug]) + query


@pytest.fixture
def cohort(program, committee, coordinator, new_mentor, new_mentoree):
    """Pairings in every status (proposed 2, awaiting 1, active 2, ended 1), each active pair
    with meetings and goals, one ended with a private reason; two mentorees without a pair
    (one after an ending) and a waitlisted one."""
    mentors = [new_mentor(capacity=3) for _ in range(3)]
    mentorees = [new_mentoree(last_name=f"Paired{n}") for n in range(6)]
    pairings = [propose(program, mentors[n % 3], mentorees[n], by=coordinator) for n in range(6)]
    pairings[2:5] = [accept_both(pairing) for pairing in pairings[2:5]]
    for n, pairing in enumerate(pairings[2:4]):
        services.meeting_log(
            pairing=pairing,
            by=pairing.mentor,
            starts_at=(timezone.localtime() + timedelta(days=40 + n)).replace(
                hour=13, minute=47, second=0, microsecond=0
            ),
            duration_minutes=75,
            format=Meeting.Format.PHONE,
        )
        add_goal(pairing, f"{GOAL_TITLE} {n}")
    services.pairing_end(
        pairing=pairings[4],
        by=pairings[4].mentoree,
        category=Pairing.EndCategory.ROLE_CHANGE,
        private_reason=PRIVATE_REASON,
    )
    # pairings[5] awaits the new commitment: both accept the match after version 2.
    program_services.commitment_publish(program=program, by=coordinator, text=NEW_COMMITMENT_TEXT)
    for pairing in pairings[2:4]:  # the active pairs accept it: they stay active
        for employee in (pairing.mentoree, pairing.mentor):
            program_services.commitment_accept(employee=employee, program=program)
    program_services.commitment_accept(employee=pairings[5].mentor, program=program)
    accept_both(pairings[5])
    for pairing in pairings:
        pairing.refresh_from_db()
    unpaired = new_mentoree(last_name="Unpaired")
    enrol_in(program, committee, person(level=4, last_name="Waitlisted"), decision="waitlist")
    return {"pairings": pairings, "unpaired": unpaired, "ended_mentoree": mentorees[4]}


def test_status_counts(cohort, program, coordinator, signed_in_client):
    statuses = [p.status for p in cohort["pairings"]]
    assert sorted(statuses) == sorted(
        ["proposed", "proposed", "active", "active", "ended", "awaiting_agreement"]
    )

    response = signed_in_client(coordinator).get(program_url(program))

    assert response.status_code == 200
    counts = response.context["status_counts"]
    assert counts == {
        "proposed": statuses.count("proposed"),
        "awaiting_agreement": statuses.count("awaiting_agreement"),
        "active": statuses.count("active"),
        "ended": statuses.count("ended"),
    }
    assert counts["ended"] == 1
    assert counts["awaiting_agreement"] >= 1
    assert sum(counts.values()) == len(cohort["pairings"])
    assert response.context["page"].paginator.count == len(cohort["pairings"])


@pytest.mark.parametrize("status", ["proposed", "awaiting_agreement", "active", "ended"])
def test_the_status_filter(status, cohort, program, coordinator, signed_in_client):
    response = signed_in_client(coordinator).get(program_url(program, f"?status={status}"))

    shown = list(response.context["page"].object_list)
    expected = [p for p in cohort["pairings"] if p.status == status]
    assert response.context["status_filter"] == status
    assert sorted(p.pk for p in shown) == sorted(p.pk for p in expected)
    assert expected


def test_an_unknown_status_shows_everything(cohort, program, coordinator, signed_in_client):
    response = signed_in_client(coordinator).get(program_url(program, "?status=deleted"))

    assert response.status_code == 200
    assert response.context["status_filter"] is None
    assert response.context["page"].paginator.count == len(cohort["pairings"])


def test_unmatched_mentorees(cohort, program, coordinator, signed_in_client):
    response = signed_in_client(coordinator).get(program_url(program))

    unmatched = [a.applicant for a in response.context["unmatched"].object_list]
    assert unmatched == sorted(
        [cohort["unpaired"], cohort["ended_mentoree"]], key=lambda e: (e.last_name, e.first_name)
    )
    assert [a.applicant for a in selectors.unmatched_mentorees(program=program)] == unmatched
    html = response.content.decode()
    for employee in unmatched:
        assert reverse("pairings:suggestions", args=[program.slug, employee.pk]) in html
    assert "Waitlisted" not in html


@pytest.mark.parametrize(
    "who",
    [
        "other_coordinator",
        "committee_member",
        "hr_admin",
        "superuser",
        "outsider",
        "mentor",
        "mentoree",
    ],
)
def test_non_coordinators_get_404(who, request, pairing, other_program, program, signed_in_client):
    response = signed_in_client(request.getfixturevalue(who)).get(program_url(program))

    assert response.status_code == 404


def test_the_page_refuses_post(program, coordinator, signed_in_client):
    assert signed_in_client(coordinator).post(program_url(program)).status_code == 405


def test_the_page_shows_no_goals_meetings_or_private_reasons(
    cohort, program, coordinator, signed_in_client
):
    response = signed_in_client(coordinator).get(program_url(program))

    html = response.content.decode()
    assert GOAL_TITLE not in html
    assert PRIVATE_REASON not in html
    assert "Private:" not in html
    # No meeting data: not its time, its date, its format or its calendar file.
    for meeting in Meeting.objects.all():
        local = timezone.localtime(meeting.starts_at)
        assert local.strftime("%H:%M") not in html
        assert f"{local.day} {local:%b %Y}" not in html
        assert reverse("pairings:meeting_ics", args=[meeting.pk]) not in html
    assert Meeting.Format.PHONE.label not in html
    # Nor is any of it handed to the template.
    for context in response.context:
        for value in context.flatten().values():
            assert not isinstance(value, Goal | Meeting | PrivateEndReason)
            if isinstance(value, QuerySet):
                assert value.model not in (Goal, Meeting, PrivateEndReason)
    # The per-row data are pairings and where they stand.
    for pairing in response.context["page"].object_list:
        assert isinstance(pairing, Pairing)


@pytest.mark.parametrize("page", ["program", "suggestions", "matching", "manage", "participants"])
def test_goal_titles_never_appear_on_the_coordinators_pages(
    page, cohort, program, coordinator, signed_in_client
):
    urls = {
        "program": program_url(program),
        "suggestions": reverse(
            "pairings:suggestions", args=[program.slug, cohort["pairings"][2].mentoree.pk]
        ),
        "matching": reverse("pairings:matching", args=[program.slug]),
        "manage": reverse("programs:manage", args=[program.slug]),
        "participants": reverse("programs:manage", args=[program.slug]) + "?tab=participants",
    }

    response = signed_in_client(coordinator).get(urls[page])

    assert response.status_code in (200, 404)
    html = response.content.decode()
    assert GOAL_TITLE not in html
    assert PRIVATE_REASON not in html
