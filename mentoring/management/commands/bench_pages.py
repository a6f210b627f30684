"""Benchmark, run by hand (never in CI): the heaviest pages against a bare page, served by
gunicorn on PostgreSQL with the 10,000-employee demo company, in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mentoring_bench DEBUG=1 \\
        python manage.py bench_pages --seed

The server runs as in production (DEBUG off, 2 gunicorn workers, persistent connections,
static files collected with the production storage into a temporary directory); this process
only prepares the data, signs the demo people in by writing their sessions directly (never
through the sign-in form, which django-axes watches) and generates the load. Target: every
heavy page at no less than half the bare page's throughput, with p95 under 100 ms.
"""

from __future__ import annotations

import http.client
import logging
import math
import os
import platform
import secrets
import shlex
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import django
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.test.utils import override_settings

BIG_PROGRAM_SLUG = "company-wide-2027"
PAIR_NOTES = 200
MIN_RATIO = 0.5
MAX_P95_MS = 100.0
WARMUP_REQUESTS = 30
DEMO_EMPLOYEES = 10_000
SIGN_IN_BACKEND = "people.backends.EmailBackend"
LOCAL_HOSTS = ("", "127.0.0.1", "localhost", "::1")


# --- Statistics (pure, unit-tested) ------------------------------------------------------------


def percentile(values: Sequence[float], pct: float) -> float:
    """The pct-th percentile (0-100) by linear interpolation between the closest ranks
    (numpy's default, statistics.quantiles' "inclusive" method)."""
    if not values:
        raise ValueError("percentile of an empty list")
    if not 0 <= pct <= 100:
        raise ValueError("pct must be between 0 and 100")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Stats:
    requests: int
    wall_s: float
    rps: float
    p50_ms: float
    p95_ms: float
    max_ms: float


def summarize(latencies_s: Sequence[float], wall_s: float) -> Stats:
    """Requests per second over the wall time, and latency percentiles in milliseconds."""
    if wall_s <= 0:
        raise ValueError("wall time must be positive")
    return Stats(
        requests=len(latencies_s),
        wall_s=wall_s,
        rps=len(latencies_s) / wall_s,
        p50_ms=percentile(latencies_s, 50) * 1000,
        p95_ms=percentile(latencies_s, 95) * 1000,
        max_ms=max(latencies_s) * 1000,
    )


def verdict(stats: Stats, bare: Stats) -> tuple[float, bool]:
    """The page's throughput as a share of the bare page's, and whether it meets the target."""
    ratio = stats.rps / bare.rps
    return ratio, ratio >= MIN_RATIO and stats.p95_ms < MAX_P95_MS


# --- The pages ---------------------------------------------------------------------------------


@dataclass
class Page:
    name: str
    path: str
    who: str  # a demo e-mail, or "" for signed out
    note: str = ""
    judged: bool = True  # False: shown for reference, no verdict
    cookie: str = ""
    queries: int | None = None
    stats: Stats | None = None
    latencies: list[float] = field(default_factory=list)
    wall_s: float = 0.0
    # CPU clock ticks: "app" for gunicorn (master and workers), "db" for the PostgreSQL
    # backends of this database; client_s for this load generator.
    ticks: dict[str, int] = field(default_factory=dict)
    client_s: float = 0.0

    def cpu_ms_per_request(self, kind: str) -> float | None:
        if kind not in self.ticks or not self.latencies:
            return None
        return self.ticks[kind] * 1000 / os.sysconf("SC_CLK_TCK") / len(self.latencies)


