"""Shared fixtures for the pairing tests: a program and a quick way to fill its cohort.

Built through the services: `program` is a one-to-one program accepting applications, run by
`coordinator` (default mentor capacity: 2; version 1 of its commitment is published with it).
`join(...)` makes a new employee apply, has the coordinator record the admission alone (the
program has no committee, so the quorum cannot be met and the coordinator may decide), and
accepts the current commitment (F5), so the person is ready to be paired.

Named people come from tests/conftest.py. Test modules may define fixtures of the same name
(a module's own fixtures take precedence over these).
"""

from __future__ import annotations

import pytest

from people.models import Employee
from programs import services as program_services
from programs.models import Application, Program, Tag
from tests.factories import EmployeeFactory
from tests.programs.conftest import apply, make_program


def admit_alone(application: Application, coordinator) -> Application:
    """The coordinator records the admission: allowed while the committee is below quorum."""
    return program_services.application_decide(
        application=application, by=coordinator, decision="admit", reason="Fits the program."
    )


@pytest.fixture
def program(coordinator) -> Program:
    return make_program(coordinator=coordinator)


@pytest.fixture
def topics(program, coordinator) -> list[Tag]:
    """Six tags of the shared vocabulary (created by the coordinator of `program`)."""
    names = ["Leadership", "Negotiation", "Risk", "Data", "Strategy", "Public speaking"]
    return [program_services.tag_create(by=coordinator, name=name) for name in names]


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


@pytest.fixture
def join(program, coordinator):
    """`join(role="mentoree", *, capacity=None, tags=(), accept=True, **employee_fields)`:
    join_program for `program`."""

    def _join(role: str = Application.Role.MENTOREE, **kwargs) -> Employee:
        return join_program(program, coordinator, role, **kwargs)

    return _join
