"""Reads of the directory. Reporting-chain queries are one SQL query each (recursive CTE)."""

from collections.abc import Iterable

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404

from people.models import Employee, User

# Depth cap: guards the recursion even if a cycle ever slipped into the table.
MAX_CHAIN_DEPTH = 64

_UP_SQL = """
WITH RECURSIVE chain(id, manager_id, depth) AS (
    SELECT id, manager_id, 0 FROM people_employee WHERE id = %s
    UNION ALL
    SELECT e.id, e.manager_id, chain.depth + 1
    FROM people_employee e JOIN chain ON e.id = chain.manager_id
    WHERE chain.depth < %s
)
SELECT id FROM chain WHERE depth > 0
"""

_DOWN_SQL = """
WITH RECURSIVE chain(id, depth) AS (
    SELECT id, 0 FROM people_employee WHERE id = %s
    UNION ALL
    SELECT e.id, chain.depth + 1
    FROM people_employee e JOIN chain ON e.manager_id = chain.id
    WHERE chain.depth < %s
)
SELECT id FROM chain WHERE depth > 0
"""


def _depth(depth: int | None) -> int:
    return MAX_CHAIN_DEPTH if depth is None else max(0, min(depth, MAX_CHAIN_DEPTH))


def reporting_chain_up(*, employee: Employee, depth: int | None = None) -> list[Employee]:
    """The employee's managers, nearest first, up to `depth` levels (None: the whole chain).

    One query: the recursive CTE selects the ids, and the order is rebuilt in Python from
    the manager links of the rows it returned.
    """
    rows = {
        e.pk: e
        for e in Employee.objects.filter(pk__in=RawSQL(_UP_SQL, (employee.pk, _depth(depth))))
    }
    chain: list[Employee] = []
    next_id = employee.manager_id
    while next_id in rows and len(chain) < len(rows):
        chain.append(rows[next_id])
        next_id = rows[next_id].manager_id
    return chain


def reporting_chain_up_ids(*, employee_id: int, depth: int | None = None) -> set[int]:
    """The ids of the employee's managers, up to `depth` levels: the recusal checks ask
    this on every vote and application, and need no rows, only ids."""
    with connection.cursor() as cursor:
        cursor.execute(_UP_SQL, (employee_id, _depth(depth)))
        return {pk for (pk,) in cursor.fetchall()}


_UP_MANY_SQL = """
WITH RECURSIVE chain(start, id, manager_id, depth) AS (
    SELECT id, id, manager_id, 0 FROM people_employee WHERE id IN ({ids})
    UNION ALL
    SELECT chain.start, e.id, e.manager_id, chain.depth + 1
    FROM people_employee e JOIN chain ON e.id = chain.manager_id
    WHERE chain.depth < %s
)
SELECT start, id FROM chain WHERE depth > 0
"""


def reporting_chains_up_ids(
    *, employee_ids: Iterable[int], depth: int | None = None
) -> dict[int, set[int]]:
    """`reporting_chain_up_ids` for many employees in one query (the same recursive CTE,
    started from each of them): each employee's managers' ids, up to `depth` levels."""
    ids = sorted(set(employee_ids))
    chains: dict[int, set[int]] = {pk: set() for pk in ids}
    if not ids:
        return chains
    sql = _UP_MANY_SQL.format(ids=", ".join(["%s"] * len(ids)))
    with connection.cursor() as cursor:
        cursor.execute(sql, (*ids, _depth(depth)))
        for start, manager_id in cursor.fetchall():
            chains[start].add(manager_id)
    return chains


def reporting_chain_down(*, employee: Employee, depth: int | None = None) -> QuerySet[Employee]:
    """Everyone who reports to the employee, directly or not, down to `depth` levels."""
    return Employee.objects.filter(pk__in=RawSQL(_DOWN_SQL, (employee.pk, _depth(depth))))


def in_management_chain(*, a: Employee, b: Employee, depth: int | None = None) -> bool:
    """True when either person manages the other, directly or through the chain."""
    above_a = RawSQL(_UP_SQL, (a.pk, _depth(depth)))
    above_b = RawSQL(_UP_SQL, (b.pk, _depth(depth)))
    return Employee.objects.filter(Q(pk=b.pk, pk__in=above_a) | Q(pk=a.pk, pk__in=above_b)).exists()


def employee_for_user(*, user: User) -> Employee | None:
    """The signed-in person's directory entry, or None (an HR admin account, a superuser)."""
    if not user.is_authenticated:
        return None
    try:
        return user.employee
    except Employee.DoesNotExist:
        return None


def employee_get(*, pk: int) -> Employee:
    """One directory entry by id, or a 404 (the directory is open to everyone signed in)."""
    employee = Employee.objects.filter(pk=pk).first()
    if employee is None:
        raise Http404("No such employee")
    return employee


def user_get(*, pk: int) -> User:
    """One account by id, or a 404."""
    user = User.objects.filter(pk=pk).first()
    if user is None:
        raise Http404("No such person")
    return user
