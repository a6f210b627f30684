"""Reads for applications: the applicant's own, and the committee's queue with its tallies."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import NamedTuple, overload

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from core.listing import FilteredList, search_condition
from core.prepared import Prepared
from people.models import Employee, User
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
    committee_programs_of,
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
    return _recused(employee.pk)


def _recused(employee_id) -> Q:
    """`_recused_filter` of the employee `employee_id` (an id, or a core.prepared stand-in)."""
    below = reporting_chain_down(employee=Employee(pk=employee_id)).values("pk")
    return Q(applicant_id=employee_id) | Q(applicant__in=below)


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


# (id, slug, name) of a user's committee programs, by name (built once: core.prepared).
_COMMITTEE_PROGRAMS = Prepared(
    lambda user: (
        committee_programs_of(user).order_by("name", "pk").values_list("pk", "slug", "name")
    ),
    "user",
)


def committee_programs_for_filter(*, user: User) -> list[tuple[int, str, str]]:
    """(id, slug, name) of the programs whose committee the user sits on, by name: the
    queue's program choices, and the only programs it ever reads."""
    if not user.is_authenticated or not user.is_active:
        return []
    return [(pk, slug, name) for pk, slug, name in _COMMITTEE_PROGRAMS.rows(user=user.pk)]


class QueueEntry(NamedTuple):
    """One application of the committee's queue, as the queue shows it."""

    pk: int
    first_name: str
    last_name: str
    title: str
    department: str
    program: str
    program_kind: str
    quorum_votes: int
    role: str
    submitted_at: datetime
    vote_count: int
    voted: bool

    @property
    def applicant(self) -> str:
        return Employee(first_name=self.first_name, last_name=self.last_name).full_name


class QueueEntries(Sequence[QueueEntry]):
    """The entries of a queue for a paginator: `len` is the count already known, and only the
    slice a page asks for is read (`read(offset, limit)` gives rows of QueueEntry's fields)."""

    def __init__(self, count: int, read: Callable[[int, int], Iterable[tuple]]) -> None:
        self._count = count
        self._read = read

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> QueueEntry: ...
    @overload
    def __getitem__(self, index: slice) -> list[QueueEntry]: ...
    def __getitem__(self, index: int | slice) -> QueueEntry | list[QueueEntry]:
        if isinstance(index, int):
            found = self[index : index + 1] if index >= 0 else []
            if not found:
                raise IndexError(index)
            return found[0]
        start, stop, step = index.indices(self._count)
        if stop <= start:
            return []
        entries = [QueueEntry._make(row) for row in self._read(start, stop - start)]
        return entries[::step]


def _applicant(field: str) -> Subquery:
    # A subquery, not a join: read for the page's rows only, after the sort and the limit
    # (joined, PostgreSQL read the whole directory to hash it for 25 names).
    return Subquery(Employee.objects.filter(pk=OuterRef("applicant_id")).order_by().values(field))


def _entries(queue: QuerySet[Application]) -> QuerySet:
    """The queue's rows as QueueEntry's fields."""
    return queue.annotate(
        **{f"applicant_{field}": _applicant(field) for field in _APPLICANT_FIELDS}
    ).values_list(
        "pk",
        *(f"applicant_{field}" for field in _APPLICANT_FIELDS),
        "program__name",
        "program__kind",
        "program__quorum_votes",
        "role",
        "submitted_at",
        "vote_count",
        "voted",
    )


_APPLICANT_FIELDS = ("first_name", "last_name", "title", "department")


def _queue_base(programs, recused: Q) -> QuerySet[Application]:
    """Undecided applications of `programs` (ids), minus `recused` (`_recused`)."""
    return Application.objects.filter(
        program__in=programs, status=Application.Status.SUBMITTED
    ).exclude(recused)


