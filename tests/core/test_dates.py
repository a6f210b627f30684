"""`date_words` writes what Django's `date` format writes, for every format the lists use and
every month, weekday, hour and minute; a letter it does not know is refused, never guessed."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from django.utils.dateformat import format as date_format

from confidentiality.views import SHORT
from core.dates import date_words, knows
from pairings.program_page import DAY
from pairings.rows import ON
from pairings.templatetags.meetings import DAY_AND_TIME

FORMATS = [SHORT, ON, DAY, DAY_AND_TIME, "j F Y", "j M Y", "j M Y, H:i", "j M Y, P", "P"]
LONDON = ZoneInfo("Europe/London")


def _moments():
    start = datetime(2025, 12, 28, 0, 0, tzinfo=LONDON)
    # Every day of over a year (every month and weekday, single- and double-digit days), at
    # an hour and minute that move with it (single- and double-digit ones included).
    for n in range(400):
        yield start + timedelta(days=n, hours=n % 24, minutes=(n * 7) % 60)
    yield datetime(999, 1, 5, 9, 3, tzinfo=LONDON)  # a year of three digits: "0999"
    # The night the clocks go back: an ambiguous hour Django's formatter looks into.
    yield datetime(2026, 10, 25, 1, 30, tzinfo=LONDON)


@pytest.mark.parametrize("language", ["en-gb", "en"])
@pytest.mark.parametrize("format_string", FORMATS)
def test_every_format_the_lists_use_reads_as_django_writes_it(format_string, language):
    with translation.override(language):
        for moment in _moments():
            assert date_words(moment, format_string) == date_format(moment, format_string)


def test_a_date_without_a_time_too():
    for n in range(40):
        day = date(2026, 1, 1) + timedelta(days=n * 9)
        assert date_words(day, "j F Y") == date_format(day, "j F Y")


@pytest.mark.parametrize("format_string", ["N j, Y", "j M Y, H:i e", r"\a\t H:i", "jS F", "g:i A"])
def test_a_letter_it_does_not_know_is_refused(format_string):
    assert not knows(format_string)
    with pytest.raises(ValueError, match=r"dateformat\.format"):
        date_words(datetime(2026, 3, 3, 14, 5, tzinfo=LONDON), format_string)


def test_midnight_and_noon_are_words():
    for hour, minute in [(0, 0), (12, 0), (0, 1), (12, 30), (23, 0), (11, 59)]:
        moment = datetime(2026, 3, 3, hour, minute, tzinfo=LONDON)
        assert date_words(moment, "P") == date_format(moment, "P")
    assert (
        date_words(datetime(2026, 3, 3, 0, 0, tzinfo=LONDON), "j M Y, P") == "3 Mar 2026, midnight"
    )
