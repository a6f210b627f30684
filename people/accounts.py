"""Who an account is (F12: nobody becomes somebody else): its sign-in address, password,
active flag, staff and superuser flags, groups and permissions, and company-wide roles.

A session as somebody else needs their password or a reset link sent to an address one
reads. So: nobody sets another person's password (there is no such service); a new sign-in
address asked for by anyone is only a request, told to the confirmed address, until the
person opens the link sent to the new one while signed in with the old one; an account
turned off is turned on again only by two different HR admins. Every change is announced
through `people.signals.identity_changed`, which the access log records with who made it.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth.models import Group, Permission
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from notifications.dispatch import task_on_commit
from notifications.messaging import message_schedule
from people.models import AddressChange, Employee, PasswordResetRequest, ReactivationRequest, User
from people.roles import HR_ADMINS, ROLE_PERMISSIONS
from people.signals import identity_changed

LABEL_ADDRESS = "sign-in address"
LABEL_ADDRESS_CONFIRMED = "sign-in address confirmed"
LABEL_ADDRESS_WITHDRAWN = "sign-in address change withdrawn"
LABEL_PASSWORD = "password"  # noqa: S105 - a label, not a password
LABEL_PASSWORD_LINK = "password reset link sent"  # noqa: S105
LABEL_ACTIVE = "active flag"
LABEL_REACTIVATION_ASKED = "re-enabling asked"
LABEL_STAFF = "staff flag"
LABEL_SUPERUSER = "superuser flag"
LABEL_GROUPS = "groups"
LABEL_PERMISSIONS = "permissions"
LABEL_CREATED = "account created"
LABELS = (
    LABEL_ADDRESS,
    LABEL_ADDRESS_CONFIRMED,
    LABEL_ADDRESS_WITHDRAWN,
    LABEL_PASSWORD,
    LABEL_PASSWORD_LINK,
    LABEL_ACTIVE,
    LABEL_REACTIVATION_ASKED,
    LABEL_STAFF,
    LABEL_SUPERUSER,
    LABEL_GROUPS,
    LABEL_PERMISSIONS,
    LABEL_CREATED,
)

ADDRESS_TOKEN_SALT = "people.address-change"  # noqa: S105 - a salt, public by design
ADDRESS_TOKEN_MAX_AGE = timedelta(days=7)
APPROVE_REACTIVATION = "people.approve_reactivationrequest"
ASK_REACTIVATION = "people.add_reactivationrequest"


def identity_change_announce(
    *, user_id: int, actor: User | None, detail: str, notify: bool
) -> None:
    """Announce one change: ids and a fixed label only (people.signals)."""
    if detail not in LABELS:
        raise ValueError(f"unknown identity label {detail!r}")
    identity_changed.send(
        sender=User,
        user_id=user_id,
        actor_id=actor.pk if actor is not None else None,
        detail=detail,
        notify=notify,
    )


def address_taken(*, email: str, user: User | None = None) -> bool:
    """Whether the address is, in any letter case, another account's sign-in address or
    username, or another person's directory address."""
    accounts = User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email))
    directory = Employee.objects.filter(email__iexact=email)
    if user is not None:
        accounts = accounts.exclude(pk=user.pk)
        directory = directory.exclude(user_id=user.pk)
    return accounts.exists() or directory.exists()


def address_change_token(*, change: AddressChange) -> str:
    """The credential of the confirmation link sent to the new address: signed, not stored."""
    return signing.dumps({"c": change.pk, "e": change.new_email}, salt=ADDRESS_TOKEN_SALT)


def address_change_pending(*, user: User) -> AddressChange | None:
    return AddressChange.objects.filter(user=user, status=AddressChange.Status.PENDING).first()


