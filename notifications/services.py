"""Writes of what a person keeps of messages: the kinds they turned off, their calendar
address, which in-app messages they have read. (Scheduling and delivering is messaging.py.)"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from notifications.messaging import optional_kinds
from notifications.models import CalendarFeed, MessageOptOut, Notification


@transaction.atomic
def message_opt_outs_set(
    *, user: AbstractBaseUser, turned_off: Iterable[str], among: Iterable[str] | None = None
) -> None:
    """Record which optional kinds a person turned off; the others are on. Required kinds
    (decisions, what to sign, invitations) cannot be turned off and are ignored here.

    `among` limits the change to the kinds the person was shown (their settings page lists
    only what they can receive): a kind they turned off while it applied to them stays off,
    and one they were not shown is not turned off behind their back."""
    optional = {k.name for k in optional_kinds()}
    if among is not None:
        optional &= set(among)
    wanted = set(turned_off) & optional
    MessageOptOut.objects.filter(user_id=user.pk, kind__in=optional).exclude(
        kind__in=wanted
    ).delete()
    have = set(MessageOptOut.objects.filter(user_id=user.pk).values_list("kind", flat=True))
    MessageOptOut.objects.bulk_create(
        [MessageOptOut(user_id=user.pk, kind=name) for name in sorted(wanted - have)]
    )


@transaction.atomic
def calendar_feed_reset(*, user: AbstractBaseUser) -> str:
    """Give the person a new secret calendar address; the old one stops working at once."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(user_id=user.pk, defaults={"token": token})
    return token


@transaction.atomic
def notifications_mark_read(*, user: AbstractBaseUser, ids: Iterable[int]) -> int:
    return Notification.objects.filter(
        recipient_id=user.pk, pk__in=list(ids), read_at__isnull=True
    ).update(read_at=timezone.now())
