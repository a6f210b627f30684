"""Reads of a person's messages and settings, and the health check's count of messages
nobody delivered."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet
from django.utils import timezone

from notifications.models import CalendarFeed, Message, MessageOptOut, Notification


def notifications_of(*, user: AbstractBaseUser) -> QuerySet[Notification]:
    """The person's in-app messages, newest first (the model's order)."""
    return Notification.objects.filter(recipient_id=user.pk)


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
