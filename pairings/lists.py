"""Reads for the pairing lists with their search and filters: the coordinator's pairings of a
program and a member's own pairs. Split from selectors.py (its size); each narrows the list
its selector already allows, never more: the coordinator's rows are `pairings_of_program`
(metadata, F6), a member's are `pairing_list_for` (explicit object permission)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, Subquery

from core.listing import FilteredList, search_condition
from pairings.models import Pairing
from pairings.selectors import pairing_list_for, pairings_of_program
from people.models import User
from programs.models import Commitment, CommitmentAcceptance, Program

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
