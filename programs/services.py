"""Writes for programs: the program life cycle, per-program roles, the commitment,
applications and the committee, group sessions and resources.

Every refusal is a ValidationError whose message a coordinator understands; views show it
and nothing changes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from confidentiality.models import AccessEvent, ConflictEntry
from confidentiality.register import (
    NEUTRAL_PROGRAM_MESSAGE,
    refusal_record,
    relations_record,
    role_conflicts,
    role_end,
    role_hold,
)
from confidentiality.services import access_event_record
from people.models import Employee, User
from people.roles import HR_ADMINS, PROGRAM_COORDINATORS
from people.services import message_schedule
from programs import selectors
from programs.models import (
    MAX_MENTOR_CAPACITY,
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
from programs.models import RESERVED_SLUGS as RESERVED_SLUGS  # re-exported for callers
from programs.texts import DEFAULT_COMMITMENT_TEXT
from programs.validators import resource_content_type, validate_resource_file

COORDINATE = "coordinate_program"
REVIEW = "review_applications"


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def _require_coordinator(*, user: User, program: Program) -> None:
    if not selectors.is_coordinator(user=user, program=program):
        raise _refuse("Only a coordinator of this program can do that.", "not_coordinator")


# --- Programs -----------------------------------------------------------------------------


PROGRAM_FIELDS = (
    "name",
    "slug",
    "kind",
    "description",
    "audience",
    "applications_open_on",
    "applications_close_on",
    "starts_on",
    "ends_on",
    "default_mentor_capacity",
    "min_mentor_level",
    "max_mentoree_level",
    "quorum_votes",
)


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
            raise _refuse(
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
    _require_coordinator(user=by, program=program)
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
    _require_coordinator(user=by, program=program)
    program = Program.objects.select_for_update().get(pk=program.pk)
    expected = program.next_status
    if to_status != expected:
        current = Program.Status(program.status).label.lower()
        if expected is None:
            raise _refuse("A closed program cannot change status any more.", "bad_transition")
        raise _refuse(
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


def _holder_ids(program: Program, perm: str) -> list[int]:
    """Directory ids of everyone holding this role on the program, active or not."""
    return [
        user.employee.pk
        for user in selectors.role_holders(program=program, codename=perm)
        if getattr(user, "employee", None) is not None
    ]


def _relations_for_applicant(*, program: Program, applicant: Employee) -> None:
    """The applicant's own act makes the program's coordinators and committee members
    mentoring-side relations of theirs (F11): from now on they are off the applicant's
    talent reviews. Never refused: nobody's application waits on an assessor."""
    for perm in (COORDINATE, REVIEW):
        relations_record(
            kind=_ROLE_KINDS[perm],
            person_ids=_holder_ids(program, perm),
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
    return _refuse(f"{name} {NEUTRAL_PROGRAM_MESSAGE}.", "conflict")


def _refuse_self(*, by: User | None, user: User, role: str) -> None:
    if by is not None and by.pk == user.pk:
        raise _refuse(
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
    _require_coordinator(user=by, program=program)
    if not user.is_active:
        raise _refuse("That account is inactive.", "inactive")
    _refuse_self(by=by, user=user, role="committee member")
    with transaction.atomic():
        if _role_grant(program=program, user=user, by=by, perm=REVIEW, request_id=request_id):
            return
    raise _role_refusal(user)


@transaction.atomic
def committee_member_remove(*, program: Program, by: User, user: User) -> None:
    _require_coordinator(user=by, program=program)
    remove_perm(REVIEW, user, program)
    _role_end(program=program, user=user, by=by, perm=REVIEW)


# --- The commitment -------------------------------------------------------------------------


@transaction.atomic
def commitment_publish(*, program: Program, by: User, text: str) -> Commitment:
    """Publish a new version. Every admitted participant is asked to accept it again, and
    until they do they cannot be placed in a new pairing (F5)."""
    _require_coordinator(user=by, program=program)
    text = text.strip()
    if len(text) < 50:
        raise _refuse("The commitment text must state the promise in full.", "too_short")
    program = Program.objects.select_for_update().get(pk=program.pk)
    current = selectors.commitment_current(program=program)
    if current is not None and current.text.strip() == text:
        raise _refuse("This text is the same as the current version.", "unchanged")
    commitment = Commitment.objects.create(
        program=program,
        version=(current.version + 1) if current else 1,
        text=text,
        published_by=by,
    )
    for user in User.objects.filter(
        employee__applications__program=program,
        employee__applications__status=Application.Status.ADMITTED,
    ).distinct():
        message_schedule(
            recipient=user,
            kind="commitment_to_accept",
            key=f"commitment:{commitment.pk}",
            object_id=commitment.pk,
        )
    return commitment


@transaction.atomic
def commitment_accept(*, employee: Employee, program: Program) -> CommitmentAcceptance:
    """Record that an admitted participant accepts the current version (idempotent)."""
    if not selectors.is_admitted(employee=employee, program=program):
        raise _refuse("Only admitted participants accept the program commitment.", "not_admitted")
    commitment = selectors.commitment_current(program=program)
    if commitment is None:
        raise _refuse("This program has no commitment yet.", "no_commitment")
    acceptance, _ = CommitmentAcceptance.objects.get_or_create(
        commitment=commitment, employee=employee, defaults={"text_hash": commitment.text_hash}
    )
    # Pairings waiting on this acceptance may move on (F5). Imported here: pairings builds on
    # programs, not the other way round.
    from pairings.services import pairings_refresh_for

    pairings_refresh_for(employee=employee, program=program)
    return acceptance


# --- Tags ------------------------------------------------------------------------------------


@transaction.atomic
def tag_create(*, by: User, name: str) -> Tag:
    if not selectors.is_any_coordinator(user=by):
        raise _refuse("Only program coordinators manage the tags.", "not_coordinator")
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Give the tag a name."})
    if Tag.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"The tag '{name}' already exists."})
    tag = Tag(name=name)
    tag.full_clean()
    tag.save()
    return tag


