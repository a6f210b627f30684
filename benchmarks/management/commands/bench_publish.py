"""Measure the publication of a matching run's proposal in the current database.

    manage.py bench_publish [--pairs 10000] [--seed 2026]

A program with `--pairs` proposable pairs is written with bulk inserts inside a transaction
(`benchmarks.publishing.synthetic_proposal`), the proposal is published through the service the
publication task calls (`matching_run_publish`: every hard constraint judged under the
single-pair path's locks, then pairings, access grants, register records, agreements and
messages written in bulk), and the transaction is rolled back, so nothing remains (no message
is delivered: delivery tasks are handed over on commit only). Prints the seconds and the
number of queries of the publication alone.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from benchmarks.publishing import synthetic_proposal
from confidentiality.models import Agreement
from firewall.models import ConflictEntry
from notifications.models import Message
from pairings.bulk import PROPOSE_BATCH
from pairings.matching.services import matching_run_publish
from pairings.models import MatchingRun, Pairing, PairingUserObjectPermission


class Command(BaseCommand):
    help = "Time the publication of a proposal of N pairs (rolled back afterwards)."

    def add_arguments(self, parser):
        parser.add_argument("--pairs", type=int, default=10000)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, pairs, seed, **options):
        if pairs < 1:
            raise CommandError("--pairs must be at least 1")
        self.stdout.write(f"Database: {connection.vendor}; batch {PROPOSE_BATCH}; seed {seed}")
        with transaction.atomic():
            started = time.perf_counter()
            run, coordinator = synthetic_proposal(pairs=pairs, seed=seed)
            self.stderr.write(f"  {pairs} pairs written in {time.perf_counter() - started:.1f} s")
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                made = matching_run_publish(run=run, by=coordinator)
                seconds = time.perf_counter() - started
            run.refresh_from_db()
            program = run.program
            counts = {
                "pairings": Pairing.objects.filter(program=program).count(),
                "access grants": PairingUserObjectPermission.objects.filter(
                    content_object__program=program
                ).count(),
                "register records": ConflictEntry.objects.filter(
                    kind=ConflictEntry.Kind.MENTORING,
                    key__subject__mentoree_pairings__program=program,
                ).count(),
                "agreements": Agreement.objects.filter(pairing__program=program).count(),
                "messages": Message.objects.filter(
                    kind="pairing_proposed",
                    object_id__in=Pairing.objects.filter(program=program).values("pk"),
                ).count(),
            }
            transaction.set_rollback(True)
        if made != pairs or run.status != MatchingRun.Status.PUBLISHED:
            raise CommandError(f"published {made} of {pairs} pairs (run {run.status})")
        self.stdout.write(
            f"Published {made:,} pairs in {seconds:.2f} s with {len(queries):,} queries "
            f"({len(queries) / -(-pairs // PROPOSE_BATCH):.1f} per batch of {PROPOSE_BATCH})."
        )
        self.stdout.write("Written: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