class Command(BaseCommand):
    help = (
        "Benchmark the heaviest pages against a bare page under gunicorn on PostgreSQL "
        "(run by hand, not in CI)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=400, help="requests per page")
        parser.add_argument("--concurrency", type=int, default=4, help="client threads")
        parser.add_argument(
            "--rounds",
            type=int,
            default=4,
            help="split the requests into this many round-robin passes over the pages",
        )
        parser.add_argument("--port", type=int, default=0, help="gunicorn port (default: free)")
        parser.add_argument(
            "--seed",
            action="store_true",
            help=f"migrate and run seed_demo --employees {DEMO_EMPLOYEES} first",
        )
        parser.add_argument("--markdown", metavar="FILE", help="also write the table here")

    # --- Entry point ---------------------------------------------------------------------------

    def handle(
        self, *args, requests: int, concurrency: int, rounds: int, port: int, seed: bool, **options
    ):
        engine = settings.DATABASES["default"]["ENGINE"]
        if engine != "django.db.backends.postgresql":
            raise CommandError(
                "bench_pages measures the app as deployed and runs only on PostgreSQL: set "
                "DATABASE_URL to a PostgreSQL database, e.g. "
                "DATABASE_URL=postgres://postgres@127.0.0.1:5432/mentoring_bench "
                f"(the database now is {engine})."
            )
        if requests < concurrency or concurrency < 1 or rounds < 1:
            raise CommandError(
                "--requests must be at least --concurrency, which must be >= 1; --rounds >= 1"
            )
        if seed:
            self._seed()
        self._sessions: list[str] = []
        try:
            self._bench(requests, concurrency, rounds, port, options.get("markdown"))
        finally:
            from django.contrib.sessions.models import Session

            Session.objects.filter(session_key__in=self._sessions).delete()

    def _bench(
        self, requests: int, concurrency: int, rounds: int, port: int, markdown: str | None
    ) -> None:
        pages = self._pages()
        self._count_queries(pages)
        secret = secrets.token_urlsafe(50)
        with override_settings(SECRET_KEY=secret):
            for page in pages:
                if page.who:
                    page.cookie = f"{settings.SESSION_COOKIE_NAME}={self._session_key(page.who)}"

        facts = self._facts(requests, concurrency, rounds)
        for line in facts:
            self.stdout.write(line)
        with tempfile.TemporaryDirectory(prefix="bench_pages_") as tmp:
            env = self._server_env(secret, Path(tmp))
            self._collectstatic(env)
            port = port or _free_port()
            log_path = Path(tmp) / "gunicorn.log"
            server = self._start_server(env, port, log_path)
            try:
                self._wait_until_up(server, port, log_path)
                for page in pages:
                    self._check(page, port)
                for page in pages:
                    _run_load(port, page, WARMUP_REQUESTS, min(concurrency, WARMUP_REQUESTS))
                load_before = _loadavg()
                # Round-robin over the pages, so that other work on the machine weighs on the
                # bare page and the heavy pages alike.
                for number, share in enumerate(_split(requests, rounds), start=1):
                    self.stdout.write(f"  round {number}/{rounds}: {share} requests per page")
                    for page in pages:
                        self._measure(page, port, share, concurrency, server.pid)
                load_after = _loadavg()
                for page in pages:
                    page.stats = summarize(page.latencies, page.wall_s)
            finally:
                _stop(server)
        facts.append(
            f"- Load average (1 min) before / after the measured runs: {load_before} / "
            f"{load_after} (anything above the server's own load means other work shared "
            "the CPUs)"
        )
        self.stdout.write(facts[-1])
        table = self._table(pages)
        self.stdout.write("")
        self.stdout.write(table)
        if markdown:
            Path(markdown).write_text("\n".join([*facts, "", table, ""]))
            self.stdout.write(f"\nWritten to {markdown}")

    # --- Data ----------------------------------------------------------------------------------

    def _seed(self) -> None:
        from people.demo import DEMO_PEOPLE
        from people.models import Employee

        call_command("migrate", interactive=False, verbosity=0)
        loaded = Employee.objects.filter(email=DEMO_PEOPLE[0].email).exists()
        self.stdout.write(
            "Demo company already loaded; running seed_demo for any part still missing."
            if loaded
            else f"Loading the demo company with {DEMO_EMPLOYEES} employees (a minute or two)."
        )
        started = time.perf_counter()
        logging.disable(logging.INFO)  # the eager Celery tasks log every demo message
        try:
            call_command("seed_demo", employees=DEMO_EMPLOYEES, stdout=_Discard())
        finally:
            logging.disable(logging.NOTSET)
        self.stdout.write(f"seed_demo done in {time.perf_counter() - started:.1f} s.")
        count = Employee.objects.count()
        if count < DEMO_EMPLOYEES:
            self.stderr.write(
                self.style.WARNING(
                    f"The database holds only {count} employees (seeded earlier with fewer); "
                    "for the reference figures use a fresh database."
                )
            )

    def _pages(self) -> list[Page]:
        from pairings.models import Pairing
        from people.demo import demo_employee
        from people.models import Employee
        from programs.demo import GROW_SLUG
        from programs.selectors import coordinated_programs
        from reviews.selectors import review_list_for

        try:
            coordinator = demo_employee("coordinator").user
            committee = demo_employee("committee").user
            mentor = demo_employee("mentor")
            mentoree = demo_employee("mentoree")
            reviewer = demo_employee("reviewer").user
        except Employee.DoesNotExist:
            raise CommandError("The demo company is not loaded: run again with --seed.") from None

        coordinated = coordinated_programs(user=coordinator)
        program = coordinated.filter(slug=BIG_PROGRAM_SLUG).first()
        dashboard_note = ""
        if program is None:
            program = (
                coordinated.annotate(
                    n_apps=Count("applications", distinct=True),
                    n_pairs=Count("pairings", distinct=True),
                )
                .order_by("-n_apps", "-n_pairs", "pk")
                .first()
            )
            if program is None:
                raise CommandError("The demo coordinator coordinates no program.")
            dashboard_note = (
                f"FALLBACK: {BIG_PROGRAM_SLUG} is not in the database; using the coordinator's "
                "largest program"
            )
        program_size = (
            f"{program.applications.count()} applications, {program.pairings.count()} pairings"
        )

        pairing = (
            Pairing.objects.filter(program__slug=GROW_SLUG, mentor=mentor, mentoree=mentoree)
            .order_by("-pk")
            .first()
        )
        if pairing is None:
            raise CommandError("The demo pair Helena Marsh / Samuel Okoro is not in grow-2027.")
        topped = self._top_up_notes(pairing, mentor.user)

        review = (
            review_list_for(user=reviewer).filter(subject=mentoree).first()
            or review_list_for(user=reviewer).first()
        )
        if review is None:
            raise CommandError("The demo reviewer can open no talent review.")

        return [
            Page("bare", "/bench/bare/", "", "base template, signed out, no query", judged=False),
            Page(
                "signed-in floor (reference)",
                "/",
                mentor.user.email,
                "the home page: what any signed-in page pays (session, user, navigation)",
                judged=False,
            ),
            Page(
                "coordinator dashboard",
                f"/reports/{program.slug}/",
                coordinator.email,
                "; ".join(filter(None, [program_size, dashboard_note])),
            ),
            Page("committee queue", "/programs/committee/", committee.email),
            Page(
                "pair space",
                f"/pairings/{pairing.pk}/",
                mentor.user.email,
                f"{PAIR_NOTES} notes" + (f" ({topped} added now)" if topped else ""),
            ),
            Page(
                "mentor's notes list",
                f"/confidentiality/pairings/{pairing.pk}/notes/",
                mentor.user.email,
            ),
            Page("review dossier", f"/reviews/{review.pk}/dossier/", reviewer.email),
        ]

    def _top_up_notes(self, pairing, author) -> int:
        from confidentiality.models import Note
        from confidentiality.services import note_create

        missing = PAIR_NOTES - Note.objects.filter(pairing=pairing).count()
        for i in range(missing):
            note_create(
                pairing=pairing,
                author=author,
                text=(
                    f"Benchmark note {i + 1}. We talked through the quarterly architecture "
                    "review, how to open with the decision needed, and who to brief "
                    "beforehand. Next time: practise the first two minutes out loud."
                ),
                shared=i % 2 == 0,
            )
        if missing > 0:
            self.stdout.write(f"Topped the demo pair up to {PAIR_NOTES} notes ({missing} added).")
        return max(missing, 0)

    def _session_key(self, email: str) -> str:
        """A signed-in session written straight to the session table, under the server's
        SECRET_KEY (the caller overrides it): the session hash and the session data are both
        signed with it."""
        from django.contrib.sessions.backends.db import SessionStore

        from people.models import User

        user = User.objects.get(email=email)
        session = SessionStore()
        session[SESSION_KEY] = user._meta.pk.value_to_string(user)
        session[BACKEND_SESSION_KEY] = SIGN_IN_BACKEND
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        self._sessions.append(session.session_key)
        return session.session_key

    def _count_queries(self, pages: list[Page]) -> None:
        """Queries per page, counted in this process with the test client (second request,
        so that one-off caches are warm). Informative only; the load runs against gunicorn."""
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        for page in pages:
            if not page.who:
                page.queries = 0  # by construction: the bare view runs no query
                continue
            client = Client(SERVER_NAME="127.0.0.1")
            client.cookies[settings.SESSION_COOKIE_NAME] = self._session_key(page.who)
            try:
                client.get(page.path, secure=True)
                with CaptureQueriesContext(connection) as captured:
                    response = client.get(page.path, secure=True)
            except Exception as exc:
                self.stderr.write(f"Could not count the queries of {page.path}: {exc!r}")
                continue
            if response.status_code == 200:
                page.queries = len(captured)
            else:
                self.stderr.write(
                    f"Counting queries: {page.path} answered {response.status_code} in-process."
                )

    # --- Server --------------------------------------------------------------------------------

    def _server_env(self, secret: str, tmp: Path) -> dict[str, str]:
        """Production settings over plain http on 127.0.0.1. The settings module is the real
        one, with STATIC_ROOT moved to a temporary directory so that the production static
        storage (a manifest) can be collected without touching the checkout."""
        (tmp / "bench_settings.py").write_text(
            "from mentoring.settings import *  # noqa: F403\n"
            f"STATIC_ROOT = {str(tmp / 'static')!r}\n"
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

    def _collectstatic(self, env: dict[str, str]) -> None:
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

    def _start_server(self, env: dict[str, str], port: int, log_path: Path) -> subprocess.Popen:
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
        self.stdout.write(f"Server: {shlex.join(command[1:])}")
        log = log_path.open("wb")
        return subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
            command,
            env=env,
            cwd=settings.BASE_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def _wait_until_up(self, server: subprocess.Popen, port: int, log_path: Path) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise CommandError(f"gunicorn exited ({server.returncode}):\n{_tail(log_path)}")
            try:
                status, _ = _get(port, "/bench/bare/", "")
            except OSError:
                time.sleep(0.2)
                continue
            if status == 200:
                return
            raise CommandError(f"/bench/bare/ answered {status}:\n{_tail(log_path)}")
        raise CommandError(f"gunicorn did not answer within 30 s:\n{_tail(log_path)}")

    def _check(self, page: Page, port: int) -> None:
        status, headers = _get(port, page.path, page.cookie)
        if status != 200:
            where = headers.get("location", "")
            raise CommandError(
                f"{page.path} answered {status}{' -> ' + where if where else ''} for "
                f"{page.who or 'a signed-out visitor'}; the benchmark needs a 200."
            )

    def _measure(self, page: Page, port: int, n: int, concurrency: int, server_pid: int) -> None:
        cpu_before, client_before = self._cpu(server_pid), time.process_time()
        latencies, wall = _run_load(port, page, n, min(concurrency, n))
        cpu_after, client_after = self._cpu(server_pid), time.process_time()
        page.latencies += latencies
        page.wall_s += wall
        page.client_s += client_after - client_before
        for kind in ("app", "db"):
            ticks = _ticks(cpu_before, cpu_after, kind)
            if ticks is not None:
                page.ticks[kind] = page.ticks.get(kind, 0) + ticks

    def _cpu(self, server_pid: int) -> dict[tuple[str, int], int]:
        """CPU clock ticks so far of gunicorn (master and workers) and of the PostgreSQL
        backends serving this database (when PostgreSQL runs on this machine), from /proc.
        Robust to other work on the machine, unlike the wall-clock figures."""
        ticks: dict[tuple[str, int], int] = {}
        for pid in [server_pid, *_children(server_pid)]:
            if (t := _proc_ticks(pid)) is not None:
                ticks[("app", pid)] = t
        if settings.DATABASES["default"].get("HOST", "") in LOCAL_HOSTS:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
                )
                for (pid,) in cursor.fetchall():
                    if (
                        _proc_comm(pid).startswith("postgres")
                        and (t := _proc_ticks(pid)) is not None
                    ):
                        ticks[("db", pid)] = t
        return ticks

    # --- Output --------------------------------------------------------------------------------

    def _facts(self, requests: int, concurrency: int, rounds: int) -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            pg_version = cursor.fetchone()[0]
        try:
            from importlib.metadata import version

            gunicorn_version = version("gunicorn")
        except Exception:
            gunicorn_version = "?"
        from people.models import Employee

        return [
            "## bench_pages",
            "",
            f"- Command: `{shlex.join(sys.argv)}`",
            f"- Machine: {os.cpu_count()} CPU(s), {platform.platform()}",
            f"- PostgreSQL {pg_version}; Python {platform.python_version()}; "
            f"Django {django.get_version()}; gunicorn {gunicorn_version}",
            f"- Data: {Employee.objects.count()} employees",
            "- Server: gunicorn, 2 sync workers, DEBUG=0, CONN_MAX_AGE=60, 127.0.0.1",
            f"- Load: {requests} requests per page from {concurrency} threads (one "
            f"http.client connection each; the sync workers close it after each response, so "
            f"it reconnects), in {rounds} round-robin passes over the pages, after "
            f"{WARMUP_REQUESTS} warm-up requests per page",
            "- Note: the load generator, gunicorn and PostgreSQL share the same machine's "
            "CPUs; the client is kept light, but the figures include that contention",
            f"- Target: rps >= {MIN_RATIO:g} x bare and p95 < {MAX_P95_MS:g} ms",
        ]

    def _table(self, pages: list[Page]) -> str:
        bare = pages[0].stats
        assert bare is not None  # noqa: S101 - measured above
        lines = [
            "| Page | URL | As | Queries | rps | x bare | p50 ms | p95 ms | max ms "
            "| app CPU ms/req | DB CPU ms/req | Verdict |",
            "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for page in pages:
            stats = page.stats
            assert stats is not None  # noqa: S101
            ratio, ok = verdict(stats, bare)
            who = page.who.split("@", 1)[0] if page.who else "signed out"
            lines.append(
                f"| {page.name} | `{page.path}` | {who} | {_fmt(page.queries, '{}')} | "
                f"{stats.rps:.1f} | {ratio:.2f} | {stats.p50_ms:.1f} | {stats.p95_ms:.1f} | "
                f"{stats.max_ms:.1f} | {_fmt(page.cpu_ms_per_request('app'))} | "
                f"{_fmt(page.cpu_ms_per_request('db'))} | "
                f"{('PASS' if ok else 'MISS') if page.judged else '-'} |"
            )
        client = [p.client_s * 1000 / len(p.latencies) for p in pages if p.latencies]
        notes = [
            "",
            "Queries: counted in-process with the test client (second request). CPU ms/req: "
            "from /proc, gunicorn master + workers, and the PostgreSQL backends of this "
            "database; unlike rps and latency they hardly depend on other work on the machine "
            "(DB CPU is a lower bound: a connection recycled by CONN_MAX_AGE mid-run takes its "
            "ticks with it).",
        ]
        if client:
            notes.append(
                f"The load generator itself used {min(client):.1f}-{max(client):.1f} ms CPU "
                "per request."
            )
        notes += [f"- {p.name}: {p.note}" for p in pages if p.note]
        return "\n".join(lines + notes)


def _fmt(value, spec: str = "{:.1f}") -> str:
    return "?" if value is None else spec.format(value)


# --- HTTP load ---------------------------------------------------------------------------------


class _Discard:
    def write(self, *args, **kwargs) -> None:
        pass

    def flush(self) -> None:
        pass


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _headers(cookie: str) -> dict[str, str]:
    headers = {"Host": "127.0.0.1", "User-Agent": "bench_pages"}
    if cookie:
        headers["Cookie"] = cookie
    return headers


def _get(port: int, path: str, cookie: str) -> tuple[int, dict[str, str]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers=_headers(cookie))
        response = conn.getresponse()
        response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}
    finally:
        conn.close()


def _run_load(port: int, page: Page, total: int, concurrency: int) -> tuple[list[float], float]:
    """total GETs of the page from `concurrency` threads, each with its own connection: the
    latencies in seconds and the wall time."""
    shares = _split(total, concurrency)
    concurrency = len(shares)
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    failures: list[str] = []
    headers = _headers(page.cookie)
    start = threading.Barrier(concurrency + 1)

    def worker(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = latencies[index]
        start.wait()
        try:
            for _ in range(shares[index]):
                began = time.perf_counter()
                try:
                    conn.request("GET", page.path, headers=headers)
                    response = conn.getresponse()
                    response.read()
                except (OSError, http.client.HTTPException):
                    # A dropped keep-alive connection: reconnect and try once more.
                    conn.close()
                    conn.request("GET", page.path, headers=headers)
                    response = conn.getresponse()
                    response.read()
                mine.append(time.perf_counter() - began)
                if response.status != 200:
                    failures.append(f"{response.status}")
        except Exception as exc:
            failures.append(repr(exc))
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    if failures:
        raise CommandError(f"{page.path}: {len(failures)} failed request(s), e.g. {failures[:3]}")
    return [x for mine in latencies for x in mine], wall


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()  # gunicorn's graceful shutdown
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _loadavg() -> str:
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "?"


def _proc_ticks(pid: int) -> int | None:
    """utime + stime of a process, in clock ticks; None where /proc is not readable."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def _proc_comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _ticks(
    before: dict[tuple[str, int], int], after: dict[tuple[str, int], int], kind: str
) -> int | None:
    keys = [k for k in after if k[0] == kind]
    if not keys:
        return None
    return sum(after[k] - before.get(k, 0) for k in keys)


def _split(total: int, parts: int) -> list[int]:
    """total as `parts` near-equal positive shares (fewer parts when total is smaller)."""
    parts = max(1, min(parts, total))
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
