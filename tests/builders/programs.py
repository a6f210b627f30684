"""Builders for programs: programs, applications, committees and admissions, made through the
services so permissions, commitments and messages exist as in real life.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from people.models import Employee
from programs import services
from programs import services as program_services
from programs.models import Application, Program
from tests.factories import EmployeeFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


DOCX_BYTES = b"PK\x03\x04" + b"\x00" * 60


def pdf_upload(name: str = "guide.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def program_fields(**overrides) -> dict:
    """Valid fields for services.program_create: applications open now, program next month."""
    today = timezone.localdate()
    fields = {
        "name": "Grow 2027",
        "slug": "grow-2027",
        "kind": Program.Kind.ONE_TO_ONE,
        "description": "One-to-one mentoring across the bank.",
        "applications_open_on": today - timedelta(days=5),
        "applications_close_on": today + timedelta(days=20),
        "starts_on": today + timedelta(days=30),
        "ends_on": today + timedelta(days=365),
    }
    fields.update(overrides)
    return fields


def make_program(*, coordinator, status: str = Program.Status.ACCEPTING, **overrides) -> Program:
    """A program created in draft by `coordinator`, then moved step by step to `status`."""
    program = services.program_create(
        created_by=coordinator, coordinators=[coordinator], **program_fields(**overrides)
    )
    order = list(Program.Status.values)
    for step in order[1 : order.index(status) + 1]:
        program = services.program_transition(program=program, by=coordinator, to_status=step)
    return program


def seat_committee(program: Program, *, by, first) -> list:
    """A committee of three for `program`, seated by its coordinator `by`: `first` (a User),
    then two directors (Finance, Audit). Three is the quorum: the committee decides alone."""
    members = [first] + [
        EmployeeFactory(title="Director", department=dept, level=7).user
        for dept in ("Finance", "Audit")
    ]
    for member in members:
        program_services.committee_member_add(program=program, by=by, user=member)
    return members


def apply(employee, program, role: str = Application.Role.MENTOREE, **kwargs) -> Application:
    kwargs.setdefault("motivation", "I want to grow as a leader.")
    return services.application_submit(applicant=employee, program=program, role=role, **kwargs)


def decide_by_committee(application, members, decision: str = "admit", reason: str = "Fits."):
    """Every member votes `decision`, then the first records it (quorum: three votes)."""
    for member in members:
        services.vote_cast(application=application, voter=member, choice=decision)
    return services.application_decide(
        application=application, by=members[0], decision=decision, reason=reason
    )


def admit_alone(application: Application, coordinator) -> Application:
    """The coordinator records the admission: allowed while the committee is below quorum."""
    return program_services.application_decide(
        application=application, by=coordinator, decision="admit", reason="Fits the program."
    )


def join_program(
    program: Program,
    coordinator,
    role: str = Application.Role.MENTOREE,
    *,
    capacity: int | None = None,
    tags=(),
    accept: bool = True,
    **fields,
) -> Employee:
    """A new employee (mentors level 7, mentorees level 4 unless told), admitted to `program`
    in `role` by its coordinator and, unless `accept=False`, having accepted the current
    commitment."""
    fields.setdefault("level", 7 if role == Application.Role.MENTOR else 4)
    employee = EmployeeFactory(**fields)
    kwargs = {"tags": tags}
    if capacity is not None:
        kwargs["mentor_capacity"] = capacity
    admit_alone(apply(employee, program, role, **kwargs), coordinator)
    if accept:
        program_services.commitment_accept(employee=employee, program=program)
    return employee
