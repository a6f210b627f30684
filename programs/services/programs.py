"""Writes for programs: the program life cycle and its per-program roles (coordinators,
committee), with every grant held against the conflict register (F11) and logged."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from guardian.shortcuts import assign_perm, remove_perm

from core.refusals import refuse
from firewall.access import access_event_record
from firewall.models import AccessEvent, ConflictEntry
from firewall.register import (
    NEUTRAL_PROGRAM_MESSAGE,
    refusal_record,
    relations_record,
    role_conflicts,
    role_end,
    role_hold,
)
from people.models import Employee, User
from people.roles import HR_ADMINS, PROGRAM_COORDINATORS
from programs import selectors
from programs.models import (
    PROGRAM_FIELDS,
    Application,
    Commitment,
    GroupSession,
    Program,
)
from programs.services.common import COORDINATE, REVIEW, require_coordinator
from programs.texts import DEFAULT_COMMITMENT_TEXT


def _check_program(program: Program) -> None:
    """The program's own rules (Program.clean) and its database constraints, as field errors."""
    program.full_clean()


@transaction.atomic
def program_create(
    *,
    created_by: User,
    coordinators: Iterable[User] = (),
    commitment_text: str = DEFAULT_COMMITMENT_TEXT,
    **fields: object,
) -> Program:
    """Create a program in draft with version 1 of its commitment.

    In the browser the creator (a member of "Program coordinators") becomes its coordinator;
    HR admins in the admin name the coordinators instead.
    """
    unknown = set(fields) - set(PROGRAM_FIELDS)
    if unknown:
        raise TypeError(f"unknown program fields: {sorted(unknown)}")
    program = Program(created_by=created_by, status=Program.Status.DRAFT, **fields)
    _check_program(program)
    program.save()
    Commitment.objects.create(
        program=program, version=1, text=commitment_text, published_by=created_by
    )
    for user in coordinators:
        # A brand-new program has no applicants: its creator, already a coordinator named by
        # someone else (a member of "Program coordinators"), coordinates it; the grant is
        # recorded like any other. Anyone else (an HR admin) names coordinators in the admin
        # and never themselves (F13).
        if user.pk == created_by.pk and _administers(user):
            raise refuse(
                "Only a coordinator creates a program in the browser and runs it. HR admins "
                "create programs in the admin and name their coordinators there.",
                "self_grant",
            )
        if not _role_grant(program=program, user=user, by=created_by, perm=COORDINATE):
            raise _role_refusal(user)
        _coordinators_group_join(user)
    return program


@transaction.atomic
def program_update(*, program: Program, by: User, **fields: object) -> Program:
    require_coordinator(user=by, program=program)
    unknown = set(fields) - set(PROGRAM_FIELDS)
    if unknown:
        raise TypeError(f"unknown program fields: {sorted(unknown)}")
    # A fresh row: a refused change must not leave the caller's object half-changed.
    program = Program.objects.select_for_update().get(pk=program.pk)
    for name, value in fields.items():
        setattr(program, name, value)
    _check_program(program)
    program.save()
    return program


@transaction.atomic
def program_transition(*, program: Program, by: User, to_status: str) -> Program:
    """Move a program one step along draft -> accepting -> running -> closed, never else."""
    require_coordinator(user=by, program=program)
    program = Program.objects.select_for_update().get(pk=program.pk)
    expected = program.next_status
    if to_status != expected:
        current = Program.Status(program.status).label.lower()
        if expected is None:
            raise refuse("A closed program cannot change status any more.", "bad_transition")
        raise refuse(
            f"A program that is {current} can only move to "
            f"'{Program.Status(expected).label.lower()}'.",
            "bad_transition",
        )
    program.status = to_status
    program.save(update_fields=["status", "updated_at"])
    return program


# Roles that read mentoring content (F11, F13). Every grant and removal is an access event
# naming who granted it; nobody grants one to themselves; the conflict register refuses a
# person who sits on or runs an open review of someone the role would let them read about.

ROLE_LABELS = {COORDINATE: "coordinator", REVIEW: "committee member"}
_ROLE_KINDS = {COORDINATE: ConflictEntry.Kind.COORDINATING, REVIEW: ConflictEntry.Kind.COMMITTEE}


def _person_id(user: User) -> int | None:
    return Employee.objects.filter(user_id=user.pk).values_list("pk", flat=True).first()


def _applicant_ids(program: Program) -> list[int]:
    return list(Application.objects.filter(program=program).values_list("applicant_id", flat=True))


def _role_event(*, by: User | None, user: User, obj, detail: str, granted: bool) -> None:
    access_event_record(
        actor=by,
        action=AccessEvent.Action.GRANT if granted else AccessEvent.Action.REVOKE,
        object_type="group session" if isinstance(obj, GroupSession) else "program",
        object_id=obj.pk,
        outcome=AccessEvent.Outcome.ALLOWED,
        concerns=user,
        detail=detail,
    )


def _relations_for_applicant(*, program: Program, applicant: Employee) -> None:
    """The applicant's own act makes the program's coordinators and committee members
    mentoring-side relations of theirs (F11): from now on they are off the applicant's
    talent reviews. Never refused: nobody's application waits on an assessor."""
    for perm in (COORDINATE, REVIEW):
        relations_record(
            kind=_ROLE_KINDS[perm],
            person_ids=selectors.role_holder_employee_ids(program=program, codename=perm),
            subject_id=applicant.pk,
            reference=program.pk,
        )


