"""`QuickSelect` and `QuickTextInput` (core/widgets.py) make a `<select>` and an `<input>` in
Python instead of Django's form templates: the HTML must be Django's, escaping and all,
whatever the field holds."""

from __future__ import annotations

import pytest
from django import forms
from django.test.html import parse_html

from confidentiality.forms import NoteForm
from core.listing import ListFilterForm
from core.widgets import QuickSelect, QuickTextInput

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


SEARCH_ATTRS = {"type": "search", "autocomplete": "off", "aria-describedby": "filter_q_hint"}


@pytest.mark.parametrize(
    ("data", "attrs", "options"),
    [
        (None, None, {}),
        ({"q": ""}, SEARCH_ATTRS, {"required": False}),
        ({"q": 'Tom & "Jerry" <b>'}, SEARCH_ATTRS, {"required": False}),
        ({"q": "x" * 20}, {"maxlength": 5}, {"max_length": 5}),  # an error, aria-invalid
        ({}, {"placeholder": "Name", "disabled": True}, {"help_text": "Who?"}),
        ({"q": "é"}, {"type": "email"}, {"required": True}),
    ],
)
def test_the_input_is_djangos(data, attrs, options):
    class Quick(forms.Form):
        q = forms.CharField(widget=QuickTextInput(attrs=attrs), **options)

    class Django(forms.Form):
        q = forms.CharField(widget=forms.TextInput(attrs=attrs), **options)

    ours, theirs = Quick(data)["q"], Django(data)["q"]
    assert parse_html(str(ours)) == parse_html(str(theirs))
    assert "<b>" not in str(ours)


def test_the_list_filters_use_them():
    form = ListFilterForm({}, search_label="Search", search_help="Names.", programs=[], statuses=[])
    assert isinstance(form.fields["q"].widget, QuickTextInput)
    assert isinstance(form.fields["program"].widget, QuickSelect)
    assert isinstance(form.fields["status"].widget, QuickSelect)
