"""Reads the pair's pages ask on every request, built by the ORM once per process and run
with the request's ids (core.prepared): building them cost more Python than the database
takes to answer. Nothing is kept between requests but the SQL: every call reads fresh rows."""

from __future__ import annotations

from django.db import connection
from django.db.models import Exists, F, FilteredRelation, Model, OuterRef, Q

from core.prepared import Prepared
from pairings.models import Goal, GoalChange, Pairing, PairingUserObjectPermission
from people.models import Employee, User
from programs.models import Program


def _columns(model: type[Model]) -> tuple[str, ...]:
    return tuple(field.attname for field in model._meta.concrete_fields)


_PAIRING = _columns(Pairing)
_RELATED: tuple[tuple[str, type[Model], tuple[str, ...]], ...] = (
    ("program", Program, _columns(Program)),
    ("mentor", Employee, _columns(Employee)),
    ("mentoree", Employee, _columns(Employee)),
)


def _member_pairing(user: int, pairing: int):
    """`pairing_list_for(user).get(pk=pairing)` as one row: the pairing, its program and
    both members. The same rule as guardian's get_objects_for_user with use_groups,
    with_superuser and accept_global_perms all off: the user's own object permission on
    this pairing, read from guardian's direct table (as programs.selectors reads a program
    role)."""
    granted = PairingUserObjectPermission.objects.filter(
        content_object=OuterRef("pk"), user=user, permission__codename="access_pairing"
    )
    related = [f"{name}__{column}" for name, _, columns in _RELATED for column in columns]
    return Pairing.objects.filter(Exists(granted), pk=pairing).values_list(*_PAIRING, *related)


_FIELDS = {name: getattr(Pairing, name).field for name, _, _ in _RELATED}  # the foreign keys
_MEMBER_PAIRING = Prepared(_member_pairing, "user", "pairing")


def member_pairing(*, user: User, pk: int) -> Pairing | None:
    """The pairing with its program, mentor and mentoree loaded (as `select_related`
    loads them), for a user holding the pair's object permission; None for anyone else."""
    if not user.is_authenticated or not user.is_active:
        return None
    rows = _MEMBER_PAIRING.rows(user=user.pk, pairing=pk)
    if not rows:
        return None
    row, at = rows[0], len(_PAIRING)
    pairing = Pairing.from_db(connection.alias, _PAIRING, row[:at])
    for name, model, columns in _RELATED:
        instance = model.from_db(connection.alias, columns, row[at : at + len(columns)])
        _FIELDS[name].set_cached_value(pairing, instance)
        at += len(columns)
    return pairing


def _agreement_in_force(pairing: int):
    in_force = FilteredRelation(
        "agreement__signatures",
        condition=Q(agreement__signatures__version=F("agreement__version")),
    )
    return (
        Pairing.objects.filter(pk=pairing, agreement__isnull=False)
        .annotate(in_force=in_force)
        .values_list("agreement__version", "in_force__signer_id")
        .order_by()
    )


_AGREEMENT_IN_FORCE = Prepared(_agreement_in_force, "pairing")


def agreement_in_force(*, pairing: int) -> list[tuple[int, int | None]]:
    """(version, signer) of the pair's agreement, one row per signature of its version in
    force ((version, None) when nobody signed it); no row when there is no agreement."""
    return _AGREEMENT_IN_FORCE.rows(pairing=pairing)


_GOAL = _columns(Goal)
_CHANGE = _columns(GoalChange)
_GOALS = Prepared(
    lambda pairing: (
        Goal.objects.filter(pairing_id=pairing).order_by("created_at", "pk").values_list(*_GOAL)
    ),
    "pairing",
)
_CHANGES = Prepared(
    lambda pairing: (
        GoalChange.objects.filter(goal__pairing_id=pairing)
        .order_by("-changed_at", "-pk")
        .values_list(*_CHANGE)
    ),
    "pairing",
)


def goals_with_history(*, pairing: int) -> list[Goal]:
    """The pair's goals in their order, each with its history newest first (`goal.changes.all()`
    answers from it, as after `prefetch_related("changes")`): two queries, one without goals."""
    goals = [Goal.from_db(connection.alias, _GOAL, row) for row in _GOALS.rows(pairing=pairing)]
    changes: dict[int, list[GoalChange]] = {goal.pk: [] for goal in goals}
    for row in _CHANGES.rows(pairing=pairing) if goals else ():
        change = GoalChange.from_db(connection.alias, _CHANGE, row)
        if change.goal_id in changes:
            changes[change.goal_id].append(change)
    for goal in goals:
        goal._prefetched_objects_cache = {"changes": _prefetched(goal, changes[goal.pk])}  # type: ignore[attr-defined]
    return goals


def _prefetched(goal: Goal, changes: list[GoalChange]):
    """What `prefetch_related` keeps on each goal: its history as an evaluated queryset."""
    queryset = goal.changes.all()
    queryset._result_cache = changes  # type: ignore[attr-defined]
    queryset._prefetch_done = True  # type: ignore[attr-defined]
    return queryset
