"""F12 Nobody becomes somebody else: the insiders' replays, through HTTP.

The report this answers: an HR admin changed a mentor's sign-in address with the HRIS import,
asked "Forgot your password?" for the new address, set a password and read her private notes;
a superuser did it in one step with the admin's "set password" page; and the reset page
answered about 10 ms later for an address that exists. Each hole is replayed here the way the
HR admin or the superuser would, with the Django test client:

- the import (admin upload) changing the mentor's address, then "forgot password" for the new
  one: nothing goes to it, the reset goes to her confirmed address, the new address signs
  nobody in, and the confirmation link is useless to anyone but her, signed in;
- the admin's "set password" page for another account: a 404 for HR and superusers, nothing
  changes; the user form re-posted with every field (password hash, username, flags, groups,
  address): no password or address changes, every change that does happen is logged;
- re-enabling a deactivated account: two different HR admins, the import included;
- every identity change leaves an access event naming who made it and whom it concerns;
- the reset page does the same work for an address that exists and one that does not.
"""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from firewall.models import AccessEvent
from notifications.models import Message, Notification
from people.models import AddressChange, Employee, ReactivationRequest, User
from people.roles import HR_ADMINS
from people.services import employee_import_csv, user_add_to_role
from tests.factories import EmployeeFactory

ATTACKER_MAILBOX = "tom.becker.private@attacker.example"
HEADER = (
    "employee_number,first_name,last_name,email,title,department,level,manager_number,"
    "location,active"
)
LINK = re.compile(re.escape(settings.SITE_URL) + r"(/\S+/)")


# --- Helpers ---------------------------------------------------------------------------------


def csv_for(*employees: Employee, email: dict | None = None, active: dict | None = None) -> str:
    """The HRIS file of these people as they are, but for the addresses and active flags
    given (keyed by employee)."""
    email, active = email or {}, active or {}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER.split(","))
    for e in employees:
        is_active = active.get(e, e.is_active)
        writer.writerow(
            [
                e.number,
                e.first_name,
                e.last_name,
                email.get(e, e.email),
                e.title,
                e.department,
                str(e.level),
                "",
                e.location,
                "yes" if is_active else "no",
            ]
        )
    return out.getvalue()


