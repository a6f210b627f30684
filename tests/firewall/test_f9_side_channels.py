"""F9 No side channels: e-mails carry links, not text; task arguments carry ids; logs, error
reports and `__str__` carry no confidential text; the admin shows none.

One canary (`CANARY-<uuid4>`) is written, through the pages, into every confidential field the
app has: a private note, a shared note on a meeting, an edited note, a goal, a consented theme
and a private end reason; a stranger tries to read and write notes; a request fails on the
way. Then every channel is searched for the canary: the admin (every changelist and change
page an HR admin or a superuser can open), the log records, the mail outbox, the in-app
notifications, the access log, `str()` of every confidential object, and the arguments of
every Celery task sent while a matching run is computed and published.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from datetime import timedelta

import pytest
from celery.app.task import Task
from django.contrib import admin
from django.core import mail
from django.db.utils import IntegrityError
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from confidentiality.models import Agreement, ConsentedTheme, Note, Signature
from firewall.models import AccessEvent
from mentoring.logging import RedactConfidentialFilter
from notifications.models import Notification
from pairings import matching
from pairings.models import Goal, GoalChange, MatchingRun, Pairing, PrivateEndReason
from tests.builders.confidentiality import agreement_of, canary
from tests.builders.pairings import log_meeting

CONFIDENTIAL_MODELS = [
    Note,
    Agreement,
    ConsentedTheme,
    PrivateEndReason,
    Signature,
    Goal,
    GoalChange,
]


def post_ok(client, url, data, status=302):
    response = client.post(url, data)
    assert response.status_code == status, (url, response.status_code)
    return response


def sign_in_browser(client, pairing, user):
    post_ok(
        client,
        reverse("confidentiality:agreement_sign", args=[pairing.pk]),
        {
            "typed_name": user.employee.full_name,
            "confirmed": "on",
            "text_hash": agreement_of(pairing).text_hash(),
        },
    )


@pytest.fixture
def flow(
    caplog, settings, active_pairing, other_pairing, mentor, mentoree, outsider, client_for, deliver
):
    """The canary goes everywhere a member can write, through the pages; a stranger knocks;
    one request fails (the encryption key is missing while a note is saved). Then every
    message is delivered, those due now and (a month and more later) the reminders."""
    caplog.set_level(logging.DEBUG)
    secret = canary()
    pairing = active_pairing
    as_mentor, as_mentoree = client_for(mentor), client_for(mentoree)
    meeting = log_meeting(pairing, days=-2)

    notes_url = reverse("confidentiality:notes", args=[pairing.pk])
    post_ok(as_mentor, notes_url, {"text": f"{secret} private note of the mentor"})
    post_ok(
        as_mentoree,
        notes_url,
        {"text": f"{secret} shared note on a meeting", "shared": "on", "meeting": meeting.pk},
    )
    note = Note.objects.get(author=mentor)
    post_ok(
        as_mentor,
        reverse("confidentiality:note_edit", args=[note.pk]),
        {"text": f"{secret} private note, edited"},
    )
    post_ok(
        as_mentoree,
        reverse("pairings:goal_create", args=[pairing.pk]),
        {"title": f"{secret} goal of the pair"},
    )
    # The mentoree consents to themes for the coordinator; both sign again; a theme.
    post_ok(
        as_mentoree,
        reverse("confidentiality:agreement_rules", args=[pairing.pk]),
        {**agreement_of(pairing).rules(), "coordinator": "themes"},
    )
    sign_in_browser(as_mentor, pairing, mentor)
    sign_in_browser(as_mentoree, pairing, mentoree)
    assert Pairing.objects.get(pk=pairing.pk).status == Pairing.Status.ACTIVE
    post_ok(
        as_mentoree,
        reverse("confidentiality:theme_add", args=[pairing.pk]),
        {"audience": "coordinator", "text": f"{secret} theme for the coordinator"},
    )
    # Someone else's pair ends, with a private reason.
    post_ok(
        client_for(other_pairing.mentor.user),
        reverse("pairings:end", args=[other_pairing.pk]),
        {"category": "fit", "private_reason": f"{secret} private end reason"},
    )
    # A stranger tries; the member sends an empty and an oversized note.
    stranger = client_for(outsider)
    assert stranger.get(reverse("confidentiality:note", args=[note.pk])).status_code == 404
    stranger_edit = stranger.post(
        reverse("confidentiality:note_edit", args=[note.pk]), {"text": f"{secret} stranger"}
    )
    assert stranger_edit.status_code == 404
    post_ok(as_mentor, notes_url, {"text": "   "}, status=400)
    post_ok(as_mentor, notes_url, {"text": f"{secret} " + "x" * 20_000}, status=400)
    # A request that fails on the way: the key is missing while a note is saved.
    failing = Client(raise_request_exception=False)
    failing.force_login(mentor)
    keys = settings.NOTE_KEYS
    settings.NOTE_KEYS = []
    from firewall.crypto import _fernets

    _fernets.cache_clear()
    try:
        response = failing.post(notes_url, {"text": f"{secret} note that fails to save"})
    finally:
        settings.NOTE_KEYS = keys
        _fernets.cache_clear()
    assert response.status_code == 500
    assert secret not in response.content.decode()

    assert Note.objects.count() == 2
    assert Goal.objects.filter(title__contains=secret).exists()
    assert ConsentedTheme.objects.count() == 1
    assert PrivateEndReason.objects.count() == 1
    deliver()
    deliver(now=timezone.now() + timedelta(days=40))
    return {"secret": secret, "pairing": pairing, "note": note, "meeting": meeting}


# --- The admin ------------------------------------------------------------------------------


def admin_urls() -> list[tuple[str, str]]:
    """Every changelist, and the change and history pages of up to three objects of each
    registered model."""
    urls = [("index", reverse("admin:index"))]
    for model in admin.site._registry:
        opts = model._meta
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        urls.append((f"{opts.label} list", reverse(f"{prefix}_changelist")))
        for pk in model._default_manager.order_by("-pk").values_list("pk", flat=True)[:3]:
            for page in ("change", "history"):
                with contextlib.suppress(NoReverseMatch):
                    urls.append((f"{opts.label} {page}", reverse(f"{prefix}_{page}", args=[pk])))
    return urls


@pytest.mark.parametrize("who", ["hr_admin", "superuser"])
def test_f9_no_admin_page_shows_confidential_text(who, request, flow, client_for):
    secret = flow["secret"]
    client = client_for(request.getfixturevalue(who))
    opened = []
    for label, url in admin_urls():
        response = client.get(url)
        assert response.status_code in (200, 302, 403), (label, response.status_code)
        if response.status_code == 200:
            opened.append(label)
            assert secret not in response.content.decode(), label
    # The pages that matter were really opened.
    assert "firewall.AccessEvent list" in opened
    assert "firewall.AccessEvent change" in opened
    assert "confidentiality.AgreementTemplate list" in opened
    assert "people.Employee list" in opened


# --- Logs, e-mail, notifications, the access log, __str__ ----------------------------------


def captured(caplog) -> list[logging.LogRecord]:
    """Records of the whole test: the flow runs while the fixtures are set up."""
    return caplog.get_records("setup") + caplog.get_records("call")


def test_f9_no_log_record_carries_confidential_text(flow, caplog):
    secret = flow["secret"]
    records = captured(caplog)
    assert records, "the flow logged nothing: the capture is not working"
    assert any(r.levelno >= logging.ERROR for r in records), "no failing request logged"
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    for record in records:
        assert secret not in record.getMessage(), record.name
        assert secret not in str(record.args), record.name
        # As a handler prints it, traceback included.
        assert secret not in formatter.format(record), record.name


def test_f9_the_failing_request_is_logged_without_its_request(flow, caplog):
    """The redaction filter drops the request (and its POST body) from every record."""
    failures = [r for r in captured(caplog) if r.name == "django.request" and r.levelno >= 40]
    assert failures
    redact = RedactConfidentialFilter()
    for record in failures:
        redact.filter(record)
        assert getattr(record, "request", None) is None
        assert flow["secret"] not in logging.Formatter().format(record)


def test_f9_no_mail_carries_confidential_text(flow):
    secret = flow["secret"]
    assert mail.outbox, "the flow sent no e-mail: the check would prove nothing"
    for message in mail.outbox:
        assert secret not in message.subject
        assert secret not in message.body
        assert secret not in str(message.extra_headers)
        for content, _type in getattr(message, "alternatives", []):
            assert secret not in str(content)


@pytest.mark.parametrize("where", ["note", "end_reason", "goal", "theme"])
def test_f9_error_reports_e_mailed_to_the_operator_carry_no_confidential_text(
    where, active_pairing, settings, mentor, mentoree, monkeypatch
):
    """F9 "error reports": with ADMINS set, Django's AdminEmailHandler (on the `django`
    logger, so before the root handler's redaction filter) mails the report of a failing
    request, POST data included. A note, a private end reason, a goal or a theme whose save
    fails on the way (the encryption key missing, or the service breaking): the report must
    not hold the text being saved."""
    from confidentiality import services as conf_services
    from firewall.crypto import _fernets
    from pairings import services as pairing_services

    def broken(**kwargs):
        raise RuntimeError("the service broke")

    settings.ADMINS = ["operator@example.test"]
    secret = canary("report-")
    failing = Client(raise_request_exception=False)
    failing.force_login(mentoree if where == "theme" else mentor)
    settings.NOTE_KEYS = []
    _fernets.cache_clear()
    if where == "note":
        url = reverse("confidentiality:notes", args=[active_pairing.pk])
        data = {"text": f"{secret} note"}
    elif where == "end_reason":
        url = reverse("pairings:end", args=[active_pairing.pk])
        data = {"category": "fit", "private_reason": f"{secret} reason"}
    elif where == "goal":
        monkeypatch.setattr(pairing_services, "goal_create", broken)
        url = reverse("pairings:goal_create", args=[active_pairing.pk])
        data = {"title": f"{secret} goal"}
    else:
        monkeypatch.setattr(conf_services, "theme_add", broken)
        url = reverse("confidentiality:theme_add", args=[active_pairing.pk])
        data = {"audience": "coordinator", "text": f"{secret} theme"}
    mail.outbox.clear()

    response = failing.post(url, data)

    assert response.status_code == 500
    [message] = mail.outbox
    assert message.to == ["operator@example.test"]
    assert secret not in message.subject
    assert secret not in message.body


def test_f9_notifications_carry_no_confidential_text(flow):
    secret = flow["secret"]
    assert Notification.objects.exists()
    for title, url in Notification.objects.values_list("title", "url"):
        assert secret not in title
        assert secret not in url


def test_f9_the_access_log_carries_no_content(flow):
    secret = flow["secret"]
    assert AccessEvent.objects.filter(outcome=AccessEvent.Outcome.REFUSED).exists()
    assert AccessEvent.objects.filter(action=AccessEvent.Action.LIST).exists()
    for event in AccessEvent.objects.all():
        for field in AccessEvent._meta.concrete_fields:
            assert secret not in str(getattr(event, field.attname))


@pytest.mark.parametrize("model", CONFIDENTIAL_MODELS, ids=lambda m: m.__name__)
def test_f9_str_of_confidential_objects_carries_no_text(model, flow):
    secret = flow["secret"]
    objects = list(model.objects.all())
    assert objects
    for obj in objects:
        assert secret not in str(obj)
        assert secret not in repr(obj)


# --- Celery ----------------------------------------------------------------------------------


def test_f9_task_arguments_carry_ids_only(
    flow,
    program,
    coordinator,
    new_mentor,
    new_mentoree,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    """F9: every task sent while a matching run is started, computed and published carries
    ids only, never confidential text."""
    secret = flow["secret"]
    for n in range(2):
        new_mentor(first_name=f"Mentor{n}")
        new_mentoree(first_name=f"Mentoree{n}")
    sent: list[tuple] = []
    original = Task.apply_async

    def recording(self, args=None, kwargs=None, *rest, **options):
        sent.append((self.name, args, kwargs, options))
        return original(self, args, kwargs, *rest, **options)

    monkeypatch.setattr(Task, "apply_async", recording)

    with django_capture_on_commit_callbacks(execute=True):
        run = matching.matching_run_start(program=program, by=coordinator)
    run.refresh_from_db()
    assert run.status == MatchingRun.Status.DONE, run.error
    with django_capture_on_commit_callbacks(execute=True):
        created = matching.matching_run_publish(run=run, by=coordinator)
    assert created >= 1

    assert sent, "no task was sent"
    for name, args, kwargs, options in sent:
        assert secret not in repr((name, args, kwargs, options))
        for value in [*(args or ()), *(kwargs or {}).values()]:
            assert isinstance(value, int), (name, value)


# --- Pages: never cached, never a 500 ---------------------------------------------------------


def test_f9_confidential_pages_are_never_cached(flow, mentor, client_for):
    client = client_for(mentor)
    pairing, note = flow["pairing"], flow["note"]
    for url in [
        reverse("confidentiality:notes", args=[pairing.pk]),
        reverse("confidentiality:note", args=[note.pk]),
        reverse("confidentiality:note_edit", args=[note.pk]),
        reverse("confidentiality:agreement", args=[pairing.pk]),
        reverse("pairings:space", args=[pairing.pk]),
        reverse("pairings:end", args=[pairing.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url


def test_f9_note_posts_are_never_a_server_error(
    active_pairing, mentor, mentoree, outsider, client_for
):
    """Every kind of note POST, good or bad, from a member or a stranger: never a 500."""
    client = client_for(mentor)
    note_pk = None
    notes_url = reverse("confidentiality:notes", args=[active_pairing.pk])
    attempts = [
        (notes_url, {"text": "A good note."}),
        (notes_url, {"text": ""}),
        (notes_url, {"text": "x" * 20_001}),
        (notes_url, {"text": "On a meeting that is not ours.", "meeting": "999999"}),
        (notes_url, {"text": "Not a number.", "meeting": "abc"}),
        (notes_url, {"text": "\x00 a NUL byte"}),
        (notes_url, {}),
    ]
    for url, data in attempts:
        assert client.post(url, data).status_code in (200, 302, 400), data
    note_pk = Note.objects.get(author=mentor).pk
    for who in (mentor, mentoree, outsider):
        c = client_for(who)
        for name, data in [
            ("note_edit", {"text": ""}),
            ("note_edit", {"text": "Edited."}),
            ("note_share", {"shared": "1"}),
            ("note_share", {"shared": "maybe"}),
            ("note_share", {"shared": "0"}),
        ]:
            response = c.post(reverse(f"confidentiality:{name}", args=[note_pk]), data)
            assert response.status_code in (200, 302, 400, 404), (who, name, data)
    for missing in (note_pk + 1000,):
        for name in ("note", "note_edit"):
            assert client.get(reverse(f"confidentiality:{name}", args=[missing])).status_code == 404
    response = client.post(reverse("confidentiality:note_delete", args=[note_pk]))
    assert response.status_code == 302
    response = client.post(reverse("confidentiality:note_delete", args=[note_pk]))
    assert response.status_code == 404


# --- The redaction filter itself ----------------------------------------------------------------


def exc_info_of(exc: BaseException):
    try:
        raise exc
    except BaseException:
        return sys.exc_info()


def test_f9_the_log_filter_withholds_a_postgresql_detail():
    """A database error quoting the refused row ("DETAIL: Key (text)=(...)") loses the
    quote; the message and the exception type stay."""
    secret = canary("detail-")
    error = IntegrityError(
        'duplicate key value violates unique constraint "note_text_key"\n'
        f"DETAIL:  Key (text)=({secret}) already exists."
    )
    record = logging.LogRecord(
        "django.request",
        logging.ERROR,
        __file__,
        1,
        "Internal Server Error: %s",
        ("/x",),
        exc_info_of(error),
    )
    record.request = object()
    assert RedactConfidentialFilter().filter(record) is True
    formatted = logging.Formatter().format(record)
    assert secret not in formatted
    assert "DETAIL: [withheld]" in formatted
    assert "duplicate key value violates unique constraint" in formatted
    assert record.exc_info[0] is IntegrityError
    assert record.request is None


def test_f9_the_log_filter_withholds_details_in_arguments():
    secret = canary("arg-")
    record = logging.LogRecord(
        "django.db.backends",
        logging.WARNING,
        __file__,
        1,
        "query failed: %s",
        (f"violates check\nDETAIL: Failing row contains ({secret}).",),
        None,
    )
    RedactConfidentialFilter().filter(record)
    assert secret not in record.getMessage()
    assert "DETAIL: [withheld]" in record.getMessage()


def test_f9_the_project_logging_applies_the_filter():
    root = logging.getLogger()
    assert any(isinstance(f, RedactConfidentialFilter) for h in root.handlers for f in h.filters)
