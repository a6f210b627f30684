"""Reads for the program commitment: the current version and who accepted it."""

from __future__ import annotations

from django.db.models import QuerySet, Subquery
from django.http import Http404

from core.prepared import Prepared
from people.models import Employee
from programs.models import (
    Commitment,
    CommitmentAcceptance,
    Program,
)


def commitment_current(*, program: Program) -> Commitment | None:
    return program.commitments.order_by("-version").first()


def _accepted(employee: int, program: int) -> QuerySet:
    current = Commitment.objects.filter(program_id=program).order_by("-version").values("pk")[:1]
    return CommitmentAcceptance.objects.filter(
        employee_id=employee, commitment_id=Subquery(current)
    ).values("pk")[:1]


# Asked on every pair's page and by every pairing rule: one query, built once (core.prepared).
_ACCEPTED = Prepared(_accepted, "employee", "program")


def commitment_is_accepted(*, employee: Employee, program: Program) -> bool:
    """True when the person accepted the current version: one half of the F5 gate."""
    return _ACCEPTED.exists(employee=employee.pk, program=program.pk)


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
