"""Queries asked on every request, built by the ORM once per process and kept as SQL.

Building a query with a few EXISTS subqueries costs the ORM several milliseconds of Python,
far more than the database takes to answer it; a permission check asked a dozen times a
request pays that each time. A `Prepared` query is written with the ORM as usual, once, with
stand-in values for its arguments; its SQL and parameters are kept, and each call swaps the
stand-ins for the real values. The SQL is the ORM's own, so it stays portable and the rules
stay written once.

The stand-ins are negative integers inside every backend's integer range (the ORM drops a
condition on a value outside it), or for a text argument (a slug) a string no one types;
each must come out of the compiler at least once, or building fails: a query whose argument
vanished is never kept. The values read are converted as the ORM converts them (the
converters of each selected column), so a date read from SQLite is a date.

On PostgreSQL the SQL is also prepared on the server, once per connection (psycopg's
`prepare=True` on a server-binding cursor): PostgreSQL then stops planning it on every call.
Planning the navigation's roles query (a dozen EXISTS) took 2.3-2.7 ms of the database's CPU on
every page, ten times what running it takes. Django turns psycopg's automatic preparation off
for every other query (connection poolers in transaction mode did not support it);
`DATABASE_PREPARED_STATEMENTS=0` turns this off too, for a pooler that cannot.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, cached_property
from typing import Any, NamedTuple

from django.conf import settings
from django.db import connection
from django.db.models import Model, QuerySet

_FIRST_STAND_IN = -2_046_000_001
_NEVER_BY_COUNT = 2**62


class _Compiled(NamedTuple):
    sql: str  # the ORM's, constants written in where asked (PostgreSQL)
    template: list[tuple[str | None, object]]  # (argument name or None, value) per parameter
    converters: list  # what the ORM does to each selected column it reads
    ordered: bool  # ordered and not sliced: it has pages


class Prepared:
    """`Prepared(build, "user", "program")`: `build(user=..., program=...)` returns the
    QuerySet; `.rows(user=1, program=2)` runs its SQL with those ids, `.exists(...)` tells
    whether it has a row. Arguments are integer ids (or None); those named in `texts` are
    strings (a slug), compared for equality only."""

    def __init__(
        self,
        build: Callable[..., QuerySet],
        *arguments: str,
        texts: tuple[str, ...] = (),
        literal_constants: bool = False,
        written: tuple[str, ...] = (),
    ) -> None:
        self._build = build
        self._arguments = arguments + texts
        self._texts = texts
        # On PostgreSQL, the values the query itself fixes (a status, a role: the ORM passes
        # them as parameters too) written into its SQL, so that the plan PostgreSQL keeps
        # for every call can use the partial indexes that name them. With them as
        # parameters, the generic plan of the mentorees without a pair read every
        # application of the program (9.8 ms instead of 0.5); planned at each call instead,
        # the coordinator's pairings spent 5 ms a page planning three queries.
        self._literal_constants = literal_constants or bool(written)
        # Integer arguments written into the SQL too (a program's id): a statement with no
        # parameter left is planned once and its plan kept from the first call, where
        # PostgreSQL would otherwise judge a page's generic plan dearer than planning anew
        # and plan it at every call (2 ms of the coordinator's pairings, twice a page).
        self._written = written

    @cached_property
    def _compiled(self) -> _Compiled:
        stand_ins: dict[str, object] = {
            name: f"\u241fprepared:{name}\u241f" if name in self._texts else _FIRST_STAND_IN - index
            for index, name in enumerate(self._arguments)
        }
        by_value = {value: name for name, value in stand_ins.items()}
        queryset = self._build(**stand_ins)
        compiler = queryset.query.get_compiler(connection.alias)
        sql, params = compiler.as_sql()
        # What the ORM does to each value it reads (dates from SQLite's text, say), kept to
        # be done to ours: the converters of each selected column.
        converters = list(
            compiler.get_converters([column for column, _, _ in compiler.select]).items()
        )
        template = [
            (by_value.get(value) if type(value) in (int, str) else None, value) for value in params
        ]
        found = {name for name, _ in template if name is not None}
        if found != set(self._arguments):
            missing = ", ".join(sorted(set(self._arguments) - found))
            raise ValueError(f"the compiled query lost its argument(s): {missing}")
        if self._literal_constants and connection.vendor == "postgresql":
            sql, template = _constants_written_in(sql, template, self._written)
        # `page` needs an order, and no slice of its own.
        ordered = queryset.ordered and not queryset.query.is_sliced
        return _Compiled(sql, template, converters, ordered)

    def rows(self, **values: int | str | None) -> list[tuple]:
        return self._run("", values)

    def page(self, *, offset: int, limit: int, **values: int | str | None) -> list[tuple]:
        """`rows(...)[offset:offset + limit]`, read as such: a page of a list, in the
        query's own order (an unordered or sliced query has none). The two numbers are
        written into the SQL as integers, so each page is a statement of its own, planned
        (and on PostgreSQL prepared) for that page: a LIMIT left as a parameter is planned,
        in a generic plan, for a tenth of the rows instead of a page of them."""
        if not self._compiled.ordered:
            raise ValueError("an unordered or sliced query has no pages")
        if limit <= 0:
            return []
        return self._run(f" LIMIT {int(limit)} OFFSET {max(0, int(offset))}", values)

    def _run(self, tail: str, values: dict[str, int | str | None]) -> list[tuple]:
        sql, template, converters, _ = self._compiled
        sql += tail
        for name in self._written:
            value = values[name]
            if type(value) is not int:
                raise TypeError(f"{name} is written into the SQL: it must be an integer id")
            sql = sql.replace(_WRITTEN.format(name), str(value))
        params: list[Any] = [
            values[name] if name is not None else value for name, value in template
        ]
        with _cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not converters:
            return rows
        return [_converted(row, converters) for row in rows]

    def exists(self, **values: int | str | None) -> bool:
        return bool(self.rows(**values))


def instance(model: type[Model], **values: object) -> Any:
    """An instance of `model` as the ORM makes one from a row of some of its fields (the
    others deferred): what a prepared query's row becomes."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(connection.alias, names, [values[name] for name in names])


