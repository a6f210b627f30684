"""Forms of the pair's space and the coordinator's pages: meetings, goals, endings, pins."""

from django import forms

from pairings.models import Goal, Meeting, Pairing
from programs.forms import DateTimeInput


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["starts_at", "duration_minutes", "format"]
        widgets = {"starts_at": DateTimeInput}
        labels = {"starts_at": "Date and time", "duration_minutes": "Duration (minutes)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["duration_minutes"].widget.attrs.update({"min": 5, "max": 600})


class GoalForm(forms.Form):
    title = forms.CharField(max_length=300, label="A development goal")


class GoalStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Goal.Status.choices)


class EndForm(forms.Form):
    category = forms.ChoiceField(
        choices=Pairing.EndCategory.choices,
        widget=forms.RadioSelect,
        label="Why is the pairing ending?",
        help_text="Seen only as a count across the whole program, never linked to either of you.",
    )
    private_reason = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="A private note for yourself (optional)",
        help_text="Nobody else ever sees this: not the other member, not the coordinator.",
    )


class ProposeForm(forms.Form):
    mentor = forms.IntegerField(widget=forms.HiddenInput)
    mentoree = forms.IntegerField(widget=forms.HiddenInput)


class PinForm(forms.Form):
    mentor_email = forms.EmailField(label="Mentor's e-mail address")
    mentoree_email = forms.EmailField(label="Mentoree's e-mail address")


class SwapForm(forms.Form):
    first = forms.IntegerField(label="Row", min_value=1, max_value=10**9)
    second = forms.IntegerField(label="and row", min_value=1, max_value=10**9)
