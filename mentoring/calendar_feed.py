"""A person's calendar feed: their mentoring meetings and group sessions, for any calendar
program that subscribes to an address. Dates, places and names; never notes or goals (F9).
A meeting keeps the UID `meeting-<pk>` it always had here, its SEQUENCE grows with each
change, and a cancelled one stays in the feed as STATUS:CANCELLED."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from core.ics import ics_calendar
from notifications.messaging import absolute
from notifications.models import CalendarFeed
from pairings.models import Meeting, Pairing
from people.models import User
from programs.models import GroupSession, Registration

PAST_DAYS = 90


def feed_owner(*, token: str) -> User:
    """The active person whose current feed address this is; 404 for anything else (an old
    address after a reset, a guess, a deactivated account)."""
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token=token, user__is_active=True)
        .first()
    )
    if feed is None:
        raise Http404("No such calendar")
    return feed.user


def feed_events(*, user: User) -> list[dict[str, object]]:
    since = timezone.now() - timedelta(days=PAST_DAYS)
    events: list[dict[str, object]] = []
    meetings = (
        Meeting.objects.filter(
            Q(pairing__mentor__user=user) | Q(pairing__mentoree__user=user),
            starts_at__gte=since,
        )
        # An ended pair's meetings leave the feed, except those its ending cancelled: a
        # calendar learns of those as cancelled rather than keep them.
        .exclude(pairing__status=Pairing.Status.ENDED, cancelled_at__isnull=True)
        .select_related("pairing__mentor", "pairing__mentoree", "pairing__program")
        .order_by("starts_at")
    )
    for meeting in meetings:
        pairing = meeting.pairing
        other = pairing.mentoree if pairing.mentor.user_id == user.pk else pairing.mentor
        url = absolute(reverse("pairings:space", args=[pairing.pk]))
        events.append(
            {
                "uid": f"meeting-{meeting.pk}",
                "starts_at": meeting.starts_at,
                "ends_at": meeting.ends_at,
                "summary": f"Mentoring meeting with {other.full_name}",
                "location": meeting.get_format_display(),
                "description": f"{pairing.program.name}. {url}",
                "url": url,
                "sequence": meeting.sequence,
                "cancelled": meeting.cancelled_at is not None,
            }
        )
    sessions = (
        GroupSession.objects.filter(
            Q(leader__user=user)
            | Q(
                registrations__participant__user=user,
                registrations__status=Registration.Status.REGISTERED,
            ),
            starts_at__gte=since,
        )
        .select_related("program", "leader")
        .distinct()
        .order_by("starts_at")
    )
    for session in sessions:
        url = absolute(reverse("programs:session", args=[session.pk]))
        events.append(
            {
                "uid": f"group-session-{session.pk}",
                "starts_at": session.starts_at,
                "ends_at": session.ends_at,
                "summary": session.title,
                "location": session.location,
                "description": (
                    f"{session.program.name}: group session led by {session.leader.full_name}. "
                    f"{url}"
                ),
                "url": url,
                "sequence": session.sequence,
                "cancelled": session.is_cancelled,
            }
        )
    return events


def feed_text(*, user: User) -> str:
    return ics_calendar(name="Mentoring", events=feed_events(user=user))
