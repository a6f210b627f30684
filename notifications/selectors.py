"""Reads of a person's messages and settings, and the health check's count of messages
nobody delivered."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Case, CharField, Count, DateField, Max, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Concat, TruncDate
from django.utils import timezone

from notifications.models import CalendarFeed, Message, MessageOptOut, Notification


def notifications_of(*, user: AbstractBaseUser) -> QuerySet[Notification]:
    """The person's in-app messages, newest first (the model's order)."""
    return Notification.objects.filter(recipient_id=user.pk)


@dataclass(frozen=True)
class InboxLine:
    """One line of the inbox or the digest: one message, or several alike as one ("7 new
    applications are waiting for the committee of Grow 2027"), with the newest one's link
    and time."""

    title: str
    url: str
    count: int
    unread: int
    created_at: datetime
    group: tuple[str, date | None]  # which messages it stands for (see `_alike`)

    @property
    def of_a_kind_that_groups(self) -> bool:
        """Its title is the kind's own phrase (no name, no detail of one message)."""
        return not self.group[0].startswith("#")


def _alike(user: AbstractBaseUser, *, by_day: bool) -> QuerySet[Any]:
    """The person's notifications, each with the key of its group: messages alike (the same
    kind and link, from a kind that groups them) share a key; any other message has one of
    its own. In the inbox a group is also one day (local time): a line says what came that
    day."""
    key = Case(
        When(group_title="", then=Concat(Value("#"), Cast("pk", CharField()))),
        default=Concat("kind", Value("|"), "url"),
        output_field=CharField(),
    )
    day = (
        TruncDate("created_at", tzinfo=timezone.get_current_timezone())
        if by_day
        else Value(None, output_field=DateField())
    )
    # Typed Any: the type checker knows the model's fields, not these two annotations.
    rows: QuerySet[Any] = Notification.objects.filter(recipient_id=user.pk)
    return rows.annotate(key=key, day=day)


def inbox_groups_of(*, user: AbstractBaseUser, unread_only: bool = False, by_day: bool = True):
    """One row per line of the person's inbox, newest first (a values queryset to paginate;
    `inbox_lines` turns a page of it into lines)."""
    rows = _alike(user, by_day=by_day)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return (
        rows.values("key", "day")
        .annotate(
            count=Count("pk"),
            unread=Count("pk", filter=Q(read_at__isnull=True)),
            newest_id=Max("pk"),
            newest_at=Max("created_at"),
        )
        .order_by("-newest_at", "-newest_id")
    )


def inbox_lines(rows: Iterable[dict]) -> list[InboxLine]:
    """The lines of some rows of `inbox_groups_of`, in their order, in one query."""
    rows = list(rows)
    newest = Notification.objects.in_bulk([row["newest_id"] for row in rows])
    lines = []
    for row in rows:
        notification = newest[row["newest_id"]]
        several = row["count"] > 1 and notification.group_title
        lines.append(
            InboxLine(
                title=f"{row['count']} {notification.group_title}"
                if several
                else notification.title,
                url=notification.url,
                count=row["count"],
                unread=row["unread"],
                created_at=row["newest_at"],
                group=(row["key"], row["day"]),
            )
        )
    return lines


def unread_ids_in(*, user: AbstractBaseUser, lines: Iterable[InboxLine]) -> set[int]:
    """The unread notifications that the given inbox lines stand for: what showing them
    marks read."""
    groups = {line.group for line in lines if line.unread}
    if not groups:
        return set()
    unread = _alike(user, by_day=True).filter(read_at__isnull=True, key__in={k for k, _ in groups})
    return {pk for pk, key, day in unread.values_list("pk", "key", "day") if (key, day) in groups}


def unread_summary_of(*, user: AbstractBaseUser, limit: int = 10) -> tuple[list[InboxLine], int]:
    """For a digest: the person's unread messages of the kinds that group, one line per
    kind and link whatever the day ("12 new applications are waiting for the committee of
    Grow 2027"), and how many other unread messages there are (counted, not listed: their
    titles may name people)."""
    lines = [
        line
        for line in inbox_lines(
            inbox_groups_of(user=user, unread_only=True, by_day=False)[: limit * 5]
        )
        if line.of_a_kind_that_groups
    ][:limit]
    return lines, unread_count(user=user) - sum(line.count for line in lines)


def unread_count(*, user: AbstractBaseUser) -> int:
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def message_opt_outs_of(*, user: AbstractBaseUser) -> set[str]:
    """The kinds of message the person turned off."""
    return set(MessageOptOut.objects.filter(user_id=user.pk).values_list("kind", flat=True))


def calendar_feed_of(*, user: AbstractBaseUser) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user_id=user.pk).first()


def messages_overdue_count(*, older_than: timedelta, now: datetime | None = None) -> int:
    """Messages due longer ago than `older_than` and still pending: a growing number means
    no worker or no beat is running (the health check reports it)."""
    now = now or timezone.now()
    return Message.objects.filter(
        status=Message.Status.PENDING, due_at__lt=now - older_than
    ).count()
