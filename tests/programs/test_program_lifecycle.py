"""Programs: status moves one step at a time, per-program roles are granted object
permissions (never implied by superuser status or a global permission), reserved slugs and
impossible dates are refused, and programs are created in the browser and in the admin."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from people.roles import PROGRAM_COORDINATORS
from people.services import user_add_to_role
from programs import selectors, services
from programs.models import Commitment, Program
from programs.texts import DEFAULT_COMMITMENT_TEXT
from tests.builders.programs import make_program, program_fields
from tests.factories import EmployeeFactory

DRAFT, ACCEPTING, RUNNING, CLOSED = Program.Status.values


def test_new_program_is_a_draft_with_version_1_of_the_default_commitment(coordinator):
    program = services.program_create(
        created_by=coordinator, coordinators=[coordinator], **program_fields()
    )

    assert program.status == DRAFT
    commitment = program.commitments.get()
    assert commitment.version == 1
    assert commitment.text == DEFAULT_COMMITMENT_TEXT
    assert selectors.commitment_current(program=program) == commitment
    assert selectors.is_coordinator(user=coordinator, program=program)


def test_program_moves_draft_accepting_running_closed_one_step_at_a_time(coordinator):
    program = make_program(coordinator=coordinator, status=DRAFT)

    for step in (ACCEPTING, RUNNING, CLOSED):
        program = services.program_transition(program=program, by=coordinator, to_status=step)
        program.refresh_from_db()
        assert program.status == step


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (DRAFT, RUNNING),
        (DRAFT, CLOSED),
        (DRAFT, DRAFT),
        (ACCEPTING, DRAFT),
        (ACCEPTING, CLOSED),
        (ACCEPTING, ACCEPTING),
        (RUNNING, DRAFT),
        (RUNNING, ACCEPTING),
        (CLOSED, DRAFT),
        (CLOSED, ACCEPTING),
        (CLOSED, RUNNING),
        (ACCEPTING, "archived"),
        (DRAFT, ""),
    ],
)
def test_every_other_status_jump_is_refused_with_a_message_and_changes_nothing(
    coordinator, start, to
):
    program = make_program(coordinator=coordinator, status=start)
    updated_at = Program.objects.get(pk=program.pk).updated_at

    with pytest.raises(ValidationError) as refusal:
        services.program_transition(program=program, by=coordinator, to_status=to)

    message = " ".join(refusal.value.messages)
    assert "can only move to" in message or "cannot change status" in message
    program.refresh_from_db()
    assert program.status == start
    assert program.updated_at == updated_at


def test_closed_program_says_it_cannot_change_status_any_more(coordinator):
    program = make_program(coordinator=coordinator, status=CLOSED)

    with pytest.raises(ValidationError, match="closed program cannot change status"):
        services.program_transition(program=program, by=coordinator, to_status=DRAFT)


@pytest.mark.parametrize("who", ["other_coordinator", "committee_member", "superuser", "hr_admin"])
def test_only_a_coordinator_of_the_program_moves_its_status(request, program, committee, who):
    user = request.getfixturevalue(who)

    with pytest.raises(ValidationError, match="Only a coordinator of this program"):
        services.program_transition(program=program, by=user, to_status=RUNNING)

    program.refresh_from_db()
    assert program.status == ACCEPTING


# --- Per-program roles --------------------------------------------------------------------


def test_coordinator_role_is_an_object_permission_granted_and_revoked_by_services(
    program, other_program, mentor, hr_admin
):
    assert not selectors.is_coordinator(user=mentor, program=program)

    services.coordinator_add(program=program, user=mentor, by=hr_admin)

    assert mentor.has_perm("programs.coordinate_program", program)
    assert selectors.is_coordinator(user=mentor, program=program)
    assert not selectors.is_coordinator(user=mentor, program=other_program)
    assert mentor in selectors.coordinators_of(program=program)
    assert mentor.groups.filter(name=PROGRAM_COORDINATORS).exists()

    services.coordinator_remove(program=program, user=mentor, by=hr_admin)

    mentor = type(mentor).objects.get(pk=mentor.pk)  # a fresh permission cache
    assert not mentor.has_perm("programs.coordinate_program", program)
    assert not selectors.is_coordinator(user=mentor, program=program)


def test_committee_role_is_an_object_permission_granted_and_revoked_by_a_coordinator(
    program, other_program, coordinator, committee_member
):
    services.committee_member_add(program=program, by=coordinator, user=committee_member)

    assert committee_member.has_perm("programs.review_applications", program)
    assert selectors.is_committee_member(user=committee_member, program=program)
    assert not selectors.is_committee_member(user=committee_member, program=other_program)
    assert committee_member in selectors.committee_of(program=program)

    services.committee_member_remove(program=program, by=coordinator, user=committee_member)

    assert not selectors.is_committee_member(user=committee_member, program=program)
    assert committee_member not in selectors.committee_of(program=program)


def test_only_a_coordinator_of_the_program_names_its_committee(
    program, other_coordinator, committee_member
):
    with pytest.raises(ValidationError, match="Only a coordinator of this program"):
        services.committee_member_add(program=program, by=other_coordinator, user=committee_member)

    assert not selectors.is_committee_member(user=committee_member, program=program)


def test_superuser_is_not_a_coordinator_nor_a_committee_member_of_any_program(program, superuser):
    assert not selectors.is_coordinator(user=superuser, program=program)
    assert not selectors.is_committee_member(user=superuser, program=program)
    assert not selectors.is_any_coordinator(user=superuser)
    assert superuser not in selectors.coordinators_of(program=program)
    assert superuser not in selectors.committee_of(program=program)
    assert not selectors.committee_queue_for(user=superuser).exists()


def test_global_permissions_do_not_make_anyone_coordinator_or_committee_member(program, outsider):
    outsider.user_permissions.add(
        Permission.objects.get(codename="coordinate_program"),
        Permission.objects.get(codename="review_applications"),
    )
    outsider = type(outsider).objects.get(pk=outsider.pk)
    assert outsider.has_perm("programs.coordinate_program")  # the global permission is real

    assert not selectors.is_coordinator(user=outsider, program=program)
    assert not selectors.is_committee_member(user=outsider, program=program)
    with pytest.raises(ValidationError):
        services.program_transition(program=program, by=outsider, to_status=RUNNING)


def test_being_in_the_coordinators_group_does_not_make_one_coordinator_of_every_program(
    program, other_program, other_coordinator
):
    """Being in "Program coordinators" lets one create programs, not run somebody else's."""
    assert other_coordinator.groups.filter(name=PROGRAM_COORDINATORS).exists()

    assert not selectors.is_coordinator(user=other_coordinator, program=program)


