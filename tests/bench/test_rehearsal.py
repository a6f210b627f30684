"""rehearse_scaleout: it refuses to run without PostgreSQL and Redis, and its pure parts are
right: reading the e-mails the workers wrote, comparing them with the message rows, tallying
responses per node and the verdicts. The rehearsal itself is run by hand, never here."""

from collections import Counter
from unittest import mock

import pytest
from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.filebased import EmailBackend
from django.core.management import call_command
from django.core.management.base import CommandError

from benchmarks.rehearsal import (
    Browser,
    Tally,
    csrf_token,
    delivery_of,
    emails_per_message,
    is_login_redirect,
    latency_ms,
    message_ids_in,
    message_pk,
    verdicts,
)
from benchmarks.topology import with_redis_db

SQLITE = {"ENGINE": "django.db.backends.sqlite3"}
POSTGRES = {"ENGINE": "django.db.backends.postgresql"}
REDIS = "django.core.cache.backends.redis.RedisCache"


def write_emails(folder, message_ids):
    """E-mails as the workers write them: Django's file backend, one file per connection."""
    backend = EmailBackend(file_path=str(folder))
    backend.send_messages(
        [
            EmailMessage("Subject", "Body", to=["a@example.com"], headers={"Message-ID": mid})
            for mid in message_ids
        ]
    )


# --- Refusals ------------------------------------------------------------------------------------


def test_refuses_sqlite_with_a_clear_message():
    with (
        mock.patch.dict(settings.DATABASES["default"], SQLITE),
        pytest.raises(CommandError) as caught,
    ):
        call_command("rehearse_scaleout", "--seconds", "10")
    assert "PostgreSQL" in str(caught.value)
    assert "DATABASE_URL" in str(caught.value)


def test_refuses_without_redis_with_a_clear_message(settings):
    settings.REDIS_URL = ""
    with (
        mock.patch.dict(settings.DATABASES["default"], POSTGRES),
        pytest.raises(CommandError) as caught,
    ):
        call_command("rehearse_scaleout", "--seconds", "10")
    assert "Redis" in str(caught.value)
    assert "REDIS_URL" in str(caught.value)


def test_the_rehearsal_uses_a_redis_database_of_its_own():
    assert with_redis_db("redis://127.0.0.1:6379/0", 11) == "redis://127.0.0.1:6379/11"
    assert with_redis_db("redis://:secret@redis:6380", 3) == "redis://:secret@redis:6380/3"


# --- E-mails -------------------------------------------------------------------------------------


def test_message_ids_are_read_from_the_files_of_the_file_backend(tmp_path):
    long_key = "session-reminder." + "x" * 110  # a folded header
    ids = ["<meeting-reminder.7.24h.3.42@127.0.0.1>", f"<{long_key}.3.43@127.0.0.1>"]
    write_emails(tmp_path, ids)

    (path,) = tmp_path.iterdir()
    assert [message_pk(m) for m in message_ids_in(path.read_bytes())] == [42, 43]


def test_message_pk_ignores_ids_not_made_for_a_message_row():
    assert message_pk("application-decided.40.admitted.71.358@127.0.0.1") == 358
    assert message_pk("170000000000.1234.5678901234@host") is None
    assert message_pk("random@host") is None


def test_emails_are_counted_per_message_across_the_processes_folders(tmp_path):
    write_emails(tmp_path / "worker-1", ["<a.1.10@h>", "<a.1.11@h>"])
    write_emails(tmp_path / "worker-2", ["<a.1.11@h>", "<170.12.34@h>"])

    per_message, per_folder, other = emails_per_message(
        [tmp_path / "worker-1", tmp_path / "worker-2", tmp_path / "beat"]
    )

    assert per_message == Counter({10: 1, 11: 2})
    assert per_folder == Counter({"worker-1": 2, "worker-2": 2, "beat": 0})
    assert other == 1


# --- Delivery ------------------------------------------------------------------------------------


def test_each_sent_message_with_one_email_is_exactly_once():
    delivery = delivery_of({1: "sent", 2: "sent", 3: "skipped"}, {1: 1, 2: 1})

    assert (delivery.due, delivery.sent, delivery.skipped, delivery.emails) == (3, 2, 1, 2)
    assert (delivery.duplicates, delivery.missing, delivery.unexpected) == (0, 0, 0)
    assert delivery.exactly_once


