"""Benchmark, run by hand (never in CI): the admin's access-log list with millions of events.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mentoring_bench DEBUG=1 \\
        python manage.py bench_access_log --events 10000000

Fills the access log up to `--events` rows on PostgreSQL (one INSERT ... SELECT per million,
spread over the last two years, with the mix of actions and outcomes a busy company writes),
then opens the access-log list in the admin as the demo HR admin, in this process through
the test client, `--repeat` times for each of the ways an HR admin reads it: the first page,
a later page, each filter of the sidebar, a date range and a search by request id. Prints
p50, p95 and max per view, and the number of queries. Target: every view under 200 ms.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from benchmarks.stats import percentile
from demo.people import demo_employee
from firewall.models import AccessEvent
from people.models import Employee

CHUNK = 1_000_000
TARGET_MS = 200.0

_FILL_SQL = """
INSERT INTO confidentiality_accessevent
    (actor_id, actor_label, action, object_type, object_id, outcome, request_id, detail, at)
SELECT
    NULL,
    'Bench Person ' || (g %% 5000) || ' <bench.' || (g %% 5000) || '@example.test>',
    (ARRAY['read', 'read', 'read', 'list', 'list', 'write', 'sign', 'refused'])[1 + g %% 8],
    (ARRAY['note', 'note', 'pairing', 'agreement', 'program'])[1 + g %% 5],
    g %% 200000,
    CASE WHEN g %% 8 = 7 THEN 'refused' ELSE 'allowed' END,
    md5(g::text),
    '',
    now() - make_interval(secs => (g %% 63072000)::double precision)
FROM generate_series(%s, %s) AS g
"""


class Command(BaseCommand):
    help = "Benchmark the admin's access-log list with millions of events (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--events", type=int, default=10_000_000)
        parser.add_argument("--repeat", type=int, default=20, help="requests per view")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_access_log runs on PostgreSQL: set DATABASE_URL.")
        try:
            hr_admin = demo_employee("hradmin").user
        except Employee.DoesNotExist:
            raise CommandError("Load the demo first: manage.py seed_demo.") from None
        self._fill(options["events"])
        client = Client(SERVER_NAME="127.0.0.1")
        client.force_login(hr_admin)
        url = reverse("admin:firewall_accessevent_changelist")
        some_request = AccessEvent.objects.order_by("-pk").values_list("request_id", flat=True)[:1][
            0
        ]
        views = [
            ("first page", ""),
            ("page 50", "?p=49"),
            ("refused only", "?outcome__exact=refused"),
            ("reads of notes", "?action__exact=read&object_type=note"),
            ("past 7 days", "?at__gte={week}&at__lt={tomorrow}"),
            ("search by request id", f"?q={some_request}"),
            ("search for a person", "?q=becker"),
        ]
        today = time.strftime("%Y-%m-%d")
        week = time.strftime("%Y-%m-%d", time.localtime(time.time() - 6 * 86400))
        tomorrow = time.strftime("%Y-%m-%d", time.localtime(time.time() + 86400))
        rows = []
        for name, query in views:
            query = query.format(week=week, today=today, tomorrow=tomorrow)
            first = client.get(url + query, secure=True)
            if first.status_code != 200:
                raise CommandError(f"{url}{query} answered {first.status_code}.")
            times = []
            for _ in range(options["repeat"]):
                with CaptureQueriesContext(connection) as queries:
                    start = time.perf_counter()
                    response = client.get(url + query, secure=True)
                    times.append((time.perf_counter() - start) * 1000)
                if response.status_code != 200:
                    raise CommandError(f"{url}{query} answered {response.status_code}.")
            rows.append((name, query, len(queries), times))
        self._report(rows)

    def _fill(self, events: int) -> None:
        have = self._estimate()
        if have >= events * 0.99:
            self.stdout.write(f"The access log holds about {have:,} events.")
            return
        have = AccessEvent.objects.count()
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for first in range(have + 1, events + 1, CHUNK):
                last = min(first + CHUNK - 1, events)
                cursor.execute(_FILL_SQL, [first, last])
                self.stdout.write(f"  {last:,} events")
            cursor.execute("ANALYZE confidentiality_accessevent")
        self.stdout.write(
            f"Filled the access log to {events:,} events in {time.perf_counter() - started:.0f} s."
        )

    def _estimate(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE relname = %s",
                [AccessEvent._meta.db_table],
            )
            row = cursor.fetchone()
        return max(int(row[0]) if row else 0, 0)

    def _report(self, rows) -> None:
        self.stdout.write(f"\nAccess-log list in the admin, about {self._estimate():,} events")
        self.stdout.write("| view | query | queries | p50 ms | p95 ms | max ms | target |")
        self.stdout.write("|---|---|---:|---:|---:|---:|---|")
        for name, query, count, times in rows:
            p95 = percentile(times, 95)
            self.stdout.write(
                f"| {name} | `{query or '(none)'}` | {count} | {percentile(times, 50):.0f} | "
                f"{p95:.0f} | {max(times):.0f} | {'PASS' if p95 < TARGET_MS else 'MISS'} |"
            )
