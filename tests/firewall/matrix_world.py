"""The world of the authorization matrix (tests/firewall/test_authorization_matrix.py).

One company, built once per module through the services (so every guardian permission,
conflict record, agreement and commitment exists as the app makes it), with the fourteen
roles of the matrix and one object of every kind a URL takes, on two sides:

- *this* side: `program` (one-to-one, accepting applications) run by `coordinator` with a
  committee of three (`committee_member` first), the active pair `mentor` + `mentoree`
  (agreement signed, a meeting, a goal, the mentor's private and shared notes, a theme the
  mentoree consented to pass on to the coordinator), a group session led by `executive`, a
  program resource, a tag, an undecided application before the committee (and one by
  someone `committee_member` manages, from which they are recused), two admitted
  mentorees still waiting for a mentor, a finished matching run with its proposal and a pin,
  and a talent review of `mentoree` staffed by `talent_reviewer` and a panel member;
- *the other* side, whose ids the matrix swaps in: `other_mentor` + `other_mentoree`, a second
  active pair of the same program with the same kinds of objects, and `other_program`
  (one-to-one, accepting) run by `other_coordinator`, with its own participants,
  application, acceptance, session, resource, matching run, proposal and pin, a program of
  theirs still in draft (hidden from everyone else), and a review of someone else.

The World holds ids and slugs only: every test runs in a savepoint that is rolled back, so
model instances would go stale, ids never do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.test import Client
from django.utils import timezone

from confidentiality import services as conf_services
from confidentiality.models import ConsentedTheme
from notifications.services import calendar_feed_reset
from pairings import matching
from pairings.models import MatchingRun, Pairing
from people.models import User
from people.roles import PROGRAM_COORDINATORS
from people.services import user_add_to_role
from programs import services as program_services
from programs.models import Application, CommitmentAcceptance, Program
from reviews.models import PanelSeat
from tests.builders.confidentiality import change_rules, write_note
from tests.builders.pairings import (
    accept_both,
    add_goal,
    enrol_in,
    log_meeting,
    propose,
    sign_both,
)
from tests.builders.people import named
from tests.builders.programs import apply, join_program, make_program, pdf_upload
from tests.builders.reviews import plan_review, seat
from tests.factories import EmployeeFactory

ROLES = (
    "anonymous",
    "employee",
    "mentoree",
    "other_mentoree",
    "mentor",
    "other_mentor",
    "coordinator",
    "other_coordinator",
    "committee_member",
    "executive",
    "talent_reviewer",
    "hr_admin",
    "superuser",
    "inactive",
)


@dataclass
class Side:
    """The objects of one side of the world, by kind: ids, and slugs for programs."""

    program: str = ""
    pairing: int = 0
    meeting: int = 0
    goal: int = 0
    shared_note: int = 0
    private_note: int = 0
    theme: int = 0
    application: int = 0  # an application of one of the side's people
    committee_application: int = 0  # one the committee of `program` judges
    recused_application: int = 0  # one by someone who reports to `committee_member`
    acceptance: int = 0
    session: int = 0
    resource: int = 0
    waiting_mentoree: int = 0  # employee id: admitted, no mentor yet
    free_mentor: int = 0  # employee id: admitted mentor with room left
    committee_user: int = 0  # user id of a committee member who may be removed
    run: int = 0
    proposed_pair: int = 0
    pin: int = 0
    review: int = 0
    seat: int = 0
    tag: int = 0


@dataclass
class World:
    users: dict[str, int] = field(default_factory=dict)  # role -> user id
    this: Side = field(default_factory=Side)
    other: Side = field(default_factory=Side)
    panel_member: int = 0  # user id: sits on this side's review, not in the Talent team
    draft_program: str = ""  # slug of a program in draft, run by the other coordinator
    calendar_token: str = ""  # the employee's feed address
    inactive_calendar_token: str = ""
    # role (and "panel_member") -> the value of a session cookie signed in as them
    sessions: dict[str, str] = field(default_factory=dict)
    baseline: dict[str, int] = field(default_factory=dict)  # rows per table, as built

    def user(self, role: str) -> User:
        return User.objects.get(pk=self.users[role])

    def client(self, role: str) -> Client:
        """A fresh client signed in as `role` (anonymous: signed out), reusing the session
        made once for the module: signing in for every cell would double the run time."""
        client = Client()
        if role != "anonymous":
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[role]
        return client


def _pair(program: Program, mentor, mentoree, coordinator) -> Pairing:
    pairing = accept_both(propose(program, mentor, mentoree, by=coordinator))
    assert pairing.status == Pairing.Status.ACTIVE
    return pairing


def _pair_objects(side: Side, pairing: Pairing, mentor, mentoree) -> None:
    side.pairing = pairing.pk
    side.meeting = log_meeting(pairing, days=3).pk
    side.goal = add_goal(pairing, "Lead the quarterly review").pk
    side.private_note = write_note(pairing, mentor, "Private: worries about the budget.").pk
    side.shared_note = write_note(pairing, mentor, "Shared: practise the talk.", shared=True).pk
    # The mentoree lets the coordinator learn one theme: loosen the rule, both sign again.
    change_rules(pairing, mentoree, coordinator="themes")
    sign_both(pairing)
    side.theme = conf_services.theme_add(
        agreement=pairing.agreement, by=mentoree, audience="coordinator", text="Public speaking"
    ).pk
    assert Pairing.objects.get(pk=pairing.pk).status == Pairing.Status.ACTIVE


def _matching(side: Side, program: Program, coordinator, mentor, waiting, also_waiting) -> None:
    """A finished run (its proposal matches the waiting mentorees), then a pin."""
    run = matching.matching_run_start(program=program, by=coordinator)
    matching.matching_run_execute(run_id=run.pk)  # what the task does; on_commit never fires
    run.refresh_from_db()
    assert run.status == MatchingRun.Status.DONE, run.error
    side.run = run.pk
    side.proposed_pair = run.pairs.order_by("pk").first().pk
    side.pin = matching.pin_add(
        program=program, mentor=mentor, mentoree=also_waiting, by=coordinator
    ).pk
    side.waiting_mentoree = waiting.pk


def build_world() -> World:
    world = World()

    # --- The people -------------------------------------------------------------------------
    people = {
        "employee": named("outsider", department="Retail"),
        **{
            name: named(name)
            for name in (
                "mentoree",
                "other_mentoree",
                "mentor",
                "other_mentor",
                "coordinator",
                "other_coordinator",
                "committee_member",
                "executive",
                "talent_reviewer",
                "hr_admin",
                "inactive",
            )
        },
        # Its own address: tests beside the world may make the named superuser too.
        "superuser": named("superuser", email="root.world@example.test"),
    }
    for role in ("coordinator", "other_coordinator"):
        user_add_to_role(user=people[role], role=PROGRAM_COORDINATORS)
    world.users = {role: user.pk for role, user in people.items()}
    coordinator, other_coordinator = people["coordinator"], people["other_coordinator"]

    # --- This program: committee, participants, the pairs -------------------------------------
    program = make_program(coordinator=coordinator)
    committee = [people["committee_member"]] + [
        EmployeeFactory(title="Director", department=dept, level=7).user
        for dept in ("Finance", "Audit")
    ]
    for member in committee:
        program_services.committee_member_add(program=program, by=coordinator, user=member)
    for role, kind in (
        ("mentor", Application.Role.MENTOR),
        ("other_mentor", Application.Role.MENTOR),
        ("mentoree", Application.Role.MENTOREE),
        ("other_mentoree", Application.Role.MENTOREE),
    ):
        enrol_in(program, committee, people[role].employee, kind, capacity=2)
    waiting, also_waiting = (
        enrol_in(program, committee, EmployeeFactory(level=4), Application.Role.MENTOREE).applicant
        for _ in range(2)
    )
    this = world.this
    this.program = program.slug
    this.application = Application.objects.get(
        program=program, applicant=people["mentoree"].employee
    ).pk
    this.acceptance = CommitmentAcceptance.objects.get(
        commitment__program=program, employee=people["mentoree"].employee
    ).pk
    this.committee_application = apply(EmployeeFactory(level=4), program).pk
    # The committee member manages this applicant: they never see the application (recusal).
    this.recused_application = apply(
        EmployeeFactory(level=4, manager=people["committee_member"].employee), program
    ).pk
    this.committee_user = committee[-1].pk
    this.free_mentor = people["mentor"].employee.pk

    pairing = _pair(program, people["mentor"], people["mentoree"], coordinator)
    _pair_objects(this, pairing, people["mentor"], people["mentoree"])
    other_pairing = _pair(program, people["other_mentor"], people["other_mentoree"], coordinator)
    _pair_objects(world.other, other_pairing, people["other_mentor"], people["other_mentoree"])
    _matching(this, program, coordinator, people["mentor"].employee, waiting, also_waiting)

    this.session = program_services.session_create(
        program=program,
        by=coordinator,
        leader=people["executive"].employee,
        title="Leading through uncertainty",
        description="The Chief Risk Officer takes questions.",
        starts_at=timezone.now() + timedelta(days=7),
        duration_minutes=90,
        location="Board room",
        capacity=10,
    ).pk
    this.resource = program_services.resource_publish(
        by=coordinator, program=program, title="Mentoring guide", file=pdf_upload()
    ).pk
    this.tag = program_services.tag_create(by=coordinator, name="Leadership").pk

    # --- The talent review of the mentoree --------------------------------------------------
    review = plan_review(people["mentoree"], by=people["talent_reviewer"])
    panel_member = EmployeeFactory(first_name="Ingrid", last_name="Solberg", level=6).user
    seat(review, people["talent_reviewer"], by=people["talent_reviewer"])
    this.seat = seat(review, panel_member, by=people["talent_reviewer"]).pk
    this.review = review.pk
    world.panel_member = panel_member.pk

    # --- The other program, run by the other coordinator -----------------------------------------
    other_program = make_program(coordinator=other_coordinator, name="Lead 2027", slug="lead-2027")
    other = world.other
    other.program = other_program.slug
    world.draft_program = make_program(
        coordinator=other_coordinator,
        status=Program.Status.DRAFT,
        name="Draft 2028",
        slug="draft-2028",
    ).slug
    other_mentor = join_program(other_program, other_coordinator, "mentor", capacity=2)
    other_waiting = join_program(other_program, other_coordinator, "mentoree")
    other_also_waiting = join_program(other_program, other_coordinator, "mentoree")
    other.application = Application.objects.get(program=other_program, applicant=other_waiting).pk
    other.committee_application = apply(EmployeeFactory(level=4), other_program).pk
    other.acceptance = CommitmentAcceptance.objects.get(
        commitment__program=other_program, employee=other_waiting
    ).pk
    other_member = EmployeeFactory(title="Director", level=7).user
    program_services.committee_member_add(
        program=other_program, by=other_coordinator, user=other_member
    )
    other.committee_user = other_member.pk
    other.free_mentor = other_mentor.pk
    _matching(
        other, other_program, other_coordinator, other_mentor, other_waiting, other_also_waiting
    )
    other.session = program_services.session_create(
        program=other_program,
        by=other_coordinator,
        leader=EmployeeFactory(title="President", level=settings.GROUP_ONLY_LEVEL),
        title="Strategy in practice",
        description="",
        starts_at=timezone.now() + timedelta(days=9),
        duration_minutes=60,
        location="Room 2",
        capacity=10,
    ).pk
    other.resource = program_services.resource_publish(
        by=other_coordinator, program=other_program, title="Lead guide", file=pdf_upload()
    ).pk
    other_review = plan_review(people["employee"], by=people["talent_reviewer"], days=28)
    other.seat = seat(other_review, EmployeeFactory(level=6), by=people["talent_reviewer"]).pk
    other.review = other_review.pk
    assert PanelSeat.objects.filter(review_id=other.review).count() == 1
    assert ConsentedTheme.objects.count() == 2

    # --- Calendar addresses and sign-ins ------------------------------------------------------
    world.calendar_token = calendar_feed_reset(user=people["employee"])
    world.inactive_calendar_token = calendar_feed_reset(user=people["inactive"])
    people["panel_member"] = panel_member
    for role, user in people.items():
        client = Client()
        client.force_login(user)
        world.sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return world
