"""Thin views: parse the form, call one service or selector, render."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from people.forms import add_service_errors
from people.models import User
from people.selectors import employee_for_user
from people.web import paginate, show_refusal
from programs import selectors, services
from programs.calendar import session_ics_text
from programs.forms import (
    ApplicationForm,
    AttendanceForm,
    CommitmentForm,
    DecisionForm,
    MemberForm,
    ProgramForm,
    ResourceForm,
    SessionForm,
    TagForm,
    VoteForm,
)
from programs.models import Application, Program, Registration, Tag


def _employee_or_404(request: HttpRequest):
    employee = employee_for_user(user=request.user)
    if employee is None:
        raise Http404("Only employees take part in programs")
    return employee


def _refused_on_form(request: HttpRequest, form, exc: ValidationError) -> None:
    """Field errors next to their fields; a refusal of the whole action as a page message,
    so it shows even where the form itself is not offered."""
    if hasattr(exc, "error_dict"):
        add_service_errors(form, exc)
    else:
        show_refusal(request, exc)


# --- Programs -----------------------------------------------------------------------------


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
                "my_application": selectors.application_list_for_applicant(user=request.user)
                .filter(program=program)
                .exclude(status=Application.Status.WITHDRAWN)
                .first(),
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
                "resources": selectors.resource_list_for(user=request.user).filter(program=program)
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
                **{name: form.cleaned_data[name] for name in services.PROGRAM_FIELDS},
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
    form = ProgramForm(request.POST or None, instance=Program.objects.get(pk=program.pk))
    if request.method == "POST" and form.is_valid():
        try:
            program = services.program_update(
                program=program,
                by=request.user,
                **{name: form.cleaned_data[name] for name in services.PROGRAM_FIELDS},
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
    status = request.GET.get("status") or None
    if status not in Application.Status.values:
        status = None
    current = selectors.commitment_current(program=program)
    participants = selectors.program_participants(program=program)
    return render(
        request,
        "programs/program_manage.html",
        {
            "program": program,
            "status_filter": status,
            "status_counts": selectors.status_counts(program=program),
            "applications": paginate(
                request, selectors.program_applications(program=program, status=status), "apage"
            ),
            "participants": paginate(request, participants, "ppage"),
            "accepted_count": participants.filter(accepted_current=True).count(),
            "participant_count": participants.count(),
            "commitment": current,
            "sessions": paginate(
                request, selectors.session_list_for_program(program=program), "spage"
            ),
            "resources": paginate(request, program.resources.order_by("title", "pk"), "rpage"),
            "committee": selectors.committee_of(program=program),
            "coordinators": selectors.coordinators_of(program=program),
            "member_form": MemberForm(),
            "statuses": Application.Status.choices,
        },
    )


@require_POST
def committee_add(request: HttpRequest, slug: str) -> HttpResponse:
    program = selectors.program_get_for_coordinator(user=request.user, slug=slug)
    form = MemberForm(request.POST)
    if form.is_valid():
        try:
            services.committee_member_add(program=program, by=request.user, user=form.employee.user)
        except ValidationError as exc:
            show_refusal(request, exc)
        else:
            messages.success(request, f"{form.employee.full_name} joined the committee.")
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("programs:manage", slug=program.slug)


@require_POST
def committee_remove(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    program = selectors.program_get_for_coordinator(user=request.user, slug=slug)
    member = get_object_or_404(User, pk=user_id)
    services.committee_member_remove(program=program, by=request.user, user=member)
    messages.success(request, f"{member} left the committee.")
    return redirect("programs:manage", slug=program.slug)


# --- Commitment --------------------------------------------------------------------------


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
    program = selectors.program_get_for_coordinator(user=request.user, slug=slug)
    current = selectors.commitment_current(program=program)
    form = CommitmentForm(request.POST or None, initial={"text": current.text if current else ""})
    if request.method == "POST" and form.is_valid():
        try:
            new = services.commitment_publish(
                program=program, by=request.user, text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"Version {new.version} is published; participants are asked to accept it.",
            )
            return redirect("programs:manage", slug=program.slug)
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


# --- Applications --------------------------------------------------------------------------


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


@require_safe
def my_applications(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "programs/my_applications.html",
        {"page": paginate(request, selectors.application_list_for_applicant(user=request.user))},
    )


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


# --- Committee --------------------------------------------------------------------------------


@require_safe
def committee_queue(request: HttpRequest) -> HttpResponse:
    if not selectors.committee_programs(user=request.user).exists():
        raise Http404("Not on any committee")
    return render(
        request,
        "programs/committee_queue.html",
        {"page": paginate(request, selectors.committee_queue_for(user=request.user))},
    )


def _committee_context(request: HttpRequest, application: Application, **extra):
    program = application.program
    user = request.user
    is_member = selectors.is_committee_member(user=user, program=program)
    is_coordinator = selectors.is_coordinator(user=user, program=program)
    tally = selectors.vote_tally(application=application)
    my_vote = application.votes.filter(voter=user).first()
    small = selectors.eligible_committee_size(application=application) < program.quorum_votes
    can_decide = application.status in Application.UNDECIDED and (
        tally.majority is not None
        or (is_coordinator and (small or application.status == Application.Status.WAITLISTED))
    )
    return {
        "application": application,
        "program": program,
        "tally": tally,
        "votes": selectors.votes_for(application=application),
        "is_member": is_member,
        "is_coordinator": is_coordinator,
        "small_committee": small,
        "can_vote": is_member and application.status == Application.Status.SUBMITTED,
        "can_decide": can_decide,
        "vote_form": extra.pop("vote_form", None)
        or VoteForm(
            initial={"choice": my_vote.choice, "comment": my_vote.comment} if my_vote else None
        ),
        "decision_form": extra.pop("decision_form", None)
        or DecisionForm(initial={"decision": tally.majority}),
        "my_vote": my_vote,
        **extra,
    }


@never_cache
@require_safe
def committee_application(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_get_for_committee(user=request.user, pk=pk)
    return render(
        request,
        "programs/committee_application.html",
        _committee_context(request, application),
    )


@never_cache
@require_POST
def application_vote(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_get_for_committee(user=request.user, pk=pk)
    form = VoteForm(request.POST)
    if form.is_valid():
        try:
            services.vote_cast(
                application=application,
                voter=request.user,
                choice=form.cleaned_data["choice"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            _refused_on_form(request, form, exc)
        else:
            messages.success(request, "Your vote was recorded.")
            return redirect("programs:committee_application", pk=application.pk)
    return render(
        request,
        "programs/committee_application.html",
        _committee_context(request, application, vote_form=form),
        status=400,
    )


@never_cache
@require_POST
def application_decide(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_get_for_committee(user=request.user, pk=pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.application_decide(
                application=application,
                by=request.user,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            _refused_on_form(request, form, exc)
        else:
            messages.success(request, "The decision was recorded and the applicant told.")
            return redirect("programs:committee_application", pk=application.pk)
    return render(
        request,
        "programs/committee_application.html",
        _committee_context(request, application, decision_form=form),
        status=400,
    )


# --- Group sessions ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def session_create(request: HttpRequest, slug: str) -> HttpResponse:
    program = selectors.program_get_for_coordinator(user=request.user, slug=slug)
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.SESSION_FIELDS}
        try:
            session = services.session_create(
                program=program, by=request.user, leader=form.leader, **fields
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"The session '{session.title}' is scheduled.")
            return redirect("programs:session", pk=session.pk)
    return render(request, "programs/session_form.html", {"program": program, "form": form})


@require_safe
def my_sessions(request: HttpRequest) -> HttpResponse:
    employee = employee_for_user(user=request.user)
    registrations = (
        Registration.objects.filter(participant=employee)
        .exclude(status=Registration.Status.CANCELLED)
        .select_related("session__program", "session__leader")
        .order_by("session__starts_at")
        if employee
        else Registration.objects.none()
    )
    return render(
        request,
        "programs/my_sessions.html",
        {
            "led": paginate(request, selectors.sessions_led_by(user=request.user), "lpage"),
            "registrations": paginate(request, registrations, "rpage"),
        },
    )


@require_safe
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get_for(user=request.user, pk=pk)
    employee = employee_for_user(user=request.user)
    is_leader = employee is not None and session.leader_id == employee.pk
    is_coordinator = selectors.is_coordinator(user=request.user, program=session.program)
    registrations = list(selectors.registrations_for(session=session))
    registered = [r for r in registrations if r.status == Registration.Status.REGISTERED]
    return render(
        request,
        "programs/session_detail.html",
        {
            "session": session,
            "is_leader": is_leader,
            "is_coordinator": is_coordinator,
            "can_manage": is_leader or is_coordinator,
            "my_registration": selectors.my_registration(user=request.user, session=session),
            "can_register": employee is not None
            and selectors.is_admitted(employee=employee, program=session.program),
            "registered": registered,
            "waiting": [r for r in registrations if r.status == Registration.Status.WAITLISTED],
            "attendance_form": AttendanceForm(
                registrations=registered,
                initial={"attended": [r.pk for r in registered if r.attended]},
            ),
            "has_started": session.starts_at <= timezone.now(),
        },
    )


@require_POST
def session_register(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get_for(user=request.user, pk=pk)
    employee = _employee_or_404(request)
    try:
        registration = services.session_register(session=session, employee=employee)
    except ValidationError as exc:
        show_refusal(request, exc)
    else:
        if registration.status == Registration.Status.REGISTERED:
            messages.success(request, "You are registered.")
        else:
            messages.success(
                request, "The session is full: you are on the waiting list and will be told."
            )
    return redirect("programs:session", pk=session.pk)


@require_POST
def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get_for(user=request.user, pk=pk)
    employee = _employee_or_404(request)
    try:
        services.session_cancel_registration(session=session, employee=employee)
    except ValidationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, "Your registration was cancelled.")
    return redirect("programs:session", pk=session.pk)


@require_POST
def session_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get_for(user=request.user, pk=pk)
    registered = [
        r
        for r in selectors.registrations_for(session=session)
        if r.status == Registration.Status.REGISTERED
    ]
    form = AttendanceForm(request.POST, registrations=registered)
    if form.is_valid():
        try:
            count = services.session_record_attendance(
                session=session,
                by=request.user,
                attended_ids=[int(pk) for pk in form.cleaned_data["attended"]],
            )
        except ValidationError as exc:
            show_refusal(request, exc)
        else:
            messages.success(request, f"Attendance recorded: {count} attended.")
    else:
        messages.error(request, "Choose from the registered participants.")
    return redirect("programs:session", pk=session.pk)


@require_safe
def session_ics(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get_for(user=request.user, pk=pk)
    url = request.build_absolute_uri(reverse("programs:session", args=[session.pk]))
    response = HttpResponse(
        session_ics_text(session=session, url=url), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="session-{session.pk}.ics"'
    return response


# --- Resources --------------------------------------------------------------------------------


@require_safe
def resource_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "programs/resource_list.html",
        {
            "page": paginate(request, selectors.resource_list_for(user=request.user)),
            "can_publish_global": request.user.has_perm("programs.add_resource"),
        },
    )


@require_http_methods(["GET", "POST"])
def resource_create(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    program = selectors.program_get_for_coordinator(user=request.user, slug=slug) if slug else None
    if program is None and not request.user.has_perm("programs.add_resource"):
        raise PermissionDenied
    form = ResourceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.resource_publish(
                by=request.user,
                program=program,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                file=form.cleaned_data["file"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The resource is published.")
            if program:
                return redirect("programs:manage", slug=program.slug)
            return redirect("programs:resources")
    return render(request, "programs/resource_form.html", {"form": form, "program": program})


@require_safe
def resource_download(request: HttpRequest, pk: int) -> FileResponse:
    resource = selectors.resource_get_for(user=request.user, pk=pk)
    try:
        handle = resource.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing") from None
    services.resource_count_download(resource=resource)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=resource.original_name,
        content_type=resource.content_type,
    )


# --- Tags --------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def tag_list(request: HttpRequest) -> HttpResponse:
    if not selectors.is_any_coordinator(user=request.user):
        raise PermissionDenied
    form = TagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tag = services.tag_create(by=request.user, name=form.cleaned_data["name"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"The tag '{tag.name}' was added.")
            return redirect("programs:tags")
    return render(
        request,
        "programs/tag_list.html",
        {"form": form, "page": paginate(request, Tag.objects.order_by("name"), size=100)},
    )


@require_POST
def tag_delete(request: HttpRequest, pk: int) -> HttpResponse:
    if not selectors.is_any_coordinator(user=request.user):
        raise PermissionDenied
    tag = get_object_or_404(Tag, pk=pk)
    services.tag_delete(by=request.user, tag=tag)
    messages.success(request, f"The tag '{tag.name}' was removed.")
    return redirect("programs:tags")