@transaction.atomic
def account_address_change_request(
    *, user: User, by: User | None, new_email: str, source: str
) -> AddressChange | None:
    """Ask for a new sign-in address for `user`; it is not used until the person confirms it.

    The account keeps signing in, and receiving password resets, at its confirmed address.
    Two messages go out: a notice to the confirmed (previous) address, and the confirmation
    link to the new one, which only works for the person signed in with their old address
    (`account_address_change_confirm`). So whoever asks, the HRIS import or an admin, cannot
    send the account's password reset to a mailbox of their choice (F12).

    Asking again for the same address changes nothing; asking for another one replaces the
    request; asking for the confirmed address withdraws the request. Returns the pending
    request, or None when there is none.
    """
    new_email = new_email.strip()
    validate_email(new_email)
    user = User.objects.select_for_update().get(pk=user.pk)
    pending = address_change_pending(user=user)
    now = timezone.now()
    if new_email.casefold() == user.email.casefold():
        if pending is not None:
            pending.status, pending.decided_at = AddressChange.Status.SUPERSEDED, now
            pending.save(update_fields=["status", "decided_at"])
            identity_change_announce(
                user_id=user.pk, actor=by, detail=LABEL_ADDRESS_WITHDRAWN, notify=False
            )
        return None
    if pending is not None and pending.new_email.casefold() == new_email.casefold():
        return pending
    if address_taken(email=new_email, user=user):
        raise ValidationError(
            "This e-mail address is already used by another account.", code="address_taken"
        )
    if pending is not None:
        pending.status, pending.decided_at = AddressChange.Status.SUPERSEDED, now
        pending.save(update_fields=["status", "decided_at"])
    change = AddressChange(
        user=user, old_email=user.email, new_email=new_email, requested_by=by, source=source
    )
    change.full_clean()
    change.save()
    message_schedule(
        recipient=user,
        kind="address_change_notice",
        key=f"address-change:{change.pk}:notice",
        object_id=change.pk,
    )
    message_schedule(
        recipient=user,
        kind="address_change_confirm",
        key=f"address-change:{change.pk}:confirm",
        object_id=change.pk,
    )
    identity_change_announce(user_id=user.pk, actor=by, detail=LABEL_ADDRESS, notify=False)
    return change


def address_change_for_token(*, user: User, token: str) -> AddressChange:
    """The person's own pending change the link names; AddressChange.DoesNotExist for a
    link that is bad, expired, replaced, someone else's or already used (the view: 404)."""
    try:
        data = signing.loads(token, salt=ADDRESS_TOKEN_SALT, max_age=ADDRESS_TOKEN_MAX_AGE)
    except signing.BadSignature:
        raise AddressChange.DoesNotExist from None
    if not isinstance(data, dict) or not isinstance(data.get("c"), int):
        raise AddressChange.DoesNotExist
    change = AddressChange.objects.filter(
        pk=data["c"], user_id=user.pk, status=AddressChange.Status.PENDING
    ).first()
    if change is None or change.new_email != data.get("e"):
        raise AddressChange.DoesNotExist
    return change


