"""The firewall's own records, which both sides of the company may ask and neither owns:
the access log (F8) and the conflict-of-interest register (F3, F11).

The tables were made by the confidentiality app and keep their names (`db_table`); the
firewall app adopted them in its first migration without touching the database.
"""

from django.conf import settings
from django.db import models


class _AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Access events are append-only.")

    def delete(self):
        raise PermissionError("Access events are append-only.")


class AccessEvent(models.Model):
    """Append-only record of every note read, every refused attempt on a confidential
    object and every signature (F8): who, what, when, outcome. Never content."""

    class Action(models.TextChoices):
        READ = "read", "Read"
        LIST = "list", "Listed"
        WRITE = "write", "Wrote"
        SIGN = "sign", "Signed"
        REFUSED = "refused", "Refused"
        RECUSAL = "recusal", "Recusal"
        GRANT = "grant", "Granted a role"
        REVOKE = "revoke", "Removed a role"
        IDENTITY = "identity", "Changed an identity"

    class Outcome(models.TextChoices):
        ALLOWED = "allowed", "Allowed"
        REFUSED = "refused", "Refused"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_label = models.CharField(max_length=300, help_text="Who, as they were at the time.")
    action = models.CharField(max_length=12, choices=Action.choices)
    object_type = models.CharField(max_length=40)
    object_id = models.PositiveBigIntegerField(null=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    request_id = models.CharField(max_length=64, blank=True)
    concerns = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The person a grant or an identity change concerns (F12, F13).",
    )
    detail = models.CharField(
        max_length=200,
        blank=True,
        help_text="Which role or which part of the identity: a fixed label, never content.",
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = _AppendOnlyQuerySet.as_manager()

    class Meta:
        db_table = "confidentiality_accessevent"  # made before the firewall app; kept
        ordering = ["-at", "-pk"]
        default_permissions = ("view",)
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            # The admin's search by request id, among millions of events.
            models.Index(fields=["request_id"], name="accessevent_request_id"),
        ]

    def __str__(self) -> str:
        return f"access event #{self.pk}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Access events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Access events are append-only.")


class ConflictKey(models.Model):
    """The conflict-of-interest register, keyed on two people only: `person` (a mentor, a
    would-be assessor) and `subject` (a mentoree, the subject of a review). Both sides lock
    this one row while they check and write, so "seat the mentor on the panel" and "pair the
    panel member with the subject" cannot both succeed, however they interleave (F3)."""

    person = models.ForeignKey("people.Employee", on_delete=models.CASCADE, related_name="+")
    subject = models.ForeignKey("people.Employee", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "confidentiality_conflictkey"
        constraints = [
            models.UniqueConstraint(fields=["person", "subject"], name="one_conflict_key_per_pair")
        ]

    def __str__(self) -> str:
        return f"conflict key #{self.pk}"


class ConflictEntry(models.Model):
    """One reason the key exists (F11). The mentoring-side kinds (mentoring, coordinating,
    committee, leading, declared) keep the person off every review of the subject; the
    assessment kinds (assessing, running), while open, keep the person from taking any
    mentoring-side role towards the subject. Entries outlive what made them: ending one
    sets `ended_at`, and the look-back counts from there."""

    class Kind(models.TextChoices):
        MENTORING = "mentoring", "Mentors the subject"
        COORDINATING = "coordinating", "Coordinates a program the subject applied to"
        COMMITTEE = "committee", "Sits on the committee of a program the subject applied to"
        LEADING = "leading", "Leads a group session the subject registered for"
        DECLARED = "declared", "Declared by HR"
        ASSESSING = "assessing", "Sits on an open review of the subject"
        RUNNING = "running", "Runs an open review of the subject"

    key = models.ForeignKey(ConflictKey, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    reference = models.PositiveBigIntegerField(
        null=True,
        blank=True,
        help_text="What it stems from: the panel seat, review, program or group session.",
    )
    started_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        db_table = "confidentiality_conflictentry"
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["kind", "reference"])]
        verbose_name_plural = "conflict entries"

    def __str__(self) -> str:
        return f"conflict entry #{self.pk}"
