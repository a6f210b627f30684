"""Reads for programs: the programs a user may see, and one program for a page."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from people.models import User
from people.selectors import employee_for_user
from programs.models import (
    Application,
    Program,
    Tag,
)
from programs.selectors.permissions import (
    PUBLIC_STATUSES,
    committee_programs,
    coordinated_program,
    coordinated_programs,
)


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
    program = coordinated_program(user=user, slug=slug)
    if program is None:
        raise Http404("No such program")
    return program


def program_for_edit(*, program: Program) -> Program:
    """A fresh copy of the program for an edit form, so a refused edit leaves the instance
    the page was built from untouched."""
    return Program.objects.get(pk=program.pk)


def tag_list() -> QuerySet[Tag]:
    return Tag.objects.order_by("name")


def tag_get(*, pk: int) -> Tag:
    tag = Tag.objects.filter(pk=pk).first()
    if tag is None:
        raise Http404("No such tag")
    return tag
