"""The messages of talent reviews: the panel invitation. It names the review cycle and links
to the review; it says nothing of mentoring (F2) and nothing of the outcome."""

from django.urls import reverse

from notifications.messaging import Rendered, audience, register
from notifications.models import Message
from reviews.models import PanelSeat


@audience("panel_member")
def sits_on_panels(user) -> bool:
    """Has been seated on a talent review panel (anyone may be; until then, nobody expects
    an invitation)."""
    return PanelSeat.objects.filter(member__user_id=user.pk).exists()


@register(
    "panel_invitation",
    label="An invitation to sit on a talent review panel",
    optional=False,
    audience="panel_member",
)
def panel_invitation(message: Message) -> Rendered | None:
    seat = PanelSeat.objects.select_related("review", "member").filter(pk=message.object_id).first()
    if seat is None or seat.member.user_id != message.recipient_id:
        return None
    return Rendered(
        subject=f"You are invited to sit on a talent review panel ({seat.review.cycle})",
        url=reverse("reviews:detail", args=[seat.review.pk]),
        context={"cycle": seat.review.cycle, "scheduled_on": seat.review.scheduled_on},
        action="Open the review",
    )
