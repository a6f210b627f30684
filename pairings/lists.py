"""Reads for the pairing lists with their search and filters: the coordinator's pairings of a
program and a member's own pairs. Split from selectors.py (its size); each narrows the list
its selector already allows, never more: the coordinator's rows are `pairings_of_program`
(metadata, F6), a member's are `pairing_list_for` (explicit object permission)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)

from core.listing import FilteredList, search_condition
from core.prepared import Prepared
from pairings.models import Pairing
from pairings.selectors import pairing_list_for, pairings_of_program, unmatched_mentorees
from people.models import Employee, User
from programs.models import Application, Commitment, CommitmentAcceptance, Program

# What a search of pairings may match: who is in the pair, never what they wrote or agreed.
PERSON_FIELDS = ("first_name", "last_name", "email", "number", "department")
PAIR_SEARCH = tuple(f"{side}__{name}" for side in ("mentor", "mentoree") for name in PERSON_FIELDS)


def _paused() -> ExpressionWrapper:
    """An active pairing whose mentoree has not accepted the program's newest commitment
    version stays active (the version holds back new pairings only) but is shown as paused,
    with the way to accept: worked out in the list's own query, no query of its own."""

    def newest(program: OuterRef):
        return Commitment.objects.filter(program=program).order_by("-version")

    accepted = CommitmentAcceptance.objects.filter(
        employee=OuterRef("mentoree"),
        commitment=Subquery(newest(OuterRef(OuterRef("program"))).values("pk")[:1]),
    )
    return ExpressionWrapper(
        Q(status=Pairing.Status.ACTIVE)
        & Q(Exists(newest(OuterRef("program"))))
        & ~Q(Exists(accepted)),
        output_field=BooleanField(),
    )


def program_pairings_filtered(
    *, user: User, program: Program, status: str = "", search: Sequence[str] = ()
) -> tuple[FilteredList, dict[str, int]]:
    """The program's pairings (the caller has checked that `user` coordinates `program`)
    narrowed by status and by the mentor's or mentoree's name, e-mail, number or department;
    with the count of every status in the program. One query counts both: the statuses
    (what the page shows anyway) and the rows the search matches in each."""
    matching = search_condition(search, PAIR_SEARCH)
    rows = (
        program.pairings.values_list("status")
        .annotate(n=Count("pk"), hits=Count("pk", filter=matching))
        .order_by()
    )
    counts, hits = {}, {}
    for value, n, found in rows:
        counts[value], hits[value] = n, found
    status_counts = {value: counts.get(value, 0) for value in Pairing.Status.values}
    shown = hits.get(status, 0) if status else sum(hits.values())
    listed = (
        pairings_of_program(program=program, status=status or None)
        .filter(matching)
        .annotate(paused=_paused())
    )
    return FilteredList(rows=listed, shown=shown, total=sum(status_counts.values())), status_counts


def my_pairings_filtered(
    *, user: User, status: str = "", search: Sequence[str] = ()
) -> FilteredList:
    """The user's own pairs narrowed by status and by program or the other member's name."""
    condition = search_condition(
        search,
        (
            "program__name",
            *(
                f"{side}__{n}"
                for side in ("mentor", "mentoree")
                for n in ("first_name", "last_name")
            ),
        ),
    )
    if status:
        condition &= Q(status=status)
    mine = pairing_list_for(user=user)
    counts = mine.aggregate(total=Count("pk"), shown=Count("pk", filter=condition))
    return FilteredList(
        rows=mine.filter(condition).annotate(paused=_paused()),
        shown=counts["shown"],
        total=counts["total"],
    )


# --- Admitted mentorees without a pair, a page at a time -------------------------------------

_UNMATCHED_PERSON = ("first_name", "last_name", "title", "department")


def _unmatched(program: int) -> QuerySet[Application]:
    return unmatched_mentorees(program=Program(pk=program))


_UNMATCHED_COUNT = Prepared(
    lambda program: (
        _unmatched(program).order_by().values("program").annotate(n=Count("pk")).values("n")
    ),
    "program",
    planned_each_time=True,
)
_UNMATCHED_PAGE = Prepared(
    lambda program: _unmatched(program).values_list(
        "pk", "applicant_id", *(f"applicant__{name}" for name in _UNMATCHED_PERSON)
    ),
    "program",
    planned_each_time=True,
)


class UnmatchedMentorees:
    """`unmatched_mentorees(program)` for the paginator: its count and each page read by
    its own SQL built once per process (core.prepared), the ORM took longer to build the
    two queries than the database to answer them. A page holds applications with their
    applicant, and only the fields `unmatched_mentorees` reads."""

    def __init__(self, program: Program) -> None:
        self.program = program

    def count(self) -> int:
        found = _UNMATCHED_COUNT.rows(program=self.program.pk)
        return found[0][0] if found else 0

    def __getitem__(self, window: slice) -> list[Application]:
        start, stop = window.start or 0, window.stop
        rows = _UNMATCHED_PAGE.rows_between(start, stop - start, program=self.program.pk)
        return [self._application(row) for row in rows]

    def _application(self, row: tuple) -> Application:
        pk, applicant_id, *person = row
        read = ["id", "program_id", "applicant_id"], [pk, self.program.pk, applicant_id]
        application = Application.from_db(connection.alias, *read)
        applicant = Employee.from_db(
            connection.alias, ["id", *_UNMATCHED_PERSON], [applicant_id, *person]
        )
        Application.applicant.field.set_cached_value(application, applicant)
        return application
