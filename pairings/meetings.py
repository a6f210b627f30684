"""Writes for a pair's meetings: planning or logging one, rescheduling or correcting it,
cancelling it, removing one that never took place, and cancelling what is left when the
pairing ends.

A meeting keeps its row and its calendar identity (`meeting-<pk>`) for life: each change
raises its `sequence`, so a calendar that holds an earlier copy replaces it instead of adding
a second event, and a cancelled meeting stays a row so the calendar feed can say so
(STATUS:CANCELLED). A meeting holds no free text; what is said goes into notes (F9).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.refusals import refuse
from notifications.messaging import message_schedule, messages_cancel
from pairings.members import ENDED_WORDS, member_role, require_active
from pairings.models import Meeting, Pairing
from people.models import Employee

FIVE_YEARS = timedelta(days=5 * 366)


def reminder_key(meeting: Meeting) -> str:
    """The reminder of this version of the meeting; the first version keeps the key it always
    had, so reminders scheduled before meetings could change are still found."""
    suffix = f":v{meeting.sequence}" if meeting.sequence else ""
    return f"meeting-reminder:{meeting.pk}{suffix}:24h"


def _remind(meeting: Meeting, pairing: Pairing) -> None:
    due_at = meeting.starts_at - timedelta(hours=settings.MEETING_REMINDER_HOURS)
    if due_at > timezone.now():
        for member in (pairing.mentor, pairing.mentoree):
            message_schedule(
                recipient=member.user_id,
                kind="meeting_reminder",
                key=reminder_key(meeting),
                object_id=meeting.pk,
                due_at=due_at,
            )


def _tell_the_other(meeting: Meeting, pairing: Pairing, by: Employee) -> None:
    """The other member hears of a change to a meeting still to come (when and how, never a
    note). The key names this version, so each change is one message."""
    other = pairing.mentoree if by.pk == pairing.mentor_id else pairing.mentor
    message_schedule(
        recipient=other.user_id,
        kind="meeting_changed",
        key=f"meeting-changed:{meeting.pk}:v{meeting.sequence}",
        object_id=meeting.pk,
    )


def _within_reach(starts_at: datetime) -> None:
    if abs(starts_at - timezone.now()) > FIVE_YEARS:
        raise ValidationError({"starts_at": "Choose a date within five years of today."})


def _within_the_program(pairing: Pairing, starts_at: datetime) -> None:
    """No meeting after the program has ended: the pairing does not outlive it."""
    ends_on = pairing.program.ends_on
    last = timezone.make_aware(datetime.combine(ends_on, time.max))
    if starts_at > last:
        day = f"{ends_on.day} {ends_on:%B %Y}"
        raise ValidationError({"starts_at": f"The program ends on {day}: choose an earlier date."})


@transaction.atomic
def meeting_log(
    *,
    pairing: Pairing,
    by: Employee,
    starts_at: datetime,
    duration_minutes: int,
    format: str,
) -> Meeting:
    """Schedule (future) or log (past) a meeting. Submitting the same one twice makes one row."""
    _within_reach(starts_at)
    pairing = (
        Pairing.objects.select_for_update(of=("self",)).select_related("program").get(pk=pairing.pk)
    )
    member_role(pairing, by)
    require_active(pairing)
    _within_the_program(pairing, starts_at)
    meeting = Meeting(
        pairing=pairing,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        format=format,
        created_by=by.user,
    )
    meeting.full_clean(validate_constraints=False)
    existing = Meeting.objects.filter(
        pairing=pairing, starts_at=starts_at, cancelled_at__isnull=True
    ).first()
    if existing is not None:
        if (existing.duration_minutes, existing.format) == (duration_minutes, format):
            return existing  # the same form sent twice: one meeting
        raise ValidationError(
            {"starts_at": "Another meeting of yours starts at that time; remove it first."}
        )
    meeting.save()
    _remind(meeting, pairing)
    return meeting


@transaction.atomic
def meeting_update(
    *,
    meeting: Meeting,
    by: Employee,
    starts_at: datetime,
    duration_minutes: int,
    format: str,
) -> Meeting:
    """Reschedule an upcoming meeting or correct one already held: its time, length or
    format. Either member may, while the pairing is active.

    The meeting keeps its identity and its `sequence` grows by one, so calendars update it in
    place; the reminder of the old time is withdrawn and one for the new time scheduled. A
    new time may not fall before the day the pairing was proposed, nor after the program's
    end. Nothing changes (and the sequence stays) when the form is sent back unchanged;
    every refusal leaves the row as it was.
    """
    pairing = (
        Pairing.objects.select_for_update(of=("self",))
        .select_related("program")
        .get(pk=meeting.pairing_id)
    )
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    member_role(pairing, by)
    require_active(pairing)
    if meeting.cancelled_at is not None:
        raise refuse("This meeting was cancelled: plan a new one instead.", "cancelled")
    if (meeting.starts_at, meeting.duration_minutes, meeting.format) == (
        starts_at,
        duration_minutes,
        format,
    ):
        return meeting
    if starts_at != meeting.starts_at:
        _within_reach(starts_at)
        proposed_on = timezone.localdate(pairing.proposed_at)
        if timezone.localdate(starts_at) < proposed_on:
            raise ValidationError(
                {
                    "starts_at": f"Your pairing began on {proposed_on.day} {proposed_on:%B %Y}: "
                    "choose a date from then on."
                }
            )
        _within_the_program(pairing, starts_at)
        if (
            Meeting.objects.filter(pairing=pairing, starts_at=starts_at, cancelled_at__isnull=True)
            .exclude(pk=meeting.pk)
            .exists()
        ):
            raise ValidationError({"starts_at": "Another meeting of yours starts at that time."})
    old_key = reminder_key(meeting)
    was_to_come = meeting.starts_at > timezone.now()
    meeting.starts_at = starts_at
    meeting.duration_minutes = duration_minutes
    meeting.format = format
    meeting.full_clean(validate_constraints=False)
    meeting.sequence += 1
    meeting.updated_at = timezone.now()
    meeting.save(
        update_fields=["starts_at", "duration_minutes", "format", "sequence", "updated_at"]
    )
    messages_cancel(keys=[old_key])
    _remind(meeting, pairing)
    if was_to_come or meeting.starts_at > timezone.now():
        _tell_the_other(meeting, pairing, by)
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, by: Employee) -> Meeting:
    """Call off an upcoming meeting. It leaves the pair's lists, its reminder is withdrawn,
    and calendars are told it is cancelled (same identity, next sequence). Cancelling twice
    is one cancellation; a meeting already held is corrected or removed, not cancelled."""
    pairing = Pairing.objects.select_for_update().get(pk=meeting.pairing_id)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    member_role(pairing, by)
    require_active(pairing)
    if meeting.cancelled_at is not None:
        return meeting
    if meeting.starts_at <= timezone.now():
        raise refuse(
            "This meeting has already started: correct it, or remove it if it did not take place.",
            "past",
        )
    messages_cancel(keys=[reminder_key(meeting)])
    meeting.cancelled_at = meeting.updated_at = timezone.now()
    meeting.sequence += 1
    meeting.save(update_fields=["cancelled_at", "updated_at", "sequence"])
    _tell_the_other(meeting, pairing, by)
    return meeting


@transaction.atomic
def meeting_delete(*, meeting: Meeting, by: Employee) -> None:
    """Remove a meeting logged by mistake. After the pairing's end nothing changes."""
    member_role(meeting.pairing, by)
    if meeting.pairing.status == Pairing.Status.ENDED:
        raise refuse(ENDED_WORDS, "ended")
    messages_cancel(keys=[reminder_key(meeting)])
    meeting.delete()


def meetings_cancel_future(*, pairing: Pairing) -> int:
    """Cancel every meeting of the pairing still to come (the pairing is ending): they leave
    the upcoming list and the calendar feed carries them as cancelled. Their reminders are
    withdrawn. Called inside the ending's transaction; returns how many were cancelled."""
    now = timezone.now()
    future = Meeting.objects.filter(pairing=pairing, starts_at__gt=now, cancelled_at__isnull=True)
    keys = [reminder_key(meeting) for meeting in future]
    messages_cancel(keys=keys)
    return future.update(cancelled_at=now, updated_at=now, sequence=F("sequence") + 1)
