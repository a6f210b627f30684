"""Writes for group sessions: scheduling, leading, registering and cancelling."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.refusals import refuse
from firewall.models import ConflictEntry
from firewall.register import (
    relations_record,
)
from notifications.messaging import message_schedule
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
        raise refuse("Only admitted participants of the program can register.", "not_admitted")
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
