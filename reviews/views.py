"""Thin views for the talent-review side. Nothing here reads mentoring data."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.listing import list_context, read_filters, render_list
from core.pages import paginate
from core.refusals import add_service_errors, show_refusal
from people.views import person_choices
from reviews import selectors, services
from reviews.forms import OutcomeForm, ReviewForm, SeatForm
from reviews.models import TalentReview
from reviews.picker import PANEL_MEMBER, REVIEW_SUBJECT


@require_safe
def review_list(request: HttpRequest) -> HttpResponse:
    form, filters = read_filters(
        request,
        search_label="Search reviews",
        search_help="Subject's name, e-mail, employee number or department, or the cycle.",
        statuses=TalentReview.Status.choices,
    )
    reviews = selectors.review_list_filtered(
        user=request.user, status=filters.status, search=filters.terms
    )
    context = list_context(
        form=form,
        filters=filters,
        page=paginate(request, reviews.rows, count=reviews.shown),
        total=reviews.total,
        noun="review",
        nouns="reviews",
        region="reviews-results",
    )
    context["is_talent_team"] = selectors.is_talent_team(user=request.user)
    return render_list(request, "reviews/review_list.html", context)


@require_http_methods(["GET", "POST"])
def review_create(request: HttpRequest) -> HttpResponse:
    if not selectors.is_talent_team(user=request.user):
        raise PermissionDenied
    form = ReviewForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            review = services.review_create(
                by=request.user,
                subject=form.cleaned_data["subject"],
                cycle=form.cleaned_data["cycle"],
                scheduled_on=form.cleaned_data["scheduled_on"],
                request_id=getattr(request, "request_id", ""),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The review is planned. Now staff its panel.")
            return redirect("reviews:detail", pk=review.pk)
    return render(request, "reviews/review_form.html", {"form": form})


def _detail_context(request: HttpRequest, review: TalentReview, **forms) -> dict[str, object]:
    return {
        "review": review,
        "is_talent_team": selectors.is_talent_team(user=request.user),
        "panel": selectors.panel_of(review=review),
        "recusals": selectors.recusals_of(review=review),
        "seat_form": forms.get("seat_form") or SeatForm(user=request.user, review=review),
        "outcome_form": forms.get("outcome_form")
        or OutcomeForm(initial={"rating": review.rating, "summary": review.summary}),
        "next_status": TalentReview.TRANSITIONS.get(review.status),
        "next_status_label": (
            TalentReview.Status(TalentReview.TRANSITIONS[review.status]).label
            if review.status in TalentReview.TRANSITIONS
            else ""
        ),
    }


@never_cache
@require_safe
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_get_for(user=request.user, pk=pk)
    return render(request, "reviews/review_detail.html", _detail_context(request, review))


@never_cache
@require_safe
def dossier(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_get_for(user=request.user, pk=pk)
    return render(
        request,
        "reviews/dossier.html",
        {"review": review, "dossier": selectors.dossier_for(review=review)},
    )


@require_safe
def recusal_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable list for the meeting organiser: names only, "recused: conflict of
    interest", never why."""
    review = selectors.review_get_for(user=request.user, pk=pk)
    return render(
        request,
        "reviews/recusal_list.html",
        {"review": review, "recusals": selectors.recusals_of(review=review)},
    )


@never_cache
@require_POST
def seat_add(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_get_for(user=request.user, pk=pk)
    form = SeatForm(request.POST, user=request.user, review=review)
    if form.is_valid():
        try:
            services.seat_add(
                review=review,
                member=form.cleaned_data["member"],
                by=request.user,
                request_id=getattr(request, "request_id", ""),
            )
        except ValidationError as exc:
            # Once: on the form where the page shows it (the Talent team's, while the review
            # is open), otherwise as a page message, for whoever posted without the form.
            if selectors.is_talent_team(user=request.user) and review.is_open:
                add_service_errors(form, exc)
            else:
                show_refusal(request, exc)
        else:
            messages.success(request, f"{form.cleaned_data['member'].full_name} joined the panel.")
            return redirect("reviews:detail", pk=review.pk)
    return render(
        request,
        "reviews/review_detail.html",
        _detail_context(request, review, seat_form=form),
        status=400,
    )


@require_POST
def seat_remove(request: HttpRequest, pk: int, seat_id: int) -> HttpResponse:
    review = selectors.review_get_for(user=request.user, pk=pk)
    seat = selectors.seat_of(review=review, seat_id=seat_id)
    try:
        services.seat_remove(
            seat=seat, by=request.user, request_id=getattr(request, "request_id", "")
        )
    except ValidationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, "The seat was removed.")
    return redirect("reviews:detail", pk=review.pk)


@require_POST
def review_transition(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_get_for(user=request.user, pk=pk)
    try:
        review = services.review_transition(
            review=review,
            by=request.user,
            to_status=request.POST.get("to", ""),
            request_id=getattr(request, "request_id", ""),
        )
    except ValidationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, f"The review is now {review.get_status_display().lower()}.")
    return redirect("reviews:detail", pk=review.pk)


@never_cache
@require_POST
def outcome(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_get_for(user=request.user, pk=pk)
    form = OutcomeForm(request.POST)
    if form.is_valid():
        try:
            services.outcome_record(
                review=review,
                by=request.user,
                rating=form.cleaned_data["rating"],
                summary=form.cleaned_data["summary"],
                request_id=getattr(request, "request_id", ""),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The panel's outcome was recorded.")
            return redirect("reviews:detail", pk=review.pk)
    return render(
        request,
        "reviews/review_detail.html",
        _detail_context(request, review, outcome_form=form),
        status=400,
    )


@never_cache
@require_safe
def people_subject(request: HttpRequest) -> HttpResponse:
    """The people picker's search for the subject of a new review: the Talent team only."""
    if not selectors.is_talent_team(user=request.user):
        raise PermissionDenied
    return person_choices(request, purpose=REVIEW_SUBJECT)


@never_cache
@require_safe
def people_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The people picker's search for a panel seat: the Talent team, on a review they may
    see (any other is a 404) and that is still open."""
    review = selectors.review_get_for(user=request.user, pk=pk)
    if not selectors.is_talent_team(user=request.user):
        raise PermissionDenied
    return person_choices(request, purpose=PANEL_MEMBER, within=review)
