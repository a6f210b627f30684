"""core.prepared: a query built once and run with other ids answers what the ORM answers."""

from __future__ import annotations

import pytest

from core.prepared import Prepared
from people.models import Employee
from tests.factories import EmployeeFactory


def test_a_prepared_query_answers_what_the_orm_answers_for_every_id(db):
    boss = EmployeeFactory()
    reports = [EmployeeFactory(manager=boss) for _ in range(3)]
    loner = EmployeeFactory()

    reports_of = Prepared(
        lambda manager: Employee.objects.filter(manager_id=manager).order_by("pk").values("pk"),
        "manager",
    )

    for manager in (boss, reports[0], loner):
        expected = list(Employee.objects.filter(manager=manager).order_by("pk").values_list("pk"))
        assert reports_of.rows(manager=manager.pk) == expected
    assert reports_of.exists(manager=boss.pk)
    assert not reports_of.exists(manager=loner.pk)
    assert not reports_of.exists(manager=None)


def test_a_query_that_loses_its_argument_is_refused(db):
    everyone = Prepared(lambda manager: Employee.objects.values("pk"), "manager")

    with pytest.raises(ValueError, match="lost its argument"):
        everyone.rows(manager=1)