@pytest.fixture
def run_commit(django_capture_on_commit_callbacks):
    """Run a request and whatever its commit hands to the workers (tasks, then the message
    deliveries they schedule), as production does after the response."""

    def run(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return run


def upload(client: Client, text: str, run_commit):
    """The HR admin's upload in the admin, and the import task it starts."""
    file = SimpleUploadedFile("hris.csv", text.encode(), content_type="text/csv")
    response = run_commit(client.post, reverse("admin:people_employee_import"), {"file": file})
    assert response.status_code == 302, response.content[:500]
    return response


def forgot_password(email: str, run_commit):
    return run_commit(Client().post, reverse("password_reset"), {"email": email})


def sign_in(email: str, password: str) -> Client | None:
    client = Client()
    response = client.post(reverse("login"), {"username": email, "password": password})
    return client if response.status_code == 302 and "_auth_user_id" in client.session else None


def mails_to(address: str) -> list:
    return [m for m in mail.outbox if address in m.to]


def link_in(message) -> str:
    return LINK.search(message.body).group(1)


def identity_events(**filters):
    return AccessEvent.objects.filter(action=AccessEvent.Action.IDENTITY, **filters)


class _FormFields(HTMLParser):
    """The fields a browser would post from a form: inputs, checked boxes, selected options,
    textareas."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.data = form_id, False, {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            default = "on" if a.get("type") in ("checkbox", "radio") else ""
            self.data.setdefault(name, []).append(a.get("value", default))
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.data.setdefault(self._select, []).append(a.get("value", ""))
        elif tag == "textarea":
            self._textarea = name
            self.data.setdefault(name, []).append("")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data


def form_data(response, form_id: str = "user_form") -> dict[str, list[str]]:
    assert response.status_code == 200
    parser = _FormFields(form_id)
    parser.feed(response.content.decode())
    return {k: v for k, v in parser.data.items() if k != "csrfmiddlewaretoken"}


@pytest.fixture
def second_hr_admin(db):
    user = EmployeeFactory(
        first_name="Priya", last_name="Shah", title="HR Business Partner", department="People"
    ).user
    user_add_to_role(user=user, role=HR_ADMINS)
    return user


# --- The import changes a mentor's address, then "forgot password" ----------------------------


def test_f12_import_then_forgot_password_reaches_only_the_confirmed_address(
    hr_admin, mentor, password, private_note, signed_in_client, run_commit
):
    """The reported attack, step by step: the HR admin uploads a file giving the mentor his
    own mailbox, then asks for a password reset for it."""
    hr = signed_in_client(hr_admin)
    confirmed = mentor.email
    upload(hr, csv_for(mentor.employee, email={mentor.employee: ATTACKER_MAILBOX}), run_commit)

    mentor.refresh_from_db()
    assert mentor.email == confirmed  # the account still signs in with her address
    assert Employee.objects.get(user=mentor).email == ATTACKER_MAILBOX  # the directory moved
    change = AddressChange.objects.get(user=mentor, status=AddressChange.Status.PENDING)
    assert (change.new_email, change.requested_by) == (ATTACKER_MAILBOX, hr_admin)
    # (a) Her confirmed address is told; the new one only gets a link that needs her session.
    [notice] = mails_to(confirmed)
    assert "new sign-in address was asked" in notice.subject
    assert "/account/address/" in notice.body
    [confirm] = mails_to(ATTACKER_MAILBOX)
    for personal in (mentor.first_name, mentor.last_name, confirmed):
        assert personal not in confirm.subject + confirm.body
    assert not Notification.objects.filter(recipient=mentor, url__contains="/confirm/").exists()
    mail.outbox.clear()

    # "Forgot your password?" for the new address: nothing is sent anywhere.
    response = forgot_password(ATTACKER_MAILBOX, run_commit)
    assert response.status_code == 302
    assert mail.outbox == []
    # For her confirmed address: the link goes there, and only there.
    forgot_password(confirmed.upper(), run_commit)
    [reset] = mail.outbox
    assert reset.to == [confirmed]
    assert "/account/password/reset/" in link_in(reset)

    # The new address signs nobody in, with any password.
    assert sign_in(ATTACKER_MAILBOX, password) is None
    assert sign_in(ATTACKER_MAILBOX, "") is None
    # The confirmation link is nothing to the HR admin, signed in as himself, nor signed out.
    confirm_url = link_in(confirm)
    assert hr.get(confirm_url).status_code == 404
    assert hr.post(confirm_url).status_code == 404
    signed_out = Client().get(confirm_url)
    assert signed_out.status_code == 302
    assert signed_out.url.startswith(reverse("login"))
    mentor.refresh_from_db()
    assert mentor.email == confirmed
    # And the note stays where it was: no session as the mentor came out of any of this.
    assert hr.get(reverse("confidentiality:note", args=[private_note.pk])).status_code == 404


def test_f12_the_person_confirms_the_new_address_signed_in_and_only_then_uses_it(
    mentor, password, run_commit
):
    confirmed, new = mentor.email, "helena.marsh@newco.example"
    run_commit(employee_import_csv, file=csv_for(mentor.employee, email={mentor.employee: new}))
    [confirm] = mails_to(new)
    url = link_in(confirm)

    client = sign_in(confirmed, password)
    assert client is not None
    page = client.get(url)
    assert page.status_code == 200
    assert new in page.content.decode()
    assert client.post(url).status_code == 302

    mentor.refresh_from_db()
    assert (mentor.email, mentor.username) == (new, new)
    assert sign_in(new, password) is not None
    assert sign_in(confirmed, password) is None
    assert client.post(url).status_code == 404  # used once
    mail.outbox.clear()
    forgot_password(new, run_commit)
    assert [m.to for m in mail.outbox] == [[new]]
    confirmed_event = identity_events(concerns=mentor, detail="sign-in address confirmed").get()
    assert confirmed_event.actor == mentor


def test_f12_the_person_cancels_an_address_change_they_did_not_ask_for(
    hr_admin, mentor, password, signed_in_client, run_commit
):
    upload(
        signed_in_client(hr_admin),
        csv_for(mentor.employee, email={mentor.employee: ATTACKER_MAILBOX}),
        run_commit,
    )
    url = link_in(mails_to(ATTACKER_MAILBOX)[0])
    client = sign_in(mentor.email, password)
    page = client.get(reverse("account_address"))
    assert ATTACKER_MAILBOX in page.content.decode()

    assert client.post(reverse("account_address")).status_code == 302

    assert AddressChange.objects.get(user=mentor).status == AddressChange.Status.CANCELLED
    assert client.get(url).status_code == 404  # the link died with it


def test_f12_reset_link_followed_to_the_end_goes_to_the_confirmed_address_only(
    hr_admin, mentor, password, signed_in_client, run_commit
):
    """Even with a change pending, the whole reset happens at the confirmed address."""
    upload(
        signed_in_client(hr_admin),
        csv_for(mentor.employee, email={mentor.employee: ATTACKER_MAILBOX}),
        run_commit,
    )
    mail.outbox.clear()

    forgot_password(mentor.email, run_commit)
    [reset] = mail.outbox
    assert reset.to == [mentor.email]
    client = Client()
    form = client.get(link_in(reset), follow=True)
    assert form.status_code == 200
    new = "a-new-and-longer-passphrase"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})

    assert done.status_code == 302
    assert sign_in(mentor.email, new) is not None
    assert sign_in(ATTACKER_MAILBOX, new) is None
    assert identity_events(concerns=mentor, detail="password", actor=mentor).count() == 1
    assert not Notification.objects.filter(url__contains="/password/reset/").exists()


# --- The reset page answers the same for everyone ---------------------------------------------


def _shape(sql: str) -> str:
    """A query without its values: the same statement on the same tables."""
    return re.sub(r"\d+", "N", re.sub(r"'[^']*'", "?", sql))


def test_f12_reset_page_does_the_same_work_for_a_known_and_an_unknown_address(
    mentor, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """The page writes one request row whoever asks; the lookup is a worker's (no timing test:
    the same queries and the same answer are what make the times alike)."""
    answers = []
    for email in (mentor.email, "nobody.here@example.test", mentor.email.upper()):
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks(execute=False) as handed_over,
        ):
            response = Client().post(reverse("password_reset"), {"email": email})
        answers.append(
            (
                response.status_code,
                response.url,
                [_shape(q["sql"]) for q in queries.captured_queries],
                len(handed_over),
            )
        )
    assert answers[0] == answers[1] == answers[2]
    assert mail.outbox == []  # nothing is sent from the page itself
    assert not Message.objects.exists()
    with django_assert_num_queries(len(answers[0][2])):
        Client().post(reverse("password_reset"), {"email": "someone.else@example.test"})


# --- The admin: no "set password" for anyone ---------------------------------------------------


@pytest.mark.parametrize("who", ["superuser", "hr_admin"])
def test_f12_the_admin_has_no_set_password_page_for_another_account(
    who, request, mentor, signed_in_client
):
    client = signed_in_client(request.getfixturevalue(who))
    url = f"{reverse('admin:people_user_change', args=[mentor.pk])}".replace("change/", "password/")
    before = User.objects.get(pk=mentor.pk).password
    new = "an-admin-chosen-passphrase"

    assert client.get(url).status_code == 404
    response = client.post(url, {"password1": new, "password2": new, "usable_password": "true"})

    assert response.status_code == 404
    assert User.objects.get(pk=mentor.pk).password == before
    page = client.get(reverse("admin:people_user_change", args=[mentor.pk]))
    assert page.status_code == 200
    assert "/password/" not in page.content.decode()


def test_f12_not_even_ones_own_password_is_set_in_the_admin(superuser, signed_in_client):
    client = signed_in_client(superuser)
    url = reverse("admin:people_user_change", args=[superuser.pk]).replace("change/", "password/")
    assert client.get(url).status_code == 404
    # The admin's own "change password" is the site's page, which logs the change.
    response = client.get(reverse("admin:password_change"))
    assert response.status_code == 302
    assert response.url == reverse("password_change")


def test_f12_the_user_form_reposted_with_every_field_sets_no_password_and_no_address(
    superuser, mentor, signed_in_client
):
    """The superuser re-posts the account form with everything a hostile browser can add."""
    client = signed_in_client(superuser)
    url = reverse("admin:people_user_change", args=[mentor.pk])
    before = User.objects.get(pk=mentor.pk)
    data = form_data(client.get(url))
    data.update(
        {
            "password": ["md5$attacker$0123456789abcdef0123456789abcdef"],
            "password1": ["an-admin-chosen-passphrase"],
            "password2": ["an-admin-chosen-passphrase"],
            "usable_password": ["true"],
            "username": [ATTACKER_MAILBOX],
            "email": [ATTACKER_MAILBOX],
            "is_staff": ["on"],
            "is_superuser": ["on"],
            "groups": [str(g.pk) for g in Group.objects.all()],
            "user_permissions": [str(Permission.objects.get(codename="add_program").pk)],
            "last_login_0": ["2020-01-01"],
            "last_login_1": ["00:00:00"],
            "_save": ["Save"],
        }
    )

    response = client.post(url, data)

    assert response.status_code == 302, response.content[:2000]
    after = User.objects.get(pk=mentor.pk)
    assert after.password == before.password
    assert (after.username, after.email) == (before.username, before.email)
    assert sign_in(ATTACKER_MAILBOX, "an-admin-chosen-passphrase") is None
    assert AddressChange.objects.get(user=mentor).new_email == ATTACKER_MAILBOX
    # Whatever did change is in the access log, by the superuser, about the mentor.
    logged = set(identity_events(actor=superuser, concerns=mentor).values_list("detail", flat=True))
    assert "sign-in address" in logged
    assert (after.is_staff != before.is_staff) == ("staff flag" in logged)
    assert (after.is_superuser != before.is_superuser) == ("superuser flag" in logged)
    assert (set(after.groups.all()) != set(before.groups.all())) == ("groups" in logged)


def test_f12_the_add_form_sets_no_password_and_sends_the_owner_a_link(
    superuser, signed_in_client, run_commit
):
    client = signed_in_client(superuser)
    chosen = "an-admin-chosen-passphrase"
    response = run_commit(
        client.post,
        reverse("admin:people_user_add"),
        {
            "email": "new.admin@example.test",
            "first_name": "Nia",
            "last_name": "Okafor",
            "username": "nia",
            "password1": chosen,
            "password2": chosen,
            "usable_password": "true",
            "_save": "Save",
        },
    )

    assert response.status_code == 302, response.content[:2000]
    made = User.objects.get(email="new.admin@example.test")
    assert made.username == "new.admin@example.test"
    assert not made.has_usable_password()
    assert sign_in("new.admin@example.test", chosen) is None
    [link] = mail.outbox
    assert link.to == ["new.admin@example.test"]
    assert "/account/password/reset/" in link.body
    assert identity_events(actor=superuser, concerns=made, detail="account created").exists()


def test_f12_the_employee_form_only_asks_for_a_new_address(
    hr_admin, mentor, password, signed_in_client
):
    client = signed_in_client(hr_admin)
    employee = mentor.employee
    url = reverse("admin:people_employee_change", args=[employee.pk])
    other = EmployeeFactory().user
    data = form_data(client.get(url), "employee_form")
    data.update({"email": [ATTACKER_MAILBOX], "user": [str(other.pk)], "_save": ["Save"]})

    response = client.post(url, data)

    assert response.status_code == 302, response.content[:2000]
    employee.refresh_from_db()
    assert employee.user_id == mentor.pk  # an entry stays with its account
    assert employee.email == ATTACKER_MAILBOX
    assert User.objects.get(pk=mentor.pk).email == mentor.email
    assert AddressChange.objects.get(user=mentor).requested_by == hr_admin
    assert sign_in(mentor.email, password) is not None


def test_f12_hr_admin_sends_a_reset_link_only_to_the_persons_own_address(
    hr_admin, mentor, signed_in_client, run_commit
):
    client = signed_in_client(hr_admin)
    response = run_commit(
        client.post,
        reverse("admin:people_user_changelist"),
        {"action": "send_password_link", "_selected_action": [mentor.pk], "index": 0},
    )

    assert response.status_code == 302
    [link] = mail.outbox
    assert link.to == [mentor.email]
    assert identity_events(
        actor=hr_admin, concerns=mentor, detail="password reset link sent"
    ).exists()


# --- Re-enabling takes two HR admins ---------------------------------------------------------


def ask_to_reenable(client: Client, user: User):
    return client.post(
        reverse("admin:people_user_changelist"),
        {"action": "ask_reactivation", "_selected_action": [user.pk], "index": 0},
        follow=True,
    )


def approve(client: Client, asked: ReactivationRequest):
    return client.post(
        reverse("admin:people_reactivationrequest_changelist"),
        {"action": "approve", "_selected_action": [asked.pk], "index": 0},
        follow=True,
    )


def test_f12_reenabling_needs_two_different_hr_admins(
    hr_admin, second_hr_admin, mentor, password, signed_in_client, run_commit
):
    run_commit(employee_import_csv, file=csv_for(mentor.employee, active={mentor.employee: False}))
    assert sign_in(mentor.email, password) is None
    first, second = signed_in_client(hr_admin), signed_in_client(second_hr_admin)

    ask_to_reenable(first, mentor)
    asked = ReactivationRequest.objects.get(user=mentor, status="pending")
    assert asked.requested_by == hr_admin

    refused = approve(first, asked)
    assert "a different HR admin must approve" in refused.content.decode()
    assert not User.objects.get(pk=mentor.pk).is_active
    assert sign_in(mentor.email, password) is None

    mail.outbox.clear()
    run_commit(approve, second, asked)

    assert User.objects.get(pk=mentor.pk).is_active
    assert Employee.objects.get(user=mentor).is_active
    assert sign_in(mentor.email, password) is not None
    [told] = mails_to(mentor.email)
    assert "active flag" in told.subject
    assert second_hr_admin.get_full_name() in told.body
    event = identity_events(concerns=mentor, detail="active flag", actor=second_hr_admin).get()
    assert event.outcome == AccessEvent.Outcome.ALLOWED


def test_f12_the_import_does_not_silently_reenable_an_account(
    hr_admin, second_hr_admin, mentor, password, signed_in_client, run_commit
):
    hr = signed_in_client(hr_admin)
    employee = mentor.employee
    upload(hr, csv_for(employee, active={employee: False}), run_commit)
    assert not User.objects.get(pk=mentor.pk).is_active

    response = upload(hr, csv_for(employee, active={employee: True}), run_commit)

    assert not User.objects.get(pk=mentor.pk).is_active
    assert not Employee.objects.get(pk=employee.pk).is_active
    assert sign_in(mentor.email, password) is None
    page = hr.get(response.url).content.decode()
    assert "1 account to turn on again" in page
    asked = ReactivationRequest.objects.get(user=mentor, status="pending")
    assert (asked.requested_by, asked.from_import) == (hr_admin, True)
    # The uploader counts as the first HR admin: he cannot approve it too.
    approve(hr, asked)
    assert not User.objects.get(pk=mentor.pk).is_active
    approve(signed_in_client(second_hr_admin), asked)
    assert User.objects.get(pk=mentor.pk).is_active


def test_f12_the_import_from_the_command_line_needs_two_hr_admins_after_it(
    hr_admin, second_hr_admin, mentor, signed_in_client, run_commit
):
    employee = mentor.employee
    employee_import_csv(file=csv_for(employee, active={employee: False}))
    result = employee_import_csv(file=csv_for(employee, active={employee: True}))
    assert result.reactivations_pending == 1
    asked = ReactivationRequest.objects.get(user=mentor, status="pending")
    first, second = signed_in_client(hr_admin), signed_in_client(second_hr_admin)

    refused = approve(first, asked)
    assert "an HR admin must ask" in refused.content.decode()
    ask_to_reenable(first, mentor)
    approve(first, asked)
    assert not User.objects.get(pk=mentor.pk).is_active
    approve(second, asked)
    assert User.objects.get(pk=mentor.pk).is_active


def test_f12_a_superuser_ticking_active_only_asks(superuser, hr_admin, mentor, signed_in_client):
    from people.services import account_deactivate

    account_deactivate(user=mentor, by=hr_admin)
    client = signed_in_client(superuser)
    url = reverse("admin:people_user_change", args=[mentor.pk])
    data = {**form_data(client.get(url)), "is_active": ["on"], "_save": ["Save"]}

    response = client.post(url, data)

    assert response.status_code == 302
    assert not User.objects.get(pk=mentor.pk).is_active
    asked = ReactivationRequest.objects.get(user=mentor, status="pending")
    assert asked.requested_by == superuser
    # A second person (HR admin) approves.
    approve(signed_in_client(hr_admin), asked)
    assert User.objects.get(pk=mentor.pk).is_active


# --- Every identity change is in the access log ------------------------------------------------


def test_f12_every_identity_change_leaves_an_access_event_naming_actor_and_person(
    hr_admin, second_hr_admin, superuser, mentor, password, signed_in_client, run_commit
):
    hr = signed_in_client(hr_admin)
    employee = mentor.employee
    # Address asked for (the import), active flag off (the import), re-enabled (two admins).
    upload(hr, csv_for(employee, email={employee: ATTACKER_MAILBOX}), run_commit)
    employee.refresh_from_db()  # the directory holds the new address: the file says so again
    upload(hr, csv_for(employee, active={employee: False}), run_commit)
    ask_to_reenable(hr, mentor)
    approve(signed_in_client(second_hr_admin), ReactivationRequest.objects.get(user=mentor))
    # Staff flag (the superuser's form).
    su = signed_in_client(superuser)
    url = reverse("admin:people_user_change", args=[mentor.pk])
    su.post(url, {**form_data(su.get(url)), "is_staff": ["on"], "_save": ["Save"]})
    # The person's own password change.
    me = sign_in(mentor.email, password)
    new = "a-new-and-longer-passphrase"
    me.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": new, "new_password2": new},
    )

    logged = list(
        identity_events(concerns=mentor)
        .order_by("pk")
        .values_list("detail", "actor", "object_type", "object_id")
    )
    expected = [
        ("sign-in address", hr_admin.pk),
        ("active flag", hr_admin.pk),
        ("re-enabling asked", hr_admin.pk),
        ("active flag", second_hr_admin.pk),
        ("staff flag", superuser.pk),
        ("password", mentor.pk),
    ]
    assert [(d, a) for d, a, _, _ in logged] == expected
    assert {(t, i) for _, _, t, i in logged} == {("account", mentor.pk)}
    # HR admins read these in the access log, as every other access.
    page = hr.get(reverse("admin:firewall_accessevent_changelist"))
    assert page.status_code == 200
