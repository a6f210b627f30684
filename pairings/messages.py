"""The messages of pairings: proposals, activation, endings, meeting reminders and nudges.

Never a goal, a note, an end reason or the category of an ending (F7, F9): a pairing's end
is told to the other member as the fact alone.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from notifications.messaging import Rendered, audience, register
from notifications.models import Message
from pairings.models import Meeting, Pairing
from people.models import Employee

PAIR_MEMBER = "pair_member"


@audience(PAIR_MEMBER)
def in_one_to_one_mentoring(user) -> bool:
    """Whoever can be in a one-to-one pair: in the directory below the group-only level
    (F4: executives lead groups), or already in a pair whatever their grade today."""
    return Employee.objects.filter(
        Q(level__lt=settings.GROUP_ONLY_LEVEL)
        | Q(Exists(Pairing.objects.filter(Q(mentor=OuterRef("pk")) | Q(mentoree=OuterRef("pk"))))),
        user_id=user.pk,
        is_active=True,
    ).exists()


def _pairing(message: Message, pairing_id: int | None = None) -> Pairing | None:
    """The message's pairing (or the given one), if the recipient is still one of its two."""
    pairing = (
        Pairing.objects.select_related("program", "mentor", "mentoree")
        .filter(pk=pairing_id or message.object_id)
        .first()
    )
    if pairing is None or message.recipient_id not in (
        pairing.mentor.user_id,
        pairing.mentoree.user_id,
    ):
        return None
    return pairing


def _context(pairing: Pairing, recipient_id: int) -> dict[str, object]:
    is_mentor = pairing.mentor.user_id == recipient_id
    other = pairing.mentoree if is_mentor else pairing.mentor
    return {
        "program": pairing.program.name,
        "other": other.full_name,
        "other_role": "mentoree" if is_mentor else "mentor",
    }


@register(
    "pairing_proposed",
    label="A mentoring pair is proposed to you",
    optional=False,
    audience=PAIR_MEMBER,
)
def pairing_proposed(message: Message) -> Rendered | None:
    pairing = _pairing(message)
    if pairing is None or pairing.status != Pairing.Status.PROPOSED:
        return None
    return Rendered(
        subject=f"{pairing.program.name}: you have a proposed mentoring pair to look at",
        url=reverse("pairings:space", args=[pairing.pk]),
        context=_context(pairing, message.recipient_id),
        action="Look at the pairing",
    )


@register(
    "pairing_active", label="Your mentoring pair is active", optional=False, audience=PAIR_MEMBER
)
def pairing_active(message: Message) -> Rendered | None:
    pairing = _pairing(message)
    if pairing is None or pairing.status != Pairing.Status.ACTIVE:
        return None
    return Rendered(
        subject=f"{pairing.program.name}: your mentoring pair is active",
        url=reverse("pairings:space", args=[pairing.pk]),
        context=_context(pairing, message.recipient_id),
        action="Open your pair's space",
    )


@register(
    "pairing_ended", label="Your mentoring pair has ended", optional=False, audience=PAIR_MEMBER
)
def pairing_ended(message: Message) -> Rendered | None:
    pairing = _pairing(message)
    if pairing is None or pairing.status != Pairing.Status.ENDED:
        return None
    return Rendered(
        subject=(f"{pairing.program.name}: your mentoring pair has ended, with no fault on anyone"),
        url=reverse("pairings:space", args=[pairing.pk]),
        context=_context(pairing, message.recipient_id),
        action="Open your pair's space",
    )


@register(
    "meeting_reminder",
    label="Reminder the day before a mentoring meeting",
    optional=True,
    audience=PAIR_MEMBER,
)
def meeting_reminder(message: Message) -> Rendered | None:
    meeting = Meeting.objects.filter(pk=message.object_id, cancelled_at__isnull=True).first()
    if meeting is None or meeting.starts_at <= timezone.now():
        return None
    pairing = _pairing(message, meeting.pairing_id)
    if pairing is None or pairing.status != Pairing.Status.ACTIVE:
        return None
    context = _context(pairing, message.recipient_id)
    return Rendered(
        subject=f"Reminder: your mentoring meeting with {context['other']} is coming up",
        url=reverse("pairings:space", args=[pairing.pk]),
        context={
            **context,
            "starts_at": meeting.starts_at,
            "duration": meeting.duration_minutes,
            "format": meeting.get_format_display(),
        },
        action="Open your pair's space",
    )


@register(
    "meeting_changed",
    label="A mentoring meeting is moved or cancelled by the other member",
    optional=True,
    audience=PAIR_MEMBER,
)
def meeting_changed(message: Message) -> Rendered | None:
    """Told to the member who did not make the change: the new time, or that it is off. A
    later change supersedes this one (its key names the meeting's version)."""
    meeting = Meeting.objects.filter(pk=message.object_id).first()
    if meeting is None or not message.key.endswith(f":v{meeting.sequence}"):
        return None
    pairing = _pairing(message, meeting.pairing_id)
    if pairing is None or pairing.status != Pairing.Status.ACTIVE:
        return None
    context = _context(pairing, message.recipient_id)
    when = timezone.localtime(meeting.starts_at)
    cancelled = meeting.cancelled_at is not None
    return Rendered(
        subject=(
            f"Your mentoring meeting with {context['other']} is cancelled"
            if cancelled
            else f"Your mentoring meeting with {context['other']} has a new time"
        ),
        url=reverse("pairings:space", args=[pairing.pk]),
        context={
            **context,
            "cancelled": cancelled,
            "starts_at": when,
            "duration": meeting.duration_minutes,
            "format": meeting.get_format_display(),
        },
        action="Open your pair's space",
    )


@register(
    "no_meeting_nudge",
    label="A nudge when your pair has logged no meeting for 30 days",
    optional=True,
    audience=PAIR_MEMBER,
)
def no_meeting_nudge(message: Message) -> Rendered | None:
    pairing = _pairing(message)
    if pairing is None or pairing.status != Pairing.Status.ACTIVE:
        return None
    since = timezone.now() - timedelta(days=settings.NO_MEETING_NUDGE_DAYS)
    if pairing.meetings.filter(starts_at__gte=since, cancelled_at__isnull=True).exists():
        return None
    return Rendered(
        subject=f"{pairing.program.name}: no meeting logged with your pair for a while",
        url=reverse("pairings:space", args=[pairing.pk]),
        context={**_context(pairing, message.recipient_id), "days": settings.NO_MEETING_NUDGE_DAYS},
        action="Schedule or log a meeting",
    )
