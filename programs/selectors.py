"""Reads for programs. Every selector that serves a page takes the user; objects a user may
not see are simply absent (the views turn that into a 404)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import cast

from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from guardian.shortcuts import get_objects_for_user, get_users_with_perms

from confidentiality.models import AccessEvent
from people.models import Employee, User
from people.roles import PROGRAM_COORDINATORS
from people.selectors import employee_for_user, reporting_chain_down, reporting_chain_up
from programs.models import (
    Application,
    Commitment,
    CommitmentAcceptance,
    GroupSession,
    Program,
    Registration,
    Resource,
    Vote,
)

COORDINATE = "programs.coordinate_program"
REVIEW = "programs.review_applications"
PUBLIC_STATUSES = (Program.Status.ACCEPTING, Program.Status.RUNNING)


def _programs_with_perm(user: User, perm: str) -> QuerySet[Program]:
    """Programs on which the user holds an explicit object permission. No superuser or
    global-permission shortcut: per-program roles are granted, never implied."""
    if not user.is_authenticated or not user.is_active:
        return Program.objects.none()
    return get_objects_for_user(
        user, perm, klass=Program, with_superuser=False, accept_global_perms=False
    )


def coordinated_programs(*, user: User) -> QuerySet[Program]:
    return _programs_with_perm(user, COORDINATE)


def committee_programs(*, user: User) -> QuerySet[Program]:
    return _programs_with_perm(user, REVIEW)


def is_coordinator(*, user: User, program: Program) -> bool:
    return coordinated_programs(user=user).filter(pk=program.pk).exists()


def is_committee_member(*, user: User, program: Program) -> bool:
    return committee_programs(user=user).filter(pk=program.pk).exists()


def is_any_coordinator(*, user: User) -> bool:
    return coordinated_programs(user=user).exists()


def _users_with(program: Program, codename: str) -> QuerySet[User]:
    """Users holding this object permission directly or through a group; never superusers
    for being superusers."""
    users = get_users_with_perms(
        program, only_with_perms_in=[codename], with_superusers=False, with_group_users=True
    )
    # Without attach_perms guardian returns a queryset; the cast is for the type checker.
    return cast(QuerySet[User], users)


def creates_programs(*, user: User) -> bool:
    """Who may create a program in the browser and coordinate it: a coordinator (a member of
    "Program coordinators", which only a grant by someone else makes) with the permission."""
    return (
        user.is_authenticated
        and user.has_perm("programs.add_program")
        and user.groups.filter(name=PROGRAM_COORDINATORS).exists()
    )


def role_holders(*, program: Program, codename: str) -> QuerySet[User]:
    """Everyone holding a program role, active or not, with their directory entry."""
    return _users_with(program, codename).select_related("employee")


def coordinators_of(*, program: Program) -> list[User]:
    return list(_users_with(program, "coordinate_program").filter(is_active=True))


def committee_of(*, program: Program) -> list[User]:
    return list(
        _users_with(program, "review_applications")
        .filter(is_active=True)
        .select_related("employee")
        .order_by("last_name", "first_name")
    )


# --- Programs ------------------------------------------------------------------------------


def program_list_for(*, user: User) -> QuerySet[Program]:
    """Programs open to everyone (accepting or running), those the user takes part in, and
    every program the user coordinates or reviews, in any status."""
    if not user.is_authenticated or not user.is_active:
        return Program.objects.none()
    employee = employee_for_user(user=user)
    visible = Q(status__in=PUBLIC_STATUSES)
    visible |= Q(pk__in=coordinated_programs(user=user).values("pk"))
    visible |= Q(pk__in=committee_programs(user=user).values("pk"))
    if employee is not None:
        visible |= Q(pk__in=Application.objects.filter(applicant=employee).values("program"))
    return Program.objects.filter(visible).order_by("-starts_on", "name")


def program_get_for(*, user: User, slug: str) -> Program:
    try:
        return program_list_for(user=user).get(slug=slug)
    except Program.DoesNotExist:
        raise Http404("No such program") from None


def program_get_for_coordinator(*, user: User, slug: str) -> Program:
    try:
        return coordinated_programs(user=user).get(slug=slug)
    except Program.DoesNotExist:
        raise Http404("No such program") from None


# --- Eligibility -----------------------------------------------------------------------------


def apply_refusal(*, employee: Employee, program: Program, role: str, today: date) -> str:
    """Why this person cannot apply in this role now, in plain words; '' when they can."""
    if program.status != Program.Status.ACCEPTING:
        return "This program is not accepting applications."
    if today < program.applications_open_on:
        return f"Applications open on {program.applications_open_on:%d %B %Y}."
    if today > program.applications_close_on:
        return f"Applications closed on {program.applications_close_on:%d %B %Y}."
    if not employee.is_active:
        return "Only active employees can apply."
    if role not in Application.Role.values:
        return "Apply as a mentor or as a mentoree."
    if role == Application.Role.MENTOR:
        if not program.has_mentors:
            return "This is a group program: participants join sessions led by executives."
        if employee.level >= settings.GROUP_ONLY_LEVEL:
            return (
                "At your level you do not mentor one person: you lead group mentoring "
                "sessions instead, so that no single mentoree's career depends on your view. "
                "Ask the program coordinator to schedule a session for you."
            )
        if employee.level < program.min_mentor_level:
            return f"Mentors in this program are at grade {program.min_mentor_level} or above."
    if role == Application.Role.MENTOREE and employee.level > program.max_mentoree_level:
        return f"Mentorees in this program are at grade {program.max_mentoree_level} or below."
    if (
        Application.objects.filter(program=program, applicant=employee)
        .exclude(status=Application.Status.WITHDRAWN)
        .exists()
    ):
        return "You have already applied to this program."
    return ""


def is_admitted(*, employee: Employee, program: Program) -> bool:
    return Application.objects.filter(
        program=program, applicant=employee, status=Application.Status.ADMITTED
    ).exists()


# --- Commitment ---------------------------------------------------------------------------


def commitment_current(*, program: Program) -> Commitment | None:
    return program.commitments.order_by("-version").first()


def commitment_is_accepted(*, employee: Employee, program: Program) -> bool:
    """True when the person accepted the current version: one half of the F5 gate."""
    current = commitment_current(program=program)
    return (
        current is not None
        and CommitmentAcceptance.objects.filter(commitment=current, employee=employee).exists()
    )


def acceptances_for(*, employee: Employee) -> QuerySet[CommitmentAcceptance]:
    """Everything the person accepted, to reread at any time."""
    return CommitmentAcceptance.objects.filter(employee=employee).select_related(
        "commitment__program"
    )


def acceptance_get_for(*, employee: Employee, pk: int) -> CommitmentAcceptance:
    try:
        return acceptances_for(employee=employee).get(pk=pk)
    except CommitmentAcceptance.DoesNotExist:
        raise Http404("No such acceptance") from None


# --- Applications ---------------------------------------------------------------------------


def application_list_for_applicant(*, user: User) -> QuerySet[Application]:
    employee = employee_for_user(user=user)
    if employee is None:
        return Application.objects.none()
    return (
        Application.objects.filter(applicant=employee)
        .select_related("program")
        .order_by("-submitted_at", "-pk")
    )


def application_get_for_applicant(*, user: User, pk: int) -> Application:
    try:
        return application_list_for_applicant(user=user).get(pk=pk)
    except Application.DoesNotExist:
        raise Http404("No such application") from None


def _recused_filter(user: User) -> Q:
    """Applications the user may not judge: their own and those of anyone below them."""
    employee = employee_for_user(user=user)
    if employee is None:
        return Q(pk__in=[])
    below = reporting_chain_down(employee=employee).values("pk")
    return Q(applicant=employee) | Q(applicant__in=below)


def is_recused(*, user: User, application: Application) -> bool:
    employee = employee_for_user(user=user)
    if employee is None:
        return False
    if application.applicant_id == employee.pk:
        return True
    return any(m.pk == employee.pk for m in reporting_chain_up(employee=application.applicant))


def committee_queue_for(*, user: User) -> QuerySet[Application]:
    """Undecided applications of the programs the user reviews, minus those they are recused
    from (which they do not even see). Fixed number of queries however long the queue."""
    my_vote = Vote.objects.filter(application=OuterRef("pk"), voter=user)
    return (
        Application.objects.filter(
            program__in=committee_programs(user=user),
            status=Application.Status.SUBMITTED,
        )
        .exclude(_recused_filter(user))
        .select_related("program", "applicant")
        .annotate(vote_count=Count("votes", distinct=True), voted=Exists(my_vote))
        .order_by("submitted_at", "pk")
    )


def application_get_for_committee(*, user: User, pk: int) -> Application:
    """One application as a committee member or coordinator sees it; recused: 404."""
    reviewable = Q(program__in=committee_programs(user=user)) | Q(
        program__in=coordinated_programs(user=user)
    )
    try:
        return (
            Application.objects.filter(reviewable)
            .exclude(_recused_filter(user))
            .select_related("program", "applicant__manager")
            .prefetch_related("tags")
            .get(pk=pk)
        )
    except Application.DoesNotExist:
        raise Http404("No such application") from None


@dataclass(frozen=True)
class Tally:
    counts: dict[str, int]
    total: int
    quorum: int

    @property
    def majority(self) -> str | None:
        """The choice with more than half the votes, once at least `quorum` votes are in."""
        if self.total < self.quorum:
            return None
        for choice, count in self.counts.items():
            if count * 2 > self.total:
                return choice
        return None


def _judges_excluded(application: Application) -> set[int]:
    """Employee ids who may not judge this application: the applicant and their managers."""
    return {application.applicant_id} | {
        m.pk for m in reporting_chain_up(employee=application.applicant)
    }


def _eligible_voters(application: Application) -> list[User]:
    """Current committee members who are not recused, in three queries."""
    excluded = _judges_excluded(application)
    return [
        member
        for member in committee_of(program=application.program)
        if getattr(getattr(member, "employee", None), "pk", None) not in excluded
    ]


def vote_tally(*, application: Application) -> Tally:
    """Counts only the votes of people who may vote now: a member who left the committee or
    has since become the applicant's manager no longer counts."""
    eligible = {member.pk for member in _eligible_voters(application)}
    counts = Counter(
        choice
        for voter_id, choice in application.votes.values_list("voter_id", "choice")
        if voter_id in eligible
    )
    return Tally(
        counts={c: counts.get(c, 0) for c in Vote.Choice.values},
        total=sum(counts.values()),
        quorum=application.program.quorum_votes,
    )


