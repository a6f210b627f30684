"""Forms of the review pages: planning a review, seating a panel, recording the outcome."""

from django import forms
from django.urls import reverse

from people.forms import PersonField, person_field
from people.models import User
from reviews.models import TalentReview
from reviews.picker import PANEL_MEMBER, REVIEW_SUBJECT


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):
        super().__init__(attrs=attrs, format=format)


class ReviewForm(forms.Form):
    subject = PersonField(purpose=REVIEW_SUBJECT, label="Subject")
    cycle = forms.CharField(max_length=100, help_text='For example "2027 mid-year".')
    scheduled_on = forms.DateField(widget=DateInput)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        person_field(self, "subject").bind(user=user, search_url=reverse("reviews:people_subject"))


class SeatForm(forms.Form):
    member = PersonField(purpose=PANEL_MEMBER, label="Add a panel member")

    def __init__(self, *args, user: User, review: TalentReview, **kwargs):
        super().__init__(*args, **kwargs)
        person_field(self, "member").bind(
            user=user, within=review, search_url=reverse("reviews:people_panel", args=[review.pk])
        )


class OutcomeForm(forms.Form):
    rating = forms.ChoiceField(choices=[("", "Choose a rating"), *TalentReview.Rating.choices])
    summary = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
