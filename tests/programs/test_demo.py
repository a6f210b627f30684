"""seed_demo's programs: an executive and a one-to-one program, applications in every
status, a committee of three, the President leading group sessions (F4), two resources, and
nothing duplicated on a second run."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from demo.programs import EXEC_SLUG, GROW_SLUG
from notifications.models import Message, Notification
from people.models import Employee
from programs import selectors
from programs.models import (
    Application,
    Commitment,
    CommitmentAcceptance,
    GroupSession,
    Program,
    Registration,
    Resource,
    Tag,
    Vote,
)

MODELS = (
    Program,
    Commitment,
    CommitmentAcceptance,
    Application,
    Vote,
    GroupSession,
    Registration,
    Resource,
    Tag,
    Notification,
    Message,
)


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def demo(db, media_root):
    seed()


def by_email(key):
    return Employee.objects.select_related("user").get(email=f"{key}@northbank.example")


def check_demo_has_an_executive_and_a_one_to_one_program_accepting_applications():
    executive, grow = Program.objects.get(slug=EXEC_SLUG), Program.objects.get(slug=GROW_SLUG)

    assert executive.kind == Program.Kind.EXECUTIVE
    assert grow.kind == Program.Kind.ONE_TO_ONE
    assert Program.objects.count() == 2
    coordinator = by_email("coordinator").user
    for program in (executive, grow):
        assert program.status == Program.Status.ACCEPTING
        assert selectors.commitment_current(program=program).version == 1
        assert selectors.is_coordinator(user=coordinator, program=program)


def check_demo_has_applications_in_every_status_and_a_committee_of_three():
    assert set(Application.objects.values_list("status", flat=True)) == set(
        Application.Status.values
    )
    for program in Program.objects.all():
        committee = selectors.committee_of(program=program)
        assert len(committee) == 3
        assert by_email("committee").user in committee
    # Every decision the committee recorded respects the quorum rule.
    for application in Application.objects.exclude(decided_by=None):
        if selectors.is_committee_member(user=application.decided_by, program=application.program):
            assert selectors.vote_tally(application=application).majority is not None


def check_demo_president_leads_group_sessions_and_never_applies_as_mentor():
    """F4: the President is at the group-only level and leads sessions."""
    president = by_email("president")

    assert president.is_group_only
    assert GroupSession.objects.filter(leader=president).count() >= 1
    assert not Application.objects.filter(
        applicant__level__gte=president.level, role=Application.Role.MENTOR
    ).exists()


def check_demo_has_two_resources_one_for_everyone():
    assert Resource.objects.count() == 2
    assert Resource.objects.filter(program__isnull=True).count() == 1
    for resource in Resource.objects.all():
        with resource.file.open("rb") as handle:
            assert handle.read(5) == b"%PDF-"


def check_demo_named_mentor_and_mentoree_are_admitted_with_the_commitment_accepted():
    grow = Program.objects.get(slug=GROW_SLUG)
    for key in ("mentor", "mentoree"):
        person = by_email(key)
        assert selectors.is_admitted(employee=person, program=grow)
        assert selectors.commitment_is_accepted(employee=person, program=grow)


def check_demo_has_a_session_under_way_and_one_past_with_attendance():
    """Attendance can be tried at once: the demo executive leads a Grow session that started
    half an hour ago, with the demo mentor and mentoree registered; another took place four
    weeks ago with attendance taken; the rest lie ahead."""
    now = timezone.now()
    executive = by_email("executive")
    under_way = [s for s in GroupSession.objects.all() if s.starts_at <= now < s.ends_at]
    past = [s for s in GroupSession.objects.all() if s.ends_at < now]
    assert len(under_way) == 1 and len(past) == 1
    assert GroupSession.objects.filter(starts_at__gt=now).count() >= 3
    session, held = under_way[0], past[0]
    assert session.leader == executive
    registered = set(
        session.registrations.filter(status=Registration.Status.REGISTERED).values_list(
            "participant__email", flat=True
        )
    )
    assert {"mentor@northbank.example", "mentoree@northbank.example"} <= registered
    assert held.registrations.filter(attended=True).exists()
    assert held.registrations.filter(attended=False).exists()
    # Nothing will remind anyone of a session that has started or is over.
    assert not Message.objects.filter(
        kind="session_reminder", object_id__in=[session.pk, held.pk]
    ).exists()


def check_demo_mentorees_mostly_share_their_goals_with_a_proposed_mentor():
    """Item L6: the accept-a-match page has something to show, and one case of 'chose not
    to share'; mentors are never asked."""
    mentorees = Application.objects.filter(role=Application.Role.MENTOREE)
    assert mentorees.filter(share_with_mentor=True).count() > mentorees.count() // 2
    assert mentorees.filter(share_with_mentor=False).exists()
    assert not Application.objects.filter(role=Application.Role.MENTOR, share_with_mentor=True)


def test_seed_demo_loads_the_demo_programs(demo):
    """Seeding takes a second or two, so one run serves every check."""
    check_demo_has_an_executive_and_a_one_to_one_program_accepting_applications()
    check_demo_has_applications_in_every_status_and_a_committee_of_three()
    check_demo_president_leads_group_sessions_and_never_applies_as_mentor()
    check_demo_has_two_resources_one_for_everyone()
    check_demo_named_mentor_and_mentoree_are_admitted_with_the_commitment_accepted()
    check_demo_has_a_session_under_way_and_one_past_with_attendance()
    check_demo_mentorees_mostly_share_their_goals_with_a_proposed_mentor()


def test_the_demo_executive_takes_attendance_at_the_session_under_way(demo, client):
    """The leader opens the session, ticks who came, and the page says so."""
    now = timezone.now()
    session = next(s for s in GroupSession.objects.all() if s.starts_at <= now < s.ends_at)
    registrations = list(session.registrations.filter(status=Registration.Status.REGISTERED))
    client.force_login(by_email("executive").user)

    page = client.get(reverse("programs:session", args=[session.pk])).content.decode()
    assert "attend" in page.lower()
    response = client.post(
        reverse("programs:session_attendance", args=[session.pk]),
        {"attended": [registrations[0].pk, registrations[1].pk]},
        follow=True,
    )

    assert "Attendance recorded: 2 attended." in response.content.decode()
    assert session.registrations.filter(attended=True).count() == 2


def test_running_seed_demo_twice_duplicates_no_program_data(demo):
    before = {model.__name__: model.objects.count() for model in MODELS}

    seed()

    assert {model.__name__: model.objects.count() for model in MODELS} == before


def test_the_demos_messages_wait_in_the_table_and_a_sweep_delivers_them_without_error(
    demo, deliver
):
    """Seeding schedules messages; in a test nothing commits, so the hand-off to a worker
    never fires and they wait, pending, until a sweep delivers or skips each one due now."""
    assert not Notification.objects.exists()
    assert Message.objects.filter(status=Message.Status.PENDING).exists()

    outcome = deliver()

    assert outcome.get(Message.Status.SENT)
    assert Notification.objects.count() == outcome[Message.Status.SENT]
    assert not Message.objects.filter(status=Message.Status.FAILED).exists()
    assert not Message.objects.filter(
        status=Message.Status.PENDING, due_at__lte=timezone.now()
    ).exists()
