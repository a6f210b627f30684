"""`manage.py seed_demo`: the demo company (North Bank), once; `--employees N` for a bigger one."""

import time

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from demo.confidentiality import load_demo_confidentiality, sign
from demo.pairings import load_demo_pairings
from demo.people import DEMO_PASSWORD, DEMO_PEOPLE, demo_rows
from demo.programs import load_demo_programs
from demo.reviews import load_demo_reviews
from demo.scale import load_demo_scale
from notifications.messaging import emails_held
from people.accounts import user_add_to_role
from people.hris import employee_import_csv, employee_rows_to_csv
from people.models import Employee, User


class Command(BaseCommand):
    help = (
        "Load the demo company (North Bank) with one sign-in per role, and its mentoring "
        "programs. Safe to run again: what already exists is kept as it is."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--employees",
            type=int,
            default=300,
            help="how many employees the demo company has (default 300)",
        )

    def handle(self, *args, **options):
        # The demo's history lands in the in-app inboxes; it is not e-mailed (to the console
        # in development). Messages due later (reminders) go out by e-mail when they fall due.
        with emails_held():
            self._handle(**options)

    def _handle(self, *, employees: int, **options):
        if employees < len(DEMO_PEOPLE) + 40:
            raise CommandError(f"--employees must be at least {len(DEMO_PEOPLE) + 40}")
        started = time.perf_counter()
        if Employee.objects.filter(email=DEMO_PEOPLE[0].email).exists():
            self.stdout.write(
                f"The demo company is already loaded ({Employee.objects.count()} employees); "
                "nothing was added."
            )
        else:
            self._load(employees)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo company loaded: {Employee.objects.count()} employees in "
                    f"{time.perf_counter() - started:.1f} s."
                )
            )
        if load_demo_programs():
            self.stdout.write(
                self.style.SUCCESS(
                    "Demo programs loaded: an executive mentoring program and a one-to-one "
                    "program, with applications, a committee, group sessions and resources."
                )
            )
        if load_demo_pairings(sign=sign):
            self.stdout.write(
                self.style.SUCCESS(
                    "Demo pairings loaded: pairs in every status, meetings and goals."
                )
            )
        if load_demo_confidentiality():
            self.stdout.write(
                self.style.SUCCESS(
                    "Demo confidentiality loaded: signed agreements with varied sharing rules, "
                    "private and shared notes."
                )
            )
        if load_demo_reviews():
            self.stdout.write(
                self.style.SUCCESS(
                    "Demo talent reviews loaded: a 2027 mid-year cycle, with the demo "
                    "mentoree's mentor kept off his panel."
                )
            )
        scale_started = time.perf_counter()
        scaled = load_demo_scale(employees=employees)
        if scaled:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Company-wide program loaded in {time.perf_counter() - scale_started:.1f} s: "
                    f"{scaled['participants']:,} participants, {scaled['waiting']:,} applications "
                    f"awaiting the committee, {scaled['pairs']:,} active pairs, "
                    f"{scaled['meetings']:,} meetings, {scaled['notes']:,} notes."
                )
            )
        self.stdout.write(f"seed_demo took {time.perf_counter() - started:.1f} s in all.")
        self._print_sign_ins()

    @transaction.atomic
    def _load(self, employees: int) -> None:
        result = employee_import_csv(file=employee_rows_to_csv(demo_rows(employees)))
        if not result.ok:
            raise CommandError("; ".join(str(e) for e in result.errors[:5]))
        # One hash for every demo account: hashing thousands of passwords one by one would
        # take minutes. Demo data only; real accounts set their own through password reset.
        User.objects.filter(employee__isnull=False).update(password=make_password(DEMO_PASSWORD))
        for person in DEMO_PEOPLE:
            if person.role_group:
                user_add_to_role(user=User.objects.get(email=person.email), role=person.role_group)

    def _print_sign_ins(self) -> None:
        self.stdout.write(f"\nDemo sign-ins (password for all: {DEMO_PASSWORD}):")
        for person in DEMO_PEOPLE:
            self.stdout.write(
                f"  {person.key:<12} {person.email:<32} {person.first_name} {person.last_name}, "
                f"{person.title}"
            )
