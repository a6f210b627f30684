"""Program fixtures: programs, committees, applications and sessions built through the
services, so that the guardian permissions, commitments and notifications exist as they do
in real life.

The named people come from tests/conftest.py. Here, `program` is a one-to-one program that
is accepting applications, run by `coordinator`, with a committee of three (the named
`committee_member` and two other directors). `other_program` is run by `other_coordinator`.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from programs import services
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


@pytest.fixture
def other_coordinator(db):
    """Runs another program; has no part in `program`."""
    return EmployeeFactory(
        first_name="Oscar", last_name="Lindqvist", title="Program Lead", level=6
    ).user


@pytest.fixture
def executive(db):
    """A President: at the group-only level, leads group sessions (F4)."""
    return EmployeeFactory(
        first_name="Victoria",
        last_name="Adeyemi",
        title="President",
        department="Executive Office",
        level=settings.GROUP_ONLY_LEVEL,
    ).user


@pytest.fixture
def program(coordinator):
    return make_program(coordinator=coordinator)


@pytest.fixture
def other_program(other_coordinator):
    return make_program(
        coordinator=other_coordinator, name="Lead 2027", slug="lead-2027", kind="executive"
    )


@pytest.fixture
def committee(program, coordinator, committee_member):
    """Three committee members of `program`: the named one first, then two directors."""
    members = [committee_member] + [
        EmployeeFactory(title="Director", department=dept, level=7).user
        for dept in ("Finance", "Operations")
    ]
    for member in members:
        services.committee_member_add(program=program, by=coordinator, user=member)
    return members


@pytest.fixture
def admit(program, committee):
    """`admit(employee, role="mentoree")`: apply to `program` and be admitted by its committee."""

    def _admit(employee, role: str = Application.Role.MENTOREE):
        return decide_by_committee(apply(employee, program, role), committee)

    return _admit


@pytest.fixture
def participant(mentoree, program, admit):
    """The named mentoree, admitted to `program` (commitment not yet accepted)."""
    admit(mentoree.employee)
    return mentoree


@pytest.fixture
def session(program, coordinator, executive):
    """A group session of `program` next week, led by the executive, with two seats."""
    return services.session_create(
        program=program,
        by=coordinator,
        leader=executive.employee,
        title="Leading through uncertainty",
        description="The President takes questions.",
        starts_at=timezone.now() + timedelta(days=7),
        duration_minutes=90,
        location="Board room, 1 Bank Street, London",
        capacity=2,
    )


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded files go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path
