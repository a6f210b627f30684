"""The rehearsal's processes (`manage.py rehearse_scaleout`): its database on the same
PostgreSQL server, and two gunicorn web nodes, two Celery workers and one beat started as the
compose file starts them, with one environment (DEBUG off, the same secrets, database, Redis
and queue), each writing its log and its e-mails to files of its own, and stopped in order."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection, connections

from benchmarks import server as serving
from benchmarks.load import free_port, tail
from benchmarks.load import stop as stop_server

NODES = ("A", "B")


def with_redis_db(url: str, number: int) -> str:
    """The same Redis server, another database number."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{number}"))


def database_prepare(name: str, *, seed: bool, fresh: bool, say: Callable[[str], None]) -> str:
    """Create the rehearsal's database on the same server if missing, point this process
    at it, and migrate and seed it (in a child process, tasks run eagerly there)."""
    db = connection.settings_dict
    params: dict[str, Any] = {
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
    }
    if fresh and name == db["NAME"]:
        raise CommandError("--fresh would drop the database this process is connected to.")
    connections.close_all()
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        if fresh:
            admin.execute(
                psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    psycopg.sql.Identifier(name)
                )
            )
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            if not seed:
                raise CommandError(f"The database {name} does not exist: run with --seed.")
            admin.execute(
                psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name))
            )
            say(f"Created the database {name}.")
    connections.close_all()
    db["NAME"] = name  # this process reads the rehearsal's database from now on
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    url = f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"
    if seed:
        env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1", "PYTHONUNBUFFERED": "1"}
        env.pop("REDIS_URL", None)
        env.pop("DATABASE_URL_FILE", None)
        for step in (["migrate", "--noinput", "-v0"], ["seed_demo"]):
            started = time.perf_counter()
            result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
                [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *step],
                env=env,
                cwd=settings.BASE_DIR,
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                raise CommandError(f"{step[0]} failed:\n{result.stdout}\n{result.stderr}")
            say(f"{step[0]} done in {time.perf_counter() - started:.1f} s.")
    return url


class Topology:
    """The processes of one rehearsal, in a temporary folder (settings, logs, e-mails)."""

    def __init__(self, tmp: Path, say: Callable[[str], None]) -> None:
        self.tmp = tmp
        self.say = say
        self.processes: list[tuple[str, subprocess.Popen]] = []
        self.logs: list[IO[bytes]] = []

    def mail_folders(self) -> list[Path]:
        return [self.tmp / "mail" / name for name, _ in self.processes]

    def env(self, db_url: str, redis_url: str, sweep_seconds: float) -> dict[str, str]:
        tmp = self.tmp
        secret = secrets.token_urlsafe(50)
        env = serving.server_env(secret, tmp)  # DEBUG=0, the same secrets for every process
        (tmp / "rehearsal_settings.py").write_text(
            "import os\n"
            # The benchmark server's settings, which server_env has just written.
            "from bench_settings import *  # noqa: F403\n"
            # Each process writes its e-mails to a folder of its own, to be counted.
            "MAILERS = {'default': {'BACKEND': 'django.core.mail.backends.filebased.EmailBackend',"
            " 'OPTIONS': {'file_path': os.environ['REHEARSAL_MAIL_DIR']}}}\n"
        )
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "rehearsal_settings",
                "DATABASE_URL": db_url,
                "REDIS_URL": redis_url,
                "CELERY_QUEUE": f"rehearsal-{secrets.token_hex(4)}",
                "MESSAGES_SWEEP_SECONDS": str(sweep_seconds),
                # collectstatic and the CACHES check; each process gets a folder of its own.
                "REHEARSAL_MAIL_DIR": str(tmp / "mail" / "other"),
                "LOG_LEVEL": "INFO",
            }
        )
        for name in ("DATABASE_URL_FILE", "REDIS_URL_FILE", "EMAIL_URL"):
            env.pop(name, None)
        return env

    def _start(self, name: str, command: list[str], env: dict[str, str]) -> None:
        tmp = self.tmp
        log = (tmp / f"{name}.log").open("wb")
        mail = tmp / "mail" / name
        mail.mkdir(parents=True, exist_ok=True)
        process = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
            command,
            env={**env, "REHEARSAL_MAIL_DIR": str(mail)},
            cwd=settings.BASE_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches this command, which stops them in order
        )
        self.logs.append(log)
        self.processes.append((name, process))

    def start(self, env: dict[str, str], worker_concurrency: int) -> dict[str, int]:
        """Two web nodes, two workers and beat; returns the web nodes' ports once all are up."""
        tmp = self.tmp
        serving.collectstatic(env)
        ports = {node: free_port() for node in NODES}
        for node, port in ports.items():
            self._start(
                f"web-{node}",
                [
                    *(sys.executable, "-m", "gunicorn", "mentoring.wsgi:application"),
                    *("--workers", "2", "--bind", f"127.0.0.1:{port}"),
                    *("--chdir", str(settings.BASE_DIR)),
                ],
                env,
            )
        concurrency = str(worker_concurrency)
        for number in (1, 2):
            self._start(
                f"worker-{number}",
                [
                    *(sys.executable, "-m", "celery", "-A", "mentoring", "worker"),
                    *("-n", f"rehearsal{number}@%h", "--concurrency", concurrency),
                    *("--loglevel", "INFO", "--without-gossip", "--without-mingle"),
                ],
                env,
            )
        self._start(
            "beat",
            [
                *(sys.executable, "-m", "celery", "-A", "mentoring", "beat", "--loglevel", "INFO"),
                *("--schedule", str(tmp / "celerybeat-schedule")),
            ],
            env,
        )
        for node, port in ports.items():
            process = dict(self.processes)[f"web-{node}"]
            serving.wait_until_up(process, port, tmp / f"web-{node}.log")
        self._wait_for_workers()
        return ports

    def _wait_for_workers(self) -> None:
        tmp = self.tmp
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for name, process in self.processes:
                if process.poll() is not None:
                    raise CommandError(
                        f"{name} exited ({process.returncode}):\n{tail(tmp / f'{name}.log')}"
                    )
            logs = [tail(tmp / f"worker-{n}.log", 200) for n in (1, 2)]
            if all(" ready." in log for log in logs):
                return
            time.sleep(0.5)
        raise CommandError("The Celery workers were not ready within 60 s.")

    def stop(self) -> None:
        """Stop beat first (no new sweeps), then the workers (warm shutdown: a running task
        finishes), then the web nodes (gunicorn's graceful stop)."""
        for name, process in reversed(self.processes):
            if process.poll() is None:
                if name.startswith("worker"):
                    process.send_signal(signal.SIGTERM)
                    try:
                        process.wait(timeout=60)
                    except subprocess.TimeoutExpired:
                        process.kill()
                        process.wait()
                else:
                    stop_server(process)
            self.say(f"  stopped {name} (exit {process.returncode})")
        for log in self.logs:
            log.close()

    def keep_logs(self, to: Path) -> None:
        tmp = self.tmp
        to.mkdir(parents=True, exist_ok=True)
        for log in tmp.glob("*.log"):
            shutil.copy(log, to / log.name)
        if (tmp / "mail").is_dir():
            shutil.copytree(tmp / "mail", to / "mail", dirs_exist_ok=True)

    def cache_backend(self, env: dict[str, str]) -> str:
        """CACHES as the nodes read it: the real settings with the nodes' environment."""
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                "import django; django.setup(); from django.conf import settings; "
                "print(settings.CACHES['default']['BACKEND'])",
            ],
            env=env,
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            check=False,
        )
        return result.stdout.strip() or f"unknown ({result.stderr.strip()[-200:]})"
