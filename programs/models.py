"""Programs, the commitment every participant is given, applications and the committee,
group sessions led by executives, and resources.

Per-program roles are guardian object permissions on Program (direct foreign-key tables):
`coordinate_program` for coordinators and `review_applications` for committee members,
granted and revoked only in programs/services.py.
"""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from programs.validators import validate_resource_file

# Program addresses share /programs/ with these pages.
RESERVED_SLUGS = {
    "new",
    "applications",
    "commitments",
    "committee",
    "sessions",
    "resources",
    "tags",
}
MAX_MENTOR_CAPACITY = 10


class Program(models.Model):
    class Kind(models.TextChoices):
        ONE_TO_ONE = "one_to_one", "One-to-one mentoring"
        GROUP = "group", "Group mentoring"
        EXECUTIVE = "executive", "Executive mentoring"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACCEPTING = "accepting", "Accepting applications"
        RUNNING = "running", "Running"
        CLOSED = "closed", "Closed"

    # The only moves a program makes, in order; anything else is refused.
    TRANSITIONS: dict[str, str] = {
        Status.DRAFT: Status.ACCEPTING,
        Status.ACCEPTING: Status.RUNNING,
        Status.RUNNING: Status.CLOSED,
    }

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ONE_TO_ONE)
    description = models.TextField(help_text="What the program is and what participants gain.")
    audience = models.TextField("who it is for", blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    applications_open_on = models.DateField("applications open on")
    applications_close_on = models.DateField("applications close on")
    starts_on = models.DateField()
    ends_on = models.DateField()
    default_mentor_capacity = models.PositiveSmallIntegerField(
        default=2, help_text="How many mentorees a mentor takes unless they say otherwise."
    )
    min_mentor_level = models.PositiveSmallIntegerField("minimum grade to mentor", default=6)
    max_mentoree_level = models.PositiveSmallIntegerField(
        "maximum grade to be a mentoree", default=8
    )
    agreement_template = models.ForeignKey(
        "confidentiality.AgreementTemplate",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The terms each pair's agreement starts from; empty: the default template.",
    )
    quorum_votes = models.PositiveSmallIntegerField(
        "votes needed for a decision",
        default=3,
        help_text="A decision needs at least this many votes and a majority of them.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        permissions = [
            ("coordinate_program", "Coordinate the program"),
            ("review_applications", "Review applications as a committee member"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(applications_close_on__gte=models.F("applications_open_on")),
                name="program_window_in_order",
                violation_error_message="Applications must close after they open.",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="program_dates_in_order",
                violation_error_message="The program must end after it starts.",
            ),
            models.CheckConstraint(
                condition=Q(quorum_votes__gte=1), name="program_quorum_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """Rules of one program row, in words a coordinator understands (admin and services)."""
        errors = {}
        if self.slug in RESERVED_SLUGS:
            errors["slug"] = f"'{self.slug}' is reserved for a page of the site; choose another."
        if (
            self.applications_open_on
            and self.applications_close_on
            and self.applications_close_on < self.applications_open_on
        ):
            errors["applications_close_on"] = "Applications must close after they open."
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = "The program must end after it starts."
        if self.default_mentor_capacity is not None and not (
            1 <= self.default_mentor_capacity <= MAX_MENTOR_CAPACITY
        ):
            errors["default_mentor_capacity"] = (
                f"A mentor takes between 1 and {MAX_MENTOR_CAPACITY} mentorees."
            )
        if self.quorum_votes is not None and self.quorum_votes < 1:
            errors["quorum_votes"] = "A decision needs at least one vote."
        if errors:
            raise ValidationError(errors)

    @property
    def next_status(self) -> str | None:
        return self.TRANSITIONS.get(self.status)

    @property
    def has_mentors(self) -> bool:
        """Group programs have participants and session leaders, not one-to-one mentors."""
        return self.kind != self.Kind.GROUP


# What a coordinator or HR admin sets on a program: written once, used by the form, the admin
# and the services (which refuse any other field).
PROGRAM_FIELDS = (
    "name",
    "slug",
    "kind",
    "description",
    "audience",
    "applications_open_on",
    "applications_close_on",
    "starts_on",
    "ends_on",
    "default_mentor_capacity",
    "min_mentor_level",
    "max_mentoree_level",
    "quorum_votes",
)


class ProgramUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Program, on_delete=models.CASCADE)


class ProgramGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Program, on_delete=models.CASCADE)


class Commitment(models.Model):
    """The program's written promise, versioned. The newest version is the current one."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="commitments")
    version = models.PositiveIntegerField()
    text = models.TextField()
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["program", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["program", "version"], name="commitment_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.program} commitment, version {self.version}"

    @property
    def text_hash(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()


class CommitmentAcceptance(models.Model):
    """Who accepted which version of the commitment, and when."""

    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="acceptances")
    employee = models.ForeignKey(
        "people.Employee", on_delete=models.CASCADE, related_name="commitment_acceptances"
    )
    text_hash = models.CharField(max_length=64, help_text="SHA-256 of the text accepted.")
    accepted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-accepted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "employee"], name="commitment_accepted_once"
            )
        ]

    def __str__(self) -> str:
        return f"acceptance #{self.pk} of commitment #{self.commitment_id}"


class Tag(models.Model):
    """The shared vocabulary of goals and expertise, managed by coordinators."""

    name = models.CharField(max_length=60, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="tag_name_unique_ci")]

    def __str__(self) -> str:
        return self.name