# --- Slugs and dates -------------------------------------------------------------------------


@pytest.mark.parametrize("slug", sorted(services.RESERVED_SLUGS))
def test_reserved_slug_is_refused_and_nothing_is_created(coordinator, slug):
    with pytest.raises(ValidationError) as refusal:
        services.program_create(
            created_by=coordinator, coordinators=[coordinator], **program_fields(slug=slug)
        )

    assert "reserved" in " ".join(refusal.value.message_dict["slug"])
    assert Program.objects.count() == 0
    assert Commitment.objects.count() == 0


def test_reserved_slug_is_refused_when_editing_a_program(program, coordinator):
    with pytest.raises(ValidationError, match="reserved"):
        services.program_update(program=program, by=coordinator, slug="committee")

    assert Program.objects.get(pk=program.pk).slug == "grow-2027"


@pytest.mark.parametrize(
    ("field", "days", "message"),
    [
        ("applications_close_on", -10, "Applications must close after they open."),
        ("ends_on", 10, "The program must end after it starts."),
    ],
)
def test_impossible_dates_are_refused_in_plain_words_and_nothing_is_created(
    coordinator, field, days, message
):
    """The refusal names the field and says why, as every service refusal must."""
    today = timezone.localdate()

    with pytest.raises(ValidationError) as refusal:
        services.program_create(
            created_by=coordinator,
            coordinators=[coordinator],
            **program_fields(**{field: today + timedelta(days=days)}),
        )

    assert Program.objects.count() == 0
    assert refusal.value.message_dict.get(field) == [message], refusal.value.message_dict


def test_impossible_dates_are_refused_when_editing_and_the_program_is_unchanged(
    program, coordinator
):
    ends_on = program.ends_on

    with pytest.raises(ValidationError):
        services.program_update(
            program=program, by=coordinator, ends_on=program.starts_on - timedelta(days=1)
        )

    assert Program.objects.get(pk=program.pk).ends_on == ends_on


def test_default_mentor_capacity_must_be_between_1_and_10(coordinator):
    with pytest.raises(ValidationError, match="between 1 and 10"):
        services.program_create(
            created_by=coordinator, **program_fields(default_mentor_capacity=11)
        )

    assert Program.objects.count() == 0


def test_only_a_coordinator_of_the_program_edits_it(program, other_coordinator):
    with pytest.raises(ValidationError, match="Only a coordinator of this program"):
        services.program_update(program=program, by=other_coordinator, name="Taken over")

    assert Program.objects.get(pk=program.pk).name == "Grow 2027"


# --- In the browser ------------------------------------------------------------------------


def _form_data(**overrides):
    data = program_fields(**overrides)
    data.update(default_mentor_capacity=2, min_mentor_level=6, max_mentoree_level=8, quorum_votes=3)
    data.update(overrides)
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}


def test_coordinator_creates_a_program_in_the_browser_and_runs_it(
    program, coordinator, signed_in_client
):
    """A member of "Program coordinators" (added by coordinator_add) creates a draft program
    and becomes its coordinator."""
    client = signed_in_client(coordinator)

    response = client.post(reverse("programs:create"), _form_data(name="Lead", slug="lead-27"))

    assert response.status_code == 302
    assert response.url == reverse("programs:manage", args=["lead-27"])
    created = Program.objects.get(slug="lead-27")
    assert created.status == DRAFT
    assert created.created_by == coordinator
    assert created.commitments.get().version == 1
    assert selectors.is_coordinator(user=coordinator, program=created)