def _queue_of(user, programs, recused: Q) -> QuerySet[Application]:
    """The queue's query: `user` (the member, or an id) votes, `programs` their committee
    programs, `recused` what they may not judge; the tallies are subqueries, so counting it
    counts rows only."""
    my_vote = Vote.objects.filter(application=OuterRef("pk"), voter=user)
    votes = (
        Vote.objects.filter(application=OuterRef("pk"))
        .order_by()
        .values("application")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        _queue_base(programs, recused)
        .annotate(vote_count=Coalesce(Subquery(votes), 0), voted=Exists(my_vote))
        .order_by("submitted_at", "pk")
    )


@cache
def _whole_queue(size: int) -> tuple[Prepared, Prepared]:
    """The count and the pages of a member's whole queue, unfiltered (what the queue shows on
    every visit), for `size` program ids (core.prepared: built once). A member's programs
    are padded to a power of two by repeating one: a few statements serve every member."""
    programs = tuple(f"program{n}" for n in range(size))

    def whole(user, employee, **ids):
        return _queue_of(user, list(ids.values()), _recused(employee))

    # Every application of the queue has the one status it filters on: grouped on it, one
    # row (none for an empty queue) with the count.
    count = Prepared(
        lambda employee, **ids: (
            _queue_base(list(ids.values()), _recused(employee))
            .order_by()
            .values("status")
            .annotate(n=Count("pk"))
            .values_list("n")
        ),
        "employee",
        *programs,
    )
    page = Prepared(lambda **values: _entries(whole(**values)), "user", "employee", *programs)
    return count, page


_MOST_PREPARED = 64  # a member of more committees than this has the queue built each time


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
    whether the user has voted. Never wider than `committee_queue_for`. Its rows are
    QueueEntries (a paginator reads only its page)."""
    employee = employee_for_user(user=user)
    if (
        not (search or program_id is not None or vote)
        and employee is not None
        and 0 < len(program_ids) <= _MOST_PREPARED
    ):
        # Unfiltered, the common visit: two prepared queries, no query building.
        size = 1 << (len(program_ids) - 1).bit_length()
        ids = {f"program{n}": pk for n, pk in enumerate(program_ids)}
        ids.update({f"program{n}": program_ids[0] for n in range(len(program_ids), size)})
        count, page = _whole_queue(size)
        ((total,),) = count.rows(employee=employee.pk, **ids) or [(0,)]
        return FilteredList(
            rows=QueueEntries(
                total,
                lambda offset, limit: page.page(
                    offset=offset, limit=limit, user=user.pk, employee=employee.pk, **ids
                ),
            ),
            shown=total,
            total=total,
        )
    condition = search_condition(search, APPLICANT_SEARCH)
    if program_id is not None:
        condition &= Q(program_id=program_id) if program_id in program_ids else Q(pk__in=[])
    if vote:
        voted = Exists(Vote.objects.filter(application=OuterRef("pk"), voter=user))
        condition &= Q(voted) if vote == "voted" else ~Q(voted)
    recused = _recused_filter(user)
    counts = _queue_base(program_ids, recused).aggregate(
        total=Count("pk"), shown=Count("pk", filter=condition)
    )
    rows = _entries(_queue_of(user, program_ids, recused).filter(condition))
    return FilteredList(
        rows=QueueEntries(counts["shown"], lambda offset, limit: rows[offset : offset + limit]),
        shown=counts["shown"],
        total=counts["total"],
    )


def committee_queue_for(
    *, user: User, program_ids: list[int] | None = None
) -> QuerySet[Application]:
    """Undecided applications of the programs the user reviews, minus those they are recused
    from (which they do not even see). Fixed number of queries however long the queue; the
    tallies are subqueries, so counting the queue for its pages counts rows only.
    `program_ids`: the user's `committee_program_ids`, when the caller has them already."""
    if program_ids is None:
        program_ids = committee_program_ids(user=user)
    return (
        _queue_of(user, program_ids, _recused_filter(user))
        .select_related("program", "applicant")
        .only(*_QUEUE_FIELDS)
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
