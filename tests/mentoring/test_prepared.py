"""core.prepared: a query built once and run with other ids answers what the ORM answers."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from core.prepared import Prepared, prepared_sql_rows
from people.models import Employee
from programs.models import Program
from programs.selectors import coordinated_program, coordinated_programs
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


def test_a_page_of_a_prepared_query_is_that_slice_of_its_rows(db):
    boss = EmployeeFactory()
    for _ in range(7):
        EmployeeFactory(manager=boss)
    reports_of = Prepared(
        lambda manager: Employee.objects.filter(manager_id=manager).order_by("pk").values("pk"),
        "manager",
    )
    every = reports_of.rows(manager=boss.pk)
    assert len(every) == 7
    for offset, limit in ((0, 3), (3, 3), (6, 3), (7, 3), (2, 0), (0, 25)):
        assert (
            reports_of.page(offset=offset, limit=limit, manager=boss.pk)
            == every[offset : offset + limit]
        )


def test_an_unordered_or_sliced_query_has_no_pages(db):
    unordered = Prepared(
        lambda manager: Employee.objects.filter(manager_id=manager).order_by().values("pk"),
        "manager",
    )
    sliced = Prepared(
        lambda manager: Employee.objects.filter(manager_id=manager).order_by("pk")[:5],
        "manager",
    )
    for query in (unordered, sliced):
        with pytest.raises(ValueError, match="no pages"):
            query.page(offset=0, limit=5, manager=1)


def test_a_query_that_loses_its_argument_is_refused(db):
    everyone = Prepared(lambda manager: Employee.objects.values("pk"), "manager")

    with pytest.raises(ValueError, match="lost its argument"):
        everyone.rows(manager=1)


def _reports_of() -> Prepared:
    return Prepared(
        lambda manager: Employee.objects.filter(manager_id=manager).values("pk"), "manager"
    )


def _server_statements() -> list[tuple[str, int]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans FROM pg_prepared_statements")
        return cursor.fetchall()


def test_a_prepared_query_is_counted_like_any_other_query(db, django_assert_num_queries):
    boss = EmployeeFactory()
    reports_of = _reports_of()
    with django_assert_num_queries(2):
        reports_of.rows(manager=boss.pk)
        reports_of.rows(manager=boss.pk)


@pytest.mark.postgres
def test_postgresql_plans_a_prepared_query_once_not_on_every_call(db):
    """The navigation's roles query took longer to plan than to run; prepared on the server,
    PostgreSQL switches to its generic plan after five calls and plans no more."""
    boss = EmployeeFactory()
    report = EmployeeFactory(manager=boss)
    reports_of = _reports_of()
    for _ in range(8):
        assert reports_of.rows(manager=boss.pk) == [(report.pk,)]
    assert reports_of.rows(manager=report.pk) == []
    (generic_plans,) = [n for sql, n in _server_statements() if "people_employee" in sql]
    assert generic_plans >= 1


@pytest.mark.postgres
def test_preparing_on_the_server_can_be_turned_off_for_a_pooler(db, settings):
    settings.DATABASE_PREPARED_STATEMENTS = False
    boss = EmployeeFactory()
    report = EmployeeFactory(manager=boss)
    # Its own SQL (no other test prepares it on this connection).
    reports_of = Prepared(
        lambda manager: Employee.objects.filter(manager_id=manager).values("pk", "last_name"),
        "manager",
    )
    for _ in range(3):
        assert reports_of.rows(manager=boss.pk) == [(report.pk, report.last_name)]
    assert not [sql for sql, _ in _server_statements() if "last_name" in sql]


_REPORTS_SQL = (
    "SELECT id, last_name FROM people_employee WHERE manager_id = %(manager)s ORDER BY id"
)


def test_our_own_sql_runs_with_named_values_and_is_counted(db, django_assert_num_queries):
    boss = EmployeeFactory()
    reports = [EmployeeFactory(manager=boss) for _ in range(2)]
    with django_assert_num_queries(2):
        assert prepared_sql_rows(_REPORTS_SQL, {"manager": boss.pk}) == [
            (e.pk, e.last_name) for e in reports
        ]
        assert prepared_sql_rows(_REPORTS_SQL, {"manager": None}) == []


@pytest.mark.postgres
def test_our_own_sql_is_prepared_on_the_server_unless_turned_off(db, settings):
    boss = EmployeeFactory()
    report = EmployeeFactory(manager=boss)
    for _ in range(7):
        assert prepared_sql_rows(_REPORTS_SQL, {"manager": boss.pk}) == [
            (report.pk, report.last_name)
        ]
    (generic_plans,) = [n for sql, n in _server_statements() if "manager_id = $1" in sql]
    assert generic_plans >= 1

    settings.DATABASE_PREPARED_STATEMENTS = False
    other = _REPORTS_SQL.replace("ORDER BY id", "ORDER BY id DESC")
    assert prepared_sql_rows(other, {"manager": boss.pk}) == [(report.pk, report.last_name)]
    assert not [sql for sql, _ in _server_statements() if "ORDER BY id DESC" in sql]


def test_a_text_argument_and_the_orms_conversions(db, program, coordinator, committee_member):
    """A slug as an argument; the values read converted as the ORM converts them (dates
    are dates on SQLite too): `coordinated_program` is `coordinated_programs(...).get()`."""
    found = coordinated_program(user=coordinator, slug=program.slug)
    assert found is not None
    expected = coordinated_programs(user=coordinator).get(slug=program.slug)
    for field in Program._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(expected, field.attname), field.name
        assert type(getattr(found, field.attname)) is type(getattr(expected, field.attname))
    assert not found._state.adding
    assert coordinated_program(user=coordinator, slug=program.slug + "-x") is None
    assert coordinated_program(user=committee_member, slug=program.slug) is None
    # A slug that looks like SQL is a value, never SQL.
    assert coordinated_program(user=coordinator, slug="' OR 1=1 --") is None


def test_a_page_of_a_prepared_query_is_the_orms_slice(db):
    """`page(offset=, limit=)`: the rows the ORM's `[offset:offset + limit]` gives, in the
    query's order, for every window (past the end too)."""
    boss = EmployeeFactory()
    for _ in range(7):
        EmployeeFactory(manager=boss)

    def ordered(manager):
        return Employee.objects.filter(manager_id=manager).order_by("last_name", "pk")

    reports_of = Prepared(
        lambda manager: ordered(manager).values_list("pk", "last_name"), "manager"
    )
    for offset, limit in [(0, 3), (3, 3), (6, 3), (9, 3), (0, 25)]:
        expected = list(ordered(boss.pk).values_list("pk", "last_name")[offset : offset + limit])
        assert reports_of.page(offset=offset, limit=limit, manager=boss.pk) == expected


