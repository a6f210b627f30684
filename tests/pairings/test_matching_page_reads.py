"""The matching page's reads built once (core.prepared): the latest run is the ORM's
`program.matching_runs.first()`, field for field and converted as the ORM converts; who
started it is named as `{% firstof user.employee.full_name user %}` names them; the number
of its proposed pairs and the pins are the ORM's. And the page shows them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from pairings import matching
from pairings.matching import selectors as matching_selectors
from pairings.models import MatchingRun, ProposedPair
from people.models import Employee, User
from programs.models import Application
from tests.factories import EmployeeFactory

MENTOR = Application.Role.MENTOR


def assert_same_run(program):
    state = matching_selectors.matching_page_state(program=program)
    expected = program.matching_runs.first()
    run = state["run"]
    if expected is None:
        assert run is None
        return state
    assert isinstance(run, MatchingRun)
    assert not run._state.adding
    for field in MatchingRun._meta.concrete_fields:
        assert getattr(run, field.attname) == getattr(expected, field.attname), field.name
        assert type(getattr(run, field.attname)) is type(getattr(expected, field.attname))
    assert state["pairs_count"] == expected.pairs.count()
    starter = expected.started_by
    if starter is None:
        assert state["started_by"] == ""
    else:
        employee = Employee.objects.filter(user=starter).first()
        assert state["started_by"] == ((employee.full_name if employee else "") or str(starter))
    return state


def test_no_run_yet(program):
    state = assert_same_run(program)
    assert (state["started_by"], state["pairs_count"], state["reviewable"]) == ("", 0, False)


def test_the_latest_run_with_every_field_and_its_pairs_counted(program, coordinator, join):
    mentor = join(MENTOR, capacity=2)
    mentorees = [join() for _ in range(2)]
    old = MatchingRun.objects.create(program=program, status="published", started_by=coordinator)
    ProposedPair.objects.create(run=old, mentor=mentor, mentoree=mentorees[0], score=9)
    run = MatchingRun.objects.create(
        program=program,
        status=MatchingRun.Status.PUBLISH_FAILED,
        started_by=coordinator,
        finished_at=timezone.now(),
        total_score=140,
        upper_bound=150,
        mentorees_considered=2,
        unmatched=0,
        seconds=1.25,
        error="Two rows are no longer allowed.",
        refusals=["Row 3: Ann Ash's manager", "Row 4: a pin"],
        progress=100,
    )
    for mentoree in mentorees:
        ProposedPair.objects.create(run=run, mentor=mentor, mentoree=mentoree, score=70)
    # The same second: the higher id is the later run, as Meta.ordering says.
    MatchingRun.objects.filter(pk=old.pk).update(created_at=run.created_at)
    state = assert_same_run(program)
    assert state["run"].pk == run.pk
    assert state["pairs_count"] == 2
    assert state["started_by"] == coordinator.employee.full_name
    # An older run made later in time is not the latest.
    MatchingRun.objects.filter(pk=old.pk).update(created_at=run.created_at + timedelta(1))
    assert assert_same_run(program)["run"].pk == old.pk


@pytest.mark.parametrize("who", ["employee", "unnamed employee", "no employee", "deleted"])
def test_who_started_the_run_is_named_as_the_page_named_them(
    program, coordinator, who, signed_in_client
):
    if who == "employee":
        starter = coordinator
    elif who == "unnamed employee":
        starter = EmployeeFactory(first_name="", last_name="").user
        User.objects.filter(pk=starter.pk).update(first_name="Acct", last_name="Holder")
        starter.refresh_from_db()
    else:
        starter = User.objects.create_user(
            username="robot", first_name="", last_name="", password="x" * 20
        )
    MatchingRun.objects.create(program=program, status="done", started_by=starter)
    if who == "deleted":
        starter.delete()
    state = assert_same_run(program)
    expected = {
        "employee": coordinator.employee.full_name,
        "unnamed employee": "Acct Holder",
        "no employee": "robot",
        "deleted": "",
    }[who]
    assert state["started_by"] == expected

    started = _page(signed_in_client(coordinator), program).split("<dt>Started</dt>")[1]
    started = started.split("</dd>")[0]
    if expected:
        assert started.endswith(f" by {expected}")
    else:
        assert " by " not in started


def _page(client, program) -> str:
    response = client.get(reverse("pairings:matching", args=[program.slug]))
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


def test_the_pins_as_the_orm_reads_them_and_on_the_page(
    program, coordinator, join, signed_in_client
):
    mentors = [join(MENTOR, capacity=2, first_name="Mo", last_name=f"Mentor{i}") for i in (1, 2)]
    mentorees = [join(first_name="Tess", last_name=f"Mentoree{i}") for i in (1, 2)]
    for mentor, mentoree in zip(reversed(mentors), mentorees, strict=True):
        matching.pin_add(program=program, mentor=mentor, mentoree=mentoree, by=coordinator)

    rows = matching_selectors.pin_rows(program=program)
    expected = [
        (pin.pk, pin.mentor.full_name, pin.mentoree.full_name)
        for pin in program.pins.select_related("mentor", "mentoree").order_by("pk")
    ]
    assert [(row.id, row.mentor_name, row.mentoree_name) for row in rows] == expected
    assert [row.mentor_name for row in rows] == ["Mo Mentor2", "Mo Mentor1"]

    html = _page(signed_in_client(coordinator), program)
    for row in rows:
        assert f'<th scope="row">{row.mentor_name}</th> <td>{row.mentoree_name}</td>' in html
        assert f'action="{reverse("pairings:pin_remove", args=[program.slug, row.id])}"' in html
        assert f"the pin of {row.mentor_name} with {row.mentoree_name}</span>" in html
