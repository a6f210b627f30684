"""Writes for pairings: proposing a pair under the hard constraints, the members' acceptance,
the activation gate (F5), meetings, goals and the no-fault ending (F7)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from guardian.shortcuts import assign_perm

from core.refusals import refuse
from firewall.register import (
    NEUTRAL_MESSAGE,
    mentoring_end,
    mentoring_hold,
    open_assessment_exists,
)
from notifications.messaging import message_schedule
from pairings import signals

# The pair's meetings and goals have modules of their own; their services are named here too,
# so every caller keeps one entry point (`pairings.services`).
from pairings.goals import goal_create, goal_set_status, goal_update
from pairings.meetings import (
    meeting_cancel,
    meeting_delete,
    meeting_log,
    meeting_update,
    meetings_cancel_future,
)
from pairings.members import member_role
from pairings.models import Pairing, PrivateEndReason
from people.models import Employee, User
from people.selectors import in_management_chain
from programs.models import Application, Program
from programs.selectors import commitment_is_accepted

ACCESS = "access_pairing"

__all__ = [
    "goal_create",
    "goal_set_status",
    "goal_update",
    "meeting_cancel",
    "meeting_delete",
    "meeting_log",
    "meeting_update",
]


def _admitted(program: Program, employee: Employee, role: str) -> Application | None:
    return Application.objects.filter(
        program=program, applicant=employee, role=role, status=Application.Status.ADMITTED
    ).first()


def pairing_refusals(*, program: Program, mentor: Employee, mentoree: Employee) -> list[str]:
    """Every hard constraint a new pairing breaks, in words; empty when it may be made.

    The one check for every path that creates a pairing: the browser, the admin, an import;
    a matching run's publication asks the same rules of many pairs at once
    (`pairings.bulk.pairing_refusals_many`), in the same words (`refusal_words`).
    """
    if mentor.pk == mentoree.pk:
        return [SELF_REFUSAL]
    mentor_application = _admitted(program, mentor, Application.Role.MENTOR)
    live = (
        Pairing.objects.filter(program=program, mentor=mentor, status__in=Pairing.LIVE).count()
        if mentor_application is not None
        else 0
    )
    return refusal_words(
        program,
        mentor,
        mentoree,
        mentor_application=mentor_application,
        mentoree_admitted=_admitted(program, mentoree, Application.Role.MENTOREE) is not None,
        in_chain=in_management_chain(a=mentor, b=mentoree, depth=settings.PAIRING_CHAIN_DEPTH),
        live=live,
        mentoree_paired=Pairing.objects.filter(
            program=program, mentoree=mentoree, status__in=Pairing.LIVE
        ).exists(),
        conflicted=open_assessment_exists(mentor_id=mentor.pk, mentoree_id=mentoree.pk),
        accepted={
            person.pk
            for person in (mentor, mentoree)
            if commitment_is_accepted(employee=person, program=program)
        },
    )


SELF_REFUSAL = "A person cannot mentor themselves."


def refusal_words(
    program: Program,
    mentor: Employee,
    mentoree: Employee,
    *,
    mentor_application: Application | None,
    mentoree_admitted: bool,
    in_chain: bool,
    live: int,
    mentoree_paired: bool,
    conflicted: bool,
    accepted: set[int],
) -> list[str]:
    """The refusals of one pair in words, rule by rule, from facts read one pair at a time
    (`pairing_refusals`) or for many at once (`pairing_refusals_many`)."""
    if mentor.pk == mentoree.pk:
        return [SELF_REFUSAL]
    reasons: list[str] = []
    for person in (mentor, mentoree):
        if not person.is_active:
            reasons.append(f"{person.full_name} is no longer an active employee.")
    if mentor_application is None:
        reasons.append(f"{mentor.full_name} is not an admitted mentor of this program.")
    if not mentoree_admitted:
        reasons.append(f"{mentoree.full_name} is not an admitted mentoree of this program.")
    if mentor.is_group_only:
        reasons.append(
            f"{mentor.full_name} is at the group-only level: they lead group sessions and "
            "never mentor one person (F4)."
        )
    if in_chain:
        reasons.append(
            f"{mentor.full_name} and {mentoree.full_name} are in the same management chain: "
            "nobody mentors their own manager or someone they manage."
        )
    if mentor_application is not None:
        capacity = mentor_application.mentor_capacity or program.default_mentor_capacity
        if live >= capacity:
            reasons.append(
                f"{mentor.full_name} has no capacity left ({live} of {capacity} mentorees)."
            )
    if mentoree_paired:
        reasons.append(f"{mentoree.full_name} already has a mentor in this program.")
    if conflicted:
        reasons.append(f"{mentor.full_name} {NEUTRAL_MESSAGE}.")
    for person in (mentor, mentoree):
        if person.pk not in accepted:
            reasons.append(
                f"{person.full_name} has not accepted the current program commitment yet (F5)."
            )
    return reasons


@transaction.atomic
def pairing_propose(
    *,
    program: Program,
    mentor: Employee,
    mentoree: Employee,
    by: User | None,
    score: int | None = None,
    notify: bool = True,
) -> Pairing:
    """Propose a pairing. Both members get access to the pair's space and are told.

    The mentor's and the mentoree's admission rows are locked first, so two proposals for
    the same mentor cannot both take their last seat, and the partial unique constraint on
    live pairings per mentoree holds the rest even under concurrent requests.
    """
    list(
        Application.objects.select_for_update()
        .filter(program=program, applicant__in=[mentor, mentoree])
        .order_by("pk")
    )
    # Fresh rows: the rules read grades and the active flag as they are now.
    mentor = Employee.objects.select_related("user").get(pk=mentor.pk)
    mentoree = Employee.objects.select_related("user").get(pk=mentoree.pk)
    reasons = pairing_refusals(program=program, mentor=mentor, mentoree=mentoree)
    if reasons:
        raise ValidationError(reasons, code="constraint")
    # F3, the reverse direction: never while the mentor sits on an open review of the
    # mentoree. The register locks the same row the reviews side locks to seat a panel.
    if not mentoring_hold(mentor_id=mentor.pk, mentoree_id=mentoree.pk):
        raise refuse(f"{mentor.full_name} {NEUTRAL_MESSAGE}.", "conflict")
    pairing = Pairing(program=program, mentor=mentor, mentoree=mentoree, score=score)
    pairing.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            pairing.save()
    except IntegrityError as exc:
        raise refuse(f"{mentoree.full_name} already has a mentor in this program.", "race") from exc
    for member in (mentor, mentoree):
        assign_perm(ACCESS, member.user, pairing)
    signals.pairing_proposed.send(sender=Pairing, pairing=pairing)
    if notify:
        for member in (mentor, mentoree):
            message_schedule(
                recipient=member.user_id,
                kind="pairing_proposed",
                key=f"pairing-proposed:{pairing.pk}",
                object_id=pairing.pk,
            )
    return pairing


COMMITMENT_BLOCKER = "The mentoree has not accepted the current program commitment."


def pairing_activation_blockers(*, pairing: Pairing) -> list[str]:
    """What still stands between this pairing and being active (F5), in words.

    The single gate: both members accepted the match, the mentoree accepted the current
    program commitment, and both signed the current version of the pair's agreement.
    """
    blockers = []
    if pairing.mentor_accepted_at is None:
        blockers.append("The mentor has not accepted the match yet.")
    if pairing.mentoree_accepted_at is None:
        blockers.append("The mentoree has not accepted the match yet.")
    if not commitment_is_accepted(employee=pairing.mentoree, program=pairing.program):
        blockers.append(COMMITMENT_BLOCKER)
    blockers.extend(signals.blockers_from_receivers(sender=Pairing, pairing=pairing))
    return blockers


@transaction.atomic
def pairing_refresh_status(*, pairing: Pairing) -> Pairing:
    """Move a live pairing to the status its gate allows, forwards or back."""
    pairing = Pairing.objects.select_for_update().get(pk=pairing.pk)
    # An active pairing stays active when a new commitment version is published: the new
    # version holds back new pairings only. (The agreement moves a pairing back explicitly.)
    if not pairing.is_live or pairing.status == Pairing.Status.ACTIVE:
        return pairing
    accepted = pairing.mentor_accepted_at and pairing.mentoree_accepted_at
    blockers = pairing_activation_blockers(pairing=pairing)
    if not accepted:
        wanted = Pairing.Status.PROPOSED
    elif blockers:
        wanted = Pairing.Status.AWAITING_AGREEMENT
    else:
        wanted = Pairing.Status.ACTIVE
    if wanted != pairing.status:
        pairing.status = wanted
        if wanted == Pairing.Status.ACTIVE and pairing.activated_at is None:
            pairing.activated_at = timezone.now()
        pairing.save(update_fields=["status", "activated_at"])
        if wanted == Pairing.Status.ACTIVE:
            for member in (pairing.mentor, pairing.mentoree):
                message_schedule(
                    recipient=member.user_id,
                    kind="pairing_active",
                    key=f"pairing-active:{pairing.pk}",
                    object_id=pairing.pk,
                )
        elif wanted == Pairing.Status.AWAITING_AGREEMENT:
            signals.pairing_awaits_agreement.send(sender=Pairing, pairing=pairing)
    return pairing


@transaction.atomic
def pairing_agreement_changed(*, pairing: Pairing) -> Pairing:
    """The pair's agreement has a new version: an active pairing waits again until both have
    signed it (the agreement's service calls this, then asks both to sign)."""
    Pairing.objects.filter(pk=pairing.pk, status=Pairing.Status.ACTIVE).update(
        status=Pairing.Status.AWAITING_AGREEMENT
    )
    return pairing_refresh_status(pairing=pairing)


def pairings_refresh_for(*, employee: Employee, program: Program) -> None:
    """After someone accepts a commitment: their live pairings in the program may move on."""
    for pairing in Pairing.objects.filter(
        Q(mentor=employee) | Q(mentoree=employee), program=program, status__in=Pairing.LIVE
    ):
        pairing_refresh_status(pairing=pairing)


@transaction.atomic
def pairing_accept(*, pairing: Pairing, by: Employee) -> Pairing:
    """A member accepts the proposed match."""
    pairing = Pairing.objects.select_for_update().get(pk=pairing.pk)
    role = member_role(pairing, by)
    if not pairing.is_live:
        raise refuse("This pairing has ended.", "ended")
    field = f"{role}_accepted_at"
    if getattr(pairing, field) is None:
        setattr(pairing, field, timezone.now())
        pairing.save(update_fields=[field])
    return pairing_refresh_status(pairing=pairing)


@transaction.atomic
def pairing_end(
    *, pairing: Pairing, by: Employee, category: str, private_reason: str = ""
) -> Pairing:
    """Either member ends the pairing, without fault (F7).

    Only the category is kept on the pairing, for counts in aggregate. Who ended it is not
    recorded there; a private reason is kept for its author alone. The mentoree keeps their
    standing and can be matched again at once. Meetings still to come are cancelled (calendars
    are told) and the goals are frozen as they stand (`members.require_active`).
    """
    pairing = Pairing.objects.select_for_update().get(pk=pairing.pk)
    member_role(pairing, by)
    if not pairing.is_live:
        raise refuse("This pairing has already ended.", "ended")
    if category not in Pairing.EndCategory.values:
        raise ValidationError({"category": "Choose why the pairing ends."})
    pairing.status = Pairing.Status.ENDED
    pairing.ended_at = timezone.now()
    pairing.end_category = category
    pairing.save(update_fields=["status", "ended_at", "end_category"])
    meetings_cancel_future(pairing=pairing)
    mentoring_end(mentor_id=pairing.mentor_id, mentoree_id=pairing.mentoree_id)
    private_reason = private_reason.strip()
    if private_reason:
        PrivateEndReason.objects.create(pairing=pairing, author=by.user, text=private_reason)
    other = pairing.mentoree if by.pk == pairing.mentor_id else pairing.mentor
    message_schedule(
        recipient=other.user_id,
        kind="pairing_ended",
        key=f"pairing-ended:{pairing.pk}",
        object_id=pairing.pk,
    )
    return pairing


def nudges_plan(*, now: datetime | None = None) -> int:
    """Schedule the "no meeting logged for 30 days" nudge for both members of every active
    pair whose latest meeting (or, with none, its activation) is that old. The key names the
    silent stretch by its start, so each stretch is nudged once, whenever the planner runs.
    Returns how many new messages were scheduled."""
    now = now or timezone.now()
    quiet_since = now - timedelta(days=settings.NO_MEETING_NUDGE_DAYS)
    silent = (
        Pairing.objects.filter(status=Pairing.Status.ACTIVE)
        .annotate(
            anchor=Coalesce(
                Max("meetings__starts_at", filter=Q(meetings__cancelled_at__isnull=True)),
                "activated_at",
                "proposed_at",
            )
        )
        .filter(anchor__lte=quiet_since)
        .select_related("mentor", "mentoree")
        .order_by("pk")
    )
    scheduled = 0
    for pairing in silent.iterator(chunk_size=500):
        with transaction.atomic():
            for member in (pairing.mentor, pairing.mentoree):
                scheduled += message_schedule(
                    recipient=member.user_id,
                    kind="no_meeting_nudge",
                    key=f"no-meeting:{pairing.pk}:{pairing.anchor:%Y%m%d%H%M%S}",
                    object_id=pairing.pk,
                )
    return scheduled
