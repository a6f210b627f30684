"""Reads for talent reviews. The dossier is built from an explicit allow-list of directory
facts and earlier reviews: nothing from mentoring can reach it (F2)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from guardian.shortcuts import get_objects_for_user

from core.listing import FilteredList, search_condition
from firewall.register import conflict_exists
from people.models import Employee, User
from people.roles import TALENT_TEAM
from people.selectors import reporting_chain_up
from reviews.models import PanelSeat, Recusal, TalentReview

SIT = "reviews.sit_on_panel"


def is_talent_team(*, user: User) -> bool:
    return (
        user.is_authenticated and user.is_active and user.groups.filter(name=TALENT_TEAM).exists()
    )


def employee_id_of(user: User) -> int | None:
    """The directory entry of an account, as an id (None for accounts outside the directory)."""
    return Employee.objects.filter(user_id=user.pk).values_list("pk", flat=True).first()


def review_list_for(*, user: User) -> QuerySet[TalentReview]:
    """The Talent team sees every review; a panel member the reviews they sit on. Nobody
    sees a review of a subject they hold a mentoring-side relation with (F11): a mentor,
    a coordinator or committee member of a program the subject applied to, the leader of a
    session the subject registered for, a declared conflict. Accounts outside the directory
    (an administration account) run no reviews."""
    if not user.is_authenticated or not user.is_active:
        return TalentReview.objects.none()
    person = Employee.objects.filter(user_id=user.pk).values("pk")[:1]
    if is_talent_team(user=user):
        qs = TalentReview.objects.all()
    else:
        qs = get_objects_for_user(
            user, SIT, klass=TalentReview, with_superuser=False, accept_global_perms=False
        )
    return (
        qs.filter(Exists(person))
        .filter(~conflict_exists(person=Subquery(person), subject=OuterRef("subject_id")))
        .select_related("subject")
        .order_by("-scheduled_on", "-pk")
    )


# What a search of reviews may match: the subject's directory entry and the cycle; never an
# outcome or a panel's comments.
REVIEW_SEARCH = (
    "subject__first_name",
    "subject__last_name",
    "subject__email",
    "subject__number",
    "subject__department",
    "cycle",
)


def review_list_filtered(
    *, user: User, status: str = "", search: Sequence[str] = ()
) -> FilteredList:
    """`review_list_for`, narrowed by status and by the subject's name, e-mail, number or
    department or the cycle: a panel member still sees only the reviews they sit on."""
    condition = search_condition(search, REVIEW_SEARCH)
    if status:
        condition &= Q(status=status)
    reviews = review_list_for(user=user)
    counts = reviews.aggregate(total=Count("pk"), shown=Count("pk", filter=condition))
    return FilteredList(
        rows=reviews.filter(condition), shown=counts["shown"], total=counts["total"]
    )


def review_get_for(*, user: User, pk: int) -> TalentReview:
    try:
        return review_list_for(user=user).get(pk=pk)
    except TalentReview.DoesNotExist:
        raise Http404("No such review") from None


def can_see_review(*, user: User, review: TalentReview) -> bool:
    return review_list_for(user=user).filter(pk=review.pk).exists()


def panel_of(*, review: TalentReview) -> QuerySet[PanelSeat]:
    """Every seat, as the Talent team made it. A member who has since become a mentoring-side
    relation of the subject (the subject applied to a program they coordinate, say) keeps the
    seat on this page but is out of the review entirely: `review_list_for` no longer gives
    them the review, and every service asks the register again. The page does not change, so
    it never tells the review side that the subject joined something (F2)."""
    return review.seats.select_related("member").order_by("created_at", "pk")


def recusals_of(*, review: TalentReview) -> QuerySet[Recusal]:
    """The people refused a seat on this review: names only, never why."""
    return review.recusals.select_related("person").order_by(
        "person__last_name", "person__first_name"
    )


# --- The dossier: an allow-list ---------------------------------------------------------------


@dataclass(frozen=True)
class EarlierReview:
    cycle: str
    scheduled_on: date
    rating: str


@dataclass(frozen=True)
class Dossier:
    """Everything a panel member sees of the subject. Each field names its source; there is
    no field for anything from mentoring, and no way to add one without changing this class."""

    name: str  # directory
    title: str  # directory
    department: str  # directory
    location: str  # directory
    grade: int  # directory
    reporting_line: list[str] = field(default_factory=list)  # directory: managers, nearest first
    direct_reports: int = 0  # directory
    earlier_reviews: list[EarlierReview] = field(default_factory=list)  # concluded reviews


def dossier_for(*, review: TalentReview) -> Dossier:
    """The subject's dossier, in a fixed number of queries."""
    subject: Employee = review.subject
    chain = reporting_chain_up(employee=subject)
    earlier = (
        TalentReview.objects.filter(
            subject=subject,
            status=TalentReview.Status.CONCLUDED,
            scheduled_on__lt=review.scheduled_on,
        )
        .exclude(pk=review.pk)
        .order_by("-scheduled_on")
    )
    return Dossier(
        name=subject.full_name,
        title=subject.title,
        department=subject.department,
        location=subject.location,
        grade=subject.level,
        reporting_line=[f"{m.full_name}, {m.title}" for m in chain],
        direct_reports=subject.direct_reports.filter(is_active=True).count(),
        earlier_reviews=[
            EarlierReview(r.cycle, r.scheduled_on, r.get_rating_display() or "No rating")
            for r in earlier
        ],
    )


def seat_of(*, review: TalentReview, seat_id: int) -> PanelSeat:
    """A seat of this review (already one the user may see), or a 404."""
    seat = PanelSeat.objects.filter(pk=seat_id, review=review).first()
    if seat is None:
        raise Http404("No such seat")
    return seat
