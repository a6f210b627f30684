"""Writes for group sessions: scheduling, leading, registering and cancelling."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.refusals import refuse
from firewall.models import ConflictEntry
from firewall.register import (
    NEUTRAL_PROGRAM_MESSAGE,
    relations_record,
    role_end,
    role_hold,
)
from notifications.messaging import message_schedule, messages_cancel
from people.models import Employee, User
from programs import selectors
from programs.models import (
    GroupSession,
    Program,
    Registration,
)
from programs.services.common import require_coordinator
from programs.services.programs import _role_event

SESSION_FIELDS = ("title", "description", "starts_at", "duration_minutes", "location", "capacity")
# What the leader may change on their own session; the seats are the coordinator's to set.
LEADER_FIELDS = ("title", "description", "starts_at", "duration_minutes", "location")
# What a calendar shows: a change to one of these is a new SEQUENCE and a notice.
CALENDAR_FIELDS = ("title", "starts_at", "duration_minutes", "location", "leader")


@transaction.atomic
def session_create(
    *, program: Program, by: User, leader: Employee, **fields: object
) -> GroupSession:
    """A coordinator schedules a group session and names its leader (typically an executive
    at or above the group-only level, who leads groups instead of mentoring one person)."""
    require_coordinator(user=by, program=program)
    if program.status == Program.Status.CLOSED:
        raise refuse("The program is closed.", "closed")
    if not leader.is_active:
        raise ValidationError({"leader": "The leader must be an active employee."})
    session = GroupSession(program=program, leader=leader, **fields)
    session.full_clean()
    _check_starts_at(session)
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


def _check_starts_at(session: GroupSession) -> None:
    if session.starts_at <= timezone.now():
        raise ValidationError({"starts_at": "Schedule the session in the future."})
    if session.starts_at > timezone.now() + timedelta(days=5 * 366):
        raise ValidationError({"starts_at": "Schedule the session within the next five years."})


def _reminder_key(session: GroupSession, sequence: int | None = None) -> str:
    """One reminder per person and version of the session: a new time makes a new key, so the
    old reminder can be withdrawn and the new one scheduled (one row per recipient and key)."""
    sequence = session.sequence if sequence is None else sequence
    return f"session-reminder:{session.pk}" + (f":{sequence}" if sequence else "")


def _session_reminder_schedule(*, session: GroupSession, user_id: int) -> None:
    """The day-before reminder, as a due row (never a far-future task); none when the session
    is less than a day away. Delivery skips it if the person is no longer registered."""
    due_at = session.starts_at - timedelta(hours=settings.SESSION_REMINDER_HOURS)
    if due_at > timezone.now():
        message_schedule(
            recipient=user_id,
            kind="session_reminder",
            key=_reminder_key(session),
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
        raise refuse("Only admitted participants of the program can register.", "not_admitted")
    if session.is_cancelled:
        raise refuse("This session was cancelled.", "cancelled")
    if session.starts_at <= timezone.now():
        raise refuse("This session has already taken place.", "past")
    existing = Registration.objects.filter(session=session, participant=employee).first()
    if existing and existing.status != Registration.Status.CANCELLED:
        raise refuse("You are already registered for this session.", "duplicate")
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
    if session.is_cancelled:
        raise refuse("This session was cancelled: there is no registration to cancel.", "cancelled")
    registration = (
        Registration.objects.filter(session=session, participant=employee)
        .exclude(status=Registration.Status.CANCELLED)
        .first()
    )
    if registration is None:
        raise refuse("You are not registered for this session.", "not_registered")
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
        _move_up(waiting)


def _move_up(waiting: Registration) -> None:
    """A person on the waiting list takes a seat and is told."""
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
        raise refuse("Only the session's leader or a coordinator records attendance.", "denied")
    if session.is_cancelled:
        raise refuse("This session was cancelled: there is no attendance to record.", "cancelled")
    if session.starts_at > timezone.now():
        raise refuse("Attendance can be recorded once the session has started.", "future")
    registered = session.registrations.filter(status=Registration.Status.REGISTERED)
    attended = set(attended_ids)
    unknown = attended - set(registered.values_list("pk", flat=True))
    if unknown:
        raise refuse("Attendance can only be recorded for registered participants.", "unknown")
    registered.filter(pk__in=attended).update(attended=True)
    registered.exclude(pk__in=attended).update(attended=False)
    return len(attended)


def _involved(session: GroupSession) -> set[int]:
    """Everyone whose plans the session is in: its leader and every person registered or
    waiting."""
    user_ids = set(
        session.registrations.exclude(status=Registration.Status.CANCELLED).values_list(
            "participant__user_id", flat=True
        )
    )
    return user_ids | {session.leader.user_id}


def _reminders_withdraw(session: GroupSession) -> None:
    """Withdraw every reminder of any earlier version of the session not yet sent."""
    messages_cancel(keys=[_reminder_key(session, n) for n in range(session.sequence + 1)])


# A coordinator also names another leader; the leader's name is in the calendar event.
COORDINATOR_FIELDS = (*SESSION_FIELDS, "leader")


def session_update(
    *, session: GroupSession, by: User, request_id: str = "", **fields: object
) -> list[str]:
    """Change a session that has not yet taken place; returns the names of the fields that
    changed. A coordinator of the program changes any field, the leader too; the leader
    changes everything but the number of seats and who leads. A change that calendars show
    (title, time, length, place, leader) makes a new SEQUENCE under the same UID and a notice
    to the leader and everyone registered or waiting, scheduled in this transaction; a new
    time or leader also moves their reminders. More seats move people up from the waiting
    list; fewer seats than people registered is refused.

    A new leader takes a mentoring-side role towards everyone registered or waiting (F11):
    the conflict register is asked under its locks before anything is written, and refuses
    in neutral words when they sit on or run an open review of one of them. The refusal is
    recorded (its transaction commits with nothing else in it) and raised after. The old
    leader's relations end and still count within the look-back.
    """
    unknown = set(fields) - set(COORDINATOR_FIELDS)
    if unknown:
        raise TypeError(f"not a field of a session: {sorted(unknown)}")
    with transaction.atomic():
        changed = _session_update(session=session, by=by, request_id=request_id, fields=fields)
    if changed is None:
        leader = cast(Employee, fields["leader"])
        raise ValidationError(
            {
                "leader": ValidationError(
                    f"{leader.full_name} {NEUTRAL_PROGRAM_MESSAGE}.", "conflict"
                )
            }
        )
    return changed


def _session_update(
    *, session: GroupSession, by: User, request_id: str, fields: dict[str, object]
) -> list[str] | None:
    """`session_update` inside its transaction; None when the register refused the new
    leader (the refusal recorded, nothing else written)."""
    session = GroupSession.objects.select_for_update().select_related("leader").get(pk=session.pk)
    is_coordinator = selectors.is_coordinator(user=by, program=session.program)
    if not (is_coordinator or session.leader.user_id == by.pk):
        raise refuse("Only the session's leader or a coordinator can change it.", "denied")
    if session.is_cancelled:
        raise refuse("This session was cancelled; it can no longer be changed.", "cancelled")
    if session.starts_at <= timezone.now():
        raise refuse(
            "This session has already taken place, so its details stay as they were.", "past"
        )
    changed = [name for name in fields if getattr(session, name) != fields[name]]
    if not changed:
        return []
    if "capacity" in changed and not is_coordinator:
        raise ValidationError({"capacity": "Only a coordinator of the program sets the seats."})
    old_starts_at = session.starts_at
    old_leader = session.leader
    new_leader = cast(Employee, fields["leader"]) if "leader" in changed else None
    if new_leader is not None:
        if not is_coordinator:
            raise ValidationError({"leader": "Only a coordinator of the program names the leader."})
        if not new_leader.is_active:
            raise ValidationError({"leader": "The leader must be an active employee."})
    for name in changed:
        setattr(session, name, fields[name])
    session.full_clean()
    if "starts_at" in changed:
        _check_starts_at(session)
    registered = session.registrations.filter(status=Registration.Status.REGISTERED)
    if "capacity" in changed:
        taken = registered.count()
        if session.capacity < taken:
            raise ValidationError(
                {
                    "capacity": f"{taken} people already hold a seat: the session needs at "
                    f"least {taken} seats."
                }
            )
    if new_leader is not None and not role_hold(
        kind=ConflictEntry.Kind.LEADING,
        person_id=new_leader.pk,
        subject_ids=_participant_ids(session),
        reference=session.pk,
        actor=by,
        request_id=request_id,
    ):
        return None
    calendar_change = any(name in CALENDAR_FIELDS for name in changed)
    if calendar_change:
        session.sequence += 1
    session.save()
    if new_leader is not None:
        _leader_hand_over(session=session, old=old_leader, new=new_leader, by=by)
    if "capacity" in changed:
        free = session.capacity - registered.count()
        waiting = session.registrations.filter(
            status=Registration.Status.WAITLISTED
        ).select_related("participant")
        for registration in waiting.order_by("queued_at", "pk")[: max(free, 0)]:
            _move_up(registration)
    if calendar_change:
        involved = _involved(session)
        # A new leader is told they lead it (`_leader_hand_over`), not that it changed.
        told_otherwise = {by.pk} | ({session.leader.user_id} if new_leader is not None else set())
        for user_id in sorted(involved - told_otherwise):
            message_schedule(
                recipient=user_id,
                kind="session_changed",
                key=f"session-changed:{session.pk}:{session.sequence}",
                object_id=session.pk,
            )
        if session.starts_at != old_starts_at or new_leader is not None:
            _reminders_withdraw(session)
            for user_id in sorted(involved):
                _session_reminder_schedule(session=session, user_id=user_id)
    return changed


def _participant_ids(session: GroupSession) -> list[int]:
    """The directory ids of everyone registered or waiting."""
    return list(
        session.registrations.exclude(status=Registration.Status.CANCELLED).values_list(
            "participant_id", flat=True
        )
    )


def _leader_hand_over(*, session: GroupSession, old: Employee, new: Employee, by: User) -> None:
    """The old leader's role and relations end (they still count within the look-back) and
    both changes are logged (F13); the register recorded the new leader's relations
    (`role_hold`). The new leader is told they lead the session."""
    role_end(kind=ConflictEntry.Kind.LEADING, person_id=old.pk, reference=session.pk)
    _role_event(by=by, user=old.user, obj=session, detail="session leader", granted=False)
    _role_event(by=by, user=new.user, obj=session, detail="session leader", granted=True)
    message_schedule(
        recipient=new.user_id,
        kind="session_leader",
        key=f"session-leader:{session.pk}:{session.sequence}",
        object_id=session.pk,
    )


@transaction.atomic
def session_cancel(*, session: GroupSession, by: User) -> GroupSession:
    """A coordinator calls off a session that has not yet started. The session and its
    registrations stay (so who registered, and the leader's relation to them, are kept); it
    is marked cancelled with a new SEQUENCE, so calendars show it as cancelled rather than
    losing it; the leader and everyone registered or waiting are told in this transaction,
    and the reminders not yet sent are withdrawn."""
    session = GroupSession.objects.select_for_update().select_related("leader").get(pk=session.pk)
    if not selectors.is_coordinator(user=by, program=session.program):
        raise refuse(
            "Only a coordinator of the program can cancel a session; the leader can change "
            "its time or place.",
            "denied",
        )
    if session.is_cancelled:
        raise refuse("This session is already cancelled.", "cancelled")
    if session.starts_at <= timezone.now():
        raise refuse(
            "This session has already taken place, so it cannot be cancelled: its "
            "registrations and attendance are kept as a record of what happened.",
            "past",
        )
    session.cancelled_at = timezone.now()
    session.cancelled_by = by
    session.sequence += 1
    session.save(update_fields=["cancelled_at", "cancelled_by", "sequence"])
    _reminders_withdraw(session)
    for user_id in sorted(_involved(session) - {by.pk}):
        message_schedule(
            recipient=user_id,
            kind="session_cancelled",
            key=f"session-cancelled:{session.pk}",
            object_id=session.pk,
        )
    return session
