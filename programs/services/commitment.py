"""Writes for the program commitment: publishing a version, and a participant accepting it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from core.refusals import refuse
from notifications.messaging import message_schedule
from people.models import Employee, User
from programs import selectors
from programs.models import (
    Application,
    Commitment,
    CommitmentAcceptance,
    Program,
)
from programs.services.common import require_coordinator
from programs.signals import commitment_accepted


def commitment_check(*, program: Program, by: User, text: str) -> str:
    """What publishing `text` would refuse, without publishing: the preview step asks this
    first, so a coordinator sees a refusal before the difference. Returns the text as it
    would be published."""
    require_coordinator(user=by, program=program)
    text = text.strip()
    if len(text) < 50:
        raise ValidationError(
            {"text": ValidationError("State the promise in full.", code="too_short")}
        )
    current = selectors.commitment_current(program=program)
    if current is not None and current.text.strip() == text:
        raise ValidationError(
            {"text": ValidationError("This text is the same as the current version.", "unchanged")}
        )
    return text


@transaction.atomic
def commitment_publish(
    *, program: Program, by: User, text: str, based_on: int | None = None
) -> Commitment:
    """Publish a new version. Every admitted participant is asked to accept it again, and
    until they do they cannot be placed in a new pairing (F5).

    `based_on` is the version the coordinator compared the text with (0: none yet): when
    another version was published meanwhile, publishing is refused, so nobody publishes
    over a version they have not seen. The program row is locked, so two coordinators
    cannot both publish against the same version."""
    text = commitment_check(program=program, by=by, text=text)
    program = Program.objects.select_for_update().get(pk=program.pk)
    current = selectors.commitment_current(program=program)
    if current is not None and current.text.strip() == text:
        raise refuse("This text is the same as the current version.", "unchanged")
    in_force = current.version if current else 0
    if based_on is not None and based_on != in_force:
        raise refuse(
            f"Version {in_force} was published meanwhile: compare your text with it before "
            "publishing.",
            "stale",
        )
    commitment = Commitment.objects.create(
        program=program,
        version=(current.version + 1) if current else 1,
        text=text,
        published_by=by,
    )
    for user in User.objects.filter(
        employee__applications__program=program,
        employee__applications__status=Application.Status.ADMITTED,
    ).distinct():
        message_schedule(
            recipient=user,
            kind="commitment_to_accept",
            key=f"commitment:{commitment.pk}",
            object_id=commitment.pk,
        )
    return commitment


@transaction.atomic
def commitment_accept(*, employee: Employee, program: Program) -> CommitmentAcceptance:
    """Record that an admitted participant accepts the current version (idempotent)."""
    if not selectors.is_admitted(employee=employee, program=program):
        raise refuse("Only admitted participants accept the program commitment.", "not_admitted")
    commitment = selectors.commitment_current(program=program)
    if commitment is None:
        raise refuse("This program has no commitment yet.", "no_commitment")
    acceptance, _ = CommitmentAcceptance.objects.get_or_create(
        commitment=commitment, employee=employee, defaults={"text_hash": commitment.text_hash}
    )
    # Pairings waiting on this acceptance may move on (F5): pairings, built on programs,
    # hears it through the signal.
    commitment_accepted.send(sender=Program, employee=employee, program=program)
    return acceptance
