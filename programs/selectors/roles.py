"""The coordinator's view of a program's people: who holds a role and since when."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from core.listing import FilteredList, search_condition
from people.models import User
from programs.models import (
    Application,
    CommitmentAcceptance,
    Program,
)
from programs.selectors.applications import APPLICANT_SEARCH
from programs.selectors.commitment import commitment_current


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


def participant_counts(*, participants: QuerySet[Application]) -> tuple[int, int]:
    """(accepted the current commitment, all) of `program_participants`."""
    # Q(): the annotation is not a model field, which the type checker cannot know.
    return participants.filter(Q(accepted_current=True)).count(), participants.count()


def program_applications_filtered(
    *, user: User, program: Program, status: str = "", search: Sequence[str] = ()
) -> tuple[FilteredList, dict[str, int]]:
    """The program's applications (the caller has checked that `user` coordinates `program`)
    narrowed by status and by the applicant's name, e-mail, number or department (never by
    what they wrote); with the count of every status. One query counts both the statuses and
    the rows the search matches in each."""
    matching = search_condition(search, APPLICANT_SEARCH)
    counts, hits = {}, {}
    rows = (
        program.applications.values_list("status")
        .annotate(n=Count("pk"), hits=Count("pk", filter=matching))
        .order_by()
    )
    for value, n, found in rows:
        counts[value], hits[value] = n, found
    by_status = {value: counts.get(value, 0) for value in Application.Status.values}
    shown = hits.get(status, 0) if status else sum(hits.values())
    listed = program_applications(program=program, status=status or None).filter(matching)
    return FilteredList(rows=listed, shown=shown, total=sum(by_status.values())), by_status
