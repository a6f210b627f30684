"""The pair's written agreement and its sharing rules, notes and consented themes. (The access
log and the conflict-of-interest register are the firewall app's.)

Notes are readable only through explicit guardian object permissions (F1); their text, the
consented themes and private end reasons are encrypted at rest (F10). Nothing here puts
confidential text in `__str__` (F9), so admin history and logs stay clean.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from firewall.crypto import EncryptedTextField


class Rule(models.TextChoices):
    """What one audience outside the pair may learn. Ordered from tightest to loosest."""

    NOTHING = "nothing", "Nothing"
    ATTENDANCE = "attendance", "Attendance only (that meetings happen, their dates and durations)"
    THEMES = "themes", "Themes the mentoree consents to share, case by case"


RULE_ORDER: dict[str, int] = {Rule.NOTHING: 0, Rule.ATTENDANCE: 1, Rule.THEMES: 2}


class Audience(models.TextChoices):
    MANAGER = "manager", "The mentoree's manager"
    LEADERSHIP = "leadership", "Senior leadership"
    COORDINATOR = "coordinator", "The program coordinator"
    COMMITTEE = "committee", "The committee"


DEFAULT_RULES = {
    Audience.MANAGER: Rule.NOTHING,
    Audience.LEADERSHIP: Rule.NOTHING,
    Audience.COORDINATOR: Rule.ATTENDANCE,
    Audience.COMMITTEE: Rule.NOTHING,
}


class AgreementTemplate(models.Model):
    """Standard terms HR admins maintain. A new version is a new row, numbered by the app
    (confidentiality.services.agreement_template_create); a version an agreement was made from
    never changes. One row is the default."""

    name = models.CharField(max_length=200)
    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Numbered by the app: one above the highest version of the same name.",
    )
    terms = models.TextField(help_text="The confidentiality terms, in plain words.")
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="template_version_unique"),
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_template"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}, version {self.version}"


class Agreement(models.Model):
    """The pair's agreement: the terms as they stood when it was made, and the sharing rules.

    `version` grows with every change to the terms or the rules; signatures are per version,
    so any change asks both members to sign again.
    """

    pairing = models.OneToOneField(
        "pairings.Pairing", on_delete=models.CASCADE, related_name="agreement"
    )
    template = models.ForeignKey(
        AgreementTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    terms = models.TextField()
    version = models.PositiveIntegerField(default=1)
    manager_rule = models.CharField(max_length=12, choices=Rule.choices, default=Rule.NOTHING)
    leadership_rule = models.CharField(max_length=12, choices=Rule.choices, default=Rule.NOTHING)
    coordinator_rule = models.CharField(
        max_length=12, choices=Rule.choices, default=Rule.ATTENDANCE
    )
    committee_rule = models.CharField(max_length=12, choices=Rule.choices, default=Rule.NOTHING)
    # The rules in force outside the pair: a tightened rule applies at once; a loosened one
    # only once both members have signed the version that loosens it (F6).
    in_force_manager_rule = models.CharField(
        max_length=12, choices=Rule.choices, default=Rule.NOTHING
    )
    in_force_leadership_rule = models.CharField(
        max_length=12, choices=Rule.choices, default=Rule.NOTHING
    )
    in_force_coordinator_rule = models.CharField(
        max_length=12, choices=Rule.choices, default=Rule.ATTENDANCE
    )
    in_force_committee_rule = models.CharField(
        max_length=12, choices=Rule.choices, default=Rule.NOTHING
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"agreement #{self.pk}"

    def rule_for(self, audience: str) -> str:
        return getattr(self, f"{audience}_rule")

    def rule_in_force_for(self, audience: str) -> str:
        """What this audience may learn now: the agreed rule, or a tighter one."""
        return getattr(self, f"in_force_{audience}_rule")

    def rules(self) -> dict[str, str]:
        return {audience: self.rule_for(audience) for audience in Audience.values}

    def text_to_sign(self) -> str:
        """Exactly what a member reads before signing: terms and rules, as one text."""
        lines = [self.terms.strip(), "", "What may be shared outside the pair:"]
        for audience, label in Audience.choices:
            lines.append(f"- {label}: {Rule(self.rule_for(audience)).label}")
        return "\n".join(lines) + "\n"

    def text_hash(self) -> str:
        return hashlib.sha256(self.text_to_sign().encode()).hexdigest()


class Signature(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="signatures")
    version = models.PositiveIntegerField()
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    typed_name = models.CharField(max_length=300)
    confirmed = models.BooleanField()
    text_hash = models.CharField(max_length=64, help_text="SHA-256 of exactly the text signed.")
    signed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "version", "signer"], name="one_signature_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"signature #{self.pk}"


class ConsentedTheme(models.Model):
    """A theme the mentoree consents to pass on to one audience whose rule allows themes."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="themes")
    audience = models.CharField(max_length=12, choices=Audience.choices)
    text = EncryptedTextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"consented theme #{self.pk}"


class Note(models.Model):
    """A member's note on the pairing or on one of its meetings: private (its author only) or
    shared (both members). Readable only through object permissions; text encrypted."""

    pairing = models.ForeignKey("pairings.Pairing", on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(
        "pairings.Meeting", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    shared = models.BooleanField(default=False)
    text = EncryptedTextField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        default_permissions = ()
        permissions = [
            ("read_note", "Read the note"),
            ("manage_note", "Edit, share or delete the note"),
        ]

    def __str__(self) -> str:
        return f"note #{self.pk}"

    @property
    def changed_after_writing(self) -> bool:
        """Edited in a later minute than it was written (what the pages show as "Changed")."""
        return self.updated_at.replace(second=0, microsecond=0) != self.created_at.replace(
            second=0, microsecond=0
        )


class NoteUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Note, on_delete=models.CASCADE)


class NoteGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Note, on_delete=models.CASCADE)