class Application(models.Model):
    class Role(models.TextChoices):
        MENTOR = "mentor", "Mentor"
        MENTOREE = "mentoree", "Mentoree"

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Awaiting decision"
        ADMITTED = "admitted", "Admitted"
        DECLINED = "declined", "Declined"
        WAITLISTED = "waitlisted", "Waiting list"
        WITHDRAWN = "withdrawn", "Withdrawn"

    UNDECIDED = (Status.SUBMITTED, Status.WAITLISTED)

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="applications")
    applicant = models.ForeignKey(
        "people.Employee", on_delete=models.CASCADE, related_name="applications"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    motivation = models.TextField(help_text="Why you want to take part.")
    goals = models.TextField(
        "development goals or what you offer",
        blank=True,
        help_text="For mentorees: what you want to develop. For mentors: what you can offer.",
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="applications")
    availability = models.CharField(max_length=200, blank=True)
    mentor_capacity = models.PositiveSmallIntegerField(
        "mentorees you can take", null=True, blank=True
    )
    # The mentoree's consent, given when applying and off unless they tick it: a mentor the
    # coordinator proposes to them sees these goals and topics before accepting the match.
    # Nobody else gains anything from it (pairings.selectors.mentoree_context_for).
    share_with_mentor = models.BooleanField(
        "show my goals and topics to a proposed mentor",
        default=False,
        help_text="Only the mentor proposed to you sees them, before accepting the match.",
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    submitted_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["submitted_at", "pk"]
        indexes = [models.Index(fields=["program", "status"])]
        constraints = [
            # One live application per person and program; a withdrawn one may be followed
            # by a new one. The database holds this even under concurrent submissions.
            models.UniqueConstraint(
                fields=["program", "applicant"],
                condition=~Q(status="withdrawn"),
                name="one_live_application_per_program",
            )
        ]

    def __str__(self) -> str:
        return f"application #{self.pk}"

    @property
    def is_open(self) -> bool:
        """The applicant may still edit or withdraw it."""
        return self.status == self.Status.SUBMITTED


class Vote(models.Model):
    class Choice(models.TextChoices):
        ADMIT = "admit", "Admit"
        DECLINE = "decline", "Decline"
        WAITLIST = "waitlist", "Waiting list"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    choice = models.CharField(max_length=10, choices=Choice.choices)
    comment = models.TextField(blank=True, help_text="Seen only by the committee.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["application", "voter"], name="one_vote_per_member")
        ]

    def __str__(self) -> str:
        return f"vote #{self.pk}"


class GroupSession(models.Model):
    """A group mentoring session led by an executive (F4: they lead groups, not pairs)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="sessions")
    leader = models.ForeignKey(
        "people.Employee", on_delete=models.PROTECT, related_name="led_sessions"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=90)
    location = models.CharField("place or video link", max_length=300)
    capacity = models.PositiveSmallIntegerField(default=20)
    created_at = models.DateTimeField(auto_now_add=True)
    # Grows with every change people should see in their calendars: the .ics keeps the same
    # UID and a higher SEQUENCE, so calendars update the event instead of adding another.
    sequence = models.PositiveIntegerField(default=0)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="session_capacity_positive"),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1), name="session_duration_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def ends_at(self):
        from datetime import timedelta

        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class Registration(models.Model):
    class Status(models.TextChoices):
        REGISTERED = "registered", "Registered"
        WAITLISTED = "waitlisted", "On the waiting list"
        CANCELLED = "cancelled", "Cancelled"

    session = models.ForeignKey(
        GroupSession, on_delete=models.CASCADE, related_name="registrations"
    )
    participant = models.ForeignKey(
        "people.Employee", on_delete=models.CASCADE, related_name="session_registrations"
    )
    status = models.CharField(max_length=12, choices=Status.choices)
    attended = models.BooleanField(null=True, blank=True)
    # When the person (last) joined; the waiting list moves up in this order.
    queued_at = models.DateTimeField()

    class Meta:
        ordering = ["queued_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "participant"], name="one_registration_per_session"
            )
        ]

    def __str__(self) -> str:
        return f"registration #{self.pk}"


def resource_upload_to(instance: "Resource", filename: str) -> str:
    """Stored under the file's checksum with a short ASCII name: file systems count a name's
    bytes, not its characters, and the name people see is kept in `original_name`."""
    from pathlib import PurePath

    from django.utils.text import get_valid_filename, slugify

    path = PurePath(filename)
    stem = slugify(path.stem)[:60] or "paper"
    suffix = get_valid_filename(path.suffix.lower())[:10] if path.suffix else ""
    return f"resources/{instance.checksum[:16]}/{stem}{suffix}"


class Resource(models.Model):
    """A downloadable paper for one program, or for everyone when program is empty."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, null=True, blank=True, related_name="resources"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    file = models.FileField(
        upload_to=resource_upload_to, max_length=255, validators=[validate_resource_file]
    )
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    checksum = models.CharField(max_length=64)
    download_count = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "pk"]

    def __str__(self) -> str:
        return self.title
