"""The people picker's reads: who a person may choose for a purpose, found by what they type.

Everywhere a page asks for a person (a committee member, a session leader, a pinned mentor or
mentoree, a review's subject, a panel seat) the same two reads answer: `people_choosable`
searches the people the chooser may choose for that purpose, and `person_choosable_get`
checks an id a browser posted against the same set, so a forged id is as unknown as a name
nobody has.

A `Purpose` names the set. The app that owns the form defines it (people imports no app
above it): a function of the chooser and the object the choice is for (a program, a review)
that returns the employees who may be chosen, or none at all when the chooser may not choose.
What the set leaves out must never say more than the chooser may know. It leaves out what the
chooser's own page shows anyway (who is admitted, who already sits on the committee or the
panel, the subject of the review) and never what only the conflict register knows: someone
with a conflict of interest stays in the list and the service refuses them in its neutral
words, recording the attempt (docs/DESIGN.md, "The people picker").

Search is by first name, last name, whole name, e-mail address, employee number and
department; every word typed must appear in one of them, ignoring case and accents the same
way on SQLite and PostgreSQL (`Fold`). At most `PICKER_LIMIT` people come back, in one query,
whoever matches exactly first, then those whose name starts with the first word typed, then
by last and first name.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, CharField, F, Func, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Concat

from people.models import Employee, User

PICKER_LIMIT = 10
# Longer than any name, address or number: what is typed beyond it is not a search.
QUERY_MAX_LENGTH = 200
# Words beyond these narrow nothing that the first ones did not.
QUERY_MAX_WORDS = 6


def _fold_char(char: str) -> str:
    decomposed = unicodedata.normalize("NFKD", char)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


# Capital ASCII letters and the accented Latin letters (Latin-1 and Latin Extended-A/B) that
# fold to one plain letter: the one table both databases and Python apply, so a search finds
# the same people on each ("Zoë", "ZOE" and "zoe" are one). Letters that fold to two (ß) or
# do not decompose (ø) are compared as they are.
_FOLDS = {
    char: folded
    for char in map(chr, [*range(0x41, 0x5B), *range(0xC0, 0x250)])
    if len(folded := _fold_char(char)) == 1 and folded != char and (folded.isascii())
}
_FOLD_FROM = "".join(_FOLDS)
_FOLD_TO = "".join(_FOLDS.values())
_FOLD_TABLE = str.maketrans(_FOLDS)


def fold(text: str) -> str:
    """Lower case, accents off: what the search compares."""
    return text.translate(_FOLD_TABLE)


def _fold_or_none(text: str | None) -> str | None:
    return None if text is None else fold(text)


def register_fold(sender: Any, connection: Any, **kwargs: Any) -> None:
    """SQLite has no TRANSLATE: each new connection gets `people_fold`, the same `fold` in
    Python (connected to `connection_created` in PeopleConfig.ready)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("people_fold", 1, _fold_or_none, deterministic=True)


class Fold(Func):
    """`fold` in SQL: TRANSLATE with the same table on PostgreSQL, the registered Python
    function on SQLite, LOWER elsewhere (case only)."""

    function = "LOWER"
    arity = 1
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="people_fold", **extra_context)

    def as_postgresql(self, compiler, connection, **extra_context):
        translate = Func(
            *self.get_source_expressions(),
            Value(_FOLD_FROM),
            Value(_FOLD_TO),
            function="TRANSLATE",
            output_field=CharField(),
        )
        return translate.as_sql(compiler, connection, **extra_context)


@dataclass(frozen=True)
class Purpose:
    """What a person is chosen for, and who may be chosen: `candidates(user=, within=)` is the
    set for this chooser and this program or review (none when they may not choose)."""

    name: str
    candidates: Callable[..., QuerySet[Employee]]


def active_employees() -> QuerySet[Employee]:
    """Employees who can still sign in: the widest set any purpose starts from."""
    return Employee.objects.filter(is_active=True, user__is_active=True)


def _words(query: str) -> list[str]:
    # A NUL byte is in no name, and PostgreSQL refuses it in a text parameter: a separator.
    return fold(query[:QUERY_MAX_LENGTH].replace("\x00", " ")).split()[:QUERY_MAX_WORDS]


def _search(candidates: QuerySet[Employee], query: str) -> QuerySet[Employee]:
    words = _words(query)
    whole = " ".join(words)
    people = candidates.annotate(
        _first=Fold("first_name"),
        _last=Fold("last_name"),
        _email=Fold("email"),
        _number=Fold("number"),
        _department=Fold("department"),
    ).annotate(_whole=Concat(F("_first"), Value(" "), F("_last"), output_field=CharField()))
    for word in words:
        people = people.filter(
            Q(_first__contains=word)
            | Q(_last__contains=word)
            | Q(_email__contains=word)
            | Q(_number__contains=word)
            | Q(_department__contains=word)
        )
    return people.annotate(
        picker_rank=Case(
            When(Q(_email=whole) | Q(_number=whole) | Q(_whole=whole), then=Value(0)),
            When(Q(_first__startswith=words[0]) | Q(_last__startswith=words[0]), then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("picker_rank", "last_name", "first_name", "number")


def people_choosable(
    *,
    user: User,
    purpose: Purpose,
    within: object = None,
    query: str,
    limit: int = PICKER_LIMIT,
) -> list[Employee]:
    """Up to `limit` people this user may choose for `purpose` in `within` (a program or a
    review) whose name, e-mail address, employee number or department hold every word of
    `query`; each has `picker_rank` 0 when the query is exactly their whole name, address
    or number. Nothing for an empty query. One query whatever the number of matches."""
    if not _words(query):
        return []
    candidates = purpose.candidates(user=user, within=within)
    return list(
        _search(candidates, query).only(
            "first_name", "last_name", "email", "number", "title", "department"
        )[:limit]
    )


def person_choosable_get(
    *, user: User, purpose: Purpose, within: object = None, pk: object
) -> Employee | None:
    """The person with this id if this user may choose them for `purpose`; None for an id
    that is not a number, names nobody, or names someone outside the set (the same answer,
    so a forged id learns nothing)."""
    text = str(pk).strip()
    # ASCII digits only: "²" and "٣" are digits to str.isdigit, not to int() or to a form.
    if not (text.isascii() and text.isdigit()) or int(text) >= 2**63:
        return None
    return purpose.candidates(user=user, within=within).filter(pk=int(text)).first()
