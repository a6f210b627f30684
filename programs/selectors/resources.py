"""Reads for program resources: what a participant or coordinator may open."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from firewall.models import AccessEvent
from people.models import User
from people.selectors import employee_for_user
from programs.models import (
    Application,
    GroupSession,
    Program,
    Resource,
)
from programs.selectors.permissions import _users_with, committee_of, coordinated_programs


def resource_list_for(*, user: User) -> QuerySet[Resource]:
    """Resources for everyone, plus those of programs the user takes part in or runs."""
    if not user.is_authenticated or not user.is_active:
        return Resource.objects.none()
    employee = employee_for_user(user=user)
    visible = Q(program__isnull=True) | Q(program__in=coordinated_programs(user=user))
    if employee is not None:
        visible |= Q(
            program__in=Application.objects.filter(
                applicant=employee, status=Application.Status.ADMITTED
            ).values("program")
        )
    return Resource.objects.filter(visible).select_related("program").order_by("-created_at")


def resource_get_for(*, user: User, pk: int) -> Resource:
    try:
        return resource_list_for(user=user).get(pk=pk)
    except Resource.DoesNotExist:
        raise Http404("No such resource") from None


@dataclass(frozen=True)
class RoleHolder:
    role: str
    name: str
    title: str
    since: datetime | None  # None: granted before grants were recorded
    what: str = ""  # for a session leader: the session


def role_holders_for(*, program: Program) -> list[RoleHolder]:
    """Who currently holds a role that reads mentoring content in this program (coordinator,
    committee member, leader of one of its sessions) and since when, for every participant to
    see (F13). "Since" is the latest recorded grant. Four queries."""
    coordinators = list(_users_with(program, "coordinate_program").filter(is_active=True))
    committee = committee_of(program=program)
    sessions = list(
        GroupSession.objects.filter(program=program, starts_at__gte=timezone.now())
        .select_related("leader")
        .order_by("starts_at", "pk")
    )
    grants = (
        AccessEvent.objects.filter(action=AccessEvent.Action.GRANT)
        .filter(
            Q(object_type="program", object_id=program.pk)
            | Q(object_type="group session", object_id__in=[s.pk for s in sessions])
        )
        .values_list("object_type", "object_id", "concerns_id", "detail")
        .annotate(since=Max("at"))
    )
    since = {(t, o, c, d): at for t, o, c, d, at in grants}

    def _holder(role, user, detail, obj_type="program", obj_id=program.pk, what=""):
        return RoleHolder(
            role=role,
            name=user.get_full_name() or user.get_username(),
            title=getattr(getattr(user, "employee", None), "title", ""),
            since=since.get((obj_type, obj_id, user.pk, detail)),
            what=what,
        )

    holders = [_holder("Coordinator", u, "coordinator") for u in coordinators]
    holders += [_holder("Committee member", u, "committee member") for u in committee]
    for session in sessions:
        leader = session.leader
        holders.append(
            RoleHolder(
                role="Session leader",
                name=leader.full_name,
                title=leader.title,
                since=since.get(("group session", session.pk, leader.user_id, "session leader")),
                what=session.title,
            )
        )
    return holders


def resources_of_program_for(*, user: User, program: Program) -> QuerySet[Resource]:
    """The program's resources this user may open (a page of the program)."""
    return resource_list_for(user=user).filter(program=program)


def resources_of_program(*, program: Program) -> QuerySet[Resource]:
    """Every resource of the program, for its coordinators' page."""
    return program.resources.order_by("title", "pk")