def test_member_of_the_coordinators_group_creates_programs_in_the_browser(db, signed_in_client):
    lead = EmployeeFactory(level=6).user
    user_add_to_role(user=lead, role=PROGRAM_COORDINATORS)

    response = signed_in_client(lead).post(reverse("programs:create"), _form_data())

    assert response.status_code == 302
    assert selectors.is_coordinator(user=lead, program=Program.objects.get(slug="grow-2027"))


@pytest.mark.parametrize("who", ["outsider", "committee_member", "mentor"])
def test_employee_outside_the_coordinators_group_cannot_create_programs(
    request, signed_in_client, who
):
    client = signed_in_client(request.getfixturevalue(who))

    assert client.get(reverse("programs:create")).status_code == 403
    assert client.post(reverse("programs:create"), _form_data()).status_code == 403
    assert Program.objects.count() == 0


def test_reserved_slug_in_the_browser_shows_the_refusal_and_creates_nothing(
    program, coordinator, signed_in_client
):
    response = signed_in_client(coordinator).post(
        reverse("programs:create"), _form_data(slug="sessions")
    )

    assert response.status_code == 200
    assert "reserved" in response.content.decode()
    assert not Program.objects.filter(slug="sessions").exists()


def test_impossible_dates_in_the_browser_show_a_plain_refusal(
    program, coordinator, signed_in_client
):
    today = timezone.localdate()
    response = signed_in_client(coordinator).post(
        reverse("programs:create"),
        _form_data(slug="late", applications_close_on=today - timedelta(days=30)),
    )

    assert response.status_code == 200
    assert not Program.objects.filter(slug="late").exists()
    assert "Applications must close after they open." in response.content.decode()


def test_coordinator_edits_the_program_in_the_browser(program, coordinator, signed_in_client):
    response = signed_in_client(coordinator).post(
        reverse("programs:edit", args=[program.slug]),
        _form_data(name="Grow, renamed", default_mentor_capacity=3),
    )

    assert response.status_code == 302
    program.refresh_from_db()
    assert program.name == "Grow, renamed"
    assert program.default_mentor_capacity == 3
    assert program.status == ACCEPTING


def test_coordinator_moves_the_status_in_the_browser(program, coordinator, signed_in_client):
    client = signed_in_client(coordinator)

    response = client.post(reverse("programs:transition", args=[program.slug]), {"to": RUNNING})

    assert response.status_code == 302
    program.refresh_from_db()
    assert program.status == RUNNING


def test_refused_status_jump_in_the_browser_shows_the_message(
    program, coordinator, signed_in_client
):
    client = signed_in_client(coordinator)

    response = client.post(
        reverse("programs:transition", args=[program.slug]), {"to": DRAFT}, follow=True
    )

    assert response.status_code == 200
    assert "can only move to" in response.content.decode()
    program.refresh_from_db()
    assert program.status == ACCEPTING


# --- In the admin ------------------------------------------------------------------------------


def test_hr_admin_creates_a_program_in_the_admin_and_names_its_coordinators(
    hr_admin, coordinator, other_coordinator, signed_in_client
):
    data = _form_data(name="Executive 2027", slug="exec-2027", kind="executive")
    data["coordinators"] = [coordinator.pk, other_coordinator.pk]

    response = signed_in_client(hr_admin).post(
        reverse("admin:programs_program_add"), {**data, "_save": "Save"}
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    program = Program.objects.get(slug="exec-2027")
    assert program.status == DRAFT
    assert program.created_by == hr_admin
    commitment = program.commitments.get()
    assert (commitment.version, commitment.text) == (1, DEFAULT_COMMITMENT_TEXT)
    assert set(selectors.coordinators_of(program=program)) == {coordinator, other_coordinator}
    assert coordinator.has_perm("programs.coordinate_program", program)
    assert not selectors.is_coordinator(user=hr_admin, program=program)


def test_hr_admin_removes_a_coordinator_in_the_admin(
    program, hr_admin, coordinator, other_coordinator, signed_in_client
):
    data = _form_data()
    data["coordinators"] = [other_coordinator.pk]

    response = signed_in_client(hr_admin).post(
        reverse("admin:programs_program_change", args=[program.pk]), {**data, "_save": "Save"}
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    assert selectors.coordinators_of(program=program) == [other_coordinator]
    assert program.commitments.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [("slug", "tags", "reserved"), ("default_mentor_capacity", 11, "between 1 and 10")],
)
def test_admin_shows_the_services_refusal_on_the_form_and_is_never_a_500(
    hr_admin, signed_in_client, field, value, words
):
    client = signed_in_client(hr_admin)
    client.raise_request_exception = False

    response = client.post(
        reverse("admin:programs_program_add"), {**_form_data(**{field: value}), "_save": "Save"}
    )

    assert response.status_code == 200
    assert words in response.content.decode()
    assert Program.objects.count() == 0