@transaction.atomic
def account_address_change_confirm(*, user: User, token: str) -> AddressChange:
    """The person, signed in, opened the link sent to the new address: it becomes their
    sign-in address (and username, when that followed the address), and the old one stops.

    Both halves are needed: the signed-in session proves the person, the link proves the
    new mailbox. Raises AddressChange.DoesNotExist for any link that is not the person's
    pending change, ValidationError when the address has been taken since.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    change = address_change_for_token(user=user, token=token)
    if address_taken(email=change.new_email, user=user):
        raise ValidationError(
            "This e-mail address is now used by another account; ask HR.", code="address_taken"
        )
    old = user.email
    user.email = change.new_email
    fields = ["email"]
    if user.username.casefold() == old.casefold():
        user.username = change.new_email.lower()
        fields.append("username")
    user.save(update_fields=fields)
    # A change asked for in the admin's user form: the directory follows the account.
    Employee.objects.filter(user=user, email__iexact=old).update(email=change.new_email)
    change.status, change.decided_at = AddressChange.Status.CONFIRMED, timezone.now()
    change.save(update_fields=["status", "decided_at"])
    identity_change_announce(
        user_id=user.pk, actor=user, detail=LABEL_ADDRESS_CONFIRMED, notify=True
    )
    return change


@transaction.atomic
def account_address_change_cancel(*, user: User) -> bool:
    """The person turns down the pending change: their address stays as it is."""
    updated = AddressChange.objects.filter(user=user, status=AddressChange.Status.PENDING).update(
        status=AddressChange.Status.CANCELLED, decided_at=timezone.now()
    )
    if updated:
        identity_change_announce(
            user_id=user.pk, actor=user, detail=LABEL_ADDRESS_WITHDRAWN, notify=False
        )
    return bool(updated)


@transaction.atomic
def account_password_set(*, user: User, by: User, password: str) -> None:
    """Set a password: the person's own, never anyone else's (F12). Used by the password
    change page (signed in) and the reset link (which proves the confirmed mailbox)."""
    if by.pk != user.pk:
        raise PermissionDenied("Nobody sets another person's password.")
    user.set_password(password)
    user.save(update_fields=["password"])
    identity_change_announce(user_id=user.pk, actor=by, detail=LABEL_PASSWORD, notify=True)


def account_password_reset_ask(*, email: str) -> None:
    """The "Forgot your password?" form: write the request and hand it to a worker, no more.

    The same single insert whether or not an account has the address, so the answer's time
    and queries reveal nothing (the lookup runs in `password_reset_lookup`, in a worker).
    """
    with transaction.atomic():
        asked = PasswordResetRequest.objects.create(email=email.strip()[:254])
        task_on_commit("people.password_reset_lookup", asked.pk)


@transaction.atomic
def password_reset_lookup(*, request_id: int) -> int:
    """Look a reset request up and delete it: an active account whose confirmed address it
    is (any letter case; a pending address never counts) gets a reset message, sent to that
    confirmed address. Accounts without a usable password are included: it is how imported
    employees choose their first one. Returns how many messages were scheduled."""
    asked = PasswordResetRequest.objects.select_for_update().filter(pk=request_id).first()
    if asked is None:
        return 0
    email = asked.email
    asked.delete()
    users = [
        user
        for user in User.objects.filter(email__iexact=email, is_active=True)
        if constant_time_compare(email.casefold(), (user.email or "").casefold())
    ]
    for user in users:
        message_schedule(recipient=user, kind="password_reset", key=f"password-reset:{request_id}")
    return len(users)


def password_resets_lookup_overdue(*, older_than: timedelta = timedelta(minutes=1)) -> int:
    """The sweep's backstop for a lookup task that never ran (the broker lost it)."""
    overdue = PasswordResetRequest.objects.filter(
        created_at__lte=timezone.now() - older_than
    ).values_list("pk", flat=True)[:500]
    return sum(password_reset_lookup(request_id=pk) for pk in list(overdue))


@transaction.atomic
def account_password_link_send(*, user: User, by: User) -> bool:
    """An HR admin's only way to help with a password: a reset link sent to the person's
    confirmed address, which they alone read. False for an inactive account."""
    if not user.is_active:
        return False
    message_schedule(
        recipient=user,
        kind="password_reset",
        key=f"password-link:{by.pk}:{secrets.token_hex(8)}",
    )
    identity_change_announce(user_id=user.pk, actor=by, detail=LABEL_PASSWORD_LINK, notify=False)
    return True


@transaction.atomic
def account_create(*, user: User, by: User) -> User:
    """Make an account in the admin (an administrator outside the directory). It gets no
    usable password: the link sent to its address lets its owner choose one (F12)."""
    user.email = user.email.strip()
    user.username = user.email.lower()
    if address_taken(email=user.email):
        raise ValidationError(
            "This e-mail address is already used by another account.", code="address_taken"
        )
    user.set_unusable_password()
    user.full_clean()
    user.save()
    message_schedule(recipient=user, kind="password_reset", key=f"account-created:{user.pk}")
    identity_change_announce(user_id=user.pk, actor=by, detail=LABEL_CREATED, notify=False)
    return user