@transaction.atomic
def tag_delete(*, by: User, tag: Tag) -> None:
    if not selectors.is_any_coordinator(user=by):
        raise _refuse("Only program coordinators manage the tags.", "not_coordinator")
    tag.delete()


# --- Applications ------------------------------------------------------------------------


def _check_can_apply(*, employee: Employee, program: Program, role: str, today: date) -> None:
    reason = selectors.apply_refusal(employee=employee, program=program, role=role, today=today)
    if reason:
        raise _refuse(reason, "cannot_apply")


def _clean_capacity(*, program: Program, role: str, mentor_capacity: int | None) -> int | None:
    if role != Application.Role.MENTOR:
        return None
    if mentor_capacity is None:
        return program.default_mentor_capacity
    if not 1 <= mentor_capacity <= MAX_MENTOR_CAPACITY:
        raise ValidationError(
            {"mentor_capacity": f"Choose between 1 and {MAX_MENTOR_CAPACITY} mentorees."}
        )
    return mentor_capacity


@transaction.atomic
def application_submit(
    *,
    applicant: Employee,
    program: Program,
    role: str,
    motivation: str,
    goals: str = "",
    tags: Iterable[Tag] = (),
    availability: str = "",
    mentor_capacity: int | None = None,
    today: date | None = None,
) -> Application:
    """Apply to a program. Refused outside the window, when not eligible for the role, and
    when the person already has a live application (the database constraint holds this even
    for two submissions at once)."""
    today = today or timezone.localdate()
    # Locked so that a coordinator or committee member named meanwhile cannot miss this
    # applicant in the conflict register (their grant locks the same row).
    Program.objects.select_for_update().filter(pk=program.pk).first()
    _check_can_apply(employee=applicant, program=program, role=role, today=today)
    application = Application(
        program=program,
        applicant=applicant,
        role=role,
        motivation=motivation.strip(),
        goals=goals.strip(),
        availability=availability.strip(),
        mentor_capacity=_clean_capacity(
            program=program, role=role, mentor_capacity=mentor_capacity
        ),
    )
    if not application.motivation:
        raise ValidationError({"motivation": "Say in a few words why you want to take part."})
    application.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError as exc:
        raise _refuse("You have already applied to this program.", "duplicate") from exc
    application.tags.set(tags)
    _relations_for_applicant(program=program, applicant=applicant)
    for coordinator in selectors.coordinators_of(program=program):
        message_schedule(
            recipient=coordinator,
            kind="application_new",
            key=f"application-new:{application.pk}",
            object_id=application.pk,
        )
    message_schedule(
        recipient=applicant.user,
        kind="application_received",
        key=f"application-received:{application.pk}",
        object_id=application.pk,
    )
    return application


