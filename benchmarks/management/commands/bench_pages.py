"""Benchmark, run by hand (never in CI): the heaviest pages against a bare page, served by
gunicorn on PostgreSQL with the 10,000-employee demo company, in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mentoring_bench DEBUG=1 \\
        python manage.py bench_pages --seed

The server runs as in production (DEBUG off, 2 gunicorn workers, persistent connections,
static files collected with the production storage into a temporary directory); this process
only prepares the data, signs the demo people in by writing their sessions directly (never
through the sign-in form, which django-axes watches) and generates the load. Target: every
heavy page at no less than half the throughput of the yardstick (a plain signed-in list page
of 4 queries, benchmarks/yardstick.py, served by the same server), the signed-in floor (the
home page) at 0.8 of it, p95 under 50 ms. The signed-out bare page stays as a second reference.
"""

from __future__ import annotations

import logging
import os
import platform
import secrets
import shlex
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

import django
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from benchmarks import server as serving
from benchmarks.data import PAIR_NOTES, proposal_note, top_up_notes, yardstick_mentor
from benchmarks.load import (
    Discard,
    Page,
    children,
    free_port,
    get,
    loadavg,
    proc_comm,
    proc_ticks,
    run_load,
    split,
    stop,
    ticks_between,
)
from benchmarks.stats import FLOOR_RATIO, MAX_P95_MS, MIN_RATIO, summarize, verdict
from demo.people import DEMO_PEOPLE, demo_employee
from demo.programs import GROW_SLUG
from firewall.models import AccessEvent
from pairings.models import Meeting, Pairing
from people.models import Employee, User
from programs.selectors import coordinated_programs
from reviews.selectors import review_list_for