def eligible_committee_size(*, application: Application) -> int:
    """Committee members who may vote on this application (the recused do not count)."""
    return len(_eligible_voters(application))


def votes_for(*, application: Application) -> QuerySet[Vote]:
    return application.votes.select_related("voter").order_by("created_at")


# --- Coordinator's view ----------------------------------------------------------------------


def program_applications(*, program: Program, status: str | None = None) -> QuerySet[Application]:
    qs = program.applications.select_related("applicant").annotate(
        vote_count=Count("votes", distinct=True)
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("submitted_at", "pk")


def program_participants(*, program: Program) -> QuerySet[Application]:
    """Admitted participants, each with whether they accepted the current commitment."""
    current = commitment_current(program=program)
    accepted = CommitmentAcceptance.objects.filter(
        commitment=current, employee=OuterRef("applicant")
    )
    return (
        program.applications.filter(status=Application.Status.ADMITTED)
        .select_related("applicant")
        .annotate(accepted_current=Exists(accepted))
        .order_by("applicant__last_name", "applicant__first_name", "pk")
    )


def status_counts(*, program: Program) -> dict[str, int]:
    counts = dict(program.applications.values_list("status").annotate(n=Count("pk")).order_by())
    return {status: counts.get(status, 0) for status in Application.Status.values}


# --- Group sessions -------------------------------------------------------------------------


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
    from django.db.models import Subquery

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


# --- Resources -----------------------------------------------------------------------------


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
