"""Sessions are read by a query built once (mentoring/sessions.py, issue K): a live session
reads as Django's database engine reads it, an expired or unknown one signs nobody in and
leaves no key behind, and the rows are Django's own (switching engines signs no one out)."""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from mentoring.sessions import SessionStore


def test_the_engine_is_ours():
    assert import_module(settings.SESSION_ENGINE).SessionStore is SessionStore


def test_a_live_session_reads_as_djangos(db, django_assert_num_queries):
    written = DjangoStore()
    written["answer"], written["who"] = 42, "Hélène <b>"
    written.create()

    with django_assert_num_queries(1):
        ours = SessionStore(written.session_key).load()

    assert ours == DjangoStore(written.session_key).load() == {"answer": 42, "who": "Hélène <b>"}


def test_an_expired_or_unknown_session_is_empty_and_its_key_forgotten(db):
    store = SessionStore()
    store["answer"] = 42
    store.create()
    Session.objects.filter(pk=store.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    for key in (store.session_key, "no-such-session-key-at-all"):
        reader = SessionStore(key)
        assert reader.load() == {}
        assert reader.session_key is None


def test_expiry_is_read_against_the_web_process_clock_as_djangos_is(db, monkeypatch):
    store = SessionStore()
    store["answer"] = 42
    store.set_expiry(30)
    store.save()
    assert SessionStore(store.session_key).load()["answer"] == 42

    later = timezone.now() + timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)  # this process's clock, a minute on

    assert DjangoStore(store.session_key).load() == {}
    assert SessionStore(store.session_key).load() == {}


def test_a_session_saved_by_ours_is_read_by_djangos(db):
    store = SessionStore()
    store["answer"] = 42
    store.save()
    assert DjangoStore(store.session_key).load() == {"answer": 42}


def test_a_signed_in_person_stays_signed_in_until_the_session_ends(db, mentor):
    client = Client()
    client.force_login(mentor)
    assert client.get("/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302 and "/account/login/" in response["Location"]
