"""Thin views for pairs and for the coordinator's matching."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.ics import ics_event
from core.pages import paginate
from core.refusals import add_service_errors, show_refusal
from firewall.access import get_or_404_logged
from pairings import selectors, services
from pairings.forms import (
    EndForm,
    GoalForm,
    GoalStatusForm,
    MeetingForm,
    PinForm,
    ProposeForm,
    SwapForm,
)
from pairings.matching import selectors as matching_selectors
from pairings.matching import services as matching
from pairings.models import Goal, Meeting, Pairing
from people.models import Employee
from people.selectors import employee_for_user, employee_get, employees_by_email


def _pairing(request: HttpRequest, pk: int) -> Pairing:
    """The pairing, for its members; for anyone else a 404, and the attempt is logged (F8)."""
    return get_or_404_logged(
        request,
        getter=lambda: selectors.pairing_get_for(user=request.user, pk=pk),
        pk=pk,
        object_type="pairing",
    )


def _meeting(request: HttpRequest, pk: int) -> Meeting:
    return get_or_404_logged(
        request,
        getter=lambda: selectors.meeting_get_for(user=request.user, pk=pk),
        pk=pk,
        object_type="meeting",
    )


def _goal(request: HttpRequest, pk: int) -> Goal:
    return get_or_404_logged(
        request,
        getter=lambda: selectors.goal_get_for(user=request.user, pk=pk),
        pk=pk,
        object_type="goal",
    )


def _me(request: HttpRequest) -> Employee:
    employee = employee_for_user(user=request.user)
    if employee is None:
        raise Http404("Only employees take part in pairings")
    return employee


# --- The pair's space --------------------------------------------------------------------


@require_safe
def my_pairings(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "pairings/my_pairings.html",
        {"page": paginate(request, selectors.pairing_list_for(user=request.user))},
    )


def _space_context(request: HttpRequest, pairing: Pairing, **forms) -> dict[str, object]:
    upcoming, past = selectors.meetings_of(pairing=pairing)
    return {
        "pairing": pairing,
        **selectors.my_pairing_view(pairing=pairing, user=request.user),
        "mentoree_context": selectors.mentoree_context_for(pairing=pairing, user=request.user),
        "blockers": services.pairing_activation_blockers(pairing=pairing)
        if pairing.is_live
        else [],
        "upcoming": upcoming,
        "past": paginate(request, past, "mpage"),
        "goals": selectors.goals_of(pairing=pairing),
        "goal_statuses": GoalStatusForm.base_fields["status"].choices,
        "meeting_form": forms.get("meeting_form") or MeetingForm(),
        "goal_form": forms.get("goal_form") or GoalForm(),
    }


@never_cache
@require_safe
def space(request: HttpRequest, pk: int) -> HttpResponse:
    pairing = _pairing(request, pk)
    return render(request, "pairings/space.html", _space_context(request, pairing))


@require_POST
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    pairing = _pairing(request, pk)
    try:
        pairing = services.pairing_accept(pairing=pairing, by=_me(request))
    except ValidationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, "You accepted the match.")
    return redirect("pairings:space", pk=pairing.pk)


@never_cache
@sensitive_post_parameters("private_reason")
@require_http_methods(["GET", "POST"])
def end(request: HttpRequest, pk: int) -> HttpResponse:
    pairing = _pairing(request, pk)
    if not pairing.is_live:
        messages.error(request, "This pairing has already ended.")
        return redirect("pairings:space", pk=pairing.pk)
    form = EndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.pairing_end(
                pairing=pairing,
                by=_me(request),
                category=form.cleaned_data["category"],
                private_reason=form.cleaned_data["private_reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                "The pairing has ended, with no fault on anyone. You can be matched again.",
            )
            return redirect("pairings:space", pk=pairing.pk)
    return render(request, "pairings/end.html", {"pairing": pairing, "form": form})


@never_cache
@require_POST
def meeting_create(request: HttpRequest, pk: int) -> HttpResponse:
    pairing = _pairing(request, pk)
    form = MeetingForm(request.POST)
    if form.is_valid():
        try:
            services.meeting_log(
                pairing=pairing,
                by=_me(request),
                starts_at=form.cleaned_data["starts_at"],
                duration_minutes=form.cleaned_data["duration_minutes"],
                format=form.cleaned_data["format"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The meeting is in your calendar.")
            return redirect("pairings:space", pk=pairing.pk)
    return render(
        request,
        "pairings/space.html",
        _space_context(request, pairing, meeting_form=form),
        status=400,
    )


@require_POST
def meeting_delete(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    services.meeting_delete(meeting=meeting, by=_me(request))
    messages.success(request, "The meeting was removed.")
    return redirect("pairings:space", pk=meeting.pairing_id)


@require_safe
def meeting_ics(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    url = request.build_absolute_uri(reverse("pairings:space", args=[meeting.pairing_id]))
    text = ics_event(
        uid=f"mentoring-meeting-{meeting.pk}",
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        summary="Mentoring meeting",
        location=meeting.get_format_display(),
        description=url,
        url=url,
    )
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response


@never_cache
@sensitive_post_parameters("title")
@require_POST
def goal_create(request: HttpRequest, pk: int) -> HttpResponse:
    pairing = _pairing(request, pk)
    form = GoalForm(request.POST)
    if form.is_valid():
        try:
            services.goal_create(pairing=pairing, by=_me(request), title=form.cleaned_data["title"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The goal was added.")
            return redirect("pairings:space", pk=pairing.pk)
    return render(
        request,
        "pairings/space.html",
        _space_context(request, pairing, goal_form=form),
        status=400,
    )


@require_POST
def goal_status(request: HttpRequest, pk: int) -> HttpResponse:
    goal = _goal(request, pk)
    form = GoalStatusForm(request.POST)
    if form.is_valid():
        services.goal_set_status(goal=goal, by=_me(request), status=form.cleaned_data["status"])
        messages.success(request, "The goal was updated.")
    else:
        messages.error(request, "Choose open, in progress, achieved or dropped.")
    return redirect("pairings:space", pk=goal.pairing_id)


# --- Coordinators: pairings, suggestions, matching ---------------------------------------------


@require_safe
def program_pairings(request: HttpRequest, slug: str) -> HttpResponse:
    program = selectors.program_for_coordinator(user=request.user, slug=slug)
    status = request.GET.get("status") or None
    if status not in Pairing.Status.values:
        status = None
    page = paginate(request, selectors.pairings_of_program(program=program, status=status))
    selectors.attach_attendance(pairings=page.object_list)
    selectors.attach_coordinator_themes(pairings=page.object_list)
    return render(
        request,
        "pairings/program_pairings.html",
        {
            "program": program,
            "status_filter": status,
            "statuses": Pairing.Status.choices,
            "status_counts": selectors.pairing_status_counts(program=program),
            "ending_months": selectors.ending_categories_by_month(
                program=program, user=request.user
            ),
            "page": page,
            "unmatched": paginate(request, selectors.unmatched_mentorees(program=program), "upage"),
        },
    )


@require_safe
def suggestions(request: HttpRequest, slug: str, employee_id: int) -> HttpResponse:
    program = selectors.program_for_coordinator(user=request.user, slug=slug)
    mentoree = selectors.mentoree_for_coordinator(program=program, employee_id=employee_id)
    return render(
        request,
        "pairings/suggestions.html",
        {
            "program": program,
            "mentoree": mentoree,
            "suggestions": selectors.suggestions_for(program=program, mentoree=mentoree),
        },
    )


@require_POST
def propose(request: HttpRequest, slug: str, employee_id: int) -> HttpResponse:
    program = selectors.program_for_coordinator(user=request.user, slug=slug)
    mentoree = selectors.mentoree_for_coordinator(program=program, employee_id=employee_id)
    form = ProposeForm({"mentor": request.POST.get("mentor"), "mentoree": mentoree.pk})
    if not form.is_valid():
        raise Http404("No such mentor")
    mentor = employee_get(pk=form.cleaned_data["mentor"])
    score = next(
        (
            s.score
            for s in selectors.suggestions_for(program=program, mentoree=mentoree, limit=10_000)
            if s.mentor.pk == mentor.pk
        ),
        None,
    )
    try:
        services.pairing_propose(
            program=program, mentor=mentor, mentoree=mentoree, by=request.user, score=score
        )
    except ValidationError as exc:
        show_refusal(request, exc)
        return redirect("pairings:suggestions", slug=program.slug, employee_id=mentoree.pk)
    messages.success(
        request, f"{mentor.full_name} and {mentoree.full_name} are proposed; both were told."
    )
    return redirect("pairings:program", slug=program.slug)


@never_cache
@require_safe
def matching_page(request: HttpRequest, slug: str) -> HttpResponse:
    program = selectors.program_for_coordinator(user=request.user, slug=slug)
    state = matching_selectors.matching_page_state(program=program)
    return render(
        request,
        "pairings/matching.html",
        {
            "program": program,
            **state,
            "pairs": paginate(request, state["pairs"]),
            "pin_form": PinForm(),
            "swap_form": SwapForm(),
            "unmatched_count": selectors.unmatched_mentorees(program=program).count(),
        },
    )


@require_POST
def matching_start(request: HttpRequest, slug: str) -> HttpResponse:
    program = selectors.program_for_coordinator(user=request.user, slug=slug)
    try:
        matching.matching_run_start(program=program, by=request.user)
    except ValidationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, "Matching started. This page shows its progress.")
    return redirect("pairings:matching", slug=program.slug)


@require_POST
def pin_add(request: HttpRequest, slug: str) -> HttpResponse:
    program = selectors.program_for_coordinator(user=request.user, slug=slug)
    form = PinForm(request.POST)
    if form.is_valid():
        people = employees_by_email(
            emails=[form.cleaned_data["mentor_email"], form.cleaned_data["mentoree_email"]]
        )
        mentor = people.get(form.cleaned_data["mentor_email"].lower())
        mentoree = people.get(form.cleaned_data["mentoree_email"].lower())
        if mentor is None or mentoree is None:
            messages.error(request, "No employee has one of those e-mail addresses.")
        else:
            try:
                matching.pin_add(program=program, mentor=mentor, mentoree=mentoree, by=request.user)
            except ValidationError as exc:
                show_refusal(request, exc)
            else:
                messages.success(request, "The pair is pinned for the next run.")
    else:
        messages.error(request, "Give both e-mail addresses.")
    return redirect("pairings:matching", slug=program.slug)


@require_POST
def pin_remove(request: HttpRequest, slug: str, pin_id: int) -> HttpResponse:
    program = selectors.program_for_coordinator(user=request.user, slug=slug)
    pin = matching_selectors.pin_of(program=program, pin_id=pin_id)
    matching.pin_remove(pin=pin, by=request.user)
    messages.success(request, "The pin was removed.")
    return redirect("pairings:matching", slug=program.slug)


@require_POST
def proposal_remove(request: HttpRequest, slug: str, pair_id: int) -> HttpResponse:
    program = selectors.program_for_coordinator(user=request.user, slug=slug)
    pair = matching_selectors.proposed_pair_of(program=program, pair_id=pair_id)
    try:
        matching.proposal_remove(pair=pair, by=request.user)
    except ValidationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, "The row was removed from the proposal.")
    return redirect("pairings:matching", slug=program.slug)


@require_POST
def proposal_swap(request: HttpRequest, slug: str) -> HttpResponse:
    program = selectors.program_for_coordinator(user=request.user, slug=slug)
    form = SwapForm(request.POST)
    if form.is_valid():
        pairs = matching_selectors.proposed_pairs_by_id(
            program=program, ids=[form.cleaned_data["first"], form.cleaned_data["second"]]
        )
        first = pairs.get(form.cleaned_data["first"])
        second = pairs.get(form.cleaned_data["second"])
        if first is None or second is None or first.pk == second.pk:
            messages.error(request, "Choose two different rows of the proposal.")
        else:
            try:
                matching.proposal_swap(first=first, second=second, by=request.user)
            except ValidationError as exc:
                show_refusal(request, exc)
            else:
                messages.success(request, "The two mentors were swapped.")
    else:
        messages.error(request, "Give the numbers of the two rows to swap.")
    return redirect("pairings:matching", slug=program.slug)


@require_POST
def matching_publish(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    program = selectors.program_for_coordinator(user=request.user, slug=slug)
    run = matching_selectors.run_of(program=program, run_id=run_id)
    try:
        matching.matching_run_publish_start(run=run, by=request.user)
    except ValidationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, "Publishing started. This page shows its progress.")
    return redirect("pairings:matching", slug=program.slug)
