"""Who an account is (F12), service by service: sign-in address changes, passwords, the
password-reset lookup, re-enabling, flags and groups, and the access events they leave.

The insiders' replays through the browser are in tests/firewall/test_insiders_identity.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from firewall.models import AccessEvent
from notifications.messaging import kinds
from notifications.models import Message, Notification
from people import accounts
from people.models import AddressChange, Employee, PasswordResetRequest, ReactivationRequest, User
from people.roles import HR_ADMINS, TALENT_TEAM
from people.services import (
    LABELS,
    account_access_set,
    account_address_change_cancel,
    account_address_change_confirm,
    account_address_change_request,
    account_deactivate,
    account_flags_set,
    account_password_set,
    account_reactivation_approve,
    account_reactivation_ask,
    address_change_for_token,
    address_change_token,
    employee_import_csv,
    password_reset_lookup,
    password_resets_lookup_overdue,
    user_add_to_role,
)
from tests.factories import EmployeeFactory, UserFactory

NEW = "helena.new@example.test"
ADMIN = AddressChange.Source.ADMIN


def events(user, **filters):
    return AccessEvent.objects.filter(
        action=AccessEvent.Action.IDENTITY, concerns=user, **filters
    ).order_by("pk")


def keys(user) -> list[str]:
    return sorted(Message.objects.filter(recipient=user).values_list("key", flat=True))


@pytest.fixture
def second_hr_admin(db):
    user = EmployeeFactory(first_name="Priya", last_name="Shah").user
    user_add_to_role(user=user, role=HR_ADMINS)
    return user


def _csv(employee: Employee, *, email: str | None = None, active: bool = True) -> str:
    return (
        "employee_number,first_name,last_name,email,title,department,level,manager_number,"
        "location,active\n"
        f"{employee.number},{employee.first_name},{employee.last_name},"
        f"{email or employee.email},Analyst,Risk,5,,London,{'yes' if active else 'no'}\n"
    )


# --- Sign-in address ------------------------------------------------------------------------


def test_address_change_is_only_asked_for_and_told_to_both_addresses(mentor, hr_admin, deliver):
    old = mentor.email

    change = account_address_change_request(user=mentor, by=hr_admin, new_email=NEW, source=ADMIN)

    mentor.refresh_from_db()
    assert mentor.email == old
    assert (change.old_email, change.new_email, change.status) == (old, NEW, "pending")
    deliver()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([old, NEW])
    # The confirmation is a credential: the mailbox only, never the in-app inbox.
    assert list(Notification.objects.filter(recipient=mentor).values_list("url", flat=True)) == [
        "/account/address/"
    ]
    [event] = events(mentor)
    assert (event.actor, event.detail, event.object_type, event.object_id) == (
        hr_admin,
        "sign-in address",
        "account",
        mentor.pk,
    )


def test_asking_again_for_the_same_address_changes_nothing(mentor, hr_admin):
    first = account_address_change_request(user=mentor, by=hr_admin, new_email=NEW, source=ADMIN)
    again = account_address_change_request(
        user=mentor, by=hr_admin, new_email=NEW.upper(), source=ADMIN
    )

    assert again == first
    assert AddressChange.objects.count() == 1
    assert len(keys(mentor)) == 2
    assert events(mentor).count() == 1


def test_a_newer_address_replaces_the_request_and_its_link(mentor, hr_admin):
    first = account_address_change_request(user=mentor, by=hr_admin, new_email=NEW, source=ADMIN)
    token = address_change_token(change=first)

    second = account_address_change_request(
        user=mentor, by=hr_admin, new_email="other@example.test", source=ADMIN
    )

    first.refresh_from_db()
    assert first.status == AddressChange.Status.SUPERSEDED
    assert second.status == AddressChange.Status.PENDING
    with pytest.raises(AddressChange.DoesNotExist):
        address_change_for_token(user=mentor, token=token)


def test_asking_for_the_confirmed_address_withdraws_the_request(mentor, hr_admin):
    account_address_change_request(user=mentor, by=hr_admin, new_email=NEW, source=ADMIN)

    result = account_address_change_request(
        user=mentor, by=hr_admin, new_email=mentor.email.upper(), source=ADMIN
    )

    assert result is None
    assert AddressChange.objects.get().status == AddressChange.Status.SUPERSEDED
    assert list(events(mentor).values_list("detail", flat=True)) == [
        "sign-in address",
        "sign-in address change withdrawn",
    ]


@pytest.mark.parametrize("held_as", ["email", "username", "directory"])
def test_an_address_held_by_another_account_in_any_case_is_refused(mentor, hr_admin, held_as):
    taken = "Taken.Address@Example.test"
    if held_as == "directory":
        EmployeeFactory(email=taken.lower(), user=UserFactory(email="x@example.test"))
    elif held_as == "username":
        UserFactory(username=taken, email="y@example.test")
    else:
        UserFactory(email=taken)

    with pytest.raises(ValidationError):
        account_address_change_request(
            user=mentor, by=hr_admin, new_email=taken.upper(), source=ADMIN
        )
    assert not AddressChange.objects.exists()


def test_confirming_needs_the_persons_own_valid_link(mentor, outsider, hr_admin, monkeypatch):
    change = account_address_change_request(user=mentor, by=hr_admin, new_email=NEW, source=ADMIN)
    token = address_change_token(change=change)

    for bad in ("", "not-a-token", token[:-2] + "xx"):
        with pytest.raises(AddressChange.DoesNotExist):
            account_address_change_confirm(user=mentor, token=bad)
    with pytest.raises(AddressChange.DoesNotExist):
        account_address_change_confirm(user=outsider, token=token)  # someone else's change
    monkeypatch.setattr(accounts, "ADDRESS_TOKEN_MAX_AGE", timedelta(seconds=-1))
    with pytest.raises(AddressChange.DoesNotExist):
        account_address_change_confirm(user=mentor, token=token)  # expired
    mentor.refresh_from_db()
    assert mentor.email != NEW


def test_confirming_moves_address_username_and_directory_and_is_logged(mentor, hr_admin):
    old = mentor.email
    change = account_address_change_request(user=mentor, by=hr_admin, new_email=NEW, source=ADMIN)

    account_address_change_confirm(user=mentor, token=address_change_token(change=change))

    mentor.refresh_from_db()
    assert (mentor.email, mentor.username) == (NEW, NEW)
    assert Employee.objects.get(user=mentor).email == NEW
    assert not User.objects.filter(email__iexact=old).exists()
    last = events(mentor).last()
    assert (last.actor, last.detail) == (mentor, "sign-in address confirmed")
    # The person is told (at the new address, now the confirmed one).
    assert Message.objects.filter(recipient=mentor, kind="account_changed").exists()


def test_confirming_is_refused_when_the_address_was_taken_since(mentor, hr_admin):
    change = account_address_change_request(user=mentor, by=hr_admin, new_email=NEW, source=ADMIN)
    UserFactory(email=NEW)

    with pytest.raises(ValidationError):
        account_address_change_confirm(user=mentor, token=address_change_token(change=change))
    assert User.objects.get(pk=mentor.pk).email != NEW


def test_the_notice_goes_to_the_previous_address_even_once_confirmed(mentor, hr_admin, deliver):
    old = mentor.email
    change = account_address_change_request(user=mentor, by=hr_admin, new_email=NEW, source=ADMIN)
    account_address_change_confirm(user=mentor, token=address_change_token(change=change))

    deliver()

    notices = [m for m in mail.outbox if "new sign-in address was asked" in m.subject]
    assert [m.to for m in notices] == [[old]]
    # The confirmation link is no longer sent: the change is decided.
    assert not [m for m in mail.outbox if m.to == [NEW] and "Confirm" in m.subject]


def test_the_person_cancels_a_pending_change(mentor, hr_admin):
    account_address_change_request(user=mentor, by=hr_admin, new_email=NEW, source=ADMIN)

    assert account_address_change_cancel(user=mentor) is True
    assert account_address_change_cancel(user=mentor) is False

    assert AddressChange.objects.get().status == AddressChange.Status.CANCELLED
    assert events(mentor).last().actor == mentor


# --- Passwords ------------------------------------------------------------------------------


def test_nobody_sets_another_persons_password(mentor, superuser):
    before = User.objects.get(pk=mentor.pk).password

    with pytest.raises(PermissionDenied):
        account_password_set(user=mentor, by=superuser, password="a-new-and-longer-passphrase")

    assert User.objects.get(pk=mentor.pk).password == before
    assert not events(mentor).exists()


def test_the_persons_own_password_change_is_logged_and_told(mentor):
    account_password_set(user=mentor, by=mentor, password="a-new-and-longer-passphrase")

    assert mentor.check_password("a-new-and-longer-passphrase")
    [event] = events(mentor)
    assert (event.actor, event.detail) == (mentor, "password")
    assert Message.objects.filter(recipient=mentor, kind="account_changed").exists()


def _ask(email: str) -> int:
    asked = PasswordResetRequest.objects.create(email=email)
    return password_reset_lookup(request_id=asked.pk)


def test_reset_lookup_reaches_the_confirmed_address_only(mentor, hr_admin, deliver):
    account_address_change_request(user=mentor, by=hr_admin, new_email=NEW, source=ADMIN)

    assert _ask(NEW) == 0
    assert _ask(mentor.email.upper()) == 1
    assert not PasswordResetRequest.objects.exists()  # looked up, then gone
    mail.outbox.clear()
    deliver()
    resets = [m for m in mail.outbox if "password" in m.subject.lower()]
    assert [m.to for m in resets] == [[mentor.email]]
    assert not Notification.objects.filter(url__contains="/password/reset/").exists()


def test_reset_lookup_skips_inactive_accounts_and_reaches_ones_without_a_password(db):
    inactive = EmployeeFactory(is_active=False).user
    imported = EmployeeFactory().user
    imported.set_unusable_password()
    imported.save()

    assert _ask(inactive.email) == 0
    assert _ask(imported.email) == 1


def test_reset_lookup_runs_once_and_the_sweep_catches_lost_tasks(mentor):
    asked = PasswordResetRequest.objects.create(email=mentor.email)
    PasswordResetRequest.objects.filter(pk=asked.pk).update(
        created_at=timezone.now() - timedelta(minutes=5)
    )
    fresh = PasswordResetRequest.objects.create(email=mentor.email)

    assert password_resets_lookup_overdue() == 1
    assert password_reset_lookup(request_id=asked.pk) == 0  # a redelivered task: nothing
    assert list(PasswordResetRequest.objects.values_list("pk", flat=True)) == [fresh.pk]


# --- Active flag: off at once, on again by two HR admins -----------------------------------------


def test_deactivating_is_immediate_and_logged(mentor, hr_admin):
    assert account_deactivate(user=mentor, by=hr_admin) is True
    assert account_deactivate(user=mentor, by=hr_admin) is False

    assert not User.objects.get(pk=mentor.pk).is_active
    assert not Employee.objects.get(user=mentor).is_active
    assert list(events(mentor).values_list("detail", "actor")) == [("active flag", hr_admin.pk)]


def test_reenabling_needs_a_second_hr_admin(mentor, hr_admin, second_hr_admin):
    account_deactivate(user=mentor, by=hr_admin)
    asked = account_reactivation_ask(user=mentor, by=hr_admin)
    assert account_reactivation_ask(user=mentor, by=second_hr_admin) == asked  # one request

    with pytest.raises(ValidationError) as refused:
        account_reactivation_approve(request_id=asked.pk, by=hr_admin)
    assert refused.value.code == "same_admin"
    assert not User.objects.get(pk=mentor.pk).is_active

    account_reactivation_approve(request_id=asked.pk, by=second_hr_admin)

    assert User.objects.get(pk=mentor.pk).is_active
    assert Employee.objects.get(user=mentor).is_active
    asked.refresh_from_db()
    assert (asked.status, asked.approved_by) == ("approved", second_hr_admin)
    assert Message.objects.filter(recipient=mentor, kind="account_changed").exists()
    with pytest.raises(ValidationError):
        account_reactivation_approve(request_id=asked.pk, by=second_hr_admin)


def test_only_hr_admins_ask_and_approve(mentor, hr_admin, outsider):
    account_deactivate(user=mentor, by=hr_admin)
    with pytest.raises(PermissionDenied):
        account_reactivation_ask(user=mentor, by=outsider)
    asked = account_reactivation_ask(user=mentor, by=hr_admin)
    with pytest.raises(PermissionDenied):
        account_reactivation_approve(request_id=asked.pk, by=outsider)
    assert not User.objects.get(pk=mentor.pk).is_active


def test_an_active_account_needs_no_request(mentor, hr_admin):
    assert account_reactivation_ask(user=mentor, by=hr_admin) is None
    assert not ReactivationRequest.objects.exists()


def test_the_import_asks_and_reports_but_never_reenables(mentor, hr_admin, second_hr_admin):
    employee = mentor.employee
    employee_import_csv(file=_csv(employee, active=False), by=hr_admin)

    result = employee_import_csv(file=_csv(employee, active=True), by=hr_admin)
    again = employee_import_csv(file=_csv(employee, active=True), by=hr_admin)

    assert result.reactivations_pending == again.reactivations_pending == 1
    assert "1 account(s) to re-enable wait for a second HR admin's approval" in result.summary()
    assert not User.objects.get(pk=mentor.pk).is_active
    assert not Employee.objects.get(pk=employee.pk).is_active
    asked = ReactivationRequest.objects.get()
    assert (asked.requested_by, asked.from_import) == (hr_admin, True)
    account_reactivation_approve(request_id=asked.pk, by=second_hr_admin)
    assert User.objects.get(pk=mentor.pk).is_active


def test_the_import_command_reports_what_waits(mentor, tmp_path):
    employee = mentor.employee
    path = tmp_path / "hris.csv"
    path.write_text(_csv(employee, active=False))
    call_command("import_employees", str(path))
    path.write_text(_csv(employee, email=NEW, active=True))
    out = []

    class Out:
        def write(self, text, *args, **kwargs):
            out.append(text)

        def flush(self):
            pass

    call_command("import_employees", str(path), stdout=Out())

    printed = "".join(out)
    assert "1 new sign-in address(es) wait for their owner's confirmation" in printed
    assert "1 account(s) to re-enable wait for a second HR admin's approval" in printed
    assert ReactivationRequest.objects.get().requested_by is None  # nobody has asked yet


def test_the_import_keeps_an_address_that_still_signs_someone_in(mentor, outsider):
    """Swapping two addresses in one file: the first person still signs in with theirs until
    they confirm their new one, so nobody else may take it meanwhile."""
    a, b = mentor.employee, outsider.employee
    employee_import_csv(file=_csv(a, email=NEW))  # a's account keeps its old address for now

    result = employee_import_csv(file=_csv(b, email=mentor.email))

    assert not result.ok
    assert "is used by another account" in result.errors[0].message


# --- Flags, groups and permissions ------------------------------------------------------------


def test_flags_are_logged_one_by_one_and_only_superusers_make_superusers(
    mentor, hr_admin, superuser
):
    with pytest.raises(PermissionDenied):
        account_flags_set(user=mentor, by=hr_admin, is_staff=False, is_superuser=True)

    changed = account_flags_set(user=mentor, by=superuser, is_staff=True, is_superuser=True)

    assert changed == ["staff flag", "superuser flag"]
    assert list(events(mentor).values_list("detail", "actor")) == [
        ("staff flag", superuser.pk),
        ("superuser flag", superuser.pk),
    ]
    assert account_flags_set(user=mentor, by=superuser, is_staff=True, is_superuser=True) == []


def test_groups_and_permissions_are_logged(mentor, superuser):
    group = Group.objects.get(name=TALENT_TEAM)
    permission = Permission.objects.get(codename="add_program")

    changed = account_access_set(
        user=mentor, by=superuser, groups=[group], permissions=[permission]
    )

    assert changed == ["groups", "permissions"]
    assert list(mentor.groups.all()) == [group]
    assert list(events(mentor).values_list("detail", flat=True)) == ["groups", "permissions"]
    assert (
        account_access_set(user=mentor, by=superuser, groups=[group], permissions=[permission])
        == []
    )


# --- What the log and the messages hold ---------------------------------------------------------


def test_identity_events_hold_fixed_labels_and_the_kinds_are_required(mentor, hr_admin):
    account_address_change_request(user=mentor, by=hr_admin, new_email=NEW, source=ADMIN)
    account_deactivate(user=mentor, by=hr_admin)

    for event in AccessEvent.objects.filter(action=AccessEvent.Action.IDENTITY):
        assert event.detail in LABELS
        assert NEW not in str(event.__dict__.values())
    identity_kinds = {"password_reset", "address_change_notice", "address_change_confirm"}
    identity_kinds.add("account_changed")
    assert all(not k.optional for k in kinds() if k.name in identity_kinds)
    assert identity_kinds <= {k.name for k in kinds()}
