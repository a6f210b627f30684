"""Signing in and out, lockout after repeated failures, changing and resetting a password."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from people.services import employee_import_csv

LOGIN = reverse("login")
HOME = reverse("home")


def sign_in(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def signed_in_as(client):
    return client.session.get("_auth_user_id")


def templates(response):
    return sorted({t.name for t in response.templates if t.name})


# --- Signing in ---------------------------------------------------------------------------------


@pytest.mark.parametrize("spelling", [str.lower, str.upper, str.title])
def test_person_signs_in_with_their_email_in_any_letter_case(mentor, password, spelling):
    client = Client()

    response = sign_in(client, spelling(mentor.email), password)

    assert response.status_code == 302
    assert response.url == HOME
    assert signed_in_as(client) == str(mentor.pk)
    home = client.get(HOME)
    assert home.status_code == 200
    assert mentor.employee.full_name in home.content.decode()


def test_sign_in_goes_back_to_the_page_asked_for(mentor, password):
    client = Client()
    next_url = reverse("password_change")

    response = client.post(
        f"{LOGIN}?next={next_url}",
        {"username": mentor.email, "password": password, "next": next_url},
    )

    assert response.status_code == 302
    assert response.url == next_url


def test_wrong_password_shows_an_error_and_does_not_sign_in(mentor):
    client = Client()

    response = sign_in(client, mentor.email, "not-the-password")

    assert response.status_code == 200
    assert "registration/login.html" in templates(response)
    errors = response.context["form"].non_field_errors()
    assert errors
    assert 'role="alert"' in response.content.decode()
    assert signed_in_as(client) is None


def test_account_without_a_usable_password_cannot_sign_in(db):
    employee_import_csv(
        file="employee_number,first_name,last_name,email,title,department,level,manager_number\n"
        "E1,Noah,Quinn,noah.quinn@example.com,Analyst,Operations,3,\n"
    )
    client = Client()

    response = sign_in(client, "noah.quinn@example.com", "")

    assert response.status_code == 200
    assert signed_in_as(client) is None


def test_signed_in_person_visiting_sign_in_goes_home(mentor, signed_in_client):
    response = signed_in_client(mentor).get(LOGIN)

    assert response.status_code == 302
    assert response.url == HOME


# --- Lockout ------------------------------------------------------------------------------------


def _fail_until_locked(client, username):
    """AXES_FAILURE_LIMIT wrong passwords; the responses, as (status, templates)."""
    return [
        (r.status_code, templates(r))
        for r in (
            sign_in(client, username, f"wrong-{n}") for n in range(settings.AXES_FAILURE_LIMIT)
        )
    ]


def test_failures_before_the_limit_show_the_sign_in_form_again(mentor):
    seen = _fail_until_locked(Client(), mentor.email)

    for status, names in seen[:-1]:
        assert status == 200
        assert "registration/login.html" in names


def test_after_the_failure_limit_even_the_right_password_is_refused(mentor, password):
    client = Client()
    _fail_until_locked(client, mentor.email)

    response = sign_in(client, mentor.email, password)

    assert response.status_code == 429
    assert "registration/locked_out.html" in templates(response)
    assert signed_in_as(client) is None
    assert client.get(HOME).status_code == 302


@pytest.mark.parametrize("variant", [str.upper, lambda email: f" {email} "], ids=["case", "spaces"])
def test_lockout_cannot_be_sidestepped_by_respelling_the_email(mentor, password, variant):
    """Sign-in accepts any letter case and surrounding spaces, so the lockout must too."""
    client = Client()
    _fail_until_locked(client, mentor.email)

    response = sign_in(client, variant(mentor.email), password)

    assert response.status_code == 429
    assert signed_in_as(client) is None


def test_lockout_is_per_account_and_does_not_lock_others_out(mentor, mentoree, password):
    client = Client()
    _fail_until_locked(client, mentor.email)

    response = sign_in(client, mentoree.email, password)

    assert response.status_code == 302
    assert signed_in_as(client) == str(mentoree.pk)


def test_unknown_username_gets_the_same_answers_as_a_real_one(mentor, password):
    """Failures and lockout must not reveal whether an account exists."""
    real_client, ghost_client = Client(), Client()

    real = _fail_until_locked(real_client, mentor.email)
    real_locked = sign_in(real_client, mentor.email, password)
    ghost = _fail_until_locked(ghost_client, "nobody.here@example.test")
    ghost_locked = sign_in(ghost_client, "nobody.here@example.test", password)

    assert ghost == real
    assert (ghost_locked.status_code, templates(ghost_locked)) == (
        real_locked.status_code,
        templates(real_locked),
    )
    assert real_locked.status_code == 429


# --- Signing out --------------------------------------------------------------------------------


def test_sign_out_needs_post(mentor, signed_in_client):
    client = signed_in_client(mentor)

    response = client.get(reverse("logout"))

    assert response.status_code == 405
    assert client.get(HOME).status_code == 200


def test_sign_out_ends_the_session(mentor, signed_in_client):
    client = signed_in_client(mentor)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response.url == LOGIN
    assert signed_in_as(client) is None
    home = client.get(HOME)
    assert home.status_code == 302
    assert home.url.startswith(LOGIN)


# --- Changing the password ------------------------------------------------------------------


def test_password_change_replaces_the_old_password(mentor, password, signed_in_client):
    client = signed_in_client(mentor)
    new = "a-new-and-longer-passphrase"

    response = client.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": new, "new_password2": new},
    )

    assert response.status_code == 302
    assert response.url == reverse("password_change_done")
    assert client.get(response.url).status_code == 200  # still signed in
    assert sign_in(Client(), mentor.email, password).status_code == 200
    assert sign_in(Client(), mentor.email, new).status_code == 302


def test_password_change_needs_the_current_password(mentor, password, signed_in_client):
    client = signed_in_client(mentor)
    new = "a-new-and-longer-passphrase"

    response = client.post(
        reverse("password_change"),
        {"old_password": "a-guess", "new_password1": new, "new_password2": new},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["old_password"]
    assert sign_in(Client(), mentor.email, password).status_code == 302


# --- Resetting a forgotten password ------------------------------------------------------------

RESET_LINK = re.compile(
    re.escape(settings.SITE_URL) + r"(/account/password/reset/[^/\s]+/[^/\s]+/)"
)


@pytest.fixture
def ask_reset(django_capture_on_commit_callbacks):
    """Post "Forgot your password?" and run what its commit hands to the workers (the
    lookup, then the message delivery), as in production: the page itself sends nothing."""

    def ask(email, client=None, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return (client or Client()).post(reverse("password_reset"), {"email": email}, **extra)

    return ask


def _personal_data(user):
    employee = user.employee
    return [
        user.email,
        employee.first_name,
        employee.last_name,
        employee.title,
        employee.department,
        employee.number,
    ]


def test_password_reset_sends_one_email_holding_a_link_and_no_personal_data(mentor, ask_reset):
    response = ask_reset(mentor.email.upper())

    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [mentor.email]
    assert RESET_LINK.search(message.body)
    html = "".join(content for content, mimetype in message.alternatives if mimetype == "text/html")
    assert RESET_LINK.search(html)
    for value in _personal_data(mentor):
        assert value.lower() not in message.subject.lower()
        assert value.lower() not in message.body.lower()
        assert value.lower() not in html.lower()


def test_reset_link_lets_the_person_choose_a_new_password(mentor, password, ask_reset):
    ask_reset(mentor.email)
    link = RESET_LINK.search(mail.outbox[0].body).group(1)
    client = Client()
    new = "a-new-and-longer-passphrase"

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )

    assert response.status_code == 302
    assert response.url == reverse("password_reset_complete")
    assert sign_in(Client(), mentor.email, new).status_code == 302
    assert sign_in(Client(), mentor.email, password).status_code == 200
    assert client.get(link, follow=True).context["validlink"] is False  # used once only


def test_password_reset_for_an_unknown_address_sends_nothing_and_looks_the_same(mentor, ask_reset):
    known = ask_reset(mentor.email, follow=True)
    assert len(mail.outbox) == 1
    mail.outbox.clear()

    unknown = ask_reset("nobody.here@example.test", follow=True)

    assert mail.outbox == []
    assert unknown.redirect_chain == known.redirect_chain
    assert unknown.status_code == known.status_code == 200
    assert templates(unknown) == templates(known)


def test_imported_employee_sets_a_first_password_through_forgot_password(db, ask_reset):
    """The import gives new accounts no usable password: "forgot password" is how they start."""
    employee_import_csv(
        file="employee_number,first_name,last_name,email,title,department,level,manager_number\n"
        "E1,Noah,Quinn,noah.quinn@example.com,Analyst,Operations,3,\n"
    )

    ask_reset("noah.quinn@example.com")

    assert len(mail.outbox) == 1
    assert RESET_LINK.search(mail.outbox[0].body)
