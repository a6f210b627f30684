"""Reads for the pairing lists with their search and filters: the coordinator's pairings of a
program and a member's own pairs. Split from selectors.py (its size); each narrows the list
its selector already allows, never more: the coordinator's rows are `pairings_of_program`
(metadata, F6), a member's are `pairing_list_for` (explicit object permission)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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
from core.prepared import Prepared, instance
from pairings.models import Pairing
from pairings.selectors import (
    attach_coordinator_themes,
    pairing_list_for,
    pairings_of_program,
    unmatched_mentorees,
    with_attendance,
)
from people.models import Employee, User
from programs.models import Application, Commitment, CommitmentAcceptance, Program

# The agreement's models are confidentiality's (the app above): reached through the relation.
_AGREEMENT = Pairing.agreement.related.related_model
_THEME: Any = _AGREEMENT._meta.get_field("themes").related_model

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
    (what the page shows anyway) and the rows the search matches in each (without a
    search, that query built once per process: they are the same counts)."""
    matching = search_condition(search, PAIR_SEARCH)
    if search:
        rows = list(
            program.pairings.values_list("status")
            .annotate(n=Count("pk"), hits=Count("pk", filter=matching))
            .order_by()
        )
    else:
        rows = [(value, n, n) for value, n in _STATUS_COUNTS.rows(program=program.pk)]
    counts, hits = {}, {}
    for value, n, found in rows:
        counts[value], hits[value] = n, found
    status_counts = {value: counts.get(value, 0) for value in Pairing.Status.values}
    shown = hits.get(status, 0) if status else sum(hits.values())
    listed = ProgramPairings(program=program, status=status, matching=matching if search else None)
    return FilteredList(rows=listed, shown=shown, total=sum(status_counts.values())), status_counts


_STATUS_COUNTS = Prepared(
    lambda program: (
        Pairing.objects.filter(program_id=program).values_list("status").annotate(n=Count("pk"))
    ).order_by(),
    "program",
)


def _themed() -> ExpressionWrapper:
    """Whether the rule in force still allows themes and the mentoree consented to pass one
    on to the coordinator: only then are the themes read (attach_coordinator_themes). The
    rule first, so the themes are looked up for those pairs only."""
    consented = _THEME.objects.filter(agreement=OuterRef("agreement__id"), audience="coordinator")
    return ExpressionWrapper(
        Q(agreement__in_force_coordinator_rule="themes") & Q(Exists(consented)),
        output_field=BooleanField(),
    )


_PERSON = ("first_name", "last_name")

_PAIRING_COLUMNS = ("pk", "program_id", "mentor_id", "mentoree_id", "status", "score")
_COLUMNS = (
    *_PAIRING_COLUMNS,
    "proposed_at",
    *(f"{side}__{name}" for side in ("mentor", "mentoree") for name in _PERSON),
    "agreement__id",
    "agreement__in_force_coordinator_rule",
    "paused",
    "themed",
    "attendance_visible",
    "meetings_held",
    "last_meeting",
)


def _listed(program: int, status: str | None, matching: Q | None = None) -> QuerySet:
    """The rows of `pairings_of_program` the list shows, as values (in _COLUMNS' order)."""
    listed = pairings_of_program(program=Program(pk=program), status=status)
    if matching is not None:
        listed = listed.filter(matching)
    listed = with_attendance(listed.annotate(paused=_paused(), themed=_themed()))
    return listed.values_list(*_COLUMNS)


# Without a search, built once per process; the statuses and rules the query fixes, and the
# program, written into its SQL, so that PostgreSQL plans each program's page once and its
# plan uses the indexes that name them.
_ALL = Prepared(lambda program: _listed(program, None), "program", written=("program",))
_ONE_STATUS = Prepared(
    lambda program, status: _listed(program, status),
    "program",
    texts=("status",),
    literal_constants=True,
)


class ProgramPairings:
    """A page of the coordinator's pairings at a time, for the paginator (which is given
    the count): the program's pairings with their status, score, names, the coordinator's
    rule of their agreement, whether paused, whether they have themes for the
    coordinator and their attendance where the rule shares it (F6, `with_attendance`), in
    one query; then, only when a pair shown has some, the themes. Each is a Pairing
    holding only those fields, its mentor and mentoree (names) and its agreement (the
    rule)."""

    def __init__(self, *, program: Program, status: str, matching: Q | None) -> None:
        self.program, self.status, self.matching = program, status, matching

    def __getitem__(self, window: slice) -> list[Pairing]:
        start, stop = window.start or 0, window.stop
        if stop <= start:  # an empty list's page: nothing to read
            return []
        if self.matching is not None:
            found = _listed(self.program.pk, self.status or None, self.matching)[start:stop]
            rows = list(found)
        elif self.status:
            rows = _ONE_STATUS.page(
                offset=start, limit=stop - start, program=self.program.pk, status=self.status
            )
        else:
            rows = _ALL.page(offset=start, limit=stop - start, program=self.program.pk)
        pairings: list[Any] = [_pairing(row) for row in rows]
        if any(pairing.themed for pairing in pairings):
            attach_coordinator_themes(pairings=pairings)
        else:
            for pairing in pairings:
                pairing.coordinator_themes = []
        return pairings


def _pairing(row: tuple) -> Pairing:
    (pk, program_id, mentor_id, mentoree_id, status, score, proposed_at, *names) = row[:11]
    pairing = instance(
        Pairing,
        id=pk,
        program_id=program_id,
        mentor_id=mentor_id,
        mentoree_id=mentoree_id,
        status=status,
        score=score,
        proposed_at=proposed_at,
    )
    mentor = instance(Employee, id=mentor_id, first_name=names[0], last_name=names[1])
    mentoree = instance(Employee, id=mentoree_id, first_name=names[2], last_name=names[3])
    Pairing.mentor.field.set_cached_value(pairing, mentor)
    Pairing.mentoree.field.set_cached_value(pairing, mentoree)
    agreement_id, rule, paused, themed, visible, held, last = row[11:]
    # The agreement as far as the list reads it: its coordinator rule in force.
    agreement = None
    if agreement_id is not None:
        agreement = instance(
            _AGREEMENT, id=agreement_id, pairing_id=pk, in_force_coordinator_rule=rule
        )
    Pairing.agreement.related.set_cached_value(pairing, agreement)
    pairing.paused, pairing.themed = bool(paused), bool(themed)
    pairing.attendance_visible = bool(visible)
    pairing.meetings_held, pairing.last_meeting = held, last
    return pairing


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
    literal_constants=True,
)
_UNMATCHED_PAGE = Prepared(
    lambda program: _unmatched(program).values_list(
        "pk", "applicant_id", *(f"applicant__{name}" for name in _UNMATCHED_PERSON)
    ),
    "program",
    written=("program",),
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
        if stop <= start:  # an empty list's page: nothing to read
            return []
        rows = _UNMATCHED_PAGE.page(offset=start, limit=stop - start, program=self.program.pk)
        return [self._application(row) for row in rows]

    def _application(self, row: tuple) -> Application:
        pk, applicant_id, *person = row
        application = instance(
            Application, id=pk, program_id=self.program.pk, applicant_id=applicant_id
        )
        applicant = instance(
            Employee, id=applicant_id, **dict(zip(_UNMATCHED_PERSON, person, strict=True))
        )
        Application.applicant.field.set_cached_value(application, applicant)
        return application
