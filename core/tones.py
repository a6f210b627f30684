"""Every status word of the product, in one of a few tones (static/css/app.css `.tone--*`):
the word is always shown; the colour only echoes it. The templates use it through the `tone`
filter (mentoring/templatetags/pages.py); rows made in Python call `tone` directly."""

_WORDS_BY_TONE = {
    "good": "accepting admitted registered yes admit active achieved done published shared signed",
    "info": "running submitted new proposed in_progress queued planned publishing",
    "waiting": "draft waitlisted no waitlist awaiting_agreement open unsigned",
    "muted": "closed declined withdrawn cancelled decline ended dropped concluded",
    "alert": "failed publish_failed",
    "own": "private in_session",
}
TONES: dict[str, str] = {
    word: tone for tone, words in _WORDS_BY_TONE.items() for word in words.split()
}


def tone(status: object) -> str:
    """The tone class suffix of a status (`class="status tone--..."`)."""
    return TONES.get(str(status), "neutral")
