"""The world of the security tests (issue H, part 3): built once per test module through the
services, with the helpers of tests/programs, tests/pairings, tests/confidentiality and
tests/reviews, inside a transaction that is rolled back when the module is done. Every test
runs in a savepoint of its own (pytest-django's `db`), so what one test changes is gone for
the next, and Hypothesis's examples within one test see what the earlier examples stored.

Objects come in pairs where it matters: one the acting person may touch and one of somebody
else (another pair's note, meeting and goal; another program, application, session, review),
so that every form can also be posted with other people's ids.

`world` gives the objects fresh from the database by name (`world.program`,
`world.active_pairing`, ...) and one signed-in test client per person (`world.client("mentor")`;
`world.client(None)` is signed out).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from confidentiality import services as conf_services
from confidentiality.models import ConsentedTheme, Note
from pairings import matching
from pairings.models import Goal, MatchingRun, Meeting, Pairing, Pin
from people.models import Employee, User
from programs import services as program_services
from programs.models import Application, GroupSession, Program, Tag
from reviews.models import TalentReview
from tests.builders.confidentiality import write_note
from tests.builders.pairings import (
    accept_both,
    add_goal,
    enrol_in,
    log_meeting,
    propose,
    sign_both,
)
from tests.builders.people import named
from tests.builders.programs import apply, make_program
from tests.builders.reviews import move, plan_review, seat
from tests.factories import EmployeeFactory

# name -> model of the objects the world keeps by primary key
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
class Built:
    """What the world holds: name -> (kind, pk) or (kind, [pks])."""

    objects: dict[str, tuple[str, object]] = field(default_factory=dict)

    def keep(self, name: str, obj) -> None:
        kind = next(k for k, model in MODELS.items() if isinstance(obj, model))
        self.objects[name] = (kind, obj.pk)

    def keep_all(self, name: str, objs) -> None:
        objs = list(objs)
        kind = next(k for k, model in MODELS.items() if isinstance(objs[0], model))
        self.objects[name] = (kind, [o.pk for o in objs])


def _person(first: str, last: str, **fields) -> User:
    return EmployeeFactory(first_name=first, last_name=last, **fields).user


def build_world() -> Built:
    built = Built()
    keep = built.keep

    # People
    people = {
        **{
            name: named(name)
            for name in (
                "mentor",
                "mentoree",
                "other_mentor",
                "coordinator",
                "other_coordinator",
                "committee_member",
                "talent_reviewer",
                "hr_admin",
                "superuser",
                "executive",
                "panel_member",
                "other_panel_member",
                "applicant",
            )
        },
        "outsider": named("outsider", level=3),
    }
    for name, user in people.items():
        keep(name, user)
    mentor, mentoree, other_mentor = people["mentor"], people["mentoree"], people["other_mentor"]
    coordinator, other_coordinator = people["coordinator"], people["other_coordinator"]
    talent_reviewer, executive = people["talent_reviewer"], people["executive"]
    applicant, outsider = people["applicant"], people["outsider"]

    # Programs, the committee, the shared vocabulary of topics
    program = make_program(coordinator=coordinator)
    other_program = make_program(
        coordinator=other_coordinator, name="Lead 2027", slug="lead-2027", kind="executive"
    )
    committee = [people["committee_member"]] + [
        _person("Dana", dept, title="Director", department=dept, level=7)
        for dept in ("Finance", "Audit")
    ]
    for member in committee:
        program_services.committee_member_add(program=program, by=coordinator, user=member)
    topics = [
        program_services.tag_create(by=coordinator, name=name)
        for name in ("Leadership", "Negotiation", "Data")
    ]
    keep("program", program)
    keep("other_program", other_program)
    built.keep_all("committee", committee)
    built.keep_all("topics", topics)

    # Applications in every state a form acts on
    keep("open_application", apply(applicant.employee, program, "mentoree", goals="Speaking"))
    keep("voting_application", apply(EmployeeFactory(first_name="Tariq", level=4), program))
    decidable = apply(EmployeeFactory(first_name="Yusuf", level=4), program)
    for member in committee:
        program_services.vote_cast(application=decidable, voter=member, choice="admit")
    keep("decidable_application", decidable)
    keep("other_application", apply(EmployeeFactory(first_name="Olga", level=4), other_program))

    def enrol(employee, role="mentoree", **kwargs):
        return enrol_in(program, committee, employee, role, **kwargs)

    def new_person(first: str, role: str = "mentoree", **kwargs) -> Employee:
        employee = EmployeeFactory(first_name=first, level=7 if role == "mentor" else 4)
        enrol(employee, role, **kwargs)
        return employee

    enrol(mentor.employee, "mentor", capacity=2)
    enrol(other_mentor.employee, "mentor", capacity=2)
    enrol(mentoree.employee, "mentoree")
    keep("participant_needing_acceptance", new_person("Noor", accept=False).user)

    # The pair the tests act in: active, its agreement lets themes reach the coordinator
    active = accept_both(propose(program, mentor, mentoree, by=coordinator))
    conf_services.agreement_change(
        agreement=active.agreement, by=mentoree, rules={"coordinator": "themes"}
    )
    active = sign_both(active)
    assert active.status == Pairing.Status.ACTIVE
    keep("active_pairing", active)
    keep("meeting", log_meeting(active, days=2))
    keep("goal", add_goal(active, "Practise the board presentation"))
    keep("my_note", write_note(active, mentor, "The mentor's own note."))
    built.keep_all(
        "themes",
        [
            conf_services.theme_add(
                agreement=active.agreement,
                by=mentoree,
                audience="coordinator",
                text="Confidence in meetings",
            )
        ],
    )

    # Somebody else's pair, and a pair still waiting to be accepted and signed
    other = accept_both(propose(program, other_mentor, new_person("Nadia"), by=coordinator))
    log_meeting(other, days=3)
    add_goal(other, "Someone else's goal: negotiate the budget")
    keep("other_pairing", other)
    keep("others_note", write_note(other, other_mentor, "Another pair's private note."))
    keep("proposed_pairing", propose(program, other_mentor, new_person("Pia"), by=coordinator))

    # Matching: mentorees without a mentor, a finished run, a pin, the other program's run
    unmatched = new_person("Ugo")
    keep("unmatched_mentoree", unmatched)
    new_person("Ana")
    new_person("Bo")
    new_person("Dee", "mentor", capacity=2)
    run = matching.matching_run_start(program=program, by=coordinator)
    matching.matching_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == MatchingRun.Status.DONE, run.error
    assert run.pairs.count() >= 2
    keep("matching_run", run)
    built.keep_all(
        "pins",
        [
            matching.pin_add(
                program=program, mentor=mentor.employee, mentoree=unmatched, by=coordinator
            )
        ],
    )
    keep(
        "other_matching_run",
        matching.matching_run_start(program=other_program, by=other_coordinator),
    )

    # Group sessions: one next week, one yesterday (attendance), one of the other program
    def session(program_, by, title, days):
        return program_services.session_create(
            program=program_,
            by=by,
            leader=executive.employee,
            title=title,
            description="The President takes questions.",
            starts_at=timezone.now() + timedelta(days=days),
            duration_minutes=90,
            location="Board room",
            capacity=5,
        )

    upcoming = session(program, coordinator, "Leading through uncertainty", 7)
    program_services.session_register(session=upcoming, employee=mentoree.employee)
    past = session(program, coordinator, "Last week's session", 3)
    program_services.session_register(session=past, employee=mentoree.employee)
    GroupSession.objects.filter(pk=past.pk).update(starts_at=timezone.now() - timedelta(days=1))
    keep("group_session", upcoming)
    keep("past_session", past)
    keep("other_session", session(other_program, other_coordinator, "Another session", 9))

    # Talent reviews: one planned without a panel, one in session with a panel, another's
    keep("review", plan_review(mentoree, by=talent_reviewer))
    in_session = plan_review(applicant, by=talent_reviewer, days=10)
    seat(in_session, people["panel_member"], by=talent_reviewer)
    keep("in_session_review", move(in_session, by=talent_reviewer, to="in_session"))
    other_review = plan_review(outsider, by=talent_reviewer, days=28)
    seat(other_review, people["other_panel_member"], by=talent_reviewer)
    keep("other_review", other_review)
    return built


class World:
    """The built world for one test: objects fresh from the database, one client per person."""

    def __init__(self, built: Built) -> None:
        self._built = built
        self._clients: dict[str | None, Client] = {}

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._built.objects:
            raise AttributeError(f"the security world has no {name!r}")
        kind, pk = self._built.objects[name]
        model = MODELS[kind]
        if isinstance(pk, list):
            return list(model.objects.filter(pk__in=pk).order_by("pk"))
        return model.objects.get(pk=pk)

    def client(self, who: str | None) -> Client:
        if who not in self._clients:
            client = Client()
            if who is not None:
                client.force_login(getattr(self, who))
            self._clients[who] = client
        return self._clients[who]

    @property
    def reset_link(self) -> str:
        """The link of a password-reset e-mail to the mentor."""
        mentor = self.mentor
        uid = urlsafe_base64_encode(force_bytes(mentor.pk))
        return reverse(
            "password_reset_confirm", args=[uid, default_token_generator.make_token(mentor)]
        )
