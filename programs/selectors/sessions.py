"""Reads for group sessions: upcoming and past sessions, registrations, attendance."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from people.models import User
from people.selectors import employee_for_user
from programs.models import (
    Application,
    GroupSession,
    Program,
    Registration,
)
from programs.selectors.permissions import coordinated_programs


def session_list_for_program(*, program: Program) -> QuerySet[GroupSession]:
    return session_list_for_program_qs(program.sessions.all())


def session_get_for(*, user: User, pk: int) -> GroupSession:
    """A session is seen by its leader, the program's coordinators and admitted participants."""
    employee = employee_for_user(user=user)
    visible = Q(program__in=coordinated_programs(user=user))
    if employee is not None:
        visible |= Q(leader=employee)
        visible |= Q(
            program__in=Application.objects.filter(
                applicant=employee, status=Application.Status.ADMITTED
            ).values("program")
        )
    try:
        return (
            GroupSession.objects.filter(visible)
            .select_related("program", "leader")
            .distinct()
            .get(pk=pk)
        )
    except GroupSession.DoesNotExist:
        raise Http404("No such session") from None


def session_get_for_manager(*, user: User, pk: int) -> GroupSession:
    """A session its leader or a coordinator of its program may change; 404 for anyone else,
    as for a session they cannot see (one rule: `session_get_for`, narrowed)."""
    session = session_get_for(user=user, pk=pk)
    employee = employee_for_user(user=user)
    is_leader = employee is not None and session.leader_id == employee.pk
    if not (is_leader or session.program in coordinated_programs(user=user)):
        raise Http404("No such session")
    return session


def sessions_led_by(*, user: User) -> QuerySet[GroupSession]:
    employee = employee_for_user(user=user)
    if employee is None:
        return GroupSession.objects.none()
    return session_list_for_program_qs(GroupSession.objects.filter(leader=employee))


def session_list_for_program_qs(qs: QuerySet[GroupSession]) -> QuerySet[GroupSession]:
    return (
        qs.select_related("program", "leader")
        .annotate(
            registered=Count(
                "registrations", filter=Q(registrations__status=Registration.Status.REGISTERED)
            ),
            waiting=Count(
                "registrations", filter=Q(registrations__status=Registration.Status.WAITLISTED)
            ),
        )
        .order_by("starts_at", "pk")
    )


def sessions_open_to(*, user: User, program: Program) -> QuerySet[GroupSession]:
    """Sessions of a program, with the person's own registration status annotated."""
    employee = employee_for_user(user=user)

    mine = Registration.objects.filter(session=OuterRef("pk"), participant=employee)
    return session_list_for_program_qs(program.sessions.all()).annotate(
        my_status=Subquery(mine.values("status")[:1])
    )


def registrations_for(*, session: GroupSession) -> QuerySet[Registration]:
    return (
        session.registrations.exclude(status=Registration.Status.CANCELLED)
        .select_related("participant")
        .order_by("status", "queued_at", "pk")
    )


def my_registration(*, user: User, session: GroupSession) -> Registration | None:
    employee = employee_for_user(user=user)
    if employee is None:
        return None
    return (
        Registration.objects.filter(session=session, participant=employee)
        .exclude(status=Registration.Status.CANCELLED)
        .first()
    )


def registrations_of(*, user: User) -> QuerySet[Registration]:
    """The user's own registrations that stand, soonest first."""
    employee = employee_for_user(user=user)
    if employee is None:
        return Registration.objects.none()
    return (
        Registration.objects.filter(participant=employee)
        .exclude(status=Registration.Status.CANCELLED)
        .select_related("session__program", "session__leader")
        .order_by("session__starts_at")
    )