@pytest.mark.parametrize(
    ("statuses", "emails", "field"),
    [
        ({1: "sent"}, {1: 2}, "duplicates"),
        ({1: "sent"}, {}, "missing"),
        ({1: "pending"}, {}, "missing"),
        ({1: "skipped"}, {1: 1}, "unexpected"),
    ],
)
def test_a_duplicate_a_missing_or_an_unexpected_email_fails(statuses, emails, field):
    delivery = delivery_of(statuses, emails)

    assert getattr(delivery, field) == 1
    assert not delivery.exactly_once


def test_a_failed_message_or_none_due_proves_nothing():
    assert not delivery_of({1: "failed"}, {}).exactly_once
    assert not delivery_of({}, {}).exactly_once


# --- Responses and verdicts ---------------------------------------------------------------------


def passing(tally=None, **overrides):
    arguments = {
        "tally": tally or Tally(nodes=("A", "B")),
        "delivery": delivery_of({1: "sent"}, {1: 1}),
        "coherence": [("revoked on A, refused on B", True)],
        "cache_backend": REDIS,
        "cross_node_sessions": 3,
    }
    return verdicts(**(arguments | overrides))


def test_every_check_passes_on_a_clean_run():
    tally = Tally(nodes=("A", "B"))
    tally.record("A", 200, 0.010)
    tally.record("B", 302, 0.020, "/pairings/1/")

    results = passing(tally)

    assert [v.ok for v in results] == [True] * 5
    assert tally.requests() == 2
    assert tally.requests("A") == 1


def test_a_5xx_or_a_connection_error_fails_the_first_check():
    tally = Tally(nodes=("A", "B"))
    tally.record("B", 502, 0.1)
    assert not passing(tally)[0].ok

    tally = Tally(nodes=("A", "B"))
    tally.error("A")
    assert not passing(tally)[0].ok


def test_a_redirect_to_the_sign_in_page_fails_the_sessions_check():
    tally = Tally(nodes=("A", "B"))
    tally.record("B", 302, 0.01, "/account/login/?next=/pairings/")

    assert tally.login_redirects == {"A": 0, "B": 1}
    assert not passing(tally)[1].ok
    assert not passing(cross_node_sessions=0)[1].ok


def test_a_contradiction_or_a_cache_of_one_process_fails():
    assert not passing(coherence=[("x", True), ("y", False)])[3].ok
    assert not passing(coherence=[])[3].ok
    assert not passing(cache_backend="django.core.cache.backends.locmem.LocMemCache")[4].ok


def test_login_redirects_are_recognised_with_or_without_the_host():
    assert is_login_redirect("/account/login/?next=/")
    assert is_login_redirect("http://127.0.0.1:8000/account/login/")
    assert not is_login_redirect("/pairings/3/")


def test_latency_percentiles_in_milliseconds():
    assert latency_ms([]) == (0.0, 0.0)
    p50, p95 = latency_ms([0.010, 0.020, 0.030])
    assert p50 == pytest.approx(20.0)
    assert p95 == pytest.approx(29.0)


# --- The browser --------------------------------------------------------------------------------


def test_the_browser_alternates_nodes_and_keeps_its_cookies():
    browser = Browser({"A": 1, "B": 2}, Tally(nodes=("A", "B")))

    assert [browser.next_node() for _ in range(3)] == ["A", "B", "A"]
    browser._keep_cookies(
        ["sessionid=abc; HttpOnly; Path=/; Secure", "csrftoken=tok; Path=/; SameSite=Lax"]
    )
    assert browser.cookies == {"sessionid": "abc", "csrftoken": "tok"}
    browser._keep_cookies(['sessionid=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0'])
    assert browser.cookies == {"csrftoken": "tok"}


def test_the_csrf_token_is_read_from_the_form():
    page = '<form><input type="hidden" name="csrfmiddlewaretoken" value="t0k3n"></form>'
    assert csrf_token(page) == "t0k3n"
    assert csrf_token("<p>no form</p>") == ""
