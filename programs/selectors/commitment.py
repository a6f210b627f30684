"""Reads for the program commitment: the current version and who accepted it."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from people.models import Employee
from programs.models import (
    Commitment,
    CommitmentAcceptance,
    Program,
)


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
