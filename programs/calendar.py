"""A group session as an iCalendar download (the writer is core.ics)."""

from core.ics import ics_event
from programs.models import GroupSession


def session_ics_text(*, session: GroupSession, url: str) -> str:
    return ics_event(
        uid=f"group-session-{session.pk}",
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        summary=session.title,
        location=session.location,
        description=f"Group mentoring session led by {session.leader.full_name}. {url}",
        url=url,
        sequence=session.sequence,
        cancelled=session.is_cancelled,
    )
