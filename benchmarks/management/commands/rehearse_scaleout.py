"""The compose topology as processes, run by hand (never in CI): two gunicorn web nodes, two
Celery workers and one beat on one PostgreSQL database and one Redis, under a bounded load of
simulated people whose requests alternate between the nodes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mentoring REDIS_URL=redis://127.0.0.1:6379/0 \\
        python manage.py rehearse_scaleout --seed --seconds 180 --people 12

DATABASE_URL and REDIS_URL name the servers only: the rehearsal uses a database of its own on
that PostgreSQL (`--database`, default mentoring_rehearsal, created, migrated and seeded with
the demo company by `--seed`), a Redis database of its own (`--redis-db`) and a Celery queue of
its own for each run. People sign in once through the real sign-in form (on one node) and then
browse, log meetings, write notes and vote through the real forms with their CSRF tokens, each
request on the other node than the one before. Meetings are logged a day and a few minutes
ahead, so their reminders come due during the run and beat's sweep delivers them; the workers
write e-mails to files, one folder per process, and the run compares them with the rows.
Midway, the coordinator removes a committee member through node A and the next request of
that member on node B must be refused; added back, the next one must be served.

Prints requests per node and status, latency, messages due and delivered, and the verdicts;
exits non-zero when a check fails. Every process is stopped at the end, on Ctrl-C too.
"""

from __future__ import annotations

import os
import platform
import shlex
import signal
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from benchmarks.rehearsal import (
    Browser,
    Delivery,
    Tally,
    delivery_of,
    emails_per_message,
    latency_ms,
    verdicts,
)
from benchmarks.topology import NODES, Topology, database_prepare, with_redis_db
from benchmarks.visitors import Person, browse, coherence_check, people_choose, sign_in
from notifications.models import Message


