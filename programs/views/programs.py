"""Views of programs: the list, a program's page, creating, editing and moving it along."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.listing import list_context, read_filters, render_list
from core.pages import paginate
from core.refusals import add_service_errors, show_refusal
from people.selectors import employee_for_user, user_get
from programs import selectors, services
from programs.forms import (
    MemberForm,
    ProgramForm,
)
from programs.models import PROGRAM_FIELDS, Application


@require_safe
def program_list(request: HttpRequest) -> HttpResponse:
    programs = paginate(request, selectors.program_list_for(user=request.user))
    return render(
        request,
        "programs/program_list.html",
        {
            "page": programs,
            "can_create": selectors.creates_programs(user=request.user),
        },
    )


@require_safe
def program_detail(request: HttpRequest, slug: str) -> HttpResponse:
    program = selectors.program_get_for(user=request.user, slug=slug)
    employee = employee_for_user(user=request.user)
    context: dict[str, object] = {
        "program": program,
        "is_coordinator": selectors.is_coordinator(user=request.user, program=program),
        "role_holders": selectors.role_holders_for(program=program),
    }
    if employee is not None:
        today = timezone.localdate()
        admitted = selectors.is_admitted(employee=employee, program=program)
        context.update(
            {
                "my_application": selectors.my_live_application(user=request.user, program=program),
                "mentor_refusal": selectors.apply_refusal(
                    employee=employee, program=program, role="mentor", today=today
                ),
                "mentoree_refusal": selectors.apply_refusal(
                    employee=employee, program=program, role="mentoree", today=today
                ),
                "is_group_only": employee.is_group_only,
                "admitted": admitted,
                "commitment_accepted": admitted
                and selectors.commitment_is_accepted(employee=employee, program=program),
                "sessions": selectors.sessions_open_to(user=request.user, program=program)
                if admitted
                else None,
                "resources": selectors.resources_of_program_for(user=request.user, program=program)
                if admitted
                else None,
            }
        )
    return render(request, "programs/program_detail.html", context)


@require_http_methods(["GET", "POST"])
def program_create(request: HttpRequest) -> HttpResponse:
    # Only coordinators (named by someone else) create programs here and coordinate them;
    # HR admins create programs in the admin, where nobody names themselves (F13).
    if not selectors.creates_programs(user=request.user):
        raise PermissionDenied
    form = ProgramForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            program = services.program_create(
                created_by=request.user,
                coordinators=[request.user],
                **{name: form.cleaned_data[name] for name in PROGRAM_FIELDS},
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"The program '{program.name}' was created as a draft.")
            return redirect("programs:manage", slug=program.slug)
    return render(request, "programs/program_form.html", {"form": form, "program": None})


@require_http_methods(["GET", "POST"])
def program_edit(request: HttpRequest, slug: str) -> HttpResponse:
    program = selectors.program_get_for_coordinator(user=request.user, slug=slug)
    form = ProgramForm(request.POST or None, instance=selectors.program_for_edit(program=program))
    if request.method == "POST" and form.is_valid():
        try:
            program = services.program_update(
                program=program,
                by=request.user,
                **{name: form.cleaned_data[name] for name in PROGRAM_FIELDS},
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The program was saved.")
            return redirect("programs:manage", slug=program.slug)
    return render(request, "programs/program_form.html", {"form": form, "program": program})


@require_POST
def program_transition(request: HttpRequest, slug: str) -> HttpResponse:
    program = selectors.program_get_for_coordinator(user=request.user, slug=slug)
    try:
        program = services.program_transition(
            program=program, by=request.user, to_status=request.POST.get("to", "")
        )
    except ValidationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, f"The program is now {program.get_status_display().lower()}.")
    return redirect("programs:manage", slug=program.slug)


@require_safe
def program_manage(request: HttpRequest, slug: str) -> HttpResponse:
    program = selectors.program_get_for_coordinator(user=request.user, slug=slug)
    form, filters = read_filters(
        request,
        search_label="Search applicants",
        search_help="Name, e-mail, employee number or department.",
        statuses=Application.Status.choices,
    )
    applications, status_counts = selectors.program_applications_filtered(
        user=request.user, program=program, status=filters.status, search=filters.terms
    )
    application_page = paginate(request, applications.rows, "apage", count=applications.shown)
    current = selectors.commitment_current(program=program)
    participants = selectors.program_participants(program=program)
    accepted_count, participant_count = selectors.participant_counts(participants=participants)
    lists = list_context(
        form=form,
        filters=filters,
        page=application_page,
        total=applications.total,
        noun="application",
        nouns="applications",
        region="applications-results",
    )
    return render_list(
        request,
        "programs/program_manage.html",
        {
            **lists,
            "program": program,
            "status_filter": filters.status or None,
            "status_counts": status_counts,
            "applications": application_page,
            "participants": paginate(request, participants, "ppage"),
            "accepted_count": accepted_count,
            "participant_count": participant_count,
            "commitment": current,
            "sessions": paginate(
                request, selectors.session_list_for_program(program=program), "spage"
            ),
            "resources": paginate(
                request, selectors.resources_of_program(program=program), "rpage"
            ),
            "committee": selectors.committee_of(program=program),
            "coordinators": selectors.coordinators_of(program=program),
            "member_form": MemberForm(user=request.user, program=program),
            "statuses": Application.Status.choices,
        },
    )


@require_POST
def committee_add(request: HttpRequest, slug: str) -> HttpResponse:
    """Add the person chosen with the people picker. A name that fits several people, or
    nobody, comes back on a page of its own with the "Which one?" list or the error (400)."""
    program = selectors.program_get_for_coordinator(user=request.user, slug=slug)
    form = MemberForm(request.POST, user=request.user, program=program)
    if form.is_valid():
        member = form.cleaned_data["member"]
        try:
            services.committee_member_add(program=program, by=request.user, user=member.user)
        except ValidationError as exc:
            show_refusal(request, exc)
        else:
            messages.success(request, f"{member.full_name} joined the committee.")
        return redirect("programs:manage", slug=program.slug)
    return render(
        request, "programs/committee_add.html", {"program": program, "form": form}, status=400
    )


@require_POST
def committee_remove(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    program = selectors.program_get_for_coordinator(user=request.user, slug=slug)
    member = user_get(pk=user_id)
    services.committee_member_remove(program=program, by=request.user, user=member)
    messages.success(request, f"{member} left the committee.")
    return redirect("programs:manage", slug=program.slug)
