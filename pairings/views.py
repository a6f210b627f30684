"""Thin views for pairs and for the coordinator's matching."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.addresses import address_for_each
from core.ics import ics_event
from core.listing import list_context, read_filters, render_list
from core.pages import paginate
from core.refusals import add_service_errors, show_refusal
from firewall.access import get_or_404_logged
from pairings import lists, program_page, rows, selectors, services
from pairings.forms import (
    EndForm,
    GoalForm,
    GoalStatusForm,
    MeetingEditForm,
    MeetingForm,
    ProposeForm,
)
from pairings.models import Goal, Meeting, Pairing
from people.models import Employee
from people.selectors import employee_for_user, employee_get


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
    form, filters = read_filters(
        request,
        search_label="Search your pairs",
        search_help="Program or the other person's name.",
        statuses=Pairing.Status.choices,
    )
    pairs = lists.my_pairings_filtered(
        user=request.user, status=filters.status, search=filters.terms
    )
    page = paginate(request, pairs.rows, count=pairs.shown)
    context = list_context(
        form=form,
        filters=filters,
        page=page,
        total=pairs.total,
        noun="pair",
        nouns="pairs",
        region="pairs-results",
    )
    return render_list(request, "pairings/my_pairings.html", context)


def _space_context(request: HttpRequest, pairing: Pairing, **forms) -> dict[str, object]:
    now = timezone.now()
    upcoming, called_off = selectors.meetings_to_come(pairing=pairing, now=now)
    blockers = services.pairing_activation_blockers(pairing=pairing) if pairing.is_live else []
    past = paginate(request, selectors.past_meetings(pairing=pairing, now=now), "mpage")
    goals = selectors.goals_of(pairing=pairing)
    members = selectors.my_pairing_view(pairing=pairing, user=request.user)
    return {
        "pairing": pairing,
        **members,
        "mentoree_context": selectors.mentoree_context_for(pairing=pairing, user=request.user),
        "blockers": blockers,
        # Active, but the mentoree has yet to accept a new commitment version: shown paused.
        "paused": pairing.status == Pairing.Status.ACTIVE
        and services.COMMITMENT_BLOCKER in blockers,
        "upcoming": upcoming,
        "called_off": called_off,
        "past": past,
        # The rows as the page shows them, made once (pairings.rows).
        "upcoming_rows": rows.meeting_rows(upcoming),
        "called_off_rows": rows.meeting_rows(called_off),
        "past_rows": rows.meeting_rows(past),
        "agreement_box": selectors.agreement_box(pairing=pairing),
        "goals": goals,
        "goal_rows": rows.goal_rows(goals, user=request.user, other=members["other"]),
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
            messages.success(request, _meeting_saved_words(form.cleaned_data["starts_at"]))
            return redirect("pairings:space", pk=pairing.pk)
    return render(
        request,
        "pairings/space.html",
        _space_context(request, pairing, meeting_form=form),
        status=400,
    )


def _meeting_saved_words(starts_at) -> str:
    """A meeting to come is planned (and can go into a calendar); one already held is logged."""
    if starts_at > timezone.now():
        return "The meeting is planned. Add it to your calendar from the list of upcoming meetings."
    return "The meeting is logged."


@never_cache
@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Reschedule a meeting to come or correct one already held."""
    meeting = _meeting(request, pk)
    if request.method == "GET":
        form = MeetingEditForm.for_meeting(meeting)
    else:
        form = MeetingEditForm(request.POST)
        if form.is_valid():
            try:
                meeting = services.meeting_update(
                    meeting=meeting,
                    by=_me(request),
                    starts_at=form.cleaned_data["starts_at"],
                    duration_minutes=form.cleaned_data["duration_minutes"],
                    format=form.cleaned_data["format"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _meeting_changed_words(meeting))
                return redirect("pairings:space", pk=meeting.pairing_id)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "pairings/meeting_edit.html",
        {"meeting": meeting, "pairing": meeting.pairing, "form": form},
        status=status,
    )


def _meeting_changed_words(meeting) -> str:
    if meeting.starts_at > timezone.now():
        return (
            "The meeting is rescheduled. If you added it to your calendar, download it again: "
            "your calendar updates the same event."
        )
    return "The meeting is corrected."


@require_POST
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    try:
        services.meeting_cancel(meeting=meeting, by=_me(request))
    except ValidationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(
            request,
            "The meeting is cancelled. A calendar that subscribes to yours shows it as cancelled; "
            "if you added it by hand, open its cancellation under Cancelled meetings.",
        )
    return redirect("pairings:space", pk=meeting.pairing_id)


@require_POST
def meeting_delete(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    try:
        services.meeting_delete(meeting=meeting, by=_me(request))
    except ValidationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, "The meeting was removed.")
    return redirect("pairings:space", pk=meeting.pairing_id)


@require_safe
def meeting_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """The meeting as a calendar file: the UID it has always had (calendars that imported it
    match the new copy to it), its sequence, and METHOD:CANCEL once cancelled. When, how and
    a link; never a note (F9)."""
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
        sequence=meeting.sequence,
        cancelled=meeting.cancelled_at is not None,
    )
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response


@never_cache
@sensitive_post_parameters("title", "description")
@require_POST
def goal_create(request: HttpRequest, pk: int) -> HttpResponse:
    pairing = _pairing(request, pk)
    form = GoalForm(request.POST)
    if form.is_valid():
        try:
            services.goal_create(pairing=pairing, by=_me(request), **form.cleaned_data)
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
        try:
            services.goal_set_status(goal=goal, by=_me(request), status=form.cleaned_data["status"])
        except ValidationError as exc:
            show_refusal(request, exc)
        else:
            messages.success(request, "The goal was updated.")
    else:
        messages.error(request, "Choose open, in progress, achieved or dropped.")
    return redirect("pairings:space", pk=goal.pairing_id)


@never_cache
@sensitive_post_parameters("title", "description")
@require_http_methods(["GET", "POST"])
def goal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a goal's words or due date; the page shows its history."""
    goal = _goal(request, pk)
    if request.method == "GET":
        form = GoalForm(
            initial={"title": goal.title, "description": goal.description, "due_on": goal.due_on}
        )
    else:
        form = GoalForm(request.POST)
        if form.is_valid():
            try:
                services.goal_update(goal=goal, by=_me(request), **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "The goal was updated.")
                return redirect("pairings:space", pk=goal.pairing_id)
    view = selectors.my_pairing_view(pairing=goal.pairing, user=request.user)
    return render(
        request,
        "pairings/goal_edit.html",
        {
            "goal": goal,
            "pairing": goal.pairing,
            **view,
            "form": form,
            "history": rows.history_rows(
                selectors.goal_history(goal=goal), user=request.user, other=view["other"]
            ),
        },
        status=400 if form.is_bound else 200,
    )


# --- Coordinators: pairings, suggestions, matching ---------------------------------------------


@require_safe
def program_pairings(request: HttpRequest, slug: str) -> HttpResponse:
    program = selectors.program_for_coordinator(user=request.user, slug=slug)
    form, filters = read_filters(
        request,
        search_label="Search pairings",
        search_help="Mentor's or mentoree's name, e-mail, employee number or department.",
        statuses=Pairing.Status.choices,
    )
    pairings, status_counts = lists.program_pairings_filtered(
        user=request.user, program=program, status=filters.status, search=filters.terms
    )
    page = paginate(request, pairings.rows, count=pairings.shown)
    unmatched = paginate(request, lists.UnmatchedMentorees(program), "upage")
    suggestions_url = address_for_each("pairings:suggestions", program.slug)
    context = list_context(
        form=form,
        filters=filters,
        page=page,
        total=pairings.total,
        noun="pairing",
        nouns="pairings",
        region="pairings-results",
    )
    context |= {
        "program": program,
        "status_filter": filters.status or None,
        "statuses": Pairing.Status.choices,
        "status_counts": status_counts,
        "ending_months": selectors.ending_categories_by_month(program=program, user=request.user),
        "rows": program_page.pairing_rows(page.object_list),
        "unmatched": unmatched,
        "unmatched_rows": program_page.unmatched_rows(unmatched.object_list, suggestions_url),
    }
    return render_list(request, "pairings/program_pairings.html", context)


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
