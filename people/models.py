from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person who can sign in. Employees sign in with their e-mail address.

    The username of an employee's account is their e-mail address in lower case; it is kept
    in step with the directory by the HRIS import.
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


class Notification(models.Model):
    """An in-app message to one person. Carries a title and a link, never confidential text (F9)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField(max_length=200)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return f"notification #{self.pk}"