@pytest.mark.parametrize("title", ["Head of Sales", "50% 'off' \\ %s %% done"])
def test_constants_written_into_the_sql_give_the_orms_rows(db, title):
    """`literal_constants`: the values the query fixes become literals in its SQL (on
    PostgreSQL, quoted by psycopg: a quote, a percent sign or a backslash stay text), the
    arguments stay arguments; the rows are the ORM's."""
    boss = EmployeeFactory()
    report = EmployeeFactory(manager=boss, title=title)
    EmployeeFactory(manager=boss, title="Other")

    def reports(manager):
        return Employee.objects.filter(manager_id=manager, title=title, is_active=True)

    reports_of = Prepared(
        lambda manager: reports(manager).order_by("pk").values_list("pk", "title"),
        "manager",
        literal_constants=True,
    )
    for _ in range(7):
        assert reports_of.rows(manager=boss.pk) == [(report.pk, title)]
        assert reports_of.page(offset=0, limit=5, manager=boss.pk) == [(report.pk, title)]
    assert reports_of.rows(manager=report.pk) == []
    if connection.vendor == "postgresql":
        sql = reports_of._compiled.sql
        placeholders = [found for found in re.findall(r"%%|%s", sql) if found == "%s"]
        assert len(placeholders) == 1  # the manager, still an argument
        assert "'Head of Sales'" in sql or "50%% ''off''" in sql
        prepared = [statement for statement, _ in _server_statements() if '"title"' in statement]
        assert prepared and all("$1" in statement for statement in prepared)


def test_an_argument_written_into_the_sql_gives_the_orms_rows(db):
    """`written`: an integer argument written into the SQL at each call (on PostgreSQL: a
    statement with no parameter, whose plan is kept from the first call); each value gets
    its own rows, and a value that is not an integer is refused, never written."""
    bosses = [EmployeeFactory() for _ in range(3)]
    reports = {
        boss.pk: [EmployeeFactory(manager=boss).pk for _ in range(n)]
        for n, boss in enumerate(bosses)
    }
    reports_of = Prepared(
        lambda manager: (
            Employee.objects.filter(manager_id=manager, is_active=True)
            .order_by("pk")
            .values_list("pk")
        ),
        "manager",
        written=("manager",),
    )
    for _ in range(3):
        for boss in bosses:
            assert [pk for (pk,) in reports_of.rows(manager=boss.pk)] == reports[boss.pk]
            assert reports_of.page(offset=1, limit=1, manager=boss.pk) == [
                (pk,) for pk in reports[boss.pk][1:2]
            ]
    with pytest.raises((TypeError, ValueError)):
        reports_of.rows(manager="1 OR 1=1")
    if connection.vendor == "postgresql":
        assert "%s" not in reports_of._compiled.sql
        kept = [(sql, plans) for sql, plans in _server_statements() if "manager_id" in sql]
        assert kept and all("$" not in sql for sql, _ in kept)
