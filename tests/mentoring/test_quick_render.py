"""`QuickRender` (core.widgets) writes an `<input>` or `<textarea>` in Python: byte for byte
what Django's own widget templates write, for every field of the forms that use it, empty,
filled (with text that must be escaped), with initial values and with errors."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django import forms
from django.utils.safestring import mark_safe

from confidentiality.forms import NoteForm
from core.widgets import QuickRender, QuickTextarea, QuickTextInput
from pairings.forms import GoalForm, MeetingForm

NASTY = "a \"quoted\" <b>bold</b> & 'more'\nsecond line"


def _django(bound: forms.BoundField, monkeypatch) -> str:
    with monkeypatch.context() as patch:
        patch.setattr(QuickRender, "render", forms.Widget.render)
        return str(bound)


FORMS = [
    lambda: MeetingForm(),
    lambda: MeetingForm(data={"starts_at": NASTY, "duration_minutes": "4", "format": "x"}),
    lambda: MeetingForm(
        data={"starts_at": "2027-03-09T10:00", "duration_minutes": "60", "format": "video"}
    ),
    lambda: GoalForm(),
    lambda: GoalForm(initial={"title": NASTY, "description": NASTY, "due_on": date(2027, 3, 9)}),
    lambda: GoalForm(data={"title": "", "description": NASTY, "due_on": "not a date"}),
    lambda: GoalForm(data={"title": NASTY, "description": "", "due_on": "2027-03-09"}),
    lambda: NoteForm(),
    lambda: NoteForm(data={"text": NASTY}),
    lambda: NoteForm(data={"text": ""}),
    lambda: MeetingForm(initial={"starts_at": datetime(2027, 3, 9, 10, 0)}),
]


@pytest.mark.parametrize("make", FORMS)
def test_quick_widgets_write_what_djangos_templates_write(make, monkeypatch, db):
    form = make()
    form.is_bound and form.is_valid()
    quick = [name for name, field in form.fields.items() if isinstance(field.widget, QuickRender)]
    assert quick
    for name in quick:
        bound = form[name]
        assert str(bound) == _django(bound, monkeypatch), name


def test_safe_values_and_attributes(monkeypatch):
    class Form(forms.Form):
        plain = forms.CharField(widget=QuickTextInput(attrs={"data-x": "<&>", "hidden": True}))
        off = forms.CharField(widget=QuickTextInput(attrs={"disabled": False}), required=False)
        text = forms.CharField(widget=QuickTextarea)

    for data in [{"plain": mark_safe("<i>safe</i>"), "text": mark_safe("<i>safe</i>")}, {}]:
        form = Form(data=data) if data else Form(initial={"plain": 5, "text": 7})
        for name in form.fields:
            assert str(form[name]) == _django(form[name], monkeypatch), name
