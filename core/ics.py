"""iCalendar (RFC 5545) text, written by hand: events with escaped, folded lines, and a
calendar of them. Used by the group-session download, the meeting download and the feed."""

from datetime import UTC

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


def _revision(sequence: int, cancelled: bool) -> list[str]:
    """SEQUENCE grows with each change under the same UID, so a calendar updates the event it
    has instead of adding a second one; a cancelled event stays, marked as such."""
    lines = [f"SEQUENCE:{int(sequence)}"]
    if cancelled:
        lines.append("STATUS:CANCELLED")
    return lines


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
    """One event as an iCalendar file. Callers pass no confidential text: links, not content."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Mentoring programs//Calendar//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{uid}@mentoring-programs",
        f"DTSTAMP:{_stamp(timezone.now())}",
        *_revision(sequence, cancelled),
        f"DTSTART:{_stamp(starts_at)}",
        f"DTEND:{_stamp(ends_at)}",
        f"SUMMARY:{_escape(summary)}",
        f"LOCATION:{_escape(location)}",
        f"DESCRIPTION:{_escape(description)}",
        f"URL:{url}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def ics_calendar(*, name: str, events: list[dict[str, object]]) -> str:
    """Many events as one calendar (a subscribed feed). Each event is the keyword arguments
    of `ics_event` (`sequence` and `cancelled` may be left out); callers pass no confidential
    text."""
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
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event['uid']}@mentoring-programs",
            f"DTSTAMP:{stamp}",
            *_revision(int(str(event.get("sequence", 0))), bool(event.get("cancelled", False))),
            f"DTSTART:{_stamp(event['starts_at'])}",
            f"DTEND:{_stamp(event['ends_at'])}",
            f"SUMMARY:{_escape(str(event['summary']))}",
            f"LOCATION:{_escape(str(event['location']))}",
            f"DESCRIPTION:{_escape(str(event['description']))}",
            f"URL:{event['url']}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