def _role_grant(
    *, program: Program, user: User, by: User | None, perm: str, request_id: str = ""
) -> bool:
    """Grant a program role under the register's locks. False (and a recorded refusal) when
    the person sits on or runs an open review of one of the program's applicants."""
    # The program row is locked so that an application submitted meanwhile cannot miss the
    # new role holder (application_submit locks it too).
    Program.objects.select_for_update().filter(pk=program.pk).first()
    person_id = _person_id(user)
    if person_id is not None and not role_hold(
        kind=_ROLE_KINDS[perm],
        person_id=person_id,
        subject_ids=_applicant_ids(program),
        reference=program.pk,
        actor=by,
        request_id=request_id,
    ):
        return False
    assign_perm(perm, user, program)
    _role_event(by=by, user=user, obj=program, detail=ROLE_LABELS[perm], granted=True)
    return True


def _administers(user: User) -> bool:
    """An HR admin or an administration account that is not (also) a coordinator named by
    someone else: such a person never makes themselves coordinator by creating a program."""
    groups = set(user.groups.values_list("name", flat=True))
    return (user.is_superuser or user.is_staff or HR_ADMINS in groups) and (
        PROGRAM_COORDINATORS not in groups
    )


def _coordinators_group_join(user: User) -> None:
    """Coordinators of any program may create programs (the group's global permission)."""
    group, _ = Group.objects.get_or_create(name=PROGRAM_COORDINATORS)
    user.groups.add(group)


def _role_refusal(user: User) -> ValidationError:
    name = user.get_full_name() or user.get_username()
    return refuse(f"{name} {NEUTRAL_PROGRAM_MESSAGE}.", "conflict")


def _refuse_self(*, by: User | None, user: User, role: str) -> None:
    if by is not None and by.pk == user.pk:
        raise refuse(
            f"Nobody names themselves {role}: ask another HR admin or coordinator.", "self_grant"
        )


def coordinator_add(*, program: Program, user: User, by: User | None, request_id: str = "") -> None:
    """Name a coordinator. Refused for oneself, and (recorded, in neutral words) for someone
    who sits on or runs an open review of one of the program's applicants."""
    _refuse_self(by=by, user=user, role="coordinator")
    with transaction.atomic():
        if _role_grant(program=program, user=user, by=by, perm=COORDINATE, request_id=request_id):
            _coordinators_group_join(user)
            return
    raise _role_refusal(user)


@transaction.atomic
def coordinator_remove(*, program: Program, user: User, by: User | None) -> None:
    remove_perm(COORDINATE, user, program)
    _role_end(program=program, user=user, by=by, perm=COORDINATE)


def _role_end(*, program: Program, user: User, by: User | None, perm: str) -> None:
    person_id = _person_id(user)
    if person_id is not None:
        # What the person read stays known to them: the relation ends and still keeps them
        # off the applicants' reviews for the look-back.
        role_end(kind=_ROLE_KINDS[perm], person_id=person_id, reference=program.pk)
    _role_event(by=by, user=user, obj=program, detail=ROLE_LABELS[perm], granted=False)


def committee_member_add(*, program: Program, by: User, user: User, request_id: str = "") -> None:
    require_coordinator(user=by, program=program)
    if not user.is_active:
        raise refuse("That account is inactive.", "inactive")
    _refuse_self(by=by, user=user, role="committee member")
    with transaction.atomic():
        if _role_grant(program=program, user=user, by=by, perm=REVIEW, request_id=request_id):
            return
    raise _role_refusal(user)


@transaction.atomic
def committee_member_remove(*, program: Program, by: User, user: User) -> None:
    require_coordinator(user=by, program=program)
    remove_perm(REVIEW, user, program)
    _role_end(program=program, user=user, by=by, perm=REVIEW)


def program_save_from_admin(
    *, program: Program, by: User, coordinators: Iterable[User], request_id: str = ""
) -> Program:
    """HR admins create and edit programs in the admin and name their coordinators there.
    Nobody names themselves (F13); a person who sits on or runs an open review of one of the
    program's applicants is refused in neutral words, and the refusal is recorded (F11).
    All or nothing: a refused coordinator leaves the program as it was."""
    wanted = set(coordinators)
    current = set(selectors.coordinators_of(program=program)) if program.pk else set()
    added = wanted - current
    for user in added:
        _refuse_self(by=by, user=user, role="coordinator")
    if program.pk is not None:
        applicants = _applicant_ids(program)
        for user in added:
            person_id = _person_id(user)
            if person_id is not None and role_conflicts(
                person_id=person_id, subject_ids=applicants
            ):
                refusal_record(actor=by, object_type="program role", request_id=request_id)
                raise _role_refusal(user)
    with transaction.atomic():
        is_new = program.pk is None
        if is_new:
            program.created_by = by
        _check_program(program)
        program.save()
        if is_new:
            Commitment.objects.create(
                program=program, version=1, text=DEFAULT_COMMITMENT_TEXT, published_by=by
            )
        for user in added:
            if not _role_grant(program=program, user=user, by=by, perm=COORDINATE):
                raise _role_refusal(user)
            _coordinators_group_join(user)
        for user in current - wanted:
            coordinator_remove(program=program, user=user, by=by)
    return program
