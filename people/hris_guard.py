"""The HRIS import and the HR admin who uploads it: nobody places people under themselves.

A person's manager and the senior leaders above them are audiences of the sharing rules
(F6): the mentoree's manager may see attendance, senior leadership a consented theme. The
admin's employee form already refuses its user a new report or a change to their own grade
or manager (people/forms.py, `EmployeeAdminForm`); a file uploaded by the same HR admin must
not be the other way round it (F13). So a file is refused, row by row, where it would put
its uploader above someone they were not above before, or change the uploader's own grade
or manager. Another HR admin imports it. The command line (`import_employees`, no uploader)
is the operator's, outside the app.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from people.models import Employee, User

UNDER_YOU = (
    "this row would place employee {number} under you: a person's manager and the senior "
    "leaders above them may see what their mentoring agreements share with them, so another "
    "HR admin imports this file"
)
YOUR_OWN = (
    "this row changes your own grade or manager: senior leaders may see what the mentoring "
    "agreements of the people below them share with them, so another HR admin imports this file"
)


class Row(Protocol):
    line: int
    number: str
    level: int
    manager_number: str


def _above(manager_of: dict[str, str], number: str) -> set[str]:
    """Everyone above `number` in this tree (a cycle ends the walk: check_file reports it)."""
    seen: set[str] = set()
    manager = manager_of.get(number, "")
    while manager and manager not in seen:
        seen.add(manager)
        manager = manager_of.get(manager, "")
    return seen


def uploader_problems(rows: Iterable[Row], by: User | None) -> list[tuple[int, str]]:
    """(line, message) for each row that would serve the uploader `by` (none for a file
    uploaded by someone outside the directory, or from the command line)."""
    if by is None:
        return []
    me = (
        Employee.objects.filter(user_id=by.pk)
        .values_list("number", "level", "manager__number")
        .first()
    )
    if me is None:
        return []
    mine, my_level, my_manager = me
    before = {n: m or "" for n, m in Employee.objects.values_list("number", "manager__number")}
    rows = list(rows)
    after = dict(before)
    for row in rows:
        after[row.number] = row.manager_number
    problems = []
    for row in rows:
        if row.number == mine:
            if row.level != my_level or row.manager_number != (my_manager or ""):
                problems.append((row.line, YOUR_OWN))
        elif mine in _above(after, row.number) and mine not in _above(before, row.number):
            problems.append((row.line, UNDER_YOU.format(number=row.number)))
    return problems
