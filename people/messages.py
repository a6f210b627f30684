"""The messages of an account itself (F12): a password-reset link, and a new sign-in address
told to the confirmed address and confirmed from the new one.

The links in the reset and confirmation e-mails are credentials: they are rendered at
delivery from fresh rows (a token is never stored), go to the mailbox only (`in_app=False`),
and carry no name, since the new address may not be the person's.
"""

from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from notifications.messaging import EVERYONE, Rendered, audience, register
from notifications.models import Message
from people.accounts import address_change_token
from people.models import AddressChange, Employee


@audience("employee")
def in_the_directory(user) -> bool:
    """Anyone with an active directory entry: they can apply, be matched, register."""
    return Employee.objects.filter(user_id=user.pk, is_active=True).exists()


@register(
    "password_reset", label="Password reset links you ask for", optional=False, audience=EVERYONE
)
def password_reset(message: Message) -> Rendered | None:
    """To the account's confirmed address, whatever address was typed (people.accounts)."""
    user = message.recipient
    if not user.is_active:
        return None
    first = not user.has_usable_password()
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return Rendered(
        subject="Choose a password for your mentoring programs account"
        if first
        else "Reset your mentoring programs password",
        url=reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(user)]),
        context={"first": first},
        action="Choose your password" if first else "Choose a new password",
        in_app=False,
    )


def _who(change: AddressChange) -> str:
    if change.requested_by is not None:
        return change.requested_by.get_full_name() or change.requested_by.get_username()
    return "the HRIS import"


@register(
    "address_change_notice",
    label="A new sign-in address asked for you",
    optional=False,
    audience=EVERYONE,
)
def address_change_notice(message: Message) -> Rendered | None:
    """To the address the account signed in with when the change was asked for."""
    change = (
        AddressChange.objects.select_related("requested_by")
        .filter(pk=message.object_id, user_id=message.recipient_id)
        .first()
    )
    if change is None:
        return None
    return Rendered(
        subject="A new sign-in address was asked for your mentoring programs account",
        url=reverse("account_address"),
        context={"who": _who(change), "source": change.get_source_display()},
        action="See the change",
        to=change.old_email,
    )


@register(
    "address_change_confirm",
    label="Confirming a new sign-in address",
    optional=False,
    audience=EVERYONE,
)
def address_change_confirm(message: Message) -> Rendered | None:
    """To the new address, while the change is still pending: the link works only for the
    person signed in with their current address."""
    change = AddressChange.objects.filter(
        pk=message.object_id,
        user_id=message.recipient_id,
        status=AddressChange.Status.PENDING,
    ).first()
    if change is None:
        return None
    return Rendered(
        subject="Confirm your new sign-in address for mentoring programs",
        url=reverse("account_address_confirm", args=[address_change_token(change=change)]),
        action="Confirm this address",
        to=change.new_email,
        in_app=False,
    )
