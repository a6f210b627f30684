"""Measure whole-cohort matching on synthetic cohorts in the current database.

    manage.py bench_matching [--sizes 500 5000 20000] [--seed 2026] [--verify]

For each size (participants: 40% mentors with capacity 1 to 3, 60% mentorees), a synthetic
company and program are written with bulk inserts inside a transaction, the time from loading
the cohort to the stored proposal is measured through the same code path a matching run takes
(`proposal_compute_and_store`), and the transaction is rolled back, so nothing remains.
Prints a Markdown table. Peak memory is the process's resident set high-water mark (Linux
VmHWM) over the measured step: it is reset just before the step (`/proc/self/clear_refs`), so
it counts what the process already held (Django, the synthetic company's leftovers) plus the
step's own peak; `ru_maxrss` of the whole command, building included, is printed at the end.
*CPU s* is this process's CPU time over the step (both solver threads; the database server's
work is not in it) and, in brackets, the 1-minute load average before and after: on a shared
machine the seconds depend on what else runs, the CPU time much less.
"""

from __future__ import annotations

import gc
import os
import random
import resource
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from pairings.matching.cohort import load_cohort
from pairings.matching.greedy import greedy
from pairings.matching.services import proposal_compute_and_store
from pairings.matching.solver import solve
from pairings.models import MatchingRun
from people.models import Employee, User
from programs.models import Application, Commitment, CommitmentAcceptance, Program, Tag

DEPARTMENTS = {
    "Retail Banking": 18,
    "Corporate Banking": 12,
    "Technology": 16,
    "Operations": 14,
    "Risk": 9,
    "Finance": 8,
    "Compliance": 6,
    "Markets": 6,
    "People": 4,
    "Legal": 3,
    "Marketing": 2,
    "Internal Audit": 2,
}
LOCATIONS = {
    "London": 40,
    "Edinburgh": 12,
    "Manchester": 12,
    "Birmingham": 8,
    "Paris": 8,
    "Lisbon": 6,
    "New York": 8,
    "": 6,
}
MENTOR_LEVELS = {6: 50, 7: 35, 8: 15}
MENTOREE_LEVELS = {2: 10, 3: 20, 4: 25, 5: 25, 6: 15, 7: 5}
TAGS = 40
COMMITMENT_TEXT = (
    "Taking part never puts your job at risk; mentoring is for development, never for "
    "assessment, and what is said in a pair stays in the pair."
)


