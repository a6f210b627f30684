"""The reports' messages: the coordinators' weekly digest."""

from django.urls import reverse

from notifications.messaging import Rendered, register
from notifications.models import Message
from reports.digest import digest_figures
from reports.selectors import SMALL_GROUP


@register(
    "weekly_digest",
    label="A weekly digest of your programs' figures (coordinators)",
    optional=True,
)
def weekly_digest(message: Message) -> Rendered | None:
    figures = digest_figures(user=message.recipient)
    if not figures:
        return None
    return Rendered(
        subject="Your mentoring programs this week",
        url=reverse("programs:list"),
        context={"programs": figures, "small_group": SMALL_GROUP},
        action="Open your programs",
    )
