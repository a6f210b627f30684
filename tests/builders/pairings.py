"""Builders for pairings: enrolment, proposals, acceptance and signatures, meetings, and the
words the pages use, all through the services.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.messages import get_messages
from django.db.models import Model
from django.utils import timezone

from confidentiality.services import agreement_sign
from notifications.models import Message, Notification
from pairings import services as pairing_services
from pairings.models import (
    Goal,
    Meeting,
    Pairing,
    PairingUserObjectPermission,
    PrivateEndReason,
)
from people.models import Employee
from programs import services as program_services
from programs.models import Application, CommitmentAcceptance, Program
from tests.builders.programs import apply, decide_by_committee
from tests.factories import EmployeeFactory

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

# Everyone who might try to read a pair's things, by fixture name: its two members, another
# mentor, the program's coordinator and a committee member, HR, a superuser, an outsider.
AROUND_A_PAIR = (
    "mentor",
    "mentoree",
    "other_mentor",
    "coordinator",
    "committee_member",
    "hr_admin",
    "superuser",
    "outsider",
)


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
