"""The reports' messages: the coordinators' weekly digest."""

from django.urls import reverse

from notifications.messaging import Rendered, absolute, register
from notifications.models import Message
from notifications.selectors import unread_summary_of
from reports.digest import digest_figures
from reports.selectors import SMALL_GROUP


@register(
    "weekly_digest",
    label="A weekly digest of your programs' figures (coordinators)",
    optional=True,
    audience="coordinator",
)
def weekly_digest(message: Message) -> Rendered | None:
    figures = digest_figures(user=message.recipient)
    if not figures:
        return None
    waiting, other_unread = unread_summary_of(user=message.recipient)
    return Rendered(
        subject="Your mentoring programs this week",
        url=reverse("programs:list"),
        context={
            "programs": figures,
            "small_group": SMALL_GROUP,
            "waiting": [{"title": line.title, "url": absolute(line.url)} for line in waiting],
            "other_unread": other_unread,
            "inbox_url": absolute(reverse("inbox")),
        },
        action="Open your programs",
    )
