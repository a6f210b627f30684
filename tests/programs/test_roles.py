"""What the navigation and home page offer each person, from mentoring/roles.py: per-program
roles come from object permissions only (never superuser status); executives lead groups (F4)."""

from django.urls import reverse

from mentoring.roles import roles_for
from programs import services


def test_coordinator_is_offered_to_run_programs(program, coordinator, signed_in_client):
    roles = roles_for(coordinator)

    assert roles.is_coordinator and roles.can_create_programs
    assert "Coordinator" in roles.labels
    assert (
        "Run your programs" in signed_in_client(coordinator).get(reverse("home")).content.decode()
    )


def test_committee_member_is_offered_to_review_applications(
    program, committee, committee_member, signed_in_client
):
    roles = roles_for(committee_member)

    assert roles.is_committee_member and not roles.is_coordinator
    page = signed_in_client(committee_member).get(reverse("home")).content.decode()
    assert "Review applications" in page
    assert "Run your programs" not in page


def test_superuser_is_neither_coordinator_nor_committee_member(program, committee, superuser):
    roles = roles_for(superuser)

    assert not roles.is_coordinator
    assert not roles.is_committee_member
    assert "Coordinator" not in roles.labels and "Committee" not in roles.labels


def test_executive_who_leads_a_session_is_told_so(session, executive, signed_in_client):
    """F4: the President leads group sessions and is offered them, not one-to-one mentoring."""
    roles = roles_for(executive)

    assert roles.is_group_only and roles.leads_sessions
    page = signed_in_client(executive).get(reverse("home")).content.decode()
    assert "Lead group mentoring sessions" in page
    assert "Join a mentoring program" not in page


def test_unread_notifications_are_counted_and_the_inbox_marks_them_read(
    program, mentoree, signed_in_client, deliver
):
    services.application_submit(
        applicant=mentoree.employee, program=program, role="mentoree", motivation="Hello"
    )
    deliver()
    assert roles_for(mentoree).unread_count == 1

    page = signed_in_client(mentoree).get(reverse("inbox"))

    assert "we received your application" in page.content.decode()
    assert roles_for(mentoree).unread_count == 0
