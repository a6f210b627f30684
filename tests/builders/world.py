"""The one world of the suite: a company built through the services (so every guardian
permission, conflict record, agreement and commitment exists as the app makes it), shared by
the authorization matrix (tests/firewall/), the security suite (tests/security/) and any app
test that wants a whole company (the `world` fixture, tests/fixtures/world.py).

The people are the named people of tests/builders/people.py, in the roles of the matrix
(`ROLES`). The objects come in two sides, so that every URL can also be tried with somebody
else's id:

- *this* side: `program` (one-to-one, accepting applications) run by `coordinator` with a
  committee of three (`committee_member` first), the active pair `mentor` + `mentoree`
  (agreement signed, a meeting, a goal, the mentor's private and shared notes, a theme the
  mentoree consented to pass on to the coordinator), a group session led by `executive`
  that the mentoree registered for and one that took place yesterday, a program resource,
  three topics, applications in every state a form acts on (undecided; decidable, with the
  committee's three votes; from someone `committee_member` manages, from which they are
  recused; `applicant`'s own), two admitted mentorees still waiting for a mentor, a finished
  matching run with its proposal and a pin, a pairing proposed and not yet accepted, and
  talent reviews of `mentoree` (staffed by `talent_reviewer` and `panel_member`) and of
  `applicant` (in session);
- *the other* side: `other_mentor` + `other_mentoree`, a second active pair of the same
  program with the same kinds of objects, and `other_program` (one-to-one, accepting) run by
  `other_coordinator`, with its own participants, application (and one of `other_mentoree`,
  still open), acceptance, session,
  resource, matching run, proposal and pin, a program of theirs still in draft (hidden from
  everyone else), and a review of `outsider` with `other_panel_member` on its panel.

The World holds ids, slugs and session cookies only: every test runs in a savepoint that is
rolled back, so model instances would go stale, ids never do. Two ways in: by side
(`world.this.pairing`, an id, as the matrix fills URLs) and by name (`world.active_pairing`,
fresh from the database, as the security suite's forms read them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from confidentiality import services as conf_services
from confidentiality.models import ConsentedTheme, Note
from notifications.services import calendar_feed_reset
from pairings import matching
from pairings.models import Goal, MatchingRun, Meeting, Pairing, Pin
from people.models import Employee, User
from people.roles import PROGRAM_COORDINATORS
from people.services import user_add_to_role
from programs import services as program_services
from programs.models import Application, CommitmentAcceptance, GroupSession, Program, Tag
from reviews.models import PanelSeat, TalentReview
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
from tests.builders.programs import apply, join_program, make_program, pdf_upload, seat_committee
from tests.builders.reviews import move, plan_review, seat
from tests.factories import EmployeeFactory

# The roles of the authorization matrix, each a named person (but `anonymous`).
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

# name -> model of the objects the world keeps by name
MODELS = {
    "user": User,
    "employee": Employee,
    "program": Program,
    "tag": Tag,
    "application": Application,
    "session": GroupSession,
    "pairing": Pairing,
    "meeting": Meeting,
    "goal": Goal,
    "note": Note,
    "theme": ConsentedTheme,
    "run": MatchingRun,
    "pin": Pin,
    "review": TalentReview,
}


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
    users: dict[str, int] = field(default_factory=dict)  # role or name -> user id
    this: Side = field(default_factory=Side)
    other: Side = field(default_factory=Side)
    draft_program: str = ""  # slug of a program in draft, run by the other coordinator
    calendar_token: str = ""  # the employee's feed address
    inactive_calendar_token: str = ""
    # person -> the value of a session cookie signed in as them
    sessions: dict[str, str] = field(default_factory=dict)
    baseline: dict[str, int] = field(default_factory=dict)  # rows per table, as built
    named: dict[str, tuple[str, object]] = field(default_factory=dict)  # name -> (kind, pk(s))
    media_root: str = ""  # the folder of the world's uploaded files
    _clients: dict[str | None, Client] = field(default_factory=dict, init=False, repr=False)

    def keep(self, name: str, obj) -> None:
        kind = next(k for k, model in MODELS.items() if isinstance(obj, model))
        self.named[name] = (kind, obj.pk)

    def keep_all(self, name: str, objs) -> None:
        objs = list(objs)
        kind = next(k for k, model in MODELS.items() if isinstance(objs[0], model))
        self.named[name] = (kind, [o.pk for o in objs])

    def __getattr__(self, name: str):
        """`world.program`, `world.active_pairing`...: the object kept under that name,
        fresh from the database (a list for the names kept with `keep_all`)."""
        if name.startswith("_") or name not in self.__dict__.get("named", {}):
            raise AttributeError(f"the world has no {name!r}")
        kind, pk = self.named[name]
        model = MODELS[kind]
        if isinstance(pk, list):
            return list(model.objects.filter(pk__in=pk).order_by("pk"))
        return model.objects.get(pk=pk)

    def user(self, role: str) -> User:
        return User.objects.get(pk=self.users[role])

    def client(self, who: str | None) -> Client:
        """A client signed in as `who` (None or "anonymous": signed out), the same one for
        the whole test, reusing the session made when the world was built: signing in for
        every cell of the matrix would double its run time."""
        if who not in self._clients:
            client = Client()
            if who not in (None, "anonymous"):
                client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[who]
            self._clients[who] = client
        return self._clients[who]

    @property
    def reset_link(self) -> str:
        """The link of a password-reset e-mail to the mentor."""
        mentor = self.user("mentor")
        uid = urlsafe_base64_encode(force_bytes(mentor.pk))
        return reverse(
            "password_reset_confirm", args=[uid, default_token_generator.make_token(mentor)]
        )


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
    assert run.pairs.count() >= 2
    side.run = run.pk
    side.proposed_pair = run.pairs.order_by("pk").first().pk
    side.pin = matching.pin_add(
        program=program, mentor=mentor, mentoree=also_waiting, by=coordinator
    ).pk
    side.waiting_mentoree = waiting.pk


def _session(program: Program, by, leader: Employee, title: str, days: int, **fields) -> int:
    fields = {
        "description": "The Chief Risk Officer takes questions.",
        "duration_minutes": 90,
        "location": "Board room",
        "capacity": 10,
        **fields,
    }
    return program_services.session_create(
        program=program,
        by=by,
        leader=leader,
        title=title,
        starts_at=timezone.now() + timedelta(days=days),
        **fields,
    ).pk


def _people() -> dict[str, User]:
    people = {
        # The matrix's plain employee is the registry's outsider.
        "employee": named("outsider", department="Retail", level=3),
        # Every role of the matrix by its own name, and the people of the reviews' panels and
        # of an open application.
        **{
            name: named(name)
            for name in (
                *(role for role in ROLES if role not in ("anonymous", "employee", "superuser")),
                "panel_member",
                "other_panel_member",
                "applicant",
            )
        },
        # Its own address: tests beside the world may make the named superuser too.
        "superuser": named("superuser", email="root.world@example.test"),
    }
    for role in ("coordinator", "other_coordinator"):
        user_add_to_role(user=people[role], role=PROGRAM_COORDINATORS)
    return people


def build_world() -> World:
    world = World()
    keep = world.keep

    people = _people()
    world.users = {role: user.pk for role, user in people.items()}
    for name, user in people.items():
        keep(name, user)
    keep("outsider", people["employee"])
    coordinator = people["coordinator"]
    mentor, mentoree = people["mentor"], people["mentoree"]
    talent_reviewer, executive = people["talent_reviewer"], people["executive"]

    # --- This program: committee, topics, applications, participants, the pairs ---------------
    program = make_program(coordinator=coordinator)
    committee = seat_committee(program, by=coordinator, first=people["committee_member"])
    topics = [
        program_services.tag_create(by=coordinator, name=name)
        for name in ("Leadership", "Negotiation", "Data")
    ]
    keep("program", program)
    world.keep_all("committee", committee)
    world.keep_all("topics", topics)
    this = world.this
    this.program = program.slug
    this.tag = topics[0].pk
    this.committee_user = committee[-1].pk

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
    this.application = Application.objects.get(program=program, applicant=mentoree.employee).pk
    this.acceptance = CommitmentAcceptance.objects.get(
        commitment__program=program, employee=mentoree.employee
    ).pk
    undecided = apply(EmployeeFactory(first_name="Tariq", level=4), program)
    this.committee_application = undecided.pk
    keep("voting_application", undecided)
    # The committee member manages this applicant: they never see the application (recusal).
    this.recused_application = apply(
        EmployeeFactory(level=4, manager=people["committee_member"].employee), program
    ).pk
    keep(
        "open_application",
        apply(people["applicant"].employee, program, "mentoree", goals="Speaking"),
    )
    decidable = apply(EmployeeFactory(first_name="Yusuf", level=4), program)
    for member in committee:
        program_services.vote_cast(application=decidable, voter=member, choice="admit")
    keep("decidable_application", decidable)
    this.free_mentor = mentor.employee.pk

    pairing = _pair(program, mentor, mentoree, coordinator)
    _pair_objects(this, pairing, mentor, mentoree)
    other_pairing = _pair(program, people["other_mentor"], people["other_mentoree"], coordinator)
    _pair_objects(world.other, other_pairing, people["other_mentor"], people["other_mentoree"])
    keep("active_pairing", pairing)
    keep("meeting", Meeting.objects.get(pk=this.meeting))
    keep("goal", Goal.objects.get(pk=this.goal))
    keep("my_note", Note.objects.get(pk=this.private_note))
    world.keep_all("themes", ConsentedTheme.objects.filter(pk=this.theme))
    keep("other_pairing", other_pairing)
    keep("others_note", Note.objects.get(pk=world.other.private_note))

    _matching(this, program, coordinator, mentor.employee, waiting, also_waiting)
    keep("matching_run", MatchingRun.objects.get(pk=this.run))
    world.keep_all("pins", Pin.objects.filter(pk=this.pin))
    keep("unmatched_mentoree", also_waiting)  # pinned to the mentor, no pairing yet
    # A pairing proposed to the other mentor, not yet accepted by either member.
    noor = EmployeeFactory(first_name="Noor", level=4)
    enrol_in(program, committee, noor, Application.Role.MENTOREE, accept=False)
    people["participant_needing_acceptance"] = noor.user  # admitted, commitment not accepted
    keep("participant_needing_acceptance", noor.user)
    pia = EmployeeFactory(first_name="Pia", level=4)
    enrol_in(program, committee, pia, Application.Role.MENTOREE)
    keep("proposed_pairing", propose(program, people["other_mentor"], pia, by=coordinator))

    # --- Group sessions: next week (one with the mentoree registered), yesterday; a resource ---
    this.session = _session(
        program, coordinator, executive.employee, "Leading through uncertainty", 7
    )
    upcoming = GroupSession.objects.get(
        pk=_session(program, coordinator, executive.employee, "Negotiating the budget", 8)
    )
    program_services.session_register(session=upcoming, employee=mentoree.employee)
    keep("group_session", upcoming)
    past = GroupSession.objects.get(
        pk=_session(program, coordinator, executive.employee, "Last week's session", 3)
    )
    program_services.session_register(session=past, employee=mentoree.employee)
    GroupSession.objects.filter(pk=past.pk).update(starts_at=timezone.now() - timedelta(days=1))
    keep("past_session", past)
    this.resource = program_services.resource_publish(
        by=coordinator, program=program, title="Mentoring guide", file=pdf_upload()
    ).pk

    # --- Talent reviews: the mentoree's (staffed), the applicant's (in session) ----------------
    review = plan_review(mentoree, by=talent_reviewer)
    seat(review, talent_reviewer, by=talent_reviewer)
    this.seat = seat(review, people["panel_member"], by=talent_reviewer).pk
    this.review = review.pk
    keep("review", review)
    in_session = plan_review(people["applicant"], by=talent_reviewer, days=10)
    seat(in_session, people["panel_member"], by=talent_reviewer)
    keep("in_session_review", move(in_session, by=talent_reviewer, to="in_session"))

    # --- The other program, run by the other coordinator -----------------------------------------
    _other_program(world, people)

    # --- Calendar addresses and sign-ins ------------------------------------------------------
    world.calendar_token = calendar_feed_reset(user=people["employee"])
    world.inactive_calendar_token = calendar_feed_reset(user=people["inactive"])
    people["outsider"] = people["employee"]
    world.users = {name: user.pk for name, user in people.items()}
    for name, user in people.items():
        client = Client()
        client.force_login(user)
        world.sessions[name] = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert ConsentedTheme.objects.count() == 2
    return world


def _other_program(world: World, people: dict[str, User]) -> None:
    other_coordinator, talent_reviewer = people["other_coordinator"], people["talent_reviewer"]
    other_program = make_program(coordinator=other_coordinator, name="Lead 2027", slug="lead-2027")
    world.keep("other_program", other_program)
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
    other_application = apply(EmployeeFactory(first_name="Olga", level=4), other_program)
    other.committee_application = other_application.pk
    world.keep("other_application", other_application)
    # A participant of this program applies to the other one too: an application of theirs
    # still open (theirs to edit or withdraw).
    world.keep(
        "participants_open_application", apply(people["other_mentoree"].employee, other_program)
    )
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
    world.keep("other_matching_run", MatchingRun.objects.get(pk=other.run))
    other.session = _session(
        other_program,
        other_coordinator,
        EmployeeFactory(title="President", level=settings.GROUP_ONLY_LEVEL),
        "Strategy in practice",
        9,
        description="",
        duration_minutes=60,
        location="Room 2",
    )
    world.keep("other_session", GroupSession.objects.get(pk=other.session))
    other.resource = program_services.resource_publish(
        by=other_coordinator, program=other_program, title="Lead guide", file=pdf_upload()
    ).pk
    other_review = plan_review(people["employee"], by=talent_reviewer, days=28)
    other.seat = seat(other_review, people["other_panel_member"], by=talent_reviewer).pk
    other.review = other_review.pk
    world.keep("other_review", other_review)
    assert PanelSeat.objects.filter(review_id=other.review).count() == 1
