"""Talent reviews: the side of the company the firewall protects against (F2, F3).

Nothing here links to mentoring. A panel member's seat is a guardian object permission on
the review (`sit_on_panel`), granted and revoked with the seat.
"""

from django.conf import settings
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


class TalentReview(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_SESSION = "in_session", "In session"
        CONCLUDED = "concluded", "Concluded"

    class Rating(models.TextChoices):
        EXCEPTIONAL = "exceptional", "Exceptional"
        STRONG = "strong", "Strong"
        SOLID = "solid", "Solid"
        DEVELOPING = "developing", "Developing"
        TOO_EARLY = "too_early", "Too early to say"

    TRANSITIONS: dict[str, str] = {
        Status.PLANNED: Status.IN_SESSION,
        Status.IN_SESSION: Status.CONCLUDED,
    }
    OPEN = (Status.PLANNED, Status.IN_SESSION)

    subject = models.ForeignKey(
        "people.Employee", on_delete=models.PROTECT, related_name="talent_reviews"
    )
    cycle = models.CharField(max_length=100, help_text='For example "2027 mid-year".')
    scheduled_on = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNED)
    rating = models.CharField(max_length=12, choices=Rating.choices, blank=True)
    summary = models.TextField(blank=True, help_text="Seen by the panel and the Talent team.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-scheduled_on", "-pk"]
        permissions = [("sit_on_panel", "Sits on the review's panel")]
        indexes = [models.Index(fields=["subject", "status"])]

    def __str__(self) -> str:
        return f"talent review #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class TalentReviewUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(TalentReview, on_delete=models.CASCADE)


class TalentReviewGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(TalentReview, on_delete=models.CASCADE)


class PanelSeat(models.Model):
    review = models.ForeignKey(TalentReview, on_delete=models.CASCADE, related_name="seats")
    member = models.ForeignKey("people.Employee", on_delete=models.PROTECT, related_name="+")
    seated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "member"], name="one_seat_per_member")
        ]

    def __str__(self) -> str:
        return f"panel seat #{self.pk}"


class Recusal(models.Model):
    """Someone kept off this review's panel: listed as "recused: conflict of interest",
    never with the reason."""

    review = models.ForeignKey(TalentReview, on_delete=models.CASCADE, related_name="recusals")
    person = models.ForeignKey("people.Employee", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "person"], name="one_recusal_per_person")
        ]

    def __str__(self) -> str:
        return f"recusal #{self.pk}"
