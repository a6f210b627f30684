"""The messages of the pair's agreement: sign it, and a reminder three days later.

They say that there is an agreement to sign, never what it says (F9): the terms and the
sharing rules are read on the agreement's page, behind sign-in.
"""

from django.urls import reverse

from confidentiality.models import Agreement, Signature
from notifications.messaging import Rendered, register
from notifications.models import Message


def _unsigned(message: Message) -> Agreement | None:
    """The agreement, if the message's version is still current and unsigned by its
    recipient, and the pairing is still live; else None."""
    agreement = (
        Agreement.objects.select_related("pairing__program", "pairing__mentor", "pairing__mentoree")
        .filter(pk=message.object_id)
        .first()
    )
    if agreement is None or not message.key.endswith(f":v{agreement.version}"):
        return None
    pairing = agreement.pairing
    if message.recipient_id not in (pairing.mentor.user_id, pairing.mentoree.user_id):
        return None
    if pairing.status == "ended":
        return None
    if Signature.objects.filter(
        agreement=agreement, version=agreement.version, signer_id=message.recipient_id
    ).exists():
        return None
    return agreement


def _rendered(agreement: Agreement, recipient_id: int, subject: str) -> Rendered:
    pairing = agreement.pairing
    other = pairing.mentoree if pairing.mentor.user_id == recipient_id else pairing.mentor
    return Rendered(
        subject=subject,
        url=reverse("confidentiality:agreement", args=[pairing.pk]),
        context={
            "program": pairing.program.name,
            "other": other.full_name,
            "version": agreement.version,
        },
        action="Read and sign the agreement",
    )


@register(
    "agreement_to_sign",
    label="Your pair's agreement to sign",
    optional=False,
    audience="pair_member",  # declared by pairings.messages
)
def agreement_to_sign(message: Message) -> Rendered | None:
    agreement = _unsigned(message)
    if agreement is None:
        return None
    return _rendered(
        agreement,
        message.recipient_id,
        f"{agreement.pairing.program.name}: your pair's agreement is ready; "
        "please read and sign it",
    )


@register(
    "agreement_reminder",
    label="Reminder when the pair's agreement is still unsigned after 3 days",
    optional=True,
    audience="pair_member",
)
def agreement_reminder(message: Message) -> Rendered | None:
    agreement = _unsigned(message)
    if agreement is None:
        return None
    return _rendered(
        agreement,
        message.recipient_id,
        f"Reminder: {agreement.pairing.program.name}: "
        "your pair's agreement still needs your signature",
    )