@transaction.atomic
def account_deactivate(*, user: User, by: User | None) -> bool:
    """Turn an account (and its directory entry) off at once: it signs nobody in any more,
    and its sessions end with their next request. Returns whether it was on."""
    Employee.objects.filter(user_id=user.pk).update(is_active=False)
    if not User.objects.filter(pk=user.pk, is_active=True).update(is_active=False):
        return False
    user.is_active = False
    identity_change_announce(user_id=user.pk, actor=by, detail=LABEL_ACTIVE, notify=False)
    return True


@transaction.atomic
def account_reactivation_ask(
    *, user: User, by: User | None, from_import: bool = False
) -> ReactivationRequest | None:
    """Ask to turn an inactive account on again; a different HR admin must approve.

    An account that can no longer confirm anything (it cannot sign in) must not be given
    back on one person's word: one asks, another approves (`account_reactivation_approve`).
    The import asks in the name of who uploaded the file, or of nobody from the command
    line: then an HR admin must ask before a second one can approve. Returns the pending
    request (None for an account that is already active).
    """
    if by is not None and not by.has_perm(ASK_REACTIVATION):
        if not from_import:
            raise PermissionDenied("Only HR admins ask to re-enable an account.")
        by = None
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        return None
    pending = ReactivationRequest.objects.filter(
        user=user, status=ReactivationRequest.Status.PENDING
    ).first()
    if pending is not None:
        if pending.requested_by_id is None and by is not None:
            pending.requested_by = by
            pending.save(update_fields=["requested_by"])
            identity_change_announce(
                user_id=user.pk, actor=by, detail=LABEL_REACTIVATION_ASKED, notify=False
            )
        return pending
    asked = ReactivationRequest.objects.create(user=user, requested_by=by, from_import=from_import)
    identity_change_announce(
        user_id=user.pk, actor=by, detail=LABEL_REACTIVATION_ASKED, notify=False
    )
    return asked


@transaction.atomic
def account_reactivation_approve(*, request_id: int, by: User) -> User:
    """The second HR admin's approval: the account (and its directory entry) is on again,
    and the person is told. Refused, with a reason, for the admin who asked, for a request
    nobody has asked for yet (the import's from the command line), and for one no longer
    pending."""
    if not by.has_perm(APPROVE_REACTIVATION):
        raise PermissionDenied("Only HR admins approve re-enabling an account.")
    asked = (
        ReactivationRequest.objects.select_for_update()
        .filter(pk=request_id, status=ReactivationRequest.Status.PENDING)
        .first()
    )
    if asked is None:
        raise ValidationError("This request is no longer waiting for approval.", code="decided")
    if asked.requested_by_id is None:
        raise ValidationError(
            "The HRIS import asked for this: an HR admin must ask to re-enable the account "
            "first, and a different one approve.",
            code="nobody_asked",
        )
    if asked.requested_by_id == by.pk:
        raise ValidationError(
            "You asked to re-enable this account yourself: a different HR admin must approve it.",
            code="same_admin",
        )
    user = User.objects.select_for_update().get(pk=asked.user_id)
    user.is_active = True
    user.save(update_fields=["is_active"])
    Employee.objects.filter(user=user).update(is_active=True)
    asked.status, asked.approved_by, asked.decided_at = (
        ReactivationRequest.Status.APPROVED,
        by,
        timezone.now(),
    )
    asked.save(update_fields=["status", "approved_by", "decided_at"])
    identity_change_announce(user_id=user.pk, actor=by, detail=LABEL_ACTIVE, notify=True)
    return user


