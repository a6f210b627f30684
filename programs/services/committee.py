"""Writes for the committee: votes on applications, with recusal up the management chain."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.refusals import refuse
from notifications.messaging import message_schedule
from people.models import User
from programs import selectors
from programs.models import (
    Application,
    Vote,
)


@transaction.atomic
def vote_cast(*, application: Application, voter: User, choice: str, comment: str = "") -> Vote:
    """A committee member votes (or changes their vote) on an undecided application.

    A member who is the applicant or anywhere above them in the management chain is recused
    and cannot vote; the application does not even appear in their queue.
    """
    application = Application.objects.select_for_update().get(pk=application.pk)
    if not selectors.is_committee_member(user=voter, program=application.program):
        raise refuse("Only committee members of this program can vote.", "not_member")
    if selectors.is_recused(user=voter, application=application):
        raise refuse(
            "You are recused from this application: you are the applicant or in their "
            "management chain.",
            "recused",
        )
    if application.status != Application.Status.SUBMITTED:
        raise refuse("This application has already been decided.", "decided")
    if choice not in Vote.Choice.values:
        raise ValidationError({"choice": "Choose admit, decline or waiting list."})
    vote, _ = Vote.objects.update_or_create(
        application=application,
        voter=voter,
        defaults={"choice": choice, "comment": comment.strip()},
    )
    return vote


_DECISION_STATUS: dict[str, str] = {
    Vote.Choice.ADMIT: Application.Status.ADMITTED,
    Vote.Choice.DECLINE: Application.Status.DECLINED,
    Vote.Choice.WAITLIST: Application.Status.WAITLISTED,
}


@transaction.atomic
def application_decide(
    *, application: Application, by: User, decision: str, reason: str
) -> Application:
    """Record the decision on an application, with its reason.

    A committee member records it once the quorum rule is met (at least `quorum_votes` votes
    and a majority for one choice), and only the majority's choice. A coordinator may also
    decide alone when the committee has fewer eligible members than the quorum, and may
    decide on a waitlisted application. The applicant is told the decision, never the votes.
    """
    application = Application.objects.select_for_update().get(pk=application.pk)
    program = application.program
    reason = reason.strip()
    if decision not in _DECISION_STATUS:
        raise ValidationError({"decision": "Choose admit, decline or waiting list."})
    if not reason:
        raise ValidationError({"reason": "Record the reason for the decision."})
    is_coordinator = selectors.is_coordinator(user=by, program=program)
    is_member = selectors.is_committee_member(user=by, program=program)
    if not (is_coordinator or is_member):
        raise refuse("Only the committee or a coordinator can decide.", "not_member")
    if selectors.is_recused(user=by, application=application):
        raise refuse(
            "You are recused from this application: you are the applicant or in their "
            "management chain.",
            "recused",
        )
    if application.status not in Application.UNDECIDED:
        raise refuse("This application has already been decided.", "decided")
    if (
        decision == Vote.Choice.ADMIT
        and application.role == Application.Role.MENTOR
        and application.applicant.is_group_only
    ):
        # F4 holds at admission too: someone promoted since they applied leads groups now.
        raise refuse(
            "This applicant is now at the group-only level: they lead group mentoring "
            "sessions instead of mentoring one person, so they cannot be admitted as a mentor.",
            "group_only",
        )
    tally = selectors.vote_tally(application=application)
    small_committee = selectors.eligible_committee_size(application=application) < (
        program.quorum_votes
    )
    coordinator_alone = is_coordinator and (
        small_committee or application.status == Application.Status.WAITLISTED
    )
    if not coordinator_alone:
        if application.status == Application.Status.WAITLISTED:
            raise refuse(
                "Only a coordinator admits or declines people on the waiting list.", "waitlisted"
            )
        if tally.majority is None:
            raise refuse(
                f"The quorum is not met yet: a decision needs at least {program.quorum_votes} "
                f"votes and a majority for one choice ({tally.total} vote(s) so far).",
                "no_quorum",
            )
        if decision != tally.majority:
            raise refuse(
                f"The committee's majority voted to {Vote.Choice(tally.majority).label.lower()}; "
                "record that decision or keep voting.",
                "against_majority",
            )
    application.status = _DECISION_STATUS[decision]
    application.decided_at = timezone.now()
    application.decided_by = by
    application.decision_reason = reason
    application.save()
    message_schedule(
        recipient=application.applicant.user_id,
        kind="application_decided",
        key=f"application-decided:{application.pk}:{application.status}",
        object_id=application.pk,
    )
    current = selectors.commitment_current(program=program)
    if application.status == Application.Status.ADMITTED and current is not None:
        message_schedule(
            recipient=application.applicant.user_id,
            kind="commitment_to_accept",
            key=f"commitment:{current.pk}",
            object_id=current.pk,
        )
    return application
