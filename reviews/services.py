"""Writes for talent reviews: staffing panels (with recusal, F3), the review's life cycle and
its outcome. The only thing reviews learns from mentoring is the register's yes or no."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from guardian.shortcuts import assign_perm, remove_perm

from core.refusals import refuse
from firewall.register import (
    NEUTRAL_MESSAGE,
    assessment_hold,
    assessment_release,
    conflicted_people,
)
from notifications.messaging import message_schedule
from people.models import Employee, User
from reviews.models import PanelSeat, Recusal, TalentReview
from reviews.selectors import can_see_review, employee_id_of, is_talent_team

SIT = "sit_on_panel"


def _require_talent_team(user: User) -> None:
    if not is_talent_team(user=user):
        raise refuse("Only the Talent team staffs talent reviews.", "not_talent_team")


def _runner_id(user: User) -> int:
    person_id = employee_id_of(user)
    if person_id is None:
        raise refuse("Only people in the company directory run talent reviews.", "no_person")
    return person_id


def _run(*, review: TalentReview, by: User, request_id: str = "") -> bool:
    """The acting Talent team member runs this review (F11): the register refuses, and
    records the refused attempt, when they hold a mentoring-side relation with the subject;
    otherwise it notes the open assessment under the same row lock a pairing or a program
    role would take. Call inside a transaction; raise the refusal after it commits."""
    return assessment_hold(
        person_id=_runner_id(by),
        subject_id=review.subject_id,
        review_id=review.pk,
        actor=by,
        request_id=request_id,
    )


def _conflict_refusal() -> ValidationError:
    return refuse("You have a declared conflict of interest with the subject.", "conflict")


def review_create(
    *, by: User, subject: Employee, cycle: str, scheduled_on: date, request_id: str = ""
) -> TalentReview:
    """Plan a review. Refused, in neutral words, when the creator holds a mentoring-side
    relation with the subject (F11); the refused attempt stays recorded, the review does not."""
    _require_talent_team(by)
    with transaction.atomic():
        if not subject.is_active:
            raise ValidationError({"subject": "Reviews are for active employees."})
        review = TalentReview(
            subject=subject, cycle=cycle.strip(), scheduled_on=scheduled_on, created_by=by
        )
        review.full_clean()
        review.save()
        if _run(review=review, by=by, request_id=request_id):
            return review
        review.delete()
    raise _conflict_refusal()


def seat_add(
    *, review: TalentReview, member: Employee, by: User, request_id: str = ""
) -> PanelSeat:
    """Seat a panel member. Refused, in neutral words, when the register says the member has
    a conflict with the subject (a current or former mentor, a coordinator or committee
    member of a program the subject applied to, the leader of a session the subject
    registered for, a declared conflict); the attempt is recorded and the person appears on
    the recusal list. The register locks the same row that pairing the two, or giving the
    member a program role towards the subject, would lock, so this holds under concurrent
    requests.

    The refusal is raised after the transaction that records it has committed, so the
    recusal and the access event stay while the seat does not.
    """
    _require_talent_team(by)
    with transaction.atomic():
        # Lock the review row only (of=self): locking the subject's directory row as well
        # would deadlock with a concurrent pairing, whose register row points at it.
        review = (
            TalentReview.objects.select_for_update(of=("self",))
            .select_related("subject")
            .get(pk=review.pk)
        )
        if not review.is_open:
            raise refuse("This review has concluded; its panel is closed.", "concluded")
        if not _run(review=review, by=by, request_id=request_id):
            conflicted = True
        else:
            conflicted = False
            if member.pk == review.subject_id:
                raise refuse("The subject of a review does not sit on its panel.", "subject")
            if not member.is_active:
                raise refuse(f"{member.full_name} is no longer an active employee.", "inactive")
            if PanelSeat.objects.filter(review=review, member=member).exists():
                raise refuse(f"{member.full_name} already sits on this panel.", "duplicate")
            seat = PanelSeat.objects.create(review=review, member=member, seated_by=by)
            held = assessment_hold(
                person_id=member.pk,
                subject_id=review.subject_id,
                seat_id=seat.pk,
                actor=by,
                request_id=request_id,
            )
            if held:
                assign_perm(SIT, member.user, review)
                message_schedule(
                    recipient=member.user_id,
                    kind="panel_invitation",
                    key=f"panel-invitation:{seat.pk}",
                    object_id=seat.pk,
                )
                return seat
            seat.delete()
            Recusal.objects.get_or_create(review=review, person=member)
    if conflicted:
        raise _conflict_refusal()
    raise refuse(f"{member.full_name} {NEUTRAL_MESSAGE}.", "conflict")


def seat_remove(*, seat: PanelSeat, by: User, request_id: str = "") -> None:
    _require_talent_team(by)
    with transaction.atomic():
        review = TalentReview.objects.select_for_update().get(pk=seat.review_id)
        if not review.is_open:
            raise refuse("This review has concluded; its panel is closed.", "concluded")
        if _run(review=review, by=by, request_id=request_id):
            assessment_release(seat_ids=[seat.pk])
            remove_perm(SIT, seat.member.user, review)
            seat.delete()
            return
    raise _conflict_refusal()


def review_transition(
    *, review: TalentReview, by: User, to_status: str, request_id: str = ""
) -> TalentReview:
    _require_talent_team(by)
    with transaction.atomic():
        review = TalentReview.objects.select_for_update().get(pk=review.pk)
        if TalentReview.TRANSITIONS.get(review.status) != to_status:
            raise refuse(
                "A review moves from planned to in session to concluded, one step at a time.",
                "bad_transition",
            )
        if _run(review=review, by=by, request_id=request_id):
            review.status = to_status
            review.save(update_fields=["status"])
            if to_status == TalentReview.Status.CONCLUDED:
                # A concluded review is no longer open: its panel and the people who ran it
                # no longer block a mentoring-side role.
                assessment_release(
                    seat_ids=list(review.seats.values_list("pk", flat=True)), review_id=review.pk
                )
            return review
    raise _conflict_refusal()


def outcome_record(
    *, review: TalentReview, by: User, rating: str, summary: str, request_id: str = ""
) -> TalentReview:
    with transaction.atomic():
        review = TalentReview.objects.select_for_update().get(pk=review.pk)
        if not can_see_review(user=by, review=review):
            raise refuse("Only the panel and the Talent team record the outcome.", "denied")
        if review.status == TalentReview.Status.PLANNED:
            raise refuse("The outcome is recorded once the review is in session.", "planned")
        if rating not in TalentReview.Rating.values:
            raise ValidationError({"rating": "Choose a rating on the company's scale."})
        if not is_talent_team(user=by) or _run(review=review, by=by, request_id=request_id):
            review.rating = rating
            review.summary = summary.strip()
            review.save(update_fields=["rating", "summary"])
            return review
    raise _conflict_refusal()


def recused_among(*, review: TalentReview, people: list[Employee]) -> set[int]:
    """Who among these people may not sit on this review (for the staffing page)."""
    return conflicted_people(subject_id=review.subject_id, person_ids=[p.pk for p in people])
