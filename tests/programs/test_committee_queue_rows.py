"""The committee queue's unfiltered page reads the queue through prepared queries (issue K):
whatever the number of the member's committees, it holds exactly what the ORM's queue
(`committee_queue_for`) holds, in its order, with the same tallies, recusals and pages, and a
committee seat revoked is gone from the next read."""

from __future__ import annotations

import pytest
from django.urls import reverse

from programs import selectors, services
from tests.builders.programs import apply, decide_by_committee, make_program
from tests.factories import EmployeeFactory


def orm_queue(member) -> list[tuple]:
    return [
        (
            a.pk,
            a.applicant.full_name,
            a.applicant.title,
            a.applicant.department,
            a.program.name,
            a.role,
            a.submitted_at,
            a.vote_count,
            a.voted,
        )
        for a in selectors.committee_queue_for(user=member)
    ]


def entries(queue) -> list[tuple]:
    return [
        (
            e.pk,
            e.applicant,
            e.title,
            e.department,
            e.program,
            e.role,
            e.submitted_at,
            e.vote_count,
            e.voted,
        )
        for e in queue
    ]


def unfiltered(member):
    programs = selectors.committee_programs_for_filter(user=member)
    return selectors.committee_queue_filtered(
        user=member, program_ids=[pk for pk, _, _ in programs]
    )


@pytest.mark.parametrize("seats", [1, 2, 3, 5])
def test_the_prepared_queue_is_the_orm_queue(
    seats, program, committee, committee_member, coordinator
):
    programs = [program] + [
        make_program(coordinator=coordinator, name=f"Circle {n}", slug=f"circle-{n}")
        for n in range(seats - 1)
    ]
    for other in programs[1:]:
        services.committee_member_add(program=other, by=coordinator, user=committee_member)
    elsewhere = make_program(coordinator=coordinator, name="Elsewhere", slug="elsewhere")
    me = committee_member.employee
    report = EmployeeFactory(level=4, manager=me)
    below_report = EmployeeFactory(level=3, manager=report)
    boss = EmployeeFactory(level=7)
    me.manager = boss
    me.save()
    recused = [apply(me, program, "mentor"), apply(report, programs[-1])]
    recused.append(apply(below_report, programs[0]))
    shown = [apply(boss, programs[-1], "mentor")]
    for n, each in enumerate(programs):
        shown += [apply(EmployeeFactory(level=4), each) for _ in range(2)]
        shown.append(apply(EmployeeFactory(level=6, first_name="<b>Ann</b>"), each, "mentor"))
        if n == 0:
            services.vote_cast(application=shown[-1], voter=committee_member, choice="admit")
            services.vote_cast(application=shown[-2], voter=committee[1], choice="decline")
    decide_by_committee(apply(EmployeeFactory(level=4), program), committee)
    apply(EmployeeFactory(level=4), elsewhere)

    queue = unfiltered(committee_member)
    expected = orm_queue(committee_member)

    assert entries(queue.rows) == expected
    assert queue.shown == queue.total == len(expected) == len(shown)
    assert {pk for pk, *_ in expected} == {a.pk for a in shown}
    assert not {a.pk for a in recused} & {pk for pk, *_ in expected}
    assert entries(queue.rows[2:5]) == expected[2:5]
    assert entries(queue.rows[len(expected) - 1 :]) == expected[-1:]
    assert entries(queue.rows[len(expected) :]) == []
    # The filtered path (the ORM's) reads the same rows.
    filtered = selectors.committee_queue_filtered(
        user=committee_member,
        program_ids=[p.pk for p in programs],
        program_id=program.pk,
    )
    assert entries(filtered.rows) == [row for row in expected if row[4] == program.name]


def test_a_seat_revoked_is_gone_from_the_next_read(
    program, other_program, other_coordinator, committee, committee_member, signed_in_client
):
    services.committee_member_add(
        program=other_program, by=other_coordinator, user=committee_member
    )
    here = apply(EmployeeFactory(level=4, last_name="Herefield"), program)
    there = apply(EmployeeFactory(level=4, last_name="Therefield"), other_program)
    client = signed_in_client(committee_member)
    queue = reverse("programs:committee_queue")
    assert {e.pk for e in unfiltered(committee_member).rows} == {here.pk, there.pk}
    assert "Therefield" in client.get(queue).content.decode()

    services.committee_member_remove(
        program=other_program, by=other_coordinator, user=committee_member
    )

    assert [e.pk for e in unfiltered(committee_member).rows] == [here.pk]
    page = client.get(queue).content.decode()
    assert "Herefield" in page and "Therefield" not in page


def test_a_new_report_is_recused_from_the_next_read(program, committee, committee_member):
    applicant = EmployeeFactory(level=4)
    application = apply(applicant, program)
    assert [e.pk for e in unfiltered(committee_member).rows] == [application.pk]

    applicant.manager = committee_member.employee
    applicant.save()

    queue = unfiltered(committee_member)
    assert list(queue.rows) == [] and queue.total == 0
