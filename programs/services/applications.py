"""Writes for applications: applying, withdrawing and the coordinator's decision."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.refusals import refuse
from notifications.messaging import message_schedule
from people.models import Employee
from programs import selectors
from programs.models import (
    MAX_MENTOR_CAPACITY,
    Application,
    Program,
    Tag,
)
from programs.services.programs import _relations_for_applicant


def _check_can_apply(*, employee: Employee, program: Program, role: str, today: date) -> None:
    reason = selectors.apply_refusal(employee=employee, program=program, role=role, today=today)
    if reason:
        raise refuse(reason, "cannot_apply")


def _clean_capacity(*, program: Program, role: str, mentor_capacity: int | None) -> int | None:
    if role != Application.Role.MENTOR:
        return None
    if mentor_capacity is None:
        return program.default_mentor_capacity
    if not 1 <= mentor_capacity <= MAX_MENTOR_CAPACITY:
        raise ValidationError(
            {"mentor_capacity": f"Choose between 1 and {MAX_MENTOR_CAPACITY} mentorees."}
        )
    return mentor_capacity


@transaction.atomic
def application_submit(
    *,
    applicant: Employee,
    program: Program,
    role: str,
    motivation: str,
    goals: str = "",
    tags: Iterable[Tag] = (),
    availability: str = "",
    mentor_capacity: int | None = None,
    share_with_mentor: bool = False,
    today: date | None = None,
) -> Application:
    """Apply to a program. Refused outside the window, when not eligible for the role, and
    when the person already has a live application (the database constraint holds this even
    for two submissions at once)."""
    today = today or timezone.localdate()
    # Locked so that a coordinator or committee member named meanwhile cannot miss this
    # applicant in the conflict register (their grant locks the same row).
    Program.objects.select_for_update().filter(pk=program.pk).first()
    _check_can_apply(employee=applicant, program=program, role=role, today=today)
    application = Application(
        program=program,
        applicant=applicant,
        role=role,
        motivation=motivation.strip(),
        goals=goals.strip(),
        availability=availability.strip(),
        mentor_capacity=_clean_capacity(
            program=program, role=role, mentor_capacity=mentor_capacity
        ),
        share_with_mentor=share_with_mentor and role == Application.Role.MENTOREE,
    )
    if not application.motivation:
        raise ValidationError({"motivation": "Say in a few words why you want to take part."})
    application.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError as exc:
        raise refuse("You have already applied to this program.", "duplicate") from exc
    application.tags.set(tags)
    _relations_for_applicant(program=program, applicant=applicant)
    for coordinator in selectors.coordinators_of(program=program):
        message_schedule(
            recipient=coordinator,
            kind="application_new",
            key=f"application-new:{application.pk}",
            object_id=application.pk,
        )
    message_schedule(
        recipient=applicant.user,
        kind="application_received",
        key=f"application-received:{application.pk}",
        object_id=application.pk,
    )
    return application


@transaction.atomic
def application_update(
    *,
    application: Application,
    by: Employee,
    motivation: str,
    goals: str = "",
    tags: Iterable[Tag] = (),
    availability: str = "",
    mentor_capacity: int | None = None,
    share_with_mentor: bool = False,
) -> Application:
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.applicant_id != by.pk:
        raise refuse("Only the applicant can change an application.", "not_owner")
    if not application.is_open:
        raise refuse("A decided or withdrawn application can no longer be changed.", "decided")
    application.motivation = motivation.strip()
    if not application.motivation:
        raise ValidationError({"motivation": "Say in a few words why you want to take part."})
    application.goals = goals.strip()
    application.availability = availability.strip()
    application.share_with_mentor = (
        share_with_mentor and application.role == Application.Role.MENTOREE
    )
    application.mentor_capacity = _clean_capacity(
        program=application.program, role=application.role, mentor_capacity=mentor_capacity
    )
    application.full_clean(validate_constraints=False)
    application.save()
    application.tags.set(tags)
    return application


@transaction.atomic
def application_consent_set(*, application: Application, by: Employee, share: bool) -> Application:
    """The mentoree gives or withdraws their consent to show the goals and topics of their
    application to a proposed mentor, at any time, decided or not: a consent that could not
    be taken back would not be one. Withdrawing it hides them from the next page the mentor
    opens."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.applicant_id != by.pk:
        raise refuse("Only the applicant can change this consent.", "not_owner")
    if application.role != Application.Role.MENTOREE:
        raise refuse("Only a mentoree's goals are shown to a proposed mentor.", "not_mentoree")
    if application.status in (Application.Status.WITHDRAWN, Application.Status.DECLINED):
        raise refuse("This application is closed: nothing of it is shown to a mentor.", "closed")
    application.share_with_mentor = share
    application.save(update_fields=["share_with_mentor", "updated_at"])
    return application


@transaction.atomic
def application_withdraw(*, application: Application, by: Employee) -> Application:
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.applicant_id != by.pk:
        raise refuse("Only the applicant can withdraw an application.", "not_owner")
    if not application.is_open:
        raise refuse("A decided application can no longer be withdrawn.", "decided")
    application.status = Application.Status.WITHDRAWN
    application.save(update_fields=["status", "updated_at"])
    return application