class Command(BaseCommand):
    help = (
        "Rehearse the compose topology as processes: 2 web nodes, 2 Celery workers and beat "
        "under load on PostgreSQL and Redis (run by hand, not in CI)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=int, default=180, help="length of the load")
        parser.add_argument("--people", type=int, default=12, help="simulated people")
        parser.add_argument("--database", default="mentoring_rehearsal")
        parser.add_argument("--redis-db", type=int, default=11)
        parser.add_argument("--worker-concurrency", type=int, default=2, choices=[1, 2])
        parser.add_argument("--sweep-seconds", type=float, default=5.0)
        parser.add_argument("--drain", type=int, default=60, help="seconds to wait for due mail")
        parser.add_argument("--seed", action="store_true", help="create, migrate and seed")
        parser.add_argument(
            "--fresh",
            action="store_true",
            help="drop the rehearsal's database first (implies --seed)",
        )
        parser.add_argument("--markdown", metavar="FILE", help="also write the figures here")
        parser.add_argument("--keep-logs", metavar="DIR", help="copy the process logs here")

    # --- Entry point ---------------------------------------------------------------------------

    def handle(self, *args, **options):
        redis_url = self._refuse_without_services()
        if options["seconds"] < 10 or options["people"] < 4:
            raise CommandError("--seconds must be at least 10 and --people at least 4.")
        self.options = options
        db_url = database_prepare(
            options["database"],
            seed=options["seed"] or options["fresh"],
            fresh=options["fresh"],
            say=self.stdout.write,
        )
        redis_url = with_redis_db(redis_url, options["redis_db"])
        # Ctrl-C and a plain kill both end in the same place: every process stopped.
        previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            with tempfile.TemporaryDirectory(prefix="rehearsal_") as tmp:
                topology = Topology(Path(tmp), say=self.stdout.write)
                try:
                    report, passed = self._rehearse(topology, db_url, redis_url)
                finally:
                    topology.stop()
                    if options.get("keep_logs"):
                        topology.keep_logs(Path(options["keep_logs"]))
        except KeyboardInterrupt:
            raise CommandError("Interrupted; every process was stopped.") from None
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write("")
        self.stdout.write(report)
        if options.get("markdown"):
            Path(options["markdown"]).write_text(report + "\n")
            self.stdout.write(f"\nWritten to {options['markdown']}")
        if not passed:
            raise CommandError("At least one check failed (see the table above).")

    def _refuse_without_services(self) -> str:
        engine = settings.DATABASES["default"]["ENGINE"]
        if engine != "django.db.backends.postgresql":
            raise CommandError(
                "rehearse_scaleout needs PostgreSQL (every node and worker shares one "
                "database): set DATABASE_URL, e.g. "
                "DATABASE_URL=postgres://postgres@127.0.0.1:5432/mentoring "
                f"(the database now is {engine})."
            )
        if not settings.REDIS_URL:
            raise CommandError(
                "rehearse_scaleout needs Redis (the broker and the shared cache): set "
                "REDIS_URL, e.g. REDIS_URL=redis://127.0.0.1:6379/0 (the rehearsal uses a "
                "database number of its own, --redis-db)."
            )
        return settings.REDIS_URL

    def _rehearse(self, topology: Topology, db_url: str, redis_url: str) -> tuple[str, bool]:
        seconds, people_wanted = self.options["seconds"], self.options["people"]
        people, probe_email = people_choose(people_wanted)
        env = topology.env(db_url, redis_url, self.options["sweep_seconds"])
        started_at = timezone.now()
        self.load_before = os.getloadavg()[0]
        self.stdout.write(
            f"Starting 2 web nodes (gunicorn, 2 sync workers each), 2 Celery workers "
            f"(concurrency {self.options['worker_concurrency']}) and beat on "
            f"{connection.settings_dict['NAME']} and Redis db {self.options['redis_db']}."
        )
        ports = topology.start(env, self.options["worker_concurrency"])
        tally = Tally(nodes=NODES)
        for index, person in enumerate(people):
            person.browser = Browser(ports, tally)
            sign_in(person.browser, person.email, NODES[index % 2])
        run_from = timezone.now()
        self.stdout.write(
            f"Web nodes on ports {ports['A']} and {ports['B']}; {len(people)} people signed "
            f"in; load for {seconds} s."
        )
        stop_at = time.monotonic() + seconds
        stopping = threading.Event()
        threads = [
            threading.Thread(
                target=browse, args=(p, stop_at, stopping, self.stderr.write), daemon=True
            )
            for p in people
        ]
        for thread in threads:
            thread.start()
        try:
            time.sleep(max(0.0, seconds / 2))
            coherence = coherence_check(ports, probe_email, self.stdout.write)
            time.sleep(max(0.0, stop_at - time.monotonic()))
        finally:
            stopping.set()
            for thread in threads:
                thread.join(timeout=60)
        run_to = timezone.now()
        drained_in = self._drain(run_to)
        due = dict(
            Message.objects.filter(due_at__gte=run_from, due_at__lte=run_to).values_list(
                "pk", "status"
            )
        )
        per_message, per_folder, other = emails_per_message(topology.mail_folders())
        delivery = delivery_of(due, per_message)
        cross_node = sum(
            1 for p in people if p.browser is not None and len(p.browser.nodes_used) == 2
        )
        results = verdicts(
            tally=tally,
            delivery=delivery,
            coherence=coherence,
            cache_backend=topology.cache_backend(env),
            cross_node_sessions=cross_node,
        )
        report = self._report(
            started_at, seconds, people, tally, delivery, per_folder, other, drained_in, results
        )
        return report, all(v.ok for v in results)

    def _drain(self, run_to: datetime) -> float:
        """Wait until no message that came due is left pending (beat sweeps every few
        seconds); returns how long that took."""
        began = time.monotonic()
        while time.monotonic() - began < self.options["drain"]:
            if not Message.objects.filter(status="pending", due_at__lte=run_to).exists():
                break
            time.sleep(1)
        time.sleep(2)  # an e-mail in flight is written before its row commits
        return time.monotonic() - began

    # --- Output --------------------------------------------------------------------------------

    def _report(
        self,
        started_at: datetime,
        seconds: int,
        people: list[Person],
        tally: Tally,
        delivery: Delivery,
        per_folder,
        other: int,
        drained_in: float,
        results,
    ) -> str:
        roles: dict[str, int] = {}
        for person in people:
            roles[person.role] = roles.get(person.role, 0) + 1
        lines = [
            "## rehearse_scaleout",
            "",
            f"- Command: `{shlex.join(sys.argv)}`",
            f"- Started {started_at:%Y-%m-%d %H:%M} UTC on {os.cpu_count()} CPU(s), "
            f"{platform.platform()}; PostgreSQL and Redis on the same machine",
            f"- Load: {seconds} s, {len(people)} people ("
            + ", ".join(f"{n} {r}" for r, n in sorted(roles.items()))
            + "), 0.3-1.2 s between actions, each request on the other node than the last",
            f"- Load average (1 min) before / after: {self.load_before:.2f} / "
            f"{os.getloadavg()[0]:.2f} (2 web nodes x 3 processes, 2 workers x "
            f"{1 + self.options['worker_concurrency']}, beat, PostgreSQL, Redis and this "
            "load generator share the CPUs)",
            "",
            "| Node | Requests | 2xx | 3xx | 4xx | 5xx | errors | p50 ms | p95 ms |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for node in (*NODES, None):
            statuses = (
                tally.statuses[node]
                if node
                else sum((tally.statuses[n] for n in NODES), start=type(tally.statuses["A"])())
            )
            p50, p95 = latency_ms(tally.latencies[node] if node else tally.all_latencies())
            buckets = [
                sum(n for s, n in statuses.items() if lo <= s < lo + 100)
                for lo in (200, 300, 400, 500)
            ]
            errors = tally.errors[node] if node else sum(tally.errors.values())
            lines.append(
                f"| {node or 'both'} | {sum(statuses.values())} | "
                + " | ".join(str(b) for b in buckets)
                + f" | {errors} | {p50:.1f} | {p95:.1f} |"
            )
        lines += [
            "",
            "Statuses: "
            + ", ".join(
                f"{status}: {n}"
                for status, n in sorted(
                    sum(
                        (tally.statuses[n] for n in NODES), start=type(tally.statuses["A"])()
                    ).items()
                )
            ),
            "Actions: " + ", ".join(f"{a}: {n}" for a, n in sorted(tally.actions.items())),
            f"Messages due during the run: {delivery.due}; delivered (sent) {delivery.sent}, "
            f"skipped {delivery.skipped}, pending after a drain of {drained_in:.0f} s "
            f"{delivery.pending}, failed {delivery.failed}; e-mails {delivery.emails}, "
            f"duplicates {delivery.duplicates}, missing {delivery.missing}.",
            "E-mails written per process: "
            + ", ".join(f"{name} {n}" for name, n in sorted(per_folder.items()))
            + (f" ({other} without a message id)" if other else ""),
            "",
            "| Check | Verdict | Detail |",
            "|---|---|---|",
            *(f"| {v.check} | {'PASS' if v.ok else 'FAIL'} | {v.detail} |" for v in results),
        ]
        return "\n".join(lines)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt
