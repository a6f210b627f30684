"""Thin views of the coordinator's whole-cohort matching: the page, runs, pins, the
proposal's rows (remove, swap) and publishing."""

from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from core.htmx import poll_status
from core.pages import paginate
from core.refusals import show_refusal
from pairings import selectors
from pairings.forms import PinForm, SwapForm
from pairings.matching import selectors as matching_selectors
from pairings.matching import services as matching
from pairings.matching.picker import PURPOSES
from pairings.models import MatchingRun
from people.models import User
from people.views import person_choices


def _user(request: HttpRequest) -> User:
    """The signed-in person (the middleware lets no one else reach these pages)."""
    return cast(User, request.user)


@never_cache
@require_safe
def matching_page(request: HttpRequest, slug: str) -> HttpResponse:
    program = selectors.program_for_coordinator(user=_user(request), slug=slug)
    state = matching_selectors.matching_page_state(program=program)
    # The proposal's rows are listed only while it is up for review; none, none read.
    count = cast(int, state["pairs_count"]) if state["reviewable"] else 0
    pairs = state["pairs"] if count else []
    return render(
        request,
        "pairings/matching.html",
        {
            "program": program,
            **state,
            "pairs": paginate(request, pairs, count=count),
            "pins": matching_selectors.pin_rows(program=program),
            "pin_form": PinForm(user=_user(request), program=program),
            "swap_form": SwapForm(),
            "gaps": matching_selectors.matching_gaps(
                program=program, run=cast(MatchingRun | None, state["run"])
            ),
        },
    )


@never_cache
@require_safe
def matching_status(request: HttpRequest, slug: str) -> HttpResponse:
    """The progress fragment the matching page polls (htmx, every two seconds) instead of
    reloading itself. Once nothing is running it says how the run ended, with a link to the
    result, and answers 286, htmx's "stop polling"."""
    program = selectors.program_for_coordinator(user=_user(request), slug=slug)
    state = matching_selectors.matching_page_state(program=program)
    working = bool(state["running"] or state["publishing"])
    return render(
        request,
        "pairings/matching.html#progress",
        {"program": program, **state, "oob": True},
        status=poll_status(working=working),
    )


@require_POST
def matching_start(request: HttpRequest, slug: str) -> HttpResponse:
    program = selectors.program_for_coordinator(user=_user(request), slug=slug)
    try:
        run = matching.matching_run_start(program=program, by=_user(request))
    except ValidationError as exc:
        show_refusal(request, exc)
    else:
        # Without a worker (tasks run at once) the run is over by now: say so, not "started".
        run = matching_selectors.run_of(program=program, run_id=run.pk)
        if run.status in (run.Status.QUEUED, run.Status.RUNNING):
            messages.success(request, "Matching started. This page shows its progress.")
        elif run.status == run.Status.FAILED:
            messages.error(request, "Matching ran and failed; the page below says why.")
        else:
            messages.success(request, "Matching has finished: review its proposal below.")
    return redirect("pairings:matching", slug=program.slug)


@require_POST
def pin_add(request: HttpRequest, slug: str) -> HttpResponse:
    """Pin the pair chosen with the people picker. A name that fits several people, or
    nobody, comes back on a page of its own with the "Which one?" list or the error (400)."""
    program = selectors.program_for_coordinator(user=_user(request), slug=slug)
    form = PinForm(request.POST, user=_user(request), program=program)
    if not form.is_valid():
        return render(
            request, "pairings/pin_form.html", {"program": program, "form": form}, status=400
        )
    try:
        matching.pin_add(
            program=program,
            mentor=form.cleaned_data["mentor"],
            mentoree=form.cleaned_data["mentoree"],
            by=_user(request),
        )
    except ValidationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, "The pair is pinned for the next run.")
    return redirect("pairings:matching", slug=program.slug)


@never_cache
@require_safe
def pin_people(request: HttpRequest, slug: str, role: str) -> HttpResponse:
    """The people picker's search for a pin: the program's admitted mentors, or its admitted
    mentorees without a mentor; a coordinator of the program only (any other: 404)."""
    program = selectors.program_for_coordinator(user=_user(request), slug=slug)
    purpose = PURPOSES.get(role)
    if purpose is None:
        raise Http404("No such choice")
    return person_choices(request, purpose=purpose, within=program)


@require_POST
def pin_remove(request: HttpRequest, slug: str, pin_id: int) -> HttpResponse:
    program = selectors.program_for_coordinator(user=_user(request), slug=slug)
    pin = matching_selectors.pin_of(program=program, pin_id=pin_id)
    matching.pin_remove(pin=pin, by=_user(request))
    messages.success(request, "The pin was removed.")
    return redirect("pairings:matching", slug=program.slug)


@require_POST
def proposal_remove(request: HttpRequest, slug: str, pair_id: int) -> HttpResponse:
    program = selectors.program_for_coordinator(user=_user(request), slug=slug)
    pair = matching_selectors.proposed_pair_of(program=program, pair_id=pair_id)
    try:
        matching.proposal_remove(pair=pair, by=_user(request))
    except ValidationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, "The row was removed from the proposal.")
    return redirect("pairings:matching", slug=program.slug)


@require_POST
def proposal_swap(request: HttpRequest, slug: str) -> HttpResponse:
    program = selectors.program_for_coordinator(user=_user(request), slug=slug)
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
                matching.proposal_swap(
                    first=first,
                    second=second,
                    by=_user(request),
                    rematch_confirmed=request.POST.get("confirm") == "rematch",
                )
            except ValidationError as exc:
                if getattr(exc, "code", None) == "rematch":
                    # Warn first: the coordinator confirms the swap on its own page.
                    return render(
                        request,
                        "pairings/swap_confirm.html",
                        {"program": program, "warnings": exc.messages, "form": form},
                    )
                show_refusal(request, exc)
            else:
                messages.success(request, "The two mentors were swapped.")
    else:
        messages.error(request, "Give the numbers of the two rows to swap.")
    return redirect("pairings:matching", slug=program.slug)


@require_POST
def matching_publish(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    program = selectors.program_for_coordinator(user=_user(request), slug=slug)
    run = matching_selectors.run_of(program=program, run_id=run_id)
    try:
        matching.matching_run_publish_start(run=run, by=_user(request))
    except ValidationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, "Publishing started. This page shows its progress.")
    return redirect("pairings:matching", slug=program.slug)
