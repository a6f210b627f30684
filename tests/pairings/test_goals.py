"""A pair's goals: a title, a description, a due date and a history of who changed what and
when, shown on the pair's space. Goals are for the two members only (404 for anyone else,
superuser and HR admin included); the description and the history's text are encrypted at rest
like notes (F10). Once the pairing ends its goals are frozen, refused in plain words. Goals made
before they had a history are carried forward by the migration."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from pairings import services
from pairings.models import Goal, GoalChange
from tests.builders.confidentiality import canary
from tests.builders.pairings import add_goal, flash_messages, refusal_text
from tests.builders.schema import at_release

OUTSIDERS = ["coordinator", "hr_admin", "superuser", "outsider", "other_mentor"]


def edit_url(goal) -> str:
    return reverse("pairings:goal_edit", args=[goal.pk])


def test_a_goal_has_a_description_a_due_date_and_a_history_on_the_pairs_space(
    active_pairing, mentor, mentoree, signed_in_client
):
    due = timezone.localdate() + timedelta(days=60)
    created = signed_in_client(mentoree).post(
        reverse("pairings:goal_create", args=[active_pairing.pk]),
        {"title": "Chair the risk review", "description": "Without notes.", "due_on": due},
    )
    assert created.status_code == 302
    goal = Goal.objects.get()
    assert (goal.title, goal.description, goal.due_on) == (
        "Chair the risk review",
        "Without notes.",
        due,
    )

    changed = signed_in_client(mentor).post(
        edit_url(goal),
        {"title": "Chair the quarterly risk review", "description": "Without notes.", "due_on": ""},
    )
    assert changed.status_code == 302
    assert flash_messages(changed) == ["The goal was updated."]
    services.goal_set_status(goal=goal, by=mentoree.employee, status="in_progress")

    history = list(goal.changes.order_by("changed_at", "pk"))
    assert [(c.field, c.changed_by) for c in history] == [
        ("created", mentoree),
        ("title", mentor),
        ("due_on", mentor),
        ("status", mentoree),
    ]
    assert history[1].words() == (
        "Renamed the goal from “Chair the risk review” to “Chair the quarterly risk review”"
    )
    assert history[2].words() == f"Changed the due date from {due.day} {due:%B %Y} to none"
    assert history[3].words() == "Changed the status from Open to In progress"

    page = signed_in_client(mentor).get(reverse("pairings:space", args=[active_pairing.pk]))
    body = page.content.decode()
    assert "Without notes." in body
    assert "Changed the status from Open to In progress" in body
    assert "You: Renamed the goal" in body  # the mentor reads their own change as "You"
    assert f"{mentoree.employee.full_name}: Changed the status" in body


def test_sending_a_goal_back_unchanged_writes_no_history(active_pairing, mentoree):
    goal = add_goal(active_pairing, "Speak at the town hall")
    services.goal_update(
        goal=goal, by=mentoree.employee, title=goal.title, description="", due_on=None
    )
    services.goal_set_status(goal=goal, by=mentoree.employee, status="open")
    assert list(goal.changes.values_list("field", flat=True)) == ["created"]


def test_a_goal_without_a_title_gets_a_field_error_and_changes_nothing(
    active_pairing, mentoree, signed_in_client
):
    goal = add_goal(active_pairing, "Speak at the town hall")
    response = signed_in_client(mentoree).post(
        edit_url(goal), {"title": "  ", "description": "x", "due_on": "not a date"}
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"title", "due_on"}
    goal.refresh_from_db()
    assert (goal.title, goal.description) == ("Speak at the town hall", "")
    assert goal.changes.count() == 1


def test_the_description_and_the_history_are_encrypted_at_rest(active_pairing, mentoree):
    """F10, as for notes: the columns hold Fernet tokens, never the words."""
    secret = canary("goal-description-")
    goal = add_goal(active_pairing, "Lead the planning")
    services.goal_update(
        goal=goal, by=mentoree.employee, title="Lead the planning", description=secret, due_on=None
    )
    services.goal_update(
        goal=goal, by=mentoree.employee, title="Lead the planning", description="later", due_on=None
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT description FROM pairings_goal")
        stored = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT before, after FROM pairings_goalchange")
        stored += [value for row in cursor.fetchall() for value in row]
    assert all(secret not in value for value in stored)
    assert Goal.objects.get().description == "later"
    assert GoalChange.objects.filter(field="description").count() == 2


def test_an_ended_pairings_goals_are_frozen_in_plain_words(
    active_pairing, mentor, mentoree, signed_in_client
):
    goal = add_goal(active_pairing, "Speak at the town hall")
    services.pairing_end(pairing=active_pairing, by=mentor.employee, category="goals_met")

    for attempt in (
        lambda: services.goal_set_status(goal=goal, by=mentoree.employee, status="achieved"),
        lambda: services.goal_update(
            goal=goal, by=mentoree.employee, title="Other", description="", due_on=None
        ),
        lambda: services.goal_create(pairing=active_pairing, by=mentoree.employee, title="New"),
    ):
        with pytest.raises(ValidationError) as refusal:
            attempt()
        assert "This pairing has ended" in refusal_text(refusal)
        assert "can no longer change" in refusal_text(refusal)

    client = signed_in_client(mentoree)
    status = client.post(reverse("pairings:goal_status", args=[goal.pk]), {"status": "achieved"})
    assert "can no longer change" in " ".join(flash_messages(status))
    edit = client.post(edit_url(goal), {"title": "Other", "description": "", "due_on": ""})
    assert edit.status_code == 400
    assert "can no longer change" in edit.content.decode()
    goal.refresh_from_db()
    assert (goal.title, goal.status, goal.changes.count()) == ("Speak at the town hall", "open", 1)
    space = client.get(reverse("pairings:space", args=[active_pairing.pk])).content.decode()
    assert reverse("pairings:goal_status", args=[goal.pk]) not in space
    assert edit_url(goal) not in space


@pytest.mark.parametrize("who", OUTSIDERS)
def test_nobody_outside_the_pair_reads_or_changes_a_goal(
    who, request, active_pairing, signed_in_client
):
    goal = add_goal(active_pairing, "Speak at the town hall")
    client = signed_in_client(request.getfixturevalue(who))
    assert client.get(edit_url(goal)).status_code == 404
    response = client.post(edit_url(goal), {"title": "Taken over", "description": "", "due_on": ""})
    assert response.status_code == 404
    goal.refresh_from_db()
    assert goal.title == "Speak at the town hall" and goal.changes.count() == 1


@pytest.mark.django_db(transaction=True)
def test_goals_of_the_previous_release_migrate_forward_with_a_first_history_line(
    active_pairing,
):
    """A database at the previous release (pairings 0003) holding goals migrates to head:
    every goal kept, with no description or due date, and its history starts with "added"
    on the day it was made, by nobody named."""
    made = timezone.now() - timedelta(days=40)
    with at_release(("pairings", "0003_pairing_program_page")) as old:
        old_goal = old.get_model("pairings", "Goal")
        ids = [
            old_goal.objects.create(pairing_id=active_pairing.pk, title=title, status=status).pk
            for title, status in (("Speak up", "open"), ("Build a network", "achieved"))
        ]
        old_goal.objects.filter(pk__in=ids).update(created_at=made)

    goals = Goal.objects.filter(pk__in=ids).order_by("pk")
    assert [(g.title, g.status, g.description, g.due_on) for g in goals] == [
        ("Speak up", "open", "", None),
        ("Build a network", "achieved", "", None),
    ]
    for goal in goals:
        (line,) = goal.changes.all()
        assert (line.field, line.changed_by, line.changed_at, line.after) == (
            "created",
            None,
            made,
            goal.title,
        )
