"""Views of applications: applying, editing and withdrawing one's own."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.listing import list_context, read_filters, render_list
from core.pages import paginate
from core.refusals import add_service_errors, show_refusal
from programs import selectors, services
from programs.forms import (
    ApplicationForm,
)
from programs.models import Application
from programs.views.common import _employee_or_404


@never_cache
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, slug: str, role: str) -> HttpResponse:
    program = selectors.program_get_for(user=request.user, slug=slug)
    employee = _employee_or_404(request)
    if role not in Application.Role.values:
        raise Http404("No such role")
    refusal = selectors.apply_refusal(
        employee=employee, program=program, role=role, today=timezone.localdate()
    )
    form = ApplicationForm(
        request.POST or None,
        role=role,
        initial={"mentor_capacity": program.default_mentor_capacity},
    )
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            services.application_submit(
                applicant=employee,
                program=program,
                role=role,
                motivation=form.cleaned_data["motivation"],
                goals=form.cleaned_data["goals"],
                tags=form.cleaned_data["tags"],
                availability=form.cleaned_data["availability"],
                mentor_capacity=form.cleaned_data.get("mentor_capacity"),
                share_with_mentor=form.cleaned_data.get("share_with_mentor", False),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Your application was sent to the committee.")
            return redirect("programs:my_applications")
    return render(
        request,
        "programs/apply.html",
        {
            "program": program,
            "role": role,
            "role_label": Application.Role(role).label,
            "form": form,
            "refusal": refusal,
        },
        status=200 if request.method == "GET" or not refusal else 400,
    )


@require_POST
def application_consent(request: HttpRequest, pk: int) -> HttpResponse:
    """The mentoree gives or withdraws consent to show their goals to a proposed mentor."""
    application = selectors.application_get_for_applicant(user=request.user, pk=pk)
    share = request.POST.get("share") == "yes"
    try:
        services.application_consent_set(
            application=application, by=application.applicant, share=share
        )
    except ValidationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(
            request,
            "A mentor proposed to you will see your goals and topics before accepting."
            if share
            else "Your goals and topics are no longer shown to a proposed mentor.",
        )
    return redirect("programs:my_applications")


@require_safe
def my_applications(request: HttpRequest) -> HttpResponse:
    form, filters = read_filters(
        request,
        search_label="Search your applications",
        search_help="Program name.",
        statuses=Application.Status.choices,
    )
    applications = selectors.application_list_filtered(
        user=request.user, search=filters.terms, status=filters.status
    )
    context = list_context(
        form=form,
        filters=filters,
        page=paginate(request, applications.rows, count=applications.shown),
        total=applications.total,
        noun="application",
        nouns="applications",
        region="applications-results",
    )
    return render_list(request, "programs/my_applications.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_get_for_applicant(user=request.user, pk=pk)
    form = ApplicationForm(request.POST or None, instance=application, role=application.role)
    if not application.is_open:
        messages.error(request, "A decided or withdrawn application can no longer be changed.")
        return redirect("programs:my_applications")
    if request.method == "POST" and form.is_valid():
        try:
            services.application_update(
                application=application,
                by=application.applicant,
                motivation=form.cleaned_data["motivation"],
                goals=form.cleaned_data["goals"],
                tags=form.cleaned_data["tags"],
                availability=form.cleaned_data["availability"],
                mentor_capacity=form.cleaned_data.get("mentor_capacity"),
                share_with_mentor=form.cleaned_data.get("share_with_mentor", False),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Your application was updated.")
            return redirect("programs:my_applications")
    return render(
        request,
        "programs/apply.html",
        {
            "program": application.program,
            "role": application.role,
            "role_label": application.get_role_display(),
            "form": form,
            "application": application,
        },
    )


@require_POST
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_get_for_applicant(user=request.user, pk=pk)
    try:
        services.application_withdraw(application=application, by=application.applicant)
    except ValidationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, "Your application was withdrawn.")
    return redirect("programs:my_applications")
