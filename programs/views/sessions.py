"""Views of group sessions: scheduling, changing and cancelling, registering, attendance."""

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.pages import paginate
from core.refusals import add_service_errors, show_refusal
from people.selectors import employee_for_user
from programs import selectors, services
from programs.calendar import session_ics_text
from programs.forms import (
    AttendanceForm,
    SessionEditForm,
    SessionForm,
)
from programs.models import Registration
from programs.views.common import _employee_or_404


@require_http_methods(["GET", "POST"])
def session_create(request: HttpRequest, slug: str) -> HttpResponse:
    program = selectors.program_get_for_coordinator(user=request.user, slug=slug)
    form = SessionForm(request.POST or None, user=request.user, program=program)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.SESSION_FIELDS}
        try:
            session = services.session_create(
                program=program, by=request.user, leader=form.cleaned_data["leader"], **fields
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"The session '{session.title}' is scheduled.")
            return redirect("programs:session", pk=session.pk)
    return render(request, "programs/session_form.html", {"program": program, "form": form})


@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The leader or a coordinator changes a session that has not yet taken place; everyone
    registered or waiting is told (the service schedules it)."""
    session = selectors.session_get_for_manager(user=request.user, pk=pk)
    is_coordinator = selectors.is_coordinator(user=request.user, program=session.program)
    allowed = services.COORDINATOR_FIELDS if is_coordinator else services.LEADER_FIELDS
    form = SessionEditForm(
        request.POST or None,
        instance=copy.copy(session),  # the form writes to its instance; the page keeps this one
        fields=allowed,
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in allowed}
        try:
            changed = services.session_update(
                session=session,
                by=request.user,
                request_id=getattr(request, "request_id", ""),
                **fields,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if not changed:
                messages.info(request, "Nothing was changed.")
            else:
                messages.success(
                    request,
                    "The session is updated. Its leader and everyone registered or waiting "
                    "are told; their calendars update the event."
                    if any(name in services.CALENDAR_FIELDS for name in changed)
                    else "The session is updated.",
                )
            return redirect("programs:session", pk=session.pk)
    return render(
        request,
        "programs/session_edit.html",
        {
            "session": session,
            "form": form,
            "is_coordinator": is_coordinator,
            "has_started": session.starts_at <= timezone.now(),
        },
    )


@require_POST
def session_call_off(request: HttpRequest, pk: int) -> HttpResponse:
    """A coordinator cancels the session; the leader and everyone registered are told."""
    session = selectors.session_get_for_manager(user=request.user, pk=pk)
    try:
        services.session_cancel(session=session, by=request.user)
    except ValidationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(
            request,
            "The session is cancelled. Its leader and everyone registered or waiting are told.",
        )
    return redirect("programs:session", pk=session.pk)


@require_safe
def my_sessions(request: HttpRequest) -> HttpResponse:
    registrations = selectors.registrations_of(user=request.user)
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
