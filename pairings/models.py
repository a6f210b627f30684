"""Pairings: who mentors whom in a program, the pair's meetings and goals, and matching runs.

Members reach their pairing through a guardian object permission (`access_pairing`) on a
direct foreign-key table, granted to both when the pairing is proposed. Coordinators see
pairings of their programs as metadata only; nobody but the pair sees goals, and nobody but
its author sees the private reason for an ending (F7).
"""

from datetime import date, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from firewall.crypto import EncryptedTextField


class Pairing(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        AWAITING_AGREEMENT = "awaiting_agreement", "Awaiting agreement"
        ACTIVE = "active", "Active"
        ENDED = "ended", "Ended"

    class EndCategory(models.TextChoices):
        SCHEDULE = "schedule", "Schedules did not allow it"
        FIT = "fit", "Not the right fit"
        GOALS_MET = "goals_met", "Goals met"
        ROLE_CHANGE = "role_change", "Role change"
        OTHER = "other", "Other"

    LIVE = (Status.PROPOSED, Status.AWAITING_AGREEMENT, Status.ACTIVE)

    program = models.ForeignKey(
        "programs.Program", on_delete=models.PROTECT, related_name="pairings"
    )
    mentor = models.ForeignKey(
        "people.Employee", on_delete=models.PROTECT, related_name="mentor_pairings"
    )
    mentoree = models.ForeignKey(
        "people.Employee", on_delete=models.PROTECT, related_name="mentoree_pairings"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    mentor_accepted_at = models.DateTimeField(null=True, blank=True)
    mentoree_accepted_at = models.DateTimeField(null=True, blank=True)
    proposed_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Who ended it is deliberately not stored here: only the category, seen in aggregate.
    end_category = models.CharField(max_length=20, choices=EndCategory.choices, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        permissions = [("access_pairing", "Member of the pair")]
        indexes = [
            models.Index(fields=["program", "status"]),
            # The coordinator's pairings page, in its order: a page is read off the index
            # instead of sorting a whole program's pairings (2,000: 14 -> under 1 ms).
            models.Index(
                fields=["program", "status", "-proposed_at", "-id"], name="pairing_program_page"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(mentor=models.F("mentoree")), name="pairing_not_with_oneself"
            ),
            # One live mentor per mentoree in a program; an ended pairing frees them at once.
            models.UniqueConstraint(
                fields=["program", "mentoree"],
                condition=Q(status__in=["proposed", "awaiting_agreement", "active"]),
                name="one_live_pairing_per_mentoree",
            ),
        ]

    def __str__(self) -> str:
        return f"pairing #{self.pk}"

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE


class PairingUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Pairing, on_delete=models.CASCADE)


class PairingGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Pairing, on_delete=models.CASCADE)


class PrivateEndReason(models.Model):
    """What the member who ended a pairing wrote for themselves. Seen by its author only."""

    pairing = models.OneToOneField(Pairing, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = EncryptedTextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"private end reason #{self.pk}"


class Meeting(models.Model):
    """That a meeting happens: when, how long, how. It holds no free text: what is said goes
    into notes, which only their authors (and a shared note's pair) can read."""

    class Format(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        VIDEO = "video", "Video call"
        PHONE = "phone", "Phone"

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(
        default=60,
        validators=[
            MinValueValidator(5, "A meeting lasts at least 5 minutes."),
            MaxValueValidator(600, "A meeting lasts at most 10 hours (600 minutes)."),
        ],
    )
    format = models.CharField(max_length=12, choices=Format.choices, default=Format.IN_PERSON)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Calendars recognise a meeting by its UID ("meeting-<pk>") and take the copy with the
    # highest SEQUENCE: every reschedule, correction or cancellation raises it by one.
    sequence = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(null=True, blank=True)
    # A cancelled meeting stays a row, so calendars are told (STATUS:CANCELLED), not left with
    # a ghost; it leaves the pair's lists.
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        constraints = [
            # The same meeting logged twice (a double submit) is one row; a cancelled one
            # leaves its time free.
            models.UniqueConstraint(
                fields=["pairing", "starts_at"],
                condition=Q(cancelled_at__isnull=True),
                name="one_meeting_per_time",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5, duration_minutes__lte=600),
                name="meeting_duration_sensible",
                violation_error_message="A meeting lasts between 5 and 600 minutes.",
            ),
        ]

    def __str__(self) -> str:
        return f"meeting #{self.pk}"

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration_minutes)


class Goal(models.Model):
    """One of the pair's development goals. Visible to the pair only. The title stays a
    plain column as it always was; the description, like a note, is encrypted (F10)."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        ACHIEVED = "achieved", "Achieved"
        DROPPED = "dropped", "Dropped"

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(max_length=300)
    description = EncryptedTextField(blank=True, default="")
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"goal #{self.pk}"


class GoalChange(models.Model):
    """One line of a goal's history: who changed which part, when, from what to what. Seen by
    the pair only; the text before and after is encrypted like the goal's description."""

    class Field(models.TextChoices):
        CREATED = "created", "Added the goal"
        TITLE = "title", "Changed the title"
        DESCRIPTION = "description", "Changed the description"
        DUE_ON = "due_on", "Changed the due date"
        STATUS = "status", "Changed the status"

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="changes")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    field = models.CharField(max_length=12, choices=Field.choices)
    before = EncryptedTextField(blank=True, default="")
    after = EncryptedTextField(blank=True, default="")

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"goal change #{self.pk}"

    def words(self) -> str:
        """What changed, in words, for the pair's own pages (this row's text, nobody else's)."""
        if self.field == self.Field.CREATED:
            return "Added the goal"
        if self.field == self.Field.STATUS:
            labels = dict(Goal.Status.choices)
            old, new = labels.get(self.before, self.before), labels.get(self.after, self.after)
            return f"Changed the status from {old} to {new}"
        if self.field == self.Field.DUE_ON:
            return f"Changed the due date from {_day(self.before)} to {_day(self.after)}"
        if self.field == self.Field.TITLE:
            return f"Renamed the goal from “{self.before}” to “{self.after}”"
        if not self.before:
            return "Added a description"
        return f"Changed the description (it was: “{self.before}”)"