@transaction.atomic
def account_flags_set(*, user: User, by: User, is_staff: bool, is_superuser: bool) -> list[str]:
    """Set the staff and superuser flags; each change is logged and told to the person.
    Only a superuser makes another one. Returns the labels of what changed."""
    if is_superuser and not by.is_superuser:
        raise PermissionDenied("Only a superuser makes another superuser.")
    user = User.objects.select_for_update().get(pk=user.pk)
    changed = []
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        changed.append(LABEL_STAFF)
    if user.is_superuser != is_superuser:
        user.is_superuser = is_superuser
        changed.append(LABEL_SUPERUSER)
    if changed:
        user.save(update_fields=["is_staff", "is_superuser"])
    for label in changed:
        identity_change_announce(user_id=user.pk, actor=by, detail=label, notify=True)
    return changed


@transaction.atomic
def account_access_set(
    *, user: User, by: User, groups: Iterable[Group], permissions: Iterable[Permission]
) -> list[str]:
    """Set the account's groups and direct permissions; each change is logged and told to
    the person. Returns the labels of what changed."""
    changed = []
    wanted_groups = {g.pk for g in groups}
    if set(user.groups.values_list("pk", flat=True)) != wanted_groups:
        user.groups.set(wanted_groups)
        changed.append(LABEL_GROUPS)
    wanted_permissions = {p.pk for p in permissions}
    if set(user.user_permissions.values_list("pk", flat=True)) != wanted_permissions:
        user.user_permissions.set(wanted_permissions)
        changed.append(LABEL_PERMISSIONS)
    for label in changed:
        identity_change_announce(user_id=user.pk, actor=by, detail=label, notify=True)
    return changed


@dataclass
class AccountUpdate:
    """What an admin's edit of an account did, for the admin's messages."""

    changed: list[str] = field(default_factory=list)
    address_change: AddressChange | None = None
    reactivation: ReactivationRequest | None = None


@transaction.atomic
def account_update(
    *,
    user: User,
    by: User,
    first_name: str,
    last_name: str,
    email: str,
    is_active: bool,
    is_staff: bool,
    is_superuser: bool,
) -> AccountUpdate:
    """The admin's account form: names are saved; everything that makes the account who it
    is goes through its own service above (a new address is only asked for, turning on
    needs a second HR admin, flags are logged). Username and password are not editable."""
    done = AccountUpdate()
    locked = User.objects.select_for_update().get(pk=user.pk)
    if (locked.first_name, locked.last_name) != (first_name, last_name):
        locked.first_name, locked.last_name = first_name, last_name
        locked.save(update_fields=["first_name", "last_name"])
    done.changed += account_flags_set(
        user=locked, by=by, is_staff=is_staff, is_superuser=is_superuser
    )
    if email.casefold() != locked.email.casefold():
        done.address_change = account_address_change_request(
            user=locked, by=by, new_email=email, source=AddressChange.Source.ADMIN
        )
    if locked.is_active and not is_active:
        account_deactivate(user=locked, by=by)
        done.changed.append(LABEL_ACTIVE)
    elif is_active and not locked.is_active:
        done.reactivation = account_reactivation_ask(user=locked, by=by)
    return done


@transaction.atomic
def user_add_to_role(*, user: User, role: str, by: User | None = None) -> None:
    """Put a user in a company-wide role. HR admins get the admin site, never superuser.
    Run from the server (a shell, the demo, an operator's command): the admin cannot change
    groups. Each change is an identity change in the access log (F12), `by` its maker."""
    if role not in ROLE_PERMISSIONS:
        raise ValueError(f"unknown role {role!r}")
    group, _ = Group.objects.get_or_create(name=role)
    if not user.groups.filter(pk=group.pk).exists():
        user.groups.add(group)
        identity_change_announce(user_id=user.pk, actor=by, detail=LABEL_GROUPS, notify=False)
    if role == HR_ADMINS and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        identity_change_announce(user_id=user.pk, actor=by, detail=LABEL_STAFF, notify=False)
