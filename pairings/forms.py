"""Forms of the pair's space and the coordinator's pages: meetings, goals, endings, pins."""

from datetime import timedelta

from django import forms
from django.urls import reverse
from django.utils import timezone

from core.widgets import (
    QuickNumberInput,
    QuickRender,
    QuickSelect,
    QuickTextarea,
    QuickTextInput,
)
from pairings.matching.picker import PIN_MENTOR, PIN_MENTOREE
from pairings.models import Goal, Meeting, Pairing
from people.forms import PersonField, person_field
from people.models import User
from programs.forms import DateInput, DateTimeInput
from programs.models import Program


class QuickDateInput(QuickRender, DateInput):
    pass


class QuickDateTimeInput(QuickRender, DateTimeInput):
    pass


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["starts_at", "duration_minutes", "format"]
        # Rendered in Python (core.widgets): the same HTML, without a template per element
        # (the format's select and its options through Django's took 0.5 ms of the space).
        widgets = {
            "starts_at": QuickDateTimeInput,
            "duration_minutes": QuickNumberInput,
            "format": QuickSelect,
        }
        labels = {"starts_at": "Date and time", "duration_minutes": "Duration (minutes)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["duration_minutes"].widget.attrs.update({"min": 5, "max": 600})


class MeetingEditForm(forms.Form):
    """Reschedule or correct a meeting: when it starts and ends, and how you meet."""

    starts_at = forms.DateTimeField(label="Starts", widget=DateTimeInput)
    ends_at = forms.DateTimeField(label="Ends", widget=DateTimeInput)
    format = forms.ChoiceField(choices=Meeting.Format.choices, label="Format")

    @classmethod
    def for_meeting(cls, meeting: Meeting) -> "MeetingEditForm":
        return cls(
            initial={
                "starts_at": timezone.localtime(meeting.starts_at),
                "ends_at": timezone.localtime(meeting.ends_at),
                "format": meeting.format,
            }
        )

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends:
            if ends <= starts:
                self.add_error("ends_at", "The meeting must end after it starts.")
            elif ends - starts < timedelta(minutes=5):
                self.add_error("ends_at", "A meeting lasts at least 5 minutes.")
            elif ends - starts > timedelta(minutes=600):
                self.add_error("ends_at", "A meeting lasts at most 10 hours.")
            else:
                data["duration_minutes"] = int((ends - starts).total_seconds() // 60)
        return data


class GoalForm(forms.Form):
    title = forms.CharField(max_length=300, label="A development goal", widget=QuickTextInput)
    description = forms.CharField(
        required=False,
        max_length=4000,
        widget=QuickTextarea(attrs={"rows": 3}),
        label="What it means for you (optional)",
        help_text="Seen by the two of you only.",
    )
    due_on = forms.DateField(required=False, widget=QuickDateInput, label="Due by (optional)")


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
    """A pair to pin, both chosen with the people picker among the program's admitted
    mentors and the admitted mentorees without a mentor (pairings.matching.picker)."""

    mentor = PersonField(purpose=PIN_MENTOR, label="Mentor")
    mentoree = PersonField(purpose=PIN_MENTOREE, label="Mentoree")

    def __init__(self, *args, user: User, program: Program, **kwargs):
        super().__init__(*args, **kwargs)
        for role in ("mentor", "mentoree"):
            person_field(self, role).bind(
                user=user,
                within=program,
                search_url=reverse("pairings:pin_people", args=[program.slug, role]),
            )


class SwapForm(forms.Form):
    first = forms.IntegerField(label="Row", min_value=1, max_value=10**9)
    second = forms.IntegerField(label="and row", min_value=1, max_value=10**9)
