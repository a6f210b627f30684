"""Reads for applications: the applicant's own, and the committee's queue with its tallies."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from core.listing import FilteredList, search_condition
from people.models import User
from people.selectors import employee_for_user, reporting_chain_down, reporting_chain_up_ids
from programs.models import (
    Application,
    Program,
    Vote,
)
from programs.selectors.permissions import (
    committee_of,
    committee_program_ids,
    committee_programs,
    coordinated_programs,
)


def application_list_for_applicant(*, user: User) -> QuerySet[Application]:
    employee = employee_for_user(user=user)
    if employee is None:
        return Application.objects.none()
    return (
        Application.objects.filter(applicant=employee)
        .select_related("program")
        .order_by("-submitted_at", "-pk")
    )


def application_list_filtered(
    *, user: User, search: Sequence[str] = (), status: str = ""
) -> FilteredList:
    """The user's own applications, narrowed by program name and status."""
    condition = search_condition(search, ("program__name",))
    if status:
        condition &= Q(status=status)
    mine = application_list_for_applicant(user=user)
    counts = mine.aggregate(total=Count("pk"), shown=Count("pk", filter=condition))
    return FilteredList(rows=mine.filter(condition), shown=counts["shown"], total=counts["total"])


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
    return employee.pk in reporting_chain_up_ids(employee_id=application.applicant_id)


# What the queue shows of an application, its program and its applicant: never the
# applicant's motivation or goals, which only the application's own page opens.
_QUEUE_FIELDS = (
    "program_id",
    "applicant_id",
    "role",
    "status",
    "submitted_at",
    "program__name",
    "program__kind",
    "program__quorum_votes",
    "applicant__first_name",
    "applicant__last_name",
    "applicant__title",
    "applicant__department",
)


# What a search of applications may match: who applied, never what they wrote (their
# motivation and goals are for the committee's reading, not for finding).
APPLICANT_SEARCH = (
    "applicant__first_name",
    "applicant__last_name",
    "applicant__email",
    "applicant__number",
    "applicant__department",
)

# The committee queue's own "status": whether the member has voted yet.
QUEUE_VOTE_CHOICES = (("waiting", "Waiting for your vote"), ("voted", "You voted"))


def committee_programs_for_filter(*, user: User) -> list[tuple[int, str, str]]:
    """(id, slug, name) of the programs whose committee the user sits on, by name: the
    queue's program choices, and the only programs it ever reads."""
    return list(
        committee_programs(user=user).order_by("name", "pk").values_list("pk", "slug", "name")
    )


def _queue_base(user: User, program_ids: list[int]) -> QuerySet[Application]:
    return Application.objects.filter(
        program__in=program_ids, status=Application.Status.SUBMITTED
    ).exclude(_recused_filter(user))


def committee_queue_filtered(
    *,
    user: User,
    program_ids: list[int],
    program_id: int | None = None,
    search: Sequence[str] = (),
    vote: str = "",
) -> FilteredList:
    """The queue narrowed by program (one of `program_ids`, the user's committee programs:
    any other gives nothing), by the applicant's name, e-mail, number or department, and by
    whether the user has voted. Never wider than `committee_queue_for`."""
    condition = search_condition(search, APPLICANT_SEARCH)
    if program_id is not None:
        condition &= Q(program_id=program_id) if program_id in program_ids else Q(pk__in=[])
    if vote:
        voted = Exists(Vote.objects.filter(application=OuterRef("pk"), voter=user))
        condition &= Q(voted) if vote == "voted" else ~Q(voted)
    counts = _queue_base(user, program_ids).aggregate(
        total=Count("pk"), shown=Count("pk", filter=condition)
    )
    rows = committee_queue_for(user=user, program_ids=program_ids).filter(condition)
    return FilteredList(rows=rows, shown=counts["shown"], total=counts["total"])


def committee_queue_for(
    *, user: User, program_ids: list[int] | None = None
) -> QuerySet[Application]:
    """Undecided applications of the programs the user reviews, minus those they are recused
    from (which they do not even see). Fixed number of queries however long the queue; the
    tallies are subqueries, so counting the queue for its pages counts rows only.
    `program_ids`: the user's `committee_program_ids`, when the caller has them already."""
    if program_ids is None:
        program_ids = committee_program_ids(user=user)
    my_vote = Vote.objects.filter(application=OuterRef("pk"), voter=user)
    votes = (
        Vote.objects.filter(application=OuterRef("pk"))
        .order_by()
        .values("application")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        _queue_base(user, program_ids)
        .select_related("program", "applicant")
        .only(*_QUEUE_FIELDS)
        .annotate(vote_count=Coalesce(Subquery(votes), 0), voted=Exists(my_vote))
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
    return {application.applicant_id} | reporting_chain_up_ids(employee_id=application.applicant_id)


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


def my_live_application(*, user: User, program: Program) -> Application | None:
    """The user's own application to this program, unless withdrawn."""
    return (
        application_list_for_applicant(user=user)
        .filter(program=program)
        .exclude(status=Application.Status.WITHDRAWN)
        .first()
    )


def vote_of(*, application: Application, user: User) -> Vote | None:
    """The user's own vote on the application, if they cast one."""
    return application.votes.filter(voter=user).first()


@dataclass(frozen=True)
class MentoreeContext:
    """What a mentoree chose to show the mentor proposed to them: the goals and topics of
    their admitted application, or only that they chose not to share (`shared` False, and
    no text read at all)."""

    shared: bool
    goals: str = ""
    topics: tuple[str, ...] = ()


def mentoree_context_for_proposed_mentor(*, program_id: int, mentoree_id: int) -> MentoreeContext:
    """The mentoree's admitted application in the program, as far as they consented to show
    it to a proposed mentor. Callers decide who is that mentor: only
    `pairings.selectors.mentoree_context_for`, which holds the pairing, asks this."""
    application = (
        Application.objects.filter(
            program_id=program_id,
            applicant_id=mentoree_id,
            role=Application.Role.MENTOREE,
            status=Application.Status.ADMITTED,
            share_with_mentor=True,
        )
        .only("pk", "goals")
        .first()
    )
    if application is None:
        return MentoreeContext(shared=False)
    topics = tuple(application.tags.order_by("name").values_list("name", flat=True))
    return MentoreeContext(shared=True, goals=application.goals, topics=topics)
