"""Forms of the review pages: planning a review, seating a panel, recording the outcome."""

from django import forms

from people.models import Employee
from reviews.models import TalentReview


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):
        super().__init__(attrs=attrs, format=format)


class _EmployeeByEmail(forms.EmailField):
    def clean(self, value):
        email = super().clean(value).strip().lower()
        employee = Employee.objects.filter(email__iexact=email, is_active=True).first()
        if employee is None:
            raise forms.ValidationError("No active employee has that e-mail address.")
        return employee


class ReviewForm(forms.Form):
    subject = _EmployeeByEmail(label="Subject's e-mail address")
    cycle = forms.CharField(max_length=100, help_text='For example "2027 mid-year".')
    scheduled_on = forms.DateField(widget=DateInput)


class SeatForm(forms.Form):
    member = _EmployeeByEmail(label="Panel member's e-mail address")


class OutcomeForm(forms.Form):
    rating = forms.ChoiceField(choices=[("", "Choose a rating"), *TalentReview.Rating.choices])
    summary = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