BIG_PROGRAM_SLUG = "company-wide-2027"
WARMUP_REQUESTS = 30
DEMO_EMPLOYEES = 10_000
SIGN_IN_BACKEND = "people.backends.EmailBackend"
LOCAL_HOSTS = ("", "127.0.0.1", "localhost", "::1")


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
            Session.objects.filter(session_key__in=self._sessions).delete()

    def _bench(
        self, requests: int, concurrency: int, rounds: int, port: int, markdown: str | None
    ) -> None:
        pages = self._pages()
        # What autovacuum does to a live database in its first minutes: fresh statistics and
        # visibility maps. Straight after seeding, the planner believes a program has one
        # application and walks a 1,500-row index 4,000 times for the matching page's count.
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        self.stdout.write(f"VACUUM ANALYZE in {time.perf_counter() - started:.1f} s.")
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
            env = serving.server_env(secret, Path(tmp))
            serving.collectstatic(env)
            port = port or free_port()
            log_path = Path(tmp) / "gunicorn.log"
            self.stdout.write("Server: gunicorn mentoring.wsgi:application --workers 2")
            server = serving.start_server(env, port, log_path)
            try:
                serving.wait_until_up(server, port, log_path)
                for page in pages:
                    self._check(page, port)
                for page in pages:
                    run_load(port, page, WARMUP_REQUESTS, min(concurrency, WARMUP_REQUESTS))
                load_before = loadavg()
                # Round-robin over the pages, so that other work on the machine weighs on the
                # bare page and the heavy pages alike.
                for number, share in enumerate(split(requests, rounds), start=1):
                    self.stdout.write(f"  round {number}/{rounds}: {share} requests per page")
                    for page in pages:
                        self._measure(page, port, share, concurrency, server.pid)
                load_after = loadavg()
                for page in pages:
                    page.stats = summarize(page.latencies, page.wall_s)
            finally:
                stop(server)
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
            call_command("seed_demo", employees=DEMO_EMPLOYEES, stdout=Discard())
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
        try:
            coordinator = demo_employee("coordinator").user
            committee = demo_employee("committee").user
            mentor = demo_employee("mentor")
            mentoree = demo_employee("mentoree")
            reviewer = demo_employee("reviewer").user
            hr_admin = demo_employee("hradmin").user
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
        topped = top_up_notes(pairing, mentor.user, self.stdout.write)

        review = (
            review_list_for(user=reviewer).filter(subject=mentoree).first()
            or review_list_for(user=reviewer).first()
        )
        if review is None:
            raise CommandError("The demo reviewer can open no talent review.")

        busiest, meetings = yardstick_mentor(self.stdout.write)
        return [
            Page(
                "yardstick",
                "/bench/yardstick/",
                busiest.email,
                "a plain signed-in list page: session, user, count, 25 of the mentor's "
                f"{meetings} meetings among {Meeting.objects.count()} joined to both members, "
                "in a layout of its own (4 queries)",
                judged=False,
            ),
            Page("bare", "/bench/bare/", "", "base template, signed out, no query", judged=False),
            Page(
                "signed-in floor",
                "/",
                mentor.user.email,
                "the home page: what any signed-in page pays (session, user, navigation)",
                min_ratio=FLOOR_RATIO,
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
            Page(
                "coordinator's pairings",
                f"/pairings/program/{program.slug}/",
                coordinator.email,
                f"{program.pairings.count()} pairings, 25 a page",
            ),
            Page(
                "matching review",
                f"/pairings/program/{program.slug}/matching/",
                coordinator.email,
                proposal_note(program, coordinator, self.stdout.write),
            ),
            Page(
                "admin access log",
                "/admin/firewall/accessevent/",
                hr_admin.email,
                f"{AccessEvent.objects.count():,} events",
            ),
        ]

    def _session_key(self, email: str) -> str:
        """A signed-in session written straight to the session table, under the server's
        SECRET_KEY (the caller overrides it): the session hash and the session data are both
        signed with it."""
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
        so that one-off caches are warm). Informative only; the load runs against gunicorn.
        The URLs are the benchmark server's (the app's and the yardstick)."""
        with override_settings(ROOT_URLCONF="benchmarks.urls"):
            for page in pages:
                self._count_page_queries(page)

    def _count_page_queries(self, page: Page) -> None:
        if not page.who:
            page.queries = 0  # by construction: the bare view runs no query
            return
        client = Client(SERVER_NAME="127.0.0.1")
        client.cookies[settings.SESSION_COOKIE_NAME] = self._session_key(page.who)
        try:
            client.get(page.path, secure=True)
            with CaptureQueriesContext(connection) as captured:
                response = client.get(page.path, secure=True)
        except Exception as exc:
            self.stderr.write(f"Could not count the queries of {page.path}: {exc!r}")
            return
        if response.status_code == 200:
            page.queries = len(captured)
        else:
            self.stderr.write(
                f"Counting queries: {page.path} answered {response.status_code} in-process."
            )

    def _check(self, page: Page, port: int) -> None:
        status, headers = get(port, page.path, page.cookie)
        if status != 200:
            where = headers.get("location", "")
            raise CommandError(
                f"{page.path} answered {status}{' -> ' + where if where else ''} for "
                f"{page.who or 'a signed-out visitor'}; the benchmark needs a 200."
            )

    def _measure(self, page: Page, port: int, n: int, concurrency: int, server_pid: int) -> None:
        cpu_before, client_before = self._cpu(server_pid), time.process_time()
        latencies, wall = run_load(port, page, n, min(concurrency, n))
        cpu_after, client_after = self._cpu(server_pid), time.process_time()
        page.latencies += latencies
        page.wall_s += wall
        page.client_s += client_after - client_before
        for kind in ("app", "db"):
            ticks = ticks_between(cpu_before, cpu_after, kind)
            if ticks is not None:
                page.ticks[kind] = page.ticks.get(kind, 0) + ticks

    def _cpu(self, server_pid: int) -> dict[tuple[str, int], int]:
        """CPU clock ticks so far of gunicorn (master and workers) and of the PostgreSQL
        backends serving this database (when PostgreSQL runs on this machine), from /proc.
        Robust to other work on the machine, unlike the wall-clock figures."""
        ticks: dict[tuple[str, int], int] = {}
        for pid in [server_pid, *children(server_pid)]:
            if (t := proc_ticks(pid)) is not None:
                ticks[("app", pid)] = t
        if settings.DATABASES["default"].get("HOST", "") in LOCAL_HOSTS:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
                )
                for (pid,) in cursor.fetchall():
                    if proc_comm(pid).startswith("postgres") and (t := proc_ticks(pid)) is not None:
                        ticks[("db", pid)] = t
        return ticks

    # --- Output --------------------------------------------------------------------------------

    def _facts(self, requests: int, concurrency: int, rounds: int) -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            pg_version = cursor.fetchone()[0]
        try:
            gunicorn_version = version("gunicorn")
        except Exception:
            gunicorn_version = "?"

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
            f"- Target: rps >= {MIN_RATIO:g} x the yardstick for every heavy page, "
            f"{FLOOR_RATIO:g} x for the signed-in floor, and p95 < {MAX_P95_MS:g} ms",
        ]

    def _table(self, pages: list[Page]) -> str:
        yardstick, bare = pages[0].stats, pages[1].stats
        assert yardstick is not None and bare is not None  # noqa: S101 - measured above
        lines = [
            "| Page | URL | As | Queries | rps | x yardstick | x bare | p50 ms | p95 ms | max ms "
            "| app CPU ms/req | DB CPU ms/req | Verdict |",
            "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for page in pages:
            stats = page.stats
            assert stats is not None  # noqa: S101
            ratio, ok = verdict(stats, yardstick, page.min_ratio)
            who = page.who.split("@", 1)[0] if page.who else "signed out"
            lines.append(
                f"| {page.name} | `{page.path}` | {who} | {_fmt(page.queries, '{}')} | "
                f"{stats.rps:.1f} | {ratio:.2f} | {stats.rps / bare.rps:.2f} | "
                f"{stats.p50_ms:.1f} | {stats.p95_ms:.1f} | "
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
