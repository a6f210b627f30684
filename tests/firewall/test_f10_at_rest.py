"""F10 At rest: note text (and every other confidential text: consented themes, private end
reasons) is encrypted in the database with keys from the environment; keys rotate.

The raw column holds a `fernet:` token, never the text. A new key goes in front of NOTE_KEYS;
old rows still decrypt; `manage.py rotate_note_keys` re-encrypts them under the new key, says
how many, can be stopped and run again, and does nothing the second time. A key missing from
the environment is a clear configuration error. On PostgreSQL, a data dump of the database
holds the rows and none of the text.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from cryptography.fernet import Fernet
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from confidentiality import services as conf_services
from confidentiality.models import Audience, ConsentedTheme, Note, Rule
from firewall import crypto
from pairings import services as pairing_services
from pairings.models import Pairing, PrivateEndReason
from tests.builders.confidentiality import (
    agreement_of,
    canary,
    change_rules,
    raw_column,
    write_note,
)

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _fresh_keyring():
    crypto._fernets.cache_clear()
    yield
    crypto._fernets.cache_clear()


def use_keys(settings, *keys: str) -> None:
    settings.NOTE_KEYS = list(keys)
    crypto._fernets.cache_clear()


def raw(obj) -> str:
    return raw_column(obj._meta.db_table, "text", obj.pk)


def decrypts_with(key: str, token: str) -> str:
    assert token.startswith("fernet:")
    return Fernet(key.encode()).decrypt(token[len("fernet:") :].encode()).decode()


@pytest.fixture
def confidential_rows(active_pairing, mentor, mentoree):
    """One row of each encrypted kind, each holding its own canary: a private note, a shared
    note, a consented theme and (on a second pairing that ended) a private end reason."""
    texts = {
        "private": canary("private-"),
        "shared": canary("shared-"),
        "theme": canary("theme-"),
        "reason": canary("reason-"),
    }
    private = write_note(active_pairing, mentor, texts["private"])
    shared = write_note(active_pairing, mentoree, texts["shared"], shared=True)
    change_rules(active_pairing, mentoree, coordinator=Rule.THEMES)
    theme = conf_services.theme_add(
        agreement=agreement_of(active_pairing),
        by=mentoree,
        audience=Audience.COORDINATOR,
        text=texts["theme"],
    )
    pairing_services.pairing_end(
        pairing=active_pairing,
        by=mentor.employee,
        category=Pairing.EndCategory.SCHEDULE,
        private_reason=texts["reason"],
    )
    reason = PrivateEndReason.objects.get(pairing=active_pairing)
    return {"rows": [private, shared, theme, reason], "texts": texts}


def all_values(model, field="text") -> list[str]:
    return [getattr(obj, field) for obj in model.objects.order_by("pk")]


# --- The raw column -----------------------------------------------------------------------------


def test_f10_every_confidential_column_stores_a_fernet_token_not_the_text(confidential_rows):
    """F10: note (private and shared), consented theme and private end reason: the database
    holds a token that decrypts to the text with the configured key; the text is not there."""
    key = django_settings.NOTE_KEYS[0]
    for obj in confidential_rows["rows"]:
        stored = raw(obj)
        assert stored.startswith("fernet:"), type(obj).__name__
        assert obj.text not in stored
        assert "CANARY" not in stored
        assert decrypts_with(key, stored) == obj.text
        # The ORM gives the text back.
        assert type(obj).objects.get(pk=obj.pk).text == obj.text


def test_f10_the_same_text_twice_is_stored_as_two_different_tokens(active_pairing, mentor):
    text = canary("twice-")
    first = write_note(active_pairing, mentor, text)
    second = write_note(active_pairing, mentor, text)
    assert raw(first) != raw(second)


def test_f10_an_edit_is_encrypted_too(active_pairing, mentor):
    note = write_note(active_pairing, mentor, "First words.")
    edited = canary("edited-")
    conf_services.note_update(note=note, by=mentor, text=edited)
    stored = raw(note)
    assert stored.startswith("fernet:")
    assert edited not in stored


def test_f10_the_encrypted_column_cannot_be_searched(active_pairing, mentor):
    """A lookup on the text compares tokens, so it finds nothing: the text is not there."""
    text = canary("search-")
    write_note(active_pairing, mentor, text)
    assert not Note.objects.filter(text__contains="CANARY").exists()


# --- Rotation ------------------------------------------------------------------------------------


def test_f10_a_new_key_in_front_still_reads_old_rows_and_encrypts_new_ones(
    settings, confidential_rows, active_pairing, mentor
):
    old = settings.NOTE_KEYS[0]
    new = Fernet.generate_key().decode()
    use_keys(settings, new, old)

    texts = confidential_rows["texts"]
    assert sorted(all_values(Note)) == sorted([texts["private"], texts["shared"]])
    assert all_values(ConsentedTheme) == [texts["theme"]]
    assert all_values(PrivateEndReason) == [texts["reason"]]
    # Old rows are still under the old key until rotated ...
    for obj in confidential_rows["rows"]:
        assert not crypto.is_under_primary(raw(obj))
    # ... while anything written now is under the new one.
    later = Note.objects.create(
        pairing=active_pairing, author=mentor, text="Written after the new key."
    )
    assert decrypts_with(new, raw(later)) == "Written after the new key."


def rotate(**options) -> str:
    out = StringIO()
    call_command("rotate_note_keys", stdout=out, **options)
    return out.getvalue()


def test_f10_rotate_note_keys_re_encrypts_everything_under_the_new_key_and_reports_it(
    settings, confidential_rows
):
    old = settings.NOTE_KEYS[0]
    new = Fernet.generate_key().decode()
    use_keys(settings, new, old)

    output = rotate()

    assert "confidentiality.Note.text: 2 re-encrypted" in output
    assert "confidentiality.ConsentedTheme.text: 1 re-encrypted" in output
    assert "pairings.PrivateEndReason.text: 1 re-encrypted" in output
    assert "Done: 4 of 4 values re-encrypted" in output
    for obj in confidential_rows["rows"]:
        assert decrypts_with(new, raw(obj)) == obj.text
        assert obj.text not in output

    # The old key can go now: everything decrypts with the new key alone.
    use_keys(settings, new)
    texts = confidential_rows["texts"]
    assert sorted(all_values(Note)) == sorted([texts["private"], texts["shared"]])
    assert all_values(ConsentedTheme) == [texts["theme"]]
    assert all_values(PrivateEndReason) == [texts["reason"]]

    # Run again: nothing is left to do.
    again = rotate()
    assert "Done: 0 of 4 values re-encrypted" in again
    assert "confidentiality.Note.text: 0 re-encrypted, 2 already under the newest key" in again


def test_f10_an_interrupted_rotation_continues_where_it_stopped(settings, active_pairing, mentor):
    """F10: each batch commits on its own; a second run finishes the job and touches only
    what the first did not."""
    notes = [write_note(active_pairing, mentor, f"Note number {n}") for n in range(5)]
    old = settings.NOTE_KEYS[0]
    new = Fernet.generate_key().decode()
    use_keys(settings, new, old)

    from confidentiality.management.commands import rotate_note_keys

    real_rotate = rotate_note_keys.rotate
    calls = {"n": 0}

    def failing_rotate(token):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("the worker was stopped")
        return real_rotate(token)

    with (
        mock.patch.object(rotate_note_keys, "rotate", failing_rotate),
        pytest.raises(RuntimeError),
    ):
        rotate(batch_size=1)

    done = [n for n in notes if crypto.is_under_primary(raw(n))]
    assert len(done) == 2

    output = rotate(batch_size=2)
    assert "confidentiality.Note.text: 3 re-encrypted, 2 already under the newest key" in output
    use_keys(settings, new)
    assert [n.text for n in Note.objects.order_by("pk")] == [n.text for n in notes]


# --- Missing keys -------------------------------------------------------------------------------


def test_f10_no_key_at_all_is_a_clear_configuration_error(settings, active_pairing, mentor):
    use_keys(settings)
    with pytest.raises(ImproperlyConfigured, match="NOTE_KEYS"):
        write_note(active_pairing, mentor, "Cannot be stored.")
    assert not Note.objects.exists()


def test_f10_a_key_removed_before_rotation_is_a_clear_configuration_error(
    settings, active_pairing, mentor
):
    note = write_note(active_pairing, mentor, "Written under the old key.")
    use_keys(settings, Fernet.generate_key().decode())
    with pytest.raises(ImproperlyConfigured, match="rotate_note_keys"):
        Note.objects.get(pk=note.pk)


def test_f10_a_value_that_is_not_a_key_is_a_clear_configuration_error(settings):
    use_keys(settings, "not-a-fernet-key")
    with pytest.raises(ImproperlyConfigured, match="not a Fernet key"):
        crypto.encrypt("anything")


def settings_subprocess(env_extra: dict[str, str]) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTEST_VERSION", "NOTE_KEYS", "NOTE_KEYS_FILE", "DEBUG")
    }
    env.update({"DJANGO_SETTINGS_MODULE": "mentoring.settings", "SECRET_KEY": "x" * 50})
    env.update(env_extra)
    code = "from django.conf import settings; print(','.join(settings.NOTE_KEYS))"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_f10_production_refuses_to_start_without_its_keys():
    result = settings_subprocess({"DEBUG": "0"})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "NOTE_KEYS is not set" in result.stderr


def test_f10_keys_come_from_the_environment_or_a_file(tmp_path):
    first, second = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    result = settings_subprocess({"DEBUG": "0", "NOTE_KEYS": f"{first},{second}"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{first},{second}"

    key_file = tmp_path / "note_keys"
    key_file.write_text(f"{second},{first}\n")
    result = settings_subprocess({"DEBUG": "0", "NOTE_KEYS_FILE": str(key_file)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{second},{first}"


# --- A database dump (PostgreSQL) ----------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_f10_a_pg_dump_holds_the_note_row_but_not_its_text(active_pairing, mentor):
    """F10: what an operator's backup (or a stolen one) holds: the row, never the words."""
    text = canary("dump-")
    note = write_note(active_pairing, mentor, text)
    token = raw(note)
    db = connection.settings_dict
    command = ["pg_dump", "--data-only", "-U", db["USER"] or "postgres"]
    if db.get("HOST"):
        command += ["-h", db["HOST"]]
    if db.get("PORT"):
        command += ["-p", str(db["PORT"])]
    command.append(db["NAME"])
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]

    result = subprocess.run(
        command, capture_output=True, text=True, timeout=120, env=env, check=False
    )

    assert result.returncode == 0, result.stderr
    dump = result.stdout
    assert re.search(r"COPY public\.confidentiality_note \(", dump)
    assert token in dump  # the row is there, as its token
    assert text not in dump
    assert "CANARY" not in dump
