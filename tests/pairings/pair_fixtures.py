"""Fixtures and helpers for the pairing tests (constraints, the pair's space, suggestions,
ending, the coordinator's pages, query counts).

Everything is built through the services, as in real life: a program is created and opened by
`coordinator`, people apply and are admitted by a committee of three, accept the program
commitment (F5), and are proposed as a pair by the coordinator, which grants both members the
`pairings.access_pairing` object permission and tells them.

Import into a test module with `from tests.pairings.pair_fixtures import *  # noqa: F403`;
fixtures defined here take precedence over any of the same name in a conftest.

Named people (tests/conftest.py): `mentor` (level 7, Risk), `mentoree` (level 5, Technology),
`other_mentor` (level 7, Operations), `coordinator`, `committee_member`, `outsider`,
`hr_admin`, `superuser`. All are based in London (the factory's default location).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db.models import Model
from django.utils import timezone

from pairings import services as pairing_services
from pairings.models import (
    Goal,
    Meeting,
    Pairing,
    PairingUserObjectPermission,
    PrivateEndReason,
)
from people.models import Employee, Message, Notification
from programs import services as program_services
from programs.models import Application, CommitmentAcceptance, Program
from tests.factories import EmployeeFactory
from tests.programs.conftest import apply, decide_by_committee, make_program

# A new commitment text (publishing it asks every admitted participant to accept again).
NEW_COMMITMENT_TEXT = (
    "Version two of the promise. Your job is safe, what you say stays in the pair, and "
    "either of you can end the pairing at any time without fault."
)

# Words each refusal of pairing_refusals uses to name its rule.
RULE_WORDS = {
    "self": "cannot mentor themselves",
    "mentor_admitted": "is not an admitted mentor of this program",
    "mentoree_admitted": "is not an admitted mentoree of this program",
    "group_only": "group-only level",
    "chain": "same management chain",
    "capacity": "no capacity left",
    "live": "already has a mentor in this program",
    "commitment": "has not accepted the current program commitment",
}

# What the coordinator's proposal and activation notifications say.
PROPOSED_TITLE = "you have a proposed mentoring pair to look at"
ACTIVE_TITLE = "your mentoring pair is active"
ENDED_TITLE = "your mentoring pair has ended"

MEETING_FORM_FORMAT = "%Y-%m-%dT%H:%M"


# --- Plain helpers ---------------------------------------------------------------------------


def person(**fields) -> Employee:
    """A new directory entry (with its account); defaults from EmployeeFactory."""
    return EmployeeFactory(**fields)


def enrol_in(
    program: Program,
    committee: list,
    employee: Employee,
    role: str = Application.Role.MENTOREE,
    *,
    capacity: int | None = None,
    accept: bool = True,
    tags=(),
    decision: str = "admit",
) -> Application:
    """Apply to `program`, be decided by the committee, and (when admitted and `accept`)
    accept the current program commitment."""
    kwargs = {"tags": tags}
    if role == Application.Role.MENTOR and capacity is not None:
        kwargs["mentor_capacity"] = capacity
    application = apply(employee, program, role, **kwargs)
    application = decide_by_committee(application, committee, decision)
    if accept and application.status == Application.Status.ADMITTED:
        program_services.commitment_accept(employee=employee, program=program)
    return application


def propose(program: Program, mentor, mentoree, *, by=None, **kwargs) -> Pairing:
    """pairing_propose for Employees or Users (their employee entry is used)."""
    return pairing_services.pairing_propose(
        program=program,
        mentor=as_employee(mentor),
        mentoree=as_employee(mentoree),
        by=by,
        **kwargs,
    )


def as_employee(who) -> Employee:
    return who if isinstance(who, Employee) else who.employee


def sign_both(pairing: Pairing) -> Pairing:
    """Both members sign the current version of the pair's agreement."""
    from confidentiality.services import agreement_sign

    agreement = pairing.agreement
    agreement.refresh_from_db()
    for member in (pairing.mentor, pairing.mentoree):
        agreement_sign(
            agreement=agreement,
            signer=member.user,
            typed_name=member.full_name,
            confirmed=True,
            text_hash=agreement.text_hash(),
        )
    return Pairing.objects.get(pk=pairing.pk)


def accept_both(pairing: Pairing) -> Pairing:
    """Both members accept the match and sign the agreement: what makes a pairing active
    once the mentoree has accepted the current commitment (F5)."""
    pairing_services.pairing_accept(pairing=pairing, by=pairing.mentor)
    pairing_services.pairing_accept(pairing=pairing, by=pairing.mentoree)
    return sign_both(pairing)


def log_meeting(pairing: Pairing, *, days: float, hour: int = 10, **kwargs) -> Meeting:
    """A meeting `days` from today (negative: in the past) at `hour`:00, on the minute."""
    starts_at = (timezone.localtime() + timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )
    kwargs.setdefault("duration_minutes", 60)
    kwargs.setdefault("format", Meeting.Format.VIDEO)
    return pairing_services.meeting_log(
        pairing=pairing, by=pairing.mentor, starts_at=starts_at, **kwargs
    )