@transaction.atomic
def application_update(
    *,
    application: Application,
    by: Employee,
    motivation: str,
    goals: str = "",
    tags: Iterable[Tag] = (),
    availability: str = "",
    mentor_capacity: int | None = None,
) -> Application:
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.applicant_id != by.pk:
        raise _refuse("Only the applicant can change an application.", "not_owner")
    if not application.is_open:
        raise _refuse("A decided or withdrawn application can no longer be changed.", "decided")
    application.motivation = motivation.strip()
    if not application.motivation:
        raise ValidationError({"motivation": "Say in a few words why you want to take part."})
    application.goals = goals.strip()
    application.availability = availability.strip()
    application.mentor_capacity = _clean_capacity(
        program=application.program, role=application.role, mentor_capacity=mentor_capacity
    )
    application.full_clean(validate_constraints=False)
    application.save()
    application.tags.set(tags)
    return application


@transaction.atomic
def application_withdraw(*, application: Application, by: Employee) -> Application:
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.applicant_id != by.pk:
        raise _refuse("Only the applicant can withdraw an application.", "not_owner")
    if not application.is_open:
        raise _refuse("A decided application can no longer be withdrawn.", "decided")
    application.status = Application.Status.WITHDRAWN
    application.save(update_fields=["status", "updated_at"])
    return application


# --- The committee ---------------------------------------------------------------------------


@transaction.atomic
def vote_cast(*, application: Application, voter: User, choice: str, comment: str = "") -> Vote:
    """A committee member votes (or changes their vote) on an undecided application.

    A member who is the applicant or anywhere above them in the management chain is recused
    and cannot vote; the application does not even appear in their queue.
    """
    application = Application.objects.select_for_update().get(pk=application.pk)
    if not selectors.is_committee_member(user=voter, program=application.program):
        raise _refuse("Only committee members of this program can vote.", "not_member")
    if selectors.is_recused(user=voter, application=application):
        raise _refuse(
            "You are recused from this application: you are the applicant or in their "
            "management chain.",
            "recused",
        )
    if application.status != Application.Status.SUBMITTED:
        raise _refuse("This application has already been decided.", "decided")
    if choice not in Vote.Choice.values:
        raise ValidationError({"choice": "Choose admit, decline or waiting list."})
    vote, _ = Vote.objects.update_or_create(
        application=application,
        voter=voter,
        defaults={"choice": choice, "comment": comment.strip()},
    )
    return vote


_DECISION_STATUS: dict[str, str] = {
    Vote.Choice.ADMIT: Application.Status.ADMITTED,
    Vote.Choice.DECLINE: Application.Status.DECLINED,
    Vote.Choice.WAITLIST: Application.Status.WAITLISTED,
}


