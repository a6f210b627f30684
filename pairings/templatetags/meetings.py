"""How a meeting's time reads on the pair's pages."""

from django import template
from django.utils import timezone

from core.dates import date_words
from pairings.models import Meeting

register = template.Library()

DAY_AND_TIME = "D j M Y, H:i"


@register.filter
def meeting_when(meeting: Meeting) -> str:
    """The time "Tue 3 Mar 2026, 14:00 to 15:00", or the end's day too when it falls on another day
    (in the current time zone). What `date` filters wrote four times a row: formatting a date
    is the dearest thing a long list of meetings does, so each is formatted once."""
    starts = timezone.localtime(meeting.starts_at)
    ends = timezone.localtime(meeting.ends_at)
    same_day = ends.date() == starts.date()
    end = f"{ends:%H:%M}" if same_day else date_words(ends, DAY_AND_TIME)
    return f"{date_words(starts, DAY_AND_TIME)} to {end}"
