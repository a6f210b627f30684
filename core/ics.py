"""iCalendar (RFC 5545) text, written by hand: events with escaped, folded lines, and a
calendar of them. Used by the group-session download, the meeting download and the feed."""

from datetime import UTC
from typing import Any

from django.utils import timezone


def _escape(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts: list[str] = []
    start = 0
    while start < len(data):
        end = min(start + (75 if not parts else 74), len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:
            end -= 1  # never split a UTF-8 character
        parts.append(data[start:end].decode())
        start = end
    return "\r\n ".join(parts)


def _stamp(value) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _event_lines(
    *,
    uid: str,
    stamp: str,
    starts_at,
    ends_at,
    summary: str,
    location: str,
    description: str,
    url: str,
    sequence: int = 0,
    cancelled: bool = False,
) -> list[str]:
    """One VEVENT. The UID never changes for the same thing and SEQUENCE grows with each
    change to it, so calendars replace their copy instead of adding another (RFC 5545 3.8.7.4)."""
    return [
        "BEGIN:VEVENT",
        f"UID:{uid}@mentoring-programs",
        f"DTSTAMP:{stamp}",
        f"SEQUENCE:{int(sequence)}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        f"DTSTART:{_stamp(starts_at)}",
        f"DTEND:{_stamp(ends_at)}",
        f"SUMMARY:{_escape(summary)}",
        f"LOCATION:{_escape(location)}",
        f"DESCRIPTION:{_escape(description)}",
        f"URL:{url}",
        "END:VEVENT",
    ]


def ics_event(
    *,
    uid: str,
    starts_at,
    ends_at,
    summary: str,
    location: str,
    description: str,
    url: str,
    sequence: int = 0,
    cancelled: bool = False,
) -> str:
    """One event as an iCalendar file. Callers pass no confidential text: links, not content.
    A cancelled event is sent with METHOD:CANCEL, which calendars apply to the copy they hold."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Mentoring programs//Calendar//EN",
        "CALSCALE:GREGORIAN",
        f"METHOD:{'CANCEL' if cancelled else 'PUBLISH'}",
        *_event_lines(
            uid=uid,
            stamp=_stamp(timezone.now()),
            starts_at=starts_at,
            ends_at=ends_at,
            summary=summary,
            location=location,
            description=description,
            url=url,
            sequence=sequence,
            cancelled=cancelled,
        ),
        "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def ics_calendar(*, name: str, events: list[dict[str, Any]]) -> str:
    """Many events as one calendar (a subscribed feed). Each event is the keyword arguments
    of `ics_event`; callers pass no confidential text. A cancelled event stays in the feed
    with STATUS:CANCELLED (a feed is always METHOD:PUBLISH)."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Mentoring programs//Calendar//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(name)}",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    ]
    stamp = _stamp(timezone.now())
    for event in events:
        lines += _event_lines(stamp=stamp, **event)
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
