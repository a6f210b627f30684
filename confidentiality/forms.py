"""Forms of the agreement and the notes."""

from django import forms
from django.utils import timezone

from confidentiality.models import Audience, Rule
from core.widgets import QuickSelect, QuickTextarea


class SignForm(forms.Form):
    typed_name = forms.CharField(max_length=300, label="Type your full name to sign")
    confirmed = forms.BooleanField(
        label="I have read this agreement and I agree to keep to it.", required=True
    )
    text_hash = forms.CharField(widget=forms.HiddenInput, max_length=64)


class RulesForm(forms.Form):
    """One choice per audience; the form starts from the agreement's current rules."""

    def __init__(self, *args, agreement=None, **kwargs):
        super().__init__(*args, **kwargs)
        for audience, label in Audience.choices:
            self.fields[audience] = forms.ChoiceField(
                label=label,
                choices=Rule.choices,
                widget=forms.RadioSelect,
                initial=agreement.rule_for(audience) if agreement else Rule.NOTHING,
            )


class ThemeForm(forms.Form):
    audience = forms.ChoiceField(choices=Audience.choices)
    text = forms.CharField(
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="The theme you agree to pass on",
        help_text="In your own words, at the level of detail you choose. You can withdraw it.",
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        max_length=20000, widget=QuickTextarea(attrs={"rows": 6}), label="Your note"
    )
    shared = forms.BooleanField(
        required=False,
        label="Share with the other member of the pair",
        help_text="Unshared notes are yours alone. Nobody outside the pair ever reads a note.",
    )
    meeting = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        label="About a meeting (optional)",
        widget=QuickSelect,  # up to 50 meetings: Django's per-option templates cost 2.6 ms
    )

    def __init__(self, *args, meetings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].choices = [("", "The pairing in general")] + [
            (m.pk, f"{timezone.localtime(m.starts_at):%d %b %Y %H:%M}") for m in meetings
        ]


class NoteEditForm(forms.Form):
    text = forms.CharField(
        max_length=20000, widget=forms.Textarea(attrs={"rows": 8}), label="Your note"
    )
