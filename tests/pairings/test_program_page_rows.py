# ruff: noqa: E501 - the template the rows replaced, kept as it was
"""The coordinator's pairings list writes each row in Python (`PairingRow.html`,
pairings/program_page.py): the HTML must be what the template loop it replaces wrote, for
every kind of row, escaping included; and a row's repr never carries the themes a mentoree
shared (F9)."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test.html import parse_html

from pairings.program_page import PairingRow, UnmatchedRow

# The loop as the page's template had it before the rows were made in Python.
OLD_LOOP = (
    "{% load pages %}"
    + """            {% for row in rows %}
              <tr{% if row.themes %} class="has-subrow"{% endif %}>
                <th scope="row">{{ row.mentor }}</th>
                <td>{{ row.mentoree }}</td>
                <td>{% if row.paused %}<span class="status tone--waiting">Paused</span><div class="cell-note">A new commitment version waits for {{ row.mentoree }}'s acceptance</div>{% else %}<span class="status tone--{{ row.status_value|tone }}">{{ row.status }}</span>{% endif %}</td>
                <td>{{ row.proposed }}</td>
                <td class="numeric">{% if row.score is not None %}{{ row.score }}<span class="visually-hidden"> out of 100</span>{% else %}<span class="muted">Not scored</span>{% endif %}</td>
                {% if row.attendance_visible %}
                  <td class="numeric">{{ row.meetings_held }}</td>
                  <td>{% if row.last_meeting %}{{ row.last_meeting }}{% else %}<span class="muted">None yet</span>{% endif %}</td>
                {% else %}
                  <td class="numeric"><span class="muted">Not shared</span></td>
                  <td><span class="muted">Not shared</span></td>
                {% endif %}
              </tr>
              {% if row.themes %}
                <tr class="table-subrow">
                  <td colspan="7">
                    <p class="table-subrow__label">Themes {{ row.mentoree }} consented to share with you:</p>
                    <ul class="theme-list">
                      {% for theme in row.themes %}<li>{{ theme|linebreaksbr }}</li>{% endfor %}
                    </ul>
                  </td>
                </tr>
              {% endif %}
            {% endfor %}
"""
)

OLD_UNMATCHED_LOOP = """            {% for row in unmatched_rows %}
              <tr>
                <th scope="row">{{ row.name }}</th>
                <td>{{ row.title }}</td>
                <td>{{ row.department }}</td>
                <td><a href="{{ row.suggestions_url }}">Suggestions<span class="visually-hidden"> for {{ row.name }}</span></a></td>
              </tr>
            {% endfor %}
"""

HOSTILE = '<b>"Ada" & O\'Brien</b>'


def row(**changes) -> PairingRow:
    values = {
        "mentor": "Helena Marsh",
        "mentoree": "Samuel Okoro",
        "paused": False,
        "status": "Active",
        "status_value": "active",
        "proposed": "3 Feb 2027",
        "score": 72,
        "attendance_visible": True,
        "meetings_held": 4,
        "last_meeting": "1 Mar 2027",
        "themes": [],
    }
    values.update(changes)
    return PairingRow(**values)


ROWS = {
    "active": row(),
    "paused": row(paused=True),
    "proposed, not scored": row(status="Proposed", status_value="proposed", score=None),
    "score zero": row(score=0),
    "ended": row(status="Ended", status_value="ended"),
    "unknown status": row(status="Odd", status_value="odd"),
    "no meeting yet": row(meetings_held=0, last_meeting=""),
    "not shared": row(attendance_visible=False, meetings_held=0, last_meeting=""),
    "themes": row(themes=["Leading a team", "Two\nlines & <more>"]),
    "hostile names": row(mentor=HOSTILE, mentoree=HOSTILE, paused=True, themes=[HOSTILE]),
    "hostile status": row(status=HOSTILE, status_value=HOSTILE, proposed=HOSTILE),
}


@pytest.mark.parametrize("name", list(ROWS))
def test_a_row_is_what_the_template_loop_wrote(name):
    rows = [ROWS[name]]
    old = Template(OLD_LOOP).render(Context({"rows": rows}))
    new = Template("{% for row in rows %}{{ row.html }}{% endfor %}").render(
        Context({"rows": rows})
    )
    assert parse_html(new) == parse_html(old)
    assert "&lt;b&gt;" in new if "hostile" in name else "<b>" not in new


def test_a_page_of_rows_is_what_the_loop_wrote():
    rows = list(ROWS.values())
    old = Template(OLD_LOOP).render(Context({"rows": rows}))
    new = Template("{% for row in rows %}{{ row.html }}{% endfor %}").render(
        Context({"rows": rows})
    )
    assert parse_html(new) == parse_html(old)


def test_a_rows_repr_leaves_the_themes_out():
    shared = "Confidential theme the mentoree chose to share"
    assert shared not in repr(row(themes=[shared]))


@pytest.mark.parametrize(
    "unmatched",
    [
        UnmatchedRow("Samuel Okoro", "Analyst", "Finance", "/pairings/p/suggest/7/"),
        UnmatchedRow(HOSTILE, HOSTILE, "", '/x/?a=1&b="2"'),
    ],
)
def test_a_mentoree_without_a_pair_is_what_the_template_loop_wrote(unmatched):
    rows = [unmatched, unmatched]
    old = Template(OLD_UNMATCHED_LOOP).render(Context({"unmatched_rows": rows}))
    new = Template("{% for row in unmatched_rows %}{{ row.html }}{% endfor %}").render(
        Context({"unmatched_rows": rows})
    )
    assert parse_html(new) == parse_html(old)