@transaction.atomic
def application_decide(
    *, application: Application, by: User, decision: str, reason: str
) -> Application:
    """Record the decision on an application, with its reason.

    A committee member records it once the quorum rule is met (at least `quorum_votes` votes
    and a majority for one choice), and only the majority's choice. A coordinator may also
    decide alone when the committee has fewer eligible members than the quorum, and may
    decide on a waitlisted application. The applicant is told the decision, never the votes.
    """
    application = Application.objects.select_for_update().get(pk=application.pk)
    program = application.program
    reason = reason.strip()
    if decision not in _DECISION_STATUS:
        raise ValidationError({"decision": "Choose admit, decline or waiting list."})
    if not reason:
        raise ValidationError({"reason": "Record the reason for the decision."})
    is_coordinator = selectors.is_coordinator(user=by, program=program)
    is_member = selectors.is_committee_member(user=by, program=program)
    if not (is_coordinator or is_member):
        raise _refuse("Only the committee or a coordinator can decide.", "not_member")
    if selectors.is_recused(user=by, application=application):
        raise _refuse(
            "You are recused from this application: you are the applicant or in their "
            "management chain.",
            "recused",
        )
    if application.status not in Application.UNDECIDED:
        raise _refuse("This application has already been decided.", "decided")
    if (
        decision == Vote.Choice.ADMIT
        and application.role == Application.Role.MENTOR
        and application.applicant.is_group_only
    ):
        # F4 holds at admission too: someone promoted since they applied leads groups now.
        raise _refuse(
            "This applicant is now at the group-only level: they lead group mentoring "
            "sessions instead of mentoring one person, so they cannot be admitted as a mentor.",
            "group_only",
        )
    tally = selectors.vote_tally(application=application)
    small_committee = selectors.eligible_committee_size(application=application) < (
        program.quorum_votes
    )
    coordinator_alone = is_coordinator and (
        small_committee or application.status == Application.Status.WAITLISTED
    )
    if not coordinator_alone:
        if application.status == Application.Status.WAITLISTED:
            raise _refuse(
                "Only a coordinator admits or declines people on the waiting list.", "waitlisted"
            )
        if tally.majority is None:
            raise _refuse(
                f"The quorum is not met yet: a decision needs at least {program.quorum_votes} "
                f"votes and a majority for one choice ({tally.total} vote(s) so far).",
                "no_quorum",
            )
        if decision != tally.majority:
            raise _refuse(
                f"The committee's majority voted to {Vote.Choice(tally.majority).label.lower()}; "
                "record that decision or keep voting.",
                "against_majority",
            )
    application.status = _DECISION_STATUS[decision]
    application.decided_at = timezone.now()
    application.decided_by = by
    application.decision_reason = reason
    application.save()
    message_schedule(
        recipient=application.applicant.user_id,
        kind="application_decided",
        key=f"application-decided:{application.pk}:{application.status}",
        object_id=application.pk,
    )
    current = selectors.commitment_current(program=program)
    if application.status == Application.Status.ADMITTED and current is not None:
        message_schedule(
            recipient=application.applicant.user_id,
            kind="commitment_to_accept",
            key=f"commitment:{current.pk}",
            object_id=current.pk,
        )
    return application


# --- Group sessions --------------------------------------------------------------------------

SESSION_FIELDS = ("title", "description", "starts_at", "duration_minutes", "location", "capacity")


@transaction.atomic
def session_create(
    *, program: Program, by: User, leader: Employee, **fields: object
) -> GroupSession:
    """A coordinator schedules a group session and names its leader (typically an executive
    at or above the group-only level, who leads groups instead of mentoring one person)."""
    _require_coordinator(user=by, program=program)
    if program.status == Program.Status.CLOSED:
        raise _refuse("The program is closed.", "closed")
    if not leader.is_active:
        raise ValidationError({"leader": "The leader must be an active employee."})
    session = GroupSession(program=program, leader=leader, **fields)
    session.full_clean()
    if session.starts_at <= timezone.now():
        raise ValidationError({"starts_at": "Schedule the session in the future."})
    if session.starts_at > timezone.now() + timedelta(days=5 * 366):
        raise ValidationError({"starts_at": "Schedule the session within the next five years."})
    session.save()
    # Leading a session reads who registered and who attended (F11, F13): the grant is
    # recorded; its relations are made as people register.
    _role_event(by=by, user=leader.user, obj=session, detail="session leader", granted=True)
    message_schedule(
        recipient=leader.user_id,
        kind="session_leader",
        key=f"session-leader:{session.pk}",
        object_id=session.pk,
    )
    _session_reminder_schedule(session=session, user_id=leader.user_id)
    return session


def _session_reminder_schedule(*, session: GroupSession, user_id: int) -> None:
    """The day-before reminder, as a due row (never a far-future task); none when the session
    is less than a day away. Delivery skips it if the person is no longer registered."""
    due_at = session.starts_at - timedelta(hours=settings.SESSION_REMINDER_HOURS)
    if due_at > timezone.now():
        message_schedule(
            recipient=user_id,
            kind="session_reminder",
            key=f"session-reminder:{session.pk}",
            object_id=session.pk,
            due_at=due_at,
        )


