"""Applications: eligible employees apply as mentor or mentoree; they edit and withdraw until
the decision; every refusal says why and changes nothing (F4: executives lead groups)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from notifications.models import Message, Notification
from programs import services
from programs.models import Application, Program
from tests.builders.programs import apply, decide_by_committee, make_program
from tests.factories import EmployeeFactory

F4_WORDS = "lead group mentoring sessions instead"


@pytest.fixture
def tags(coordinator, program):
    return [
        services.tag_create(by=coordinator, name=name)
        for name in ("Strategic thinking", "Public speaking")
    ]


def counts():
    return Application.objects.count(), Message.objects.count(), Notification.objects.count()


def test_eligible_employee_applies_as_mentoree_with_goals_tags_and_availability(
    program, mentoree, tags
):
    application = services.application_submit(
        applicant=mentoree.employee,
        program=program,
        role="mentoree",
        motivation="  I lead a new team and want to grow.  ",
        goals="Managing managers",
        tags=tags,
        availability="Tuesday mornings",
    )

    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.role == "mentoree"
    assert application.motivation == "I lead a new team and want to grow."
    assert application.goals == "Managing managers"
    assert set(application.tags.all()) == set(tags)
    assert application.availability == "Tuesday mornings"
    assert application.mentor_capacity is None
    assert application.is_open


def test_mentor_capacity_defaults_to_the_programs_and_can_be_chosen(program, mentor, other_mentor):
    default = apply(mentor.employee, program, "mentor")
    chosen = apply(other_mentor.employee, program, "mentor", mentor_capacity=4)

    assert default.mentor_capacity == program.default_mentor_capacity == 2
    assert chosen.mentor_capacity == 4


@pytest.mark.parametrize("capacity", [0, 11])
def test_mentor_capacity_outside_1_to_10_is_refused(program, mentor, capacity):
    with pytest.raises(ValidationError, match="between 1 and 10"):
        apply(mentor.employee, program, "mentor", mentor_capacity=capacity)

    assert not Application.objects.exists()


def test_motivation_is_required(program, mentoree):
    with pytest.raises(ValidationError, match="why you want to take part"):
        apply(mentoree.employee, program, motivation="   ")

    assert not Application.objects.exists()


def test_applicant_and_coordinators_are_told_of_a_new_application(
    program, coordinator, mentoree, deliver
):
    apply(mentoree.employee, program)
    deliver()

    assert Notification.objects.filter(recipient=mentoree, title__contains="received").exists()
    assert Notification.objects.filter(
        recipient=coordinator, title__contains="new application"
    ).exists()


# --- Refusals ------------------------------------------------------------------------------


def test_applying_twice_is_refused_and_changes_nothing(program, mentoree):
    apply(mentoree.employee, program)
    before = counts()

    with pytest.raises(ValidationError, match="already applied"):
        apply(mentoree.employee, program, "mentoree")

    assert counts() == before


def test_applying_in_the_other_role_is_refused_too(program, mentor):
    apply(mentor.employee, program, "mentor")
    before = counts()

    with pytest.raises(ValidationError, match="already applied"):
        apply(mentor.employee, program, "mentoree")

    assert counts() == before


def test_a_withdrawn_application_may_be_followed_by_a_new_one(program, mentoree):
    first = apply(mentoree.employee, program)
    services.application_withdraw(application=first, by=mentoree.employee)

    second = apply(mentoree.employee, program)

    assert second.pk != first.pk
    assert second.status == Application.Status.SUBMITTED


@pytest.mark.parametrize(
    ("window", "words"),
    [((3, 10), "Applications open on"), ((-20, -1), "Applications closed on")],
    ids=["before-open", "after-close"],
)
def test_applying_outside_the_window_is_refused_and_changes_nothing(
    coordinator, mentoree, window, words
):
    today = timezone.localdate()
    program = make_program(
        coordinator=coordinator,
        applications_open_on=today + timedelta(days=window[0]),
        applications_close_on=today + timedelta(days=window[1]),
    )
    before = counts()

    with pytest.raises(ValidationError, match=words):
        apply(mentoree.employee, program)

    assert counts() == before


def test_window_includes_its_first_and_last_day(coordinator, mentor, mentoree):
    today = timezone.localdate()
    program = make_program(coordinator=coordinator, applications_open_on=today)
    closing = make_program(
        coordinator=coordinator,
        slug="closing",
        applications_open_on=today - timedelta(days=9),
        applications_close_on=today,
    )

    assert apply(mentoree.employee, program).pk
    assert apply(mentor.employee, closing, "mentor").pk


@pytest.mark.parametrize("status", ["draft", "running", "closed"])
def test_applying_to_a_program_not_accepting_applications_is_refused(coordinator, mentoree, status):
    program = make_program(coordinator=coordinator, status=status)
    before = counts()

    with pytest.raises(ValidationError, match="not accepting applications"):
        apply(mentoree.employee, program)

    assert counts() == before


def test_executive_cannot_apply_as_mentor_and_is_offered_group_sessions(program, executive):
    """F4: at or above the group-only level people lead group sessions, never one-to-one."""
    before = counts()

    with pytest.raises(ValidationError) as refusal:
        apply(executive.employee, program, "mentor")

    assert F4_WORDS in " ".join(refusal.value.messages)
    assert counts() == before


def test_group_only_level_comes_from_settings(program, settings):
    """F4: the level is configurable; one grade below it mentors one-to-one."""
    settings.GROUP_ONLY_LEVEL = 8
    director = EmployeeFactory(level=8)
    below = EmployeeFactory(level=7)

    with pytest.raises(ValidationError, match=F4_WORDS):
        apply(director, program, "mentor")
    assert apply(below, program, "mentor").pk


def test_employee_below_the_mentor_grade_cannot_mentor(program):
    junior = EmployeeFactory(level=program.min_mentor_level - 1)

    with pytest.raises(ValidationError, match="grade 6 or above"):
        apply(junior, program, "mentor")

    assert not Application.objects.exists()


def test_employee_above_the_mentoree_grade_cannot_be_a_mentoree(coordinator):
    program = make_program(coordinator=coordinator, max_mentoree_level=6)
    senior = EmployeeFactory(level=7)

    with pytest.raises(ValidationError, match="grade 6 or below"):
        apply(senior, program, "mentoree")

    assert not Application.objects.exists()


def test_nobody_applies_as_mentor_to_a_group_program(coordinator, mentor):
    program = make_program(coordinator=coordinator, kind=Program.Kind.GROUP)

    with pytest.raises(ValidationError, match="group program"):
        apply(mentor.employee, program, "mentor")

    assert apply(mentor.employee, program, "mentoree").pk


def test_inactive_employee_cannot_apply(program):
    leaver = EmployeeFactory(level=5, is_active=False)

    with pytest.raises(ValidationError, match="active employees"):
        apply(leaver, program)

    assert not Application.objects.exists()


# --- Edit and withdraw until the decision ----------------------------------------------------


def test_applicant_edits_until_the_decision(program, mentor, tags):
    application = apply(mentor.employee, program, "mentor")

    services.application_update(
        application=application,
        by=mentor.employee,
        motivation="Changed my mind about why.",
        goals="Credit risk",
        tags=tags[:1],
        availability="Fridays",
        mentor_capacity=3,
    )

    application.refresh_from_db()
    assert application.motivation == "Changed my mind about why."
    assert (application.goals, application.availability) == ("Credit risk", "Fridays")
    assert application.mentor_capacity == 3
    assert list(application.tags.all()) == tags[:1]


def test_nobody_but_the_applicant_edits_or_withdraws(program, mentoree, outsider):
    application = apply(mentoree.employee, program)

    with pytest.raises(ValidationError, match="Only the applicant"):
        services.application_update(
            application=application, by=outsider.employee, motivation="Hijacked"
        )
    with pytest.raises(ValidationError, match="Only the applicant"):
        services.application_withdraw(application=application, by=outsider.employee)

    application.refresh_from_db()
    assert application.motivation == "I want to grow as a leader."
    assert application.status == Application.Status.SUBMITTED


def test_applicant_withdraws_before_the_decision(program, mentoree):
    application = apply(mentoree.employee, program)

    services.application_withdraw(application=application, by=mentoree.employee)

    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN


@pytest.mark.parametrize("decision", ["admit", "decline", "waitlist"])
def test_decided_application_can_no_longer_be_edited_or_withdrawn(
    program, committee, mentoree, decision
):
    application = decide_by_committee(apply(mentoree.employee, program), committee, decision)

    with pytest.raises(ValidationError, match="no longer be changed"):
        services.application_update(
            application=application, by=mentoree.employee, motivation="Too late"
        )
    with pytest.raises(ValidationError, match="no longer be withdrawn"):
        services.application_withdraw(application=application, by=mentoree.employee)

    application.refresh_from_db()
    assert application.motivation == "I want to grow as a leader."
    assert application.status != Application.Status.WITHDRAWN


def test_withdrawn_application_can_no_longer_be_edited(program, mentoree):
    application = apply(mentoree.employee, program)
    services.application_withdraw(application=application, by=mentoree.employee)

    with pytest.raises(ValidationError, match="no longer be changed"):
        services.application_update(
            application=application, by=mentoree.employee, motivation="Back again"
        )


# --- In the browser ----------------------------------------------------------------------------


def test_employee_applies_in_the_browser(program, mentor, tags, signed_in_client):
    client = signed_in_client(mentor)
    url = reverse("programs:apply", args=[program.slug, "mentor"])
    assert client.get(url).status_code == 200

    response = client.post(
        url,
        {
            "motivation": "I want to give back.",
            "goals": "Risk and regulation",
            "tags": [tags[0].pk],
            "availability": "Thursday afternoons",
            "mentor_capacity": "",
        },
    )

    assert response.status_code == 302
    assert response.url == reverse("programs:my_applications")
    application = Application.objects.get()
    assert (application.applicant, application.role) == (mentor.employee, "mentor")
    assert application.mentor_capacity == 2
    listing = client.get(reverse("programs:my_applications")).content.decode()
    assert program.name in listing


def test_executive_sees_why_in_the_browser_and_is_offered_group_sessions(
    program, executive, signed_in_client
):
    """F4 in the browser: the refusal is shown in the page, never a 500, nothing saved."""
    client = signed_in_client(executive)
    url = reverse("programs:apply", args=[program.slug, "mentor"])

    page = client.get(url)
    assert page.status_code == 200
    assert F4_WORDS in page.content.decode()

    response = client.post(url, {"motivation": "I want to mentor one person."})

    assert response.status_code == 400
    assert F4_WORDS in response.content.decode()
    assert not Application.objects.exists()
    detail = client.get(reverse("programs:detail", args=[program.slug])).content.decode()
    assert "You lead group sessions" in detail


@pytest.mark.parametrize(
    ("window", "words"),
    [((3, 10), "Applications open on"), ((-20, -1), "Applications closed on")],
    ids=["before-open", "after-close"],
)
def test_applying_outside_the_window_in_the_browser_shows_why(
    coordinator, mentoree, signed_in_client, window, words
):
    today = timezone.localdate()
    program = make_program(
        coordinator=coordinator,
        applications_open_on=today + timedelta(days=window[0]),
        applications_close_on=today + timedelta(days=window[1]),
    )

    response = signed_in_client(mentoree).post(
        reverse("programs:apply", args=[program.slug, "mentoree"]), {"motivation": "Please."}
    )

    assert response.status_code == 400
    assert words in response.content.decode()
    assert not Application.objects.exists()


def test_applying_twice_in_the_browser_shows_why_and_saves_nothing(
    program, mentoree, signed_in_client
):
    apply(mentoree.employee, program)

    response = signed_in_client(mentoree).post(
        reverse("programs:apply", args=[program.slug, "mentoree"]), {"motivation": "Again."}
    )

    assert response.status_code == 400
    assert "already applied" in response.content.decode()
    assert Application.objects.count() == 1


def test_applying_to_a_running_program_in_the_browser_shows_why(
    coordinator, mentoree, signed_in_client
):
    program = make_program(coordinator=coordinator, status="running")

    response = signed_in_client(mentoree).post(
        reverse("programs:apply", args=[program.slug, "mentoree"]), {"motivation": "Late."}
    )

    assert response.status_code == 400
    assert "not accepting applications" in response.content.decode()
    assert not Application.objects.exists()


def test_unknown_role_in_the_address_is_404(program, mentoree, signed_in_client):
    response = signed_in_client(mentoree).get(
        reverse("programs:apply", args=[program.slug, "sponsor"])
    )

    assert response.status_code == 404


def test_bad_mentor_capacity_in_the_browser_is_shown_on_the_form(program, mentor, signed_in_client):
    response = signed_in_client(mentor).post(
        reverse("programs:apply", args=[program.slug, "mentor"]),
        {"motivation": "Happy to help.", "mentor_capacity": "12"},
    )

    assert response.status_code in (200, 400)
    assert not Application.objects.exists()


def test_applicant_edits_and_withdraws_in_the_browser(program, mentoree, signed_in_client):
    application = apply(mentoree.employee, program)
    client = signed_in_client(mentoree)

    edit = client.post(
        reverse("programs:application_edit", args=[application.pk]),
        {"motivation": "Sharper reasons.", "goals": "", "availability": "Mondays"},
    )
    assert edit.status_code == 302
    application.refresh_from_db()
    assert (application.motivation, application.availability) == ("Sharper reasons.", "Mondays")

    withdraw = client.post(reverse("programs:application_withdraw", args=[application.pk]))
    assert withdraw.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN


def test_after_the_decision_the_browser_refuses_edit_and_withdraw_with_a_message(
    program, committee, mentoree, signed_in_client
):
    application = decide_by_committee(apply(mentoree.employee, program), committee, "decline")
    client = signed_in_client(mentoree)

    edit = client.post(
        reverse("programs:application_edit", args=[application.pk]),
        {"motivation": "Please reconsider."},
        follow=True,
    )
    withdraw = client.post(
        reverse("programs:application_withdraw", args=[application.pk]), follow=True
    )

    assert "no longer be changed" in edit.content.decode()
    assert "no longer be withdrawn" in withdraw.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.DECLINED
    assert application.motivation == "I want to grow as a leader."


def test_another_person_gets_404_on_an_application(program, mentoree, outsider, signed_in_client):
    application = apply(mentoree.employee, program)
    client = signed_in_client(outsider)

    assert (
        client.get(reverse("programs:application_edit", args=[application.pk])).status_code == 404
    )
    assert (
        client.post(reverse("programs:application_withdraw", args=[application.pk])).status_code
        == 404
    )
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED


def test_the_database_refuses_a_second_live_application_even_past_the_checks(
    program, mentoree, monkeypatch
):
    """Two submissions at once both pass the eligibility check; the partial unique
    constraint still keeps one, and the second is told why."""
    apply(mentoree.employee, program)
    before = counts()
    monkeypatch.setattr("programs.selectors.apply_refusal", lambda **kwargs: "")

    with pytest.raises(ValidationError, match="already applied"):
        apply(mentoree.employee, program)

    assert counts() == before
