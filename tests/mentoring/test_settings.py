"""Production settings: refuse to start without secrets, read secrets from files, secure cookies.

Each test starts a fresh Python process with a controlled environment (no PYTEST_VERSION,
so the settings behave as in production).
"""

import json
import os
import subprocess
import sys

from django.conf import settings

PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({
    "SECRET_KEY": s.SECRET_KEY,
    "DEBUG": s.DEBUG,
    "SESSION_COOKIE_SECURE": s.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": s.CSRF_COOKIE_SECURE,
    "SECURE_HSTS_SECONDS": s.SECURE_HSTS_SECONDS,
    "SECURE_SSL_REDIRECT": s.SECURE_SSL_REDIRECT,
    "STATICFILES_BACKEND": s.STORAGES["staticfiles"]["BACKEND"],
    "PASSWORD_HASHER": s.PASSWORD_HASHERS[0],
}))
"""


NOTE_KEY = "cHJvZHVjdGlvbi1saWtlLXRlc3Qta2V5LTMyLWJ5dGU="


def run(code, **env):
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("SECRET_KEY", "PYTEST", "DEBUG", "ALLOWED_HOSTS", "READ_DOT_ENV", "NOTE_KEYS")
        )
    }
    base["DJANGO_SETTINGS_MODULE"] = "mentoring.settings"
    # Production needs its note keys too (F10); tests that are about them pass NOTE_KEYS="".
    base["NOTE_KEYS"] = NOTE_KEY
    base.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=base,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key():
    process = run("import django; django.setup()", DEBUG="0", ALLOWED_HOSTS="mentoring.example")

    assert process.returncode != 0
    assert "SECRET_KEY" in process.stderr
    assert "ImproperlyConfigured" in process.stderr


def test_production_starts_with_a_secret_key_and_secures_cookies_and_transport():
    secret = "s3cret-" + "x" * 50
    process = run(PRINT_SETTINGS, DEBUG="0", SECRET_KEY=secret, ALLOWED_HOSTS="mentoring.example")

    assert process.returncode == 0, process.stderr
    values = json.loads(process.stdout.strip().splitlines()[-1])
    assert values["SECRET_KEY"] == secret
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_HSTS_SECONDS"] > 0
    assert values["SECURE_SSL_REDIRECT"] is True
    assert (
        values["STATICFILES_BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    assert "MD5" not in values["PASSWORD_HASHER"]


def test_production_reads_the_secret_key_from_a_file(tmp_path):
    secret = "from-a-mounted-file-" + "y" * 40
    path = tmp_path / "secret_key"
    path.write_text(secret)

    process = run(
        PRINT_SETTINGS, DEBUG="0", SECRET_KEY_FILE=str(path), ALLOWED_HOSTS="mentoring.example"
    )

    assert process.returncode == 0, process.stderr
    assert json.loads(process.stdout.strip().splitlines()[-1])["SECRET_KEY"] == secret


def test_production_refuses_to_start_without_note_keys():
    """F10: confidential text is never stored unencrypted, so no keys means no start."""
    secret = "s3cret-" + "x" * 50
    process = run(
        "import django; django.setup()",
        DEBUG="0",
        SECRET_KEY=secret,
        ALLOWED_HOSTS="mentoring.example",
        NOTE_KEYS="",
    )

    assert process.returncode != 0
    assert "NOTE_KEYS" in process.stderr
