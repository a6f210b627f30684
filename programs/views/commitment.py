"""Views of the program commitment: publishing a version and accepting it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from core.pages import paginate
from core.refusals import add_service_errors, show_refusal
from core.textdiff import text_diff
from people.selectors import employee_for_user
from programs import selectors, services
from programs.forms import (
    CommitmentForm,
    commitment_preview_shown,
    commitment_preview_token,
)
from programs.views.common import _employee_or_404


@never_cache
@require_http_methods(["GET", "POST"])
def commitment(request: HttpRequest, slug: str) -> HttpResponse:
    """The current commitment: admitted participants read and accept it."""
    program = selectors.program_get_for(user=request.user, slug=slug)
    employee = employee_for_user(user=request.user)
    is_coordinator = selectors.is_coordinator(user=request.user, program=program)
    admitted = employee is not None and selectors.is_admitted(employee=employee, program=program)
    if not (admitted or is_coordinator):
        raise Http404("Only participants see the commitment")
    if request.method == "POST":
        if not admitted:
            raise Http404("Only participants accept the commitment")
        try:
            services.commitment_accept(employee=employee, program=program)
        except ValidationError as exc:
            show_refusal(request, exc)
        else:
            messages.success(request, "Thank you: you accepted the program commitment.")
            return redirect("programs:detail", slug=program.slug)
    return render(
        request,
        "programs/commitment.html",
        {
            "program": program,
            "commitment": selectors.commitment_current(program=program),
            "admitted": admitted,
            "accepted": admitted
            and selectors.commitment_is_accepted(employee=employee, program=program),
        },
    )


@require_http_methods(["GET", "POST"])
def commitment_publish(request: HttpRequest, slug: str) -> HttpResponse:
    """A new version in two steps: write it, then see it as a difference from the version
    in force and publish from there. Publishing needs the preview's token for exactly this
    text and version, so nothing is published unseen."""
    program = selectors.program_get_for_coordinator(user=request.user, slug=slug)
    current = selectors.commitment_current(program=program)
    in_force = current.version if current else 0
    form = CommitmentForm(request.POST or None, initial={"text": current.text if current else ""})
    step = request.POST.get("step", "preview")
    if request.method == "POST" and step != "edit" and form.is_valid():
        text = form.cleaned_data["text"]
        proof = {"program_id": program.pk, "user_id": request.user.pk, "text": text}
        try:
            text = services.commitment_check(program=program, by=request.user, text=text)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            shown = commitment_preview_shown(
                token=request.POST.get("preview", ""), based_on=in_force, **proof
            )
            if step == "publish" and shown:
                try:
                    new = services.commitment_publish(
                        program=program, by=request.user, text=text, based_on=in_force
                    )
                except ValidationError as exc:
                    show_refusal(request, exc)
                else:
                    messages.success(
                        request,
                        f"Version {new.version} is published; participants are asked to accept it.",
                    )
                    return redirect("programs:manage", slug=program.slug)
            elif step == "publish":
                messages.warning(
                    request,
                    f"Version {in_force} is now in force: here is your text compared with it. "
                    "Publish from this page once you have read the changes."
                    if in_force
                    else "Publish from this page once you have read the text.",
                )
            return render(
                request,
                "programs/commitment_preview.html",
                {
                    "program": program,
                    "current": current,
                    "form": form,
                    "text": text,
                    "diff": text_diff(current.text if current else "", text),
                    "token": commitment_preview_token(based_on=in_force, **proof),
                },
            )
    return render(
        request,
        "programs/commitment_form.html",
        {"program": program, "form": form, "current": current},
    )


@require_safe
def my_commitments(request: HttpRequest) -> HttpResponse:
    employee = _employee_or_404(request)
    return render(
        request,
        "programs/my_commitments.html",
        {"page": paginate(request, selectors.acceptances_for(employee=employee))},
    )


@require_safe
def acceptance_detail(request: HttpRequest, pk: int) -> HttpResponse:
    employee = _employee_or_404(request)
    acceptance = selectors.acceptance_get_for(employee=employee, pk=pk)
    return render(request, "programs/acceptance_detail.html", {"acceptance": acceptance})