def _reset_peak_memory() -> bool:
    """Restart the process's peak resident set (VmHWM) from its current size (Linux)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _peak_memory_mb() -> float | None:
    """The process's peak resident set since the last reset, in MB (Linux VmHWM)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def _pick(rng: random.Random, weights: dict) -> object:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class Command(BaseCommand):
    help = "Time whole-cohort matching on synthetic cohorts (rolled back afterwards)."

    def add_arguments(self, parser):
        parser.add_argument("--sizes", type=int, nargs="+", default=[500, 5000, 20000])
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--verify",
            action="store_true",
            help="also solve every cohort exactly (slow and memory-hungry for big ones) to "
            "compare the sparse solver with the true optimum",
        )

    def handle(self, *args, sizes, seed, verify, **options):
        vendor = connection.vendor
        self.stdout.write(
            f"Database: {vendor}; GROUP_ONLY_LEVEL={settings.GROUP_ONLY_LEVEL}; "
            f"PAIRING_CHAIN_DEPTH={settings.PAIRING_CHAIN_DEPTH}; seed {seed}\n"
        )
        rows = []
        for size in sizes:
            rows.append(self._measure(size, seed, verify))
            self.stderr.write(f"  {size} participants done")
        header = [
            "participants",
            "mentors",
            "mentorees",
            "slots",
            "chain exclusions",
            "solver",
            "seconds (load + score + solve + store)",
            "total score",
            "greedy (ratio)",
            "upper bound",
            "total / upper bound",
            "unmatched",
            "peak memory (MB)",
            "CPU s (load avg)",
        ]
        if verify:
            header.append("exact optimum (total / optimum)")
        self.stdout.write("| " + " | ".join(header) + " |")
        self.stdout.write("|" + "---|" * len(header))
        for row in rows:
            self.stdout.write("| " + " | ".join(row) + " |")
        whole = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stdout.write(
            f"\nPeak memory of the whole command (ru_maxrss, building included): {whole:,.0f} MB"
        )

    def _measure(self, size: int, seed: int, verify: bool) -> list[str]:
        with transaction.atomic():
            build = time.perf_counter()
            rng = random.Random(seed + size)  # noqa: S311 - reproducible synthetic data
            program = self._synthetic_program(size, rng)
            built = time.perf_counter() - build
            self.stderr.write(f"  {size} participants written in {built:.1f} s")
            run = MatchingRun.objects.create(program=program, status=MatchingRun.Status.RUNNING)
            gc.collect()
            reset = _reset_peak_memory()
            load_before = os.getloadavg()[0]
            cpu = time.process_time()
            started = time.perf_counter()
            result = proposal_compute_and_store(run=run)
            seconds = time.perf_counter() - started
            cpu = time.process_time() - cpu
            load_after = os.getloadavg()[0]
            peak = _peak_memory_mb() if reset else None
            if run.pairs.count() != len(result.pairs):
                raise CommandError("the stored proposal does not match the solver's result")
            cohort = load_cohort(program=program)
            baseline = greedy(cohort)
            exact = solve(cohort, method="exact") if verify else None
            transaction.set_rollback(True)
        t = result.timings
        row = [
            f"{size:,}",
            f"{len(cohort.mentors):,}",
            f"{result.mentorees_considered:,}",
            f"{result.slots:,}",
            f"{len(cohort.forbidden):,}",
            result.solver,
            f"{seconds:.2f} ({t['load']:.2f} + {t['score']:.2f} + {t['solve']:.2f} + "
            f"{t['store']:.2f})",
            f"{result.total_score:,}",
            f"{baseline.total_score:,} ({baseline.total_score / result.total_score:.4f})",
            f"{result.upper_bound:,}",
            f"{result.ratio:.4f}",
            f"{result.unmatched:,}",
            "n/a" if peak is None else f"{peak:,.0f}",
            f"{cpu:.1f} ({load_before:.1f}-{load_after:.1f})",
        ]
        if exact is not None:
            row.append(f"{exact.total_score:,} ({result.total_score / exact.total_score:.5f})")
        return row

    def _synthetic_program(self, size: int, rng: random.Random) -> Program:
        """A company of `size` participants plus one head per department, in a reporting tree
        (everyone reports to someone more senior in their department), and one program where
        all of them are admitted; about 97% accepted the commitment."""
        today = timezone.localdate()
        tag = f"b{size}x{rng.randrange(10**6)}"
        program = Program.objects.create(
            name=f"Bench {size}",
            slug=f"bench-{tag}",
            description="Synthetic cohort for bench_matching.",
            status=Program.Status.RUNNING,
            applications_open_on=today - timedelta(days=30),
            applications_close_on=today - timedelta(days=1),
            starts_on=today,
            ends_on=today + timedelta(days=365),
        )
        commitment = Commitment.objects.create(program=program, version=1, text=COMMITMENT_TEXT)
        tags = Tag.objects.bulk_create([Tag(name=f"{tag} topic {n}") for n in range(TAGS)])
        popularity = [1 / (n + 1) ** 0.8 for n in range(TAGS)]

        mentors = round(size * 0.4)
        people = [
            {"role": Application.Role.MENTOR, "level": _pick(rng, MENTOR_LEVELS)}
            for _ in range(mentors)
        ] + [
            {"role": Application.Role.MENTOREE, "level": _pick(rng, MENTOREE_LEVELS)}
            for _ in range(size - mentors)
        ]
        heads = [{"role": None, "level": settings.GROUP_ONLY_LEVEL, "dept": d} for d in DEPARTMENTS]
        for person in people:
            person["dept"] = _pick(rng, DEPARTMENTS)
        everyone = heads + people
        for n, person in enumerate(everyone):
            person["n"] = n
            person["location"] = _pick(rng, LOCATIONS)

        # Write one grade at a time, most senior first, so every manager already has an id.
        by_dept_level: dict[tuple[str, int], list[int]] = {}
        users, employees = [], {}
        for person in everyone:
            n = person["n"]
            email = f"{tag}.{n}@bench.example"
            users.append(
                User(
                    username=email,
                    email=email,
                    first_name=f"First{n}",
                    last_name=f"Last{n}",
                    password=UNUSABLE_PASSWORD_PREFIX + tag,  # unusable: no hashing per user
                )
            )
        users = User.objects.bulk_create(users, batch_size=2000)
        for level in sorted({p["level"] for p in everyone}, reverse=True):
            layer = []
            for person in (p for p in everyone if p["level"] == level):
                n = person["n"]
                managers: list[int] = []
                for above in (level + 1, level + 2, level + 3):
                    managers = by_dept_level.get((person["dept"], above), [])
                    if managers:
                        break
                layer.append(
                    Employee(
                        user=users[n],
                        number=f"{tag}-{n}",
                        first_name=f"First{n}",
                        last_name=f"Last{n}",
                        email=users[n].email,
                        title="Head" if person["role"] is None else "Staff",
                        department=person["dept"],
                        location=person["location"],
                        level=level,
                        manager_id=rng.choice(managers) if managers else None,
                    )
                )
            for employee, person in zip(
                Employee.objects.bulk_create(layer, batch_size=2000),
                (p for p in everyone if p["level"] == level),
                strict=True,
            ):
                employees[person["n"]] = employee
                by_dept_level.setdefault((person["dept"], level), []).append(employee.pk)

        applications = Application.objects.bulk_create(
            [
                Application(
                    program=program,
                    applicant=employees[p["n"]],
                    role=p["role"],
                    motivation="Synthetic.",
                    status=Application.Status.ADMITTED,
                    mentor_capacity=rng.randint(1, 3)
                    if p["role"] == Application.Role.MENTOR
                    else None,
                )
                for p in people
            ],
            batch_size=2000,
        )
        through = Application.tags.through
        links = []
        for application in applications:
            is_mentor = application.role == Application.Role.MENTOR
            count = rng.randint(3, 6) if is_mentor else rng.randint(2, 4)
            chosen = set(rng.choices(range(TAGS), weights=popularity, k=count))
            links.extend(through(application_id=application.pk, tag_id=tags[t].pk) for t in chosen)
        through.objects.bulk_create(links, batch_size=5000)
        CommitmentAcceptance.objects.bulk_create(
            [
                CommitmentAcceptance(
                    commitment=commitment,
                    employee=employees[p["n"]],
                    text_hash=commitment.text_hash,
                )
                for p in people
                if rng.random() < 0.97
            ],
            batch_size=2000,
        )
        return program
