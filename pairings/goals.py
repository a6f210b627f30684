"""Writes for a pair's goals: adding one, changing its title, description, due date or
status, each change a line of the goal's history (who, what, when). Goals change only while
the pairing is active; after its end they are frozen as they were."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from pairings.members import member_role, require_active
from pairings.models import Goal, GoalChange, Pairing
from people.models import Employee

STATUS_WORDS = "Choose open, in progress, achieved or dropped."


def _lock(goal: Goal) -> tuple[Pairing, Goal]:
    pairing = Pairing.objects.select_for_update().get(pk=goal.pairing_id)
    return pairing, Goal.objects.select_for_update().get(pk=goal.pk)


@transaction.atomic
def goal_create(
    *,
    pairing: Pairing,
    by: Employee,
    title: str,
    description: str = "",
    due_on: date | None = None,
) -> Goal:
    pairing = Pairing.objects.select_for_update().get(pk=pairing.pk)
    member_role(pairing, by)
    require_active(pairing)
    goal = Goal(
        pairing=pairing, title=title.strip(), description=description.strip(), due_on=due_on
    )
    if not goal.title:
        raise ValidationError({"title": "Describe the goal in a few words."})
    goal.full_clean()
    goal.save()
    GoalChange.objects.create(
        goal=goal, changed_by=by.user, field=GoalChange.Field.CREATED, after=goal.title
    )
    return goal


@transaction.atomic
def goal_update(
    *, goal: Goal, by: Employee, title: str, description: str, due_on: date | None
) -> Goal:
    """Change a goal's words or due date. Each part that changed is one history line with
    its text before and after (encrypted, like the description); an unchanged form changes
    nothing and writes no line."""
    pairing, goal = _lock(goal)
    member_role(pairing, by)
    require_active(pairing)
    wanted = {"title": title.strip(), "description": description.strip(), "due_on": due_on}
    if not wanted["title"]:
        raise ValidationError({"title": "Describe the goal in a few words."})
    changes = []
    for field, value in wanted.items():
        old = getattr(goal, field)
        if old != value:
            changes.append(
                GoalChange(
                    goal=goal,
                    changed_by=by.user,
                    field=field,
                    before=_text(old),
                    after=_text(value),
                )
            )
            setattr(goal, field, value)
    if not changes:
        return goal
    goal.full_clean()
    goal.save(update_fields=[*wanted, "updated_at"])
    GoalChange.objects.bulk_create(changes)
    return goal


@transaction.atomic
def goal_set_status(*, goal: Goal, by: Employee, status: str) -> Goal:
    pairing, goal = _lock(goal)
    member_role(pairing, by)
    require_active(pairing)
    if status not in Goal.Status.values:
        raise ValidationError({"status": STATUS_WORDS})
    if goal.status == status:
        return goal
    GoalChange.objects.create(
        goal=goal,
        changed_by=by.user,
        field=GoalChange.Field.STATUS,
        before=goal.status,
        after=status,
    )
    goal.status = status
    goal.save(update_fields=["status", "updated_at"])
    return goal


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