def prepared_sql_rows(sql: str, params: dict[str, object] | list[object]) -> list[tuple]:
    """SQL of our own (a shape the ORM cannot write: a CTE read several times), run as a
    `Prepared` query is: counted like any other, and prepared on the server on PostgreSQL.
    The values come back as the database driver gives them (no ORM conversion)."""
    with _cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


_WRITTEN = "\u241fwritten:{}\u241f"


def _constants_written_in(
    sql: str, template: list[tuple[str | None, object]], written: tuple[str, ...] = ()
) -> tuple[str, list[tuple[str | None, object]]]:
    """The SQL with every placeholder of a constant (not an argument) replaced by the
    constant as a PostgreSQL literal, quoted by psycopg, and each placeholder of a `written`
    argument by a mark that each call replaces with the integer; the other arguments stay
    placeholders."""
    # Imported on first use, as the preparing cursor is: a deployment on SQLite never
    # loads the PostgreSQL driver.
    from psycopg import sql as psycopg_sql

    connection.ensure_connection()
    marked = set(written)
    parts = re.split(r"(%%|%s)", sql)
    written_sql: list[str] = []
    kept: list[tuple[str | None, object]] = []
    placeholders = iter(template)
    for part in parts:
        if part != "%s":
            written_sql.append(part)
            continue
        name, value = next(placeholders)
        if name in marked:
            written_sql.append(_WRITTEN.format(name))
            continue
        if name is not None:
            written_sql.append(part)
            kept.append((name, value))
            continue
        literal = psycopg_sql.Literal(value).as_string(connection.connection)
        written_sql.append(literal.replace("%", "%%"))
    if next(placeholders, None) is not None:
        raise ValueError("the compiled query has fewer placeholders than parameters")
    return "".join(written_sql), kept


def _converted(row: tuple, converters: list) -> tuple:
    values = list(row)
    for position, (functions, expression) in converters:
        for function in functions:
            values[position] = function(values[position], expression, connection)
    return tuple(values)


def _cursor():
    """A Django cursor (queries counted and logged as any other); on PostgreSQL one whose
    statements are prepared on the server."""
    if connection.vendor != "postgresql" or not settings.DATABASE_PREPARED_STATEMENTS:
        return connection.cursor()
    # Opening Django's own cursor connects, runs the health check and checks the thread.
    connection.cursor().close()
    if connection.connection.prepare_threshold is None:
        # Django's None switches preparing off altogether, even when asked for; a threshold
        # no query reaches keeps it off for every other query (Django's cursors bind on the
        # client and never prepare anyway) and lets ours ask.
        connection.connection.prepare_threshold = _NEVER_BY_COUNT
    raw = _preparing_cursor_class()(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(raw)
    return connection.make_cursor(raw)


@cache
def _preparing_cursor_class() -> type:
    # Imported on first use: a deployment on SQLite never loads the PostgreSQL backend.
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        """Binds on the server and prepares every statement at its first execution."""

        def execute(self, query, params=None, *, prepare=None, binary=None):  # type: ignore[override]
            return super().execute(query, params, prepare=True, binary=binary)

    return PreparingCursor
