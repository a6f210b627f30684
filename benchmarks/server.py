"""The server the page benchmark measures: the real settings with DEBUG off, static files
collected with the production storage into a temporary folder, gunicorn with 2 workers."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

from benchmarks.load import get, tail


def server_env(secret: str, tmp: Path) -> dict[str, str]:
    """Production settings over plain http on 127.0.0.1. The settings module is the real
    one, with STATIC_ROOT moved to a temporary directory so that the production static
    storage (a manifest) can be collected without touching the checkout."""
    (tmp / "bench_settings.py").write_text(
        "from mentoring.settings import *  # noqa: F403\n"
        f"STATIC_ROOT = {str(tmp / 'static')!r}\n"
        # The app's URLs and the yardstick page (benchmarks/urls.py).
        "ROOT_URLCONF = 'benchmarks.urls'\n"
    )
    env = dict(os.environ)
    for name in ("SECRET_KEY_FILE", "NOTE_KEYS_FILE"):
        env.pop(name, None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench_settings",
            "PYTHONPATH": os.pathsep.join(
                [str(tmp), str(settings.BASE_DIR), env.get("PYTHONPATH", "")]
            ).rstrip(os.pathsep),
            "DEBUG": "0",
            "SECRET_KEY": secret,
            "NOTE_KEYS": ",".join(settings.NOTE_KEYS),
            "CONN_MAX_AGE": "60",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "BENCH_PAGES": "1",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    if not env.get("DATABASE_URL") and not env.get("DATABASE_URL_FILE"):
        raise CommandError("DATABASE_URL is not set: the server would not find the database.")
    return env


def collectstatic(env: dict[str, str]) -> None:
    result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [
            sys.executable,
            str(Path(settings.BASE_DIR) / "manage.py"),
            "collectstatic",
            "--noinput",
            "-v0",
        ],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise CommandError(f"collectstatic failed:\n{result.stdout}\n{result.stderr}")


def start_server(env: dict[str, str], port: int, log_path: Path) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "mentoring.wsgi:application",
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        "--chdir",
        str(settings.BASE_DIR),
    ]
    log = log_path.open("wb")
    return subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
        command,
        env=env,
        cwd=settings.BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_until_up(server: subprocess.Popen, port: int, log_path: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise CommandError(f"gunicorn exited ({server.returncode}):\n{tail(log_path)}")
        try:
            status, _ = get(port, "/bench/bare/", "")
        except OSError:
            time.sleep(0.2)
            continue
        if status == 200:
            return
        raise CommandError(f"/bench/bare/ answered {status}:\n{tail(log_path)}")
    raise CommandError(f"gunicorn did not answer within 30 s:\n{tail(log_path)}")
