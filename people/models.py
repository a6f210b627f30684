"""Accounts (`User`, sign-in by e-mail) and the directory (`Employee`), the HRIS imports
and identity changes waiting for a confirmation. (Messages are the notifications app's.)"""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person who can sign in. Employees sign in with their e-mail address.

    The username of an employee's account is their e-mail address in lower case. `email` is
    the confirmed sign-in address, the only one sign-in and password reset ever use: a new
    address asked for by the HRIS import or the admin waits in `AddressChange` until the
    person confirms it, and the username follows it then (F12).
    """

    email = models.EmailField("e-mail address", unique=True)

    REQUIRED_FIELDS = ["email"]

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Employee(models.Model):
    """One person in the company directory, with at most one per user account.

    `level` is an integer grade: higher is more senior. People at or above
    settings.GROUP_ONLY_LEVEL lead group sessions and never mentor one-to-one (F4).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="employee"
    )
    number = models.CharField("employee number", max_length=32, unique=True)
    first_name = models.CharField(max_length=150)
    last_name = models.CharField(max_length=150)
    email = models.EmailField("e-mail address", unique=True)
    title = models.CharField(max_length=200)
    department = models.CharField(max_length=200)
    location = models.CharField(max_length=200, blank=True)
    level = models.PositiveSmallIntegerField(help_text="Grade: higher is more senior.")
    manager = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="direct_reports",
    )
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name", "number"]
        indexes = [
            models.Index(fields=["department"]),
            models.Index(fields=["level"]),
            models.Index(fields=["last_name", "first_name"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(manager=models.F("pk")), name="employee_not_own_manager"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.number})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_group_only(self) -> bool:
        """At or above the group-only level: leads group sessions, never mentors one-to-one."""
        return self.level >= settings.GROUP_ONLY_LEVEL


class EmployeeImport(models.Model):
    """One HRIS CSV file uploaded in the admin, imported by a background task.

    The file's text is kept on the row so the task needs nothing but the id; it is directory
    data, never mentoring text. All or nothing, as `people.hris.employee_import_csv`: a
    file with any bad row ends `failed` with each bad line in `errors`, and the directory is
    unchanged. `done` and `failed` are final: a redelivered task leaves the row as it is.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        VALIDATING = "validating", "Checking rows"
        APPLYING = "applying", "Saving to the directory"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    FINISHED = (Status.DONE, Status.FAILED)

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="employee_imports",
    )
    file_name = models.CharField(max_length=255)
    csv_text = models.TextField("CSV text")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    rows_checked = models.PositiveIntegerField(default=0)
    # [{"line": 3, "message": "..."}]; line 0 is a problem with the file as a whole.
    errors = models.JSONField(default=list, blank=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    # Changes the import asked for but may not make alone (F12): a new sign-in address waits
    # for its owner's confirmation, a re-enabled account for a second HR admin's approval.
    addresses_pending = models.PositiveIntegerField(default=0)
    reactivations_pending = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"employee import #{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED


class AddressChange(models.Model):
    """A new sign-in address asked for by someone other than its owner (F12), or by the owner
    through the admin: the HRIS import, the admin's user or employee form.

    The account keeps signing in, and receiving password resets, at its confirmed address
    (`User.email`) until the person opens the link sent to the new address while signed in
    with the old one: only then does `User.email` change. The old address is told at once.
    At most one change per account is pending; a newer request supersedes it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the person's confirmation"
        CONFIRMED = "confirmed", "Confirmed by the person"
        CANCELLED = "cancelled", "Cancelled by the person"
        SUPERSEDED = "superseded", "Replaced by a newer request"

    class Source(models.TextChoices):
        IMPORT = "import", "HRIS import"
        ADMIN = "admin", "Administration"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="address_changes"
    )
    old_email = models.EmailField("confirmed address when asked")
    new_email = models.EmailField("new address")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for the import run from the command line.",
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status="pending"),
                name="one_pending_address_change_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"address change #{self.pk}"


class ReactivationRequest(models.Model):
    """Re-enabling a deactivated account (F12): one HR admin (or the HRIS import run by one)
    asks, a different one approves; only the approval sets `is_active` again.

    A request from the import run on the command line has no requester: an HR admin must ask
    first, and a second one approve. At most one request per account is pending.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a second HR admin"
        APPROVED = "approved", "Approved: the account is active"
        WITHDRAWN = "withdrawn", "Withdrawn"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reactivation_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    from_import = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "re-enable request"
        permissions = [("approve_reactivationrequest", "Can approve re-enabling an account")]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status="pending"),
                name="one_pending_reactivation_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"re-enable request #{self.pk}"


class PasswordResetRequest(models.Model):
    """One "Forgot your password?" form sent, waiting for a worker.

    The page writes this row, and only this row, whatever address was typed: whether an
    account has that address is looked up by the worker (`people.accounts`), so the answer
    takes the same work for an address that exists and one that does not. The row is deleted
    once looked up; the e-mail, if any, goes through the due-message table.
    """

    email = models.CharField(max_length=254)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"password reset request #{self.pk}"