def _day(iso: str) -> str:
    if not iso:
        return "none"
    day = date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"


class MatchingRun(models.Model):
    """One whole-cohort matching run and its proposal, reviewed and published by a
    coordinator. Runs as a Celery task; the page shows its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Ready for review"
        FAILED = "failed", "Failed"
        PUBLISHING = "publishing", "Publishing"
        PUBLISH_FAILED = "publish_failed", "Not published"
        PUBLISHED = "published", "Published"

    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="matching_runs"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # When the coordinator last pressed Publish: a publication still "publishing" long after
    # it (its worker stopped, its transaction rolled back) may be started again.
    publishing_since = models.DateTimeField(null=True, blank=True)
    total_score = models.PositiveIntegerField(null=True, blank=True)
    upper_bound = models.PositiveIntegerField(null=True, blank=True)
    mentorees_considered = models.PositiveIntegerField(default=0)
    unmatched = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    # The rows a publication refused, in words (names and rules, never mentoring content):
    # shown to the coordinator until the proposal is published or run again.
    refusals = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"matching run #{self.pk}"


class ProposedPair(models.Model):
    """One row of a run's proposal. Pinned rows were fixed by the coordinator before the run."""

    run = models.ForeignKey(MatchingRun, on_delete=models.CASCADE, related_name="pairs")
    mentor = models.ForeignKey("people.Employee", on_delete=models.CASCADE, related_name="+")
    mentoree = models.ForeignKey("people.Employee", on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField()
    pinned = models.BooleanField(default=False)

    class Meta:
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["run", "mentoree"], name="one_proposal_per_mentoree")
        ]

    def __str__(self) -> str:
        return f"proposed pair #{self.pk}"


class Pin(models.Model):
    """A pair the coordinator fixes before a matching run."""

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="pins")
    mentor = models.ForeignKey("people.Employee", on_delete=models.CASCADE, related_name="+")
    mentoree = models.ForeignKey("people.Employee", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "mentoree"], name="one_pin_per_mentoree")
        ]

    def __str__(self) -> str:
        return f"pin #{self.pk}"