def add_goal(pairing: Pairing, title: str) -> Goal:
    return pairing_services.goal_create(pairing=pairing, by=pairing.mentoree, title=title)


def refusal_text(exc_info) -> str:
    """All messages of a ValidationError caught with pytest.raises, as one string."""
    return " ".join(exc_info.value.messages)


def flash_messages(response) -> list[str]:
    """The messages a view queued for the next page."""
    return [str(m) for m in get_messages(response.wsgi_request)]


def row_counts() -> dict[str, int]:
    """Rows that a refused proposal must leave as they were."""
    models: list[type[Model]] = [
        Pairing,
        PairingUserObjectPermission,
        Message,
        Notification,
        Meeting,
        Goal,
        PrivateEndReason,
        CommitmentAcceptance,
    ]
    return {model.__name__: model.objects.count() for model in models}


# --- Fixtures --------------------------------------------------------------------------------


@pytest.fixture
def program(coordinator) -> Program:
    """A one-to-one program accepting applications, run by `coordinator` (default mentor
    capacity: 2)."""
    return make_program(coordinator=coordinator)


@pytest.fixture
def other_coordinator(db):
    """Runs another program; has no part in `program`."""
    return EmployeeFactory(
        first_name="Oscar", last_name="Lindqvist", title="Program Lead", level=6
    ).user


@pytest.fixture
def other_program(other_coordinator) -> Program:
    return make_program(
        coordinator=other_coordinator, name="Lead 2027", slug="lead-2027", kind="executive"
    )


@pytest.fixture
def committee(program, coordinator, committee_member) -> list:
    """Three committee members of `program`: the named one first, then two directors."""
    members = [committee_member] + [
        EmployeeFactory(title="Director", department=dept, level=7).user
        for dept in ("Finance", "Audit")
    ]
    for member in members:
        program_services.committee_member_add(program=program, by=coordinator, user=member)
    return members


@pytest.fixture
def enrol(program, committee):
    """`enrol(who, role="mentoree", capacity=None, accept=True, tags=(), decision="admit")`:
    apply to `program`, be decided by its committee and accept the commitment. `who` is a
    User or an Employee; returns the Application."""

    def _enrol(who, role: str = Application.Role.MENTOREE, **kwargs) -> Application:
        return enrol_in(program, committee, as_employee(who), role, **kwargs)

    return _enrol


@pytest.fixture
def new_mentor(enrol):
    """`new_mentor(capacity=None, accept=True, **employee_fields)`: a fresh admitted mentor
    (level 7 unless told) who accepted the commitment."""

    def _new_mentor(*, capacity=None, accept=True, tags=(), **fields) -> Employee:
        fields.setdefault("level", 7)
        fields.setdefault("title", "Director")
        employee = person(**fields)
        enrol(employee, Application.Role.MENTOR, capacity=capacity, accept=accept, tags=tags)
        return employee

    return _new_mentor


@pytest.fixture
def new_mentoree(enrol):
    """`new_mentoree(accept=True, **employee_fields)`: a fresh admitted mentoree (level 4)."""

    def _new_mentoree(*, accept=True, tags=(), **fields) -> Employee:
        fields.setdefault("level", 4)
        employee = person(**fields)
        enrol(employee, Application.Role.MENTOREE, accept=accept, tags=tags)
        return employee

    return _new_mentoree


@pytest.fixture
def enrolled(enrol, mentor, mentoree, other_mentor):
    """`mentor` and `other_mentor` admitted as mentors (capacity 2 each), `mentoree` as a
    mentoree; all three accepted the current commitment."""
    enrol(mentor, Application.Role.MENTOR, capacity=2)
    enrol(other_mentor, Application.Role.MENTOR, capacity=2)
    enrol(mentoree, Application.Role.MENTOREE)
    return {"mentor": mentor, "mentoree": mentoree, "other_mentor": other_mentor}


@pytest.fixture
def pairing(program, enrolled, mentor, mentoree, coordinator) -> Pairing:
    """`mentor` and `mentoree`, proposed by the coordinator (status: proposed)."""
    return propose(program, mentor, mentoree, by=coordinator)


@pytest.fixture
def active_pairing(pairing) -> Pairing:
    """The same pair after both accepted the match (status: active)."""
    pairing = accept_both(pairing)
    assert pairing.status == Pairing.Status.ACTIVE
    return pairing


@pytest.fixture
def other_pairing(program, enrolled, other_mentor, new_mentoree, coordinator) -> Pairing:
    """Someone else's active pair in the same program (`other_mentor` with a new mentoree),
    with one upcoming meeting and one goal."""
    pairing = accept_both(
        propose(program, other_mentor, new_mentoree(first_name="Nadia"), by=coordinator)
    )
    log_meeting(pairing, days=3)
    add_goal(pairing, "Someone else's goal: negotiate the budget")
    return pairing
