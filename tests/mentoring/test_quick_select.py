"""`QuickSelect` (core/widgets.py) makes a `<select>` in Python instead of Django's form
templates: the HTML must be Django's, escaping and all, whatever the field holds."""

from __future__ import annotations

import pytest
from django import forms
from django.test.html import parse_html

from confidentiality.forms import NoteForm
from core.widgets import QuickSelect

CHOICES = [
    ("", "The pairing in general"),
    (1, "3 Mar 2026 14:05"),
    (2, 'Tom & "Jerry" <b>'),
    ("Group", [(3, "inside a group"), ('x"y', "quoted value")]),
]


def pair(**field_options):
    class Quick(forms.Form):
        meeting = forms.ChoiceField(choices=CHOICES, widget=QuickSelect, **field_options)

    class Django(forms.Form):
        meeting = forms.ChoiceField(choices=CHOICES, widget=forms.Select, **field_options)

    return Quick, Django


@pytest.mark.parametrize(
    ("data", "options"),
    [
        (None, {}),
        ({"meeting": "2"}, {}),
        ({"meeting": "3"}, {"required": False}),
        ({"meeting": "nope"}, {}),  # an error: aria-invalid and aria-describedby
        ({}, {"required": True, "help_text": "Pick one"}),
        (None, {"disabled": True}),
    ],
)
def test_the_html_is_djangos(data, options):
    quick, django = pair(**options)
    ours, theirs = quick(data)["meeting"], django(data)["meeting"]
    if data is not None:
        assert quick(data).is_valid() == django(data).is_valid()
    assert parse_html(str(ours)) == parse_html(str(theirs))
    assert "<b>" not in str(ours)


def test_the_note_form_uses_it():
    assert isinstance(NoteForm().fields["meeting"].widget, QuickSelect)
