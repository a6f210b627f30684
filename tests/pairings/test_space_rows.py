"""The pair's space makes its rows in Python (pairings.rows): each holds what the template's
filters and `{% url %}` tags wrote before, word for word (the template those rows replaced
is kept here), and its `repr` carries none of the pair's words (F9)."""

from __future__ import annotations

from datetime import date

from django.template import Context, Template
from django.urls import reverse

from pairings import services as pairing_services
from pairings.models import GoalChange
from pairings.rows import goal_rows, history_rows, meeting_rows
from tests.builders.pairings import add_goal, log_meeting

OLD_MEETING = Template(
    '{% load meetings %}{{ meeting|meeting_when }}|{{ meeting.starts_at|date:"j F Y, H:i" }}|'
    "{{ meeting.duration_minutes }}|{{ meeting.get_format_display }}|"
    "{% url 'pairings:meeting_ics' meeting.pk %}|{% url 'pairings:meeting_edit' meeting.pk %}|"
    "{% url 'pairings:meeting_cancel' meeting.pk %}|{% url 'pairings:meeting_delete' meeting.pk %}"
)
NEW_MEETING = Template(
    "{{ row.when }}|{{ row.on }}|{{ row.minutes }}|{{ row.format }}|{{ row.ics }}|"
    "{{ row.edit }}|{{ row.cancel }}|{{ row.delete }}"
)
OLD_HISTORY = Template(
    '{{ change.changed_at|date:"j M Y, H:i" }} · {% if change.changed_by_id == user.pk %}You'
    '{% elif change.changed_by_id %}{{ other.full_name|default:"The other member" }}'
    "{% else %}Before goals had a history{% endif %}: {{ change.words }}"
)
NEW_HISTORY = Template("{{ row.when }} · {{ row.who }}: {{ row.words }}")


def test_meeting_rows_say_what_the_filters_said(active_pairing):
    meetings = [
        log_meeting(active_pairing, days=-3),
        log_meeting(active_pairing, days=2, hour=23, duration_minutes=120),  # ends next day
    ]
    for meeting, row in zip(meetings, meeting_rows(meetings), strict=True):
        old = OLD_MEETING.render(Context({"meeting": meeting}))
        assert NEW_MEETING.render(Context({"row": row})) == old


def test_goal_rows_and_history_say_what_the_template_said(active_pairing, mentor, mentoree):
    goal = add_goal(active_pairing, "Speak up <in> meetings & more")
    pairing_services.goal_update(
        goal=goal,
        by=active_pairing.mentor,
        title=goal.title,
        description="Line one\nline two",
        due_on=date(2027, 3, 9),
    )
    GoalChange.objects.filter(goal=goal, field=GoalChange.Field.CREATED).update(changed_by=None)
    goal.refresh_from_db()
    changes = list(goal.changes.all())
    assert len(changes) >= 3
    for user, other in [(mentor, mentoree.employee), (mentoree, mentor.employee), (mentor, None)]:
        rows = history_rows(changes, user=user, other=other)
        for change, row in zip(changes, rows, strict=True):
            old = OLD_HISTORY.render(Context({"change": change, "user": user, "other": other}))
            assert NEW_HISTORY.render(Context({"row": row})) == old
        (row,) = goal_rows([goal], user=user, other=other)
        assert row.due == "9 March 2027"
        assert row.title == goal.title and row.description == goal.description
        assert row.status_label == goal.get_status_display()
        assert row.edit == reverse("pairings:goal_edit", args=[goal.pk])
        assert row.change_status == reverse("pairings:goal_status", args=[goal.pk])
        assert "Speak up" not in repr(row) and "Line one" not in repr(row)
        assert all("Line one" not in repr(r) for r in row.history)
