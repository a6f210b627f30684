"""The due-message table and what a person keeps of messages: the in-app inbox, the kinds
they turned off, their secret calendar address. Recipients are accounts
(settings.AUTH_USER_MODEL), so this app sits below the directory and imports none of it.

The tables were made by the people app and keep their names (`db_table`); this app adopted
them in its first migration without touching the database.
"""

from django.conf import settings
from django.db import models


class Notification(models.Model):
    """An in-app message to one person. Carries a title and a link, never confidential text (F9)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField(max_length=200)
    url = models.CharField(max_length=300, blank=True)
    # The kind of message it came from, and how several alike read as one line of the inbox
    # ("new applications are waiting for the committee of Grow 2027", after the count);
    # empty: it stands alone. Empty on notifications made before these fields existed.
    kind = models.CharField(max_length=40, blank=True)
    group_title = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "people_notification"  # made by the people app; kept
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return f"notification #{self.pk}"


class Message(models.Model):
    """A message due to one person: first a row, then an e-mail and an in-app notification.

    Every notification the product sends starts here (`notifications.messaging.message_schedule`).
    The beat sweep delivers rows whose `due_at` has passed: the transaction that claims a row
    (`select_for_update(skip_locked=True)`) also writes the in-app notification and marks the
    row sent, so a crash before the commit leaves the row pending for the next sweep and a
    second worker skips a row another one holds. `key` names what the message is about
    (`meeting-reminder:<meeting id>:24h`): one row per recipient and key, however often the
    same event is scheduled. The row holds ids and a kind, never text (F9): the text is
    rendered from templates at delivery, from fresh rows.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Skipped"  # no longer relevant, or the person turned it off
        FAILED = "failed", "Failed"  # gave up after the last retry; see `messages_stuck`

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages"
    )
    kind = models.CharField(max_length=40)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    key = models.CharField(max_length=120)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The class of the last error only (`SMTPServerDisconnected`), never its text.
    last_error = models.CharField(max_length=80, blank=True)
    skip_reason = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "people_message"  # made by the people app; kept
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="one_message_per_key"),
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="message_due")]

    def __str__(self) -> str:
        return f"message #{self.pk} ({self.kind})"


class MessageOptOut(models.Model):
    """A person turned off one optional kind of message (reminders, nudges, digests)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="message_opt_outs"
    )
    kind = models.CharField(max_length=40)

    class Meta:
        db_table = "people_messageoptout"  # made by the people app; kept
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_opt_out_per_kind"),
        ]

    def __str__(self) -> str:
        return f"opt-out #{self.pk} ({self.kind})"


class CalendarFeed(models.Model):
    """A person's secret calendar address (`/calendar/<token>.ics`).

    The token is the whole credential, like a session key: the owner sees it on their calendar
    page and can reset it, which replaces the row's token so the old address stops at once.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "people_calendarfeed"  # made by the people app; kept

    def __str__(self) -> str:
        return f"calendar feed #{self.pk}"