@transaction.atomic
def session_register(*, session: GroupSession, employee: Employee) -> Registration:
    """Register an admitted participant; when the session is full they join the waiting list.

    The session row is locked, so two people cannot both take the last seat.
    """
    session = GroupSession.objects.select_for_update().get(pk=session.pk)
    if not selectors.is_admitted(employee=employee, program=session.program):
        raise _refuse("Only admitted participants of the program can register.", "not_admitted")
    if session.starts_at <= timezone.now():
        raise _refuse("This session has already taken place.", "past")
    existing = Registration.objects.filter(session=session, participant=employee).first()
    if existing and existing.status != Registration.Status.CANCELLED:
        raise _refuse("You are already registered for this session.", "duplicate")
    taken = session.registrations.filter(status=Registration.Status.REGISTERED).count()
    status = (
        Registration.Status.REGISTERED
        if taken < session.capacity
        else Registration.Status.WAITLISTED
    )
    registration = existing or Registration(session=session, participant=employee)
    registration.status = status
    registration.queued_at = timezone.now()
    registration.attended = None
    registration.save()
    # The participant's own act: the leader becomes a mentoring-side relation (F11).
    relations_record(
        kind=ConflictEntry.Kind.LEADING,
        person_ids=[session.leader_id],
        subject_id=employee.pk,
        reference=session.pk,
    )
    _session_reminder_schedule(session=session, user_id=employee.user_id)
    return registration


@transaction.atomic
def session_cancel_registration(*, session: GroupSession, employee: Employee) -> None:
    """Cancel a registration; the first person on the waiting list moves up and is told."""
    session = GroupSession.objects.select_for_update().get(pk=session.pk)
    registration = (
        Registration.objects.filter(session=session, participant=employee)
        .exclude(status=Registration.Status.CANCELLED)
        .first()
    )
    if registration is None:
        raise _refuse("You are not registered for this session.", "not_registered")
    freed_seat = registration.status == Registration.Status.REGISTERED
    registration.status = Registration.Status.CANCELLED
    registration.save(update_fields=["status"])
    if not freed_seat:
        return
    waiting = (
        session.registrations.filter(status=Registration.Status.WAITLISTED)
        .select_related("participant__user")
        .order_by("queued_at", "pk")
        .first()
    )
    if waiting is not None:
        waiting.status = Registration.Status.REGISTERED
        waiting.save(update_fields=["status"])
        message_schedule(
            recipient=waiting.participant.user_id,
            kind="session_seat",
            key=f"session-seat:{waiting.pk}:{int(waiting.queued_at.timestamp())}",
            object_id=waiting.pk,
        )


@transaction.atomic
def session_record_attendance(
    *, session: GroupSession, by: User, attended_ids: Iterable[int]
) -> int:
    """The leader or a coordinator marks who came; everyone else registered did not."""
    is_leader = session.leader.user_id == by.pk
    if not (is_leader or selectors.is_coordinator(user=by, program=session.program)):
        raise _refuse("Only the session's leader or a coordinator records attendance.", "denied")
    if session.starts_at > timezone.now():
        raise _refuse("Attendance can be recorded once the session has started.", "future")
    registered = session.registrations.filter(status=Registration.Status.REGISTERED)
    attended = set(attended_ids)
    unknown = attended - set(registered.values_list("pk", flat=True))
    if unknown:
        raise _refuse("Attendance can only be recorded for registered participants.", "unknown")
    registered.filter(pk__in=attended).update(attended=True)
    registered.exclude(pk__in=attended).update(attended=False)
    return len(attended)


# --- Resources -------------------------------------------------------------------------------


@transaction.atomic
def resource_publish(
    *,
    by: User,
    program: Program | None,
    title: str,
    file: UploadedFile,
    description: str = "",
) -> Resource:
    """Publish a paper for one program (its coordinators) or for everyone (HR admins)."""
    if program is None:
        if not by.has_perm("programs.add_resource"):
            raise _refuse("Only HR admins publish resources for everyone.", "denied")
    elif not (
        selectors.is_coordinator(user=by, program=program) or by.has_perm("programs.add_resource")
    ):
        raise _refuse("Only a coordinator of this program can publish resources.", "denied")
    validate_resource_file(file)
    name = file.name or "paper"
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    resource = Resource(
        program=program,
        title=title.strip(),
        description=description.strip(),
        original_name=name[-200:],
        content_type=resource_content_type(name),
        size=file.size or 0,
        checksum=digest.hexdigest(),
        uploaded_by=by,
    )
    resource.file = file
    resource.full_clean()
    resource.save()
    return resource


def resource_count_download(*, resource: Resource) -> None:
    from django.db.models import F

    Resource.objects.filter(pk=resource.pk).update(download_count=F("download_count") + 1)


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
