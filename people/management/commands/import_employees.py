"""`manage.py import_employees FILE`: the HRIS import from the command line (all or nothing)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from people.hris import employee_import_csv


class Command(BaseCommand):
    help = (
        "Create and update employees from an HRIS CSV file (columns: employee_number, "
        "first_name, last_name, email, title, department, level, manager_number, and "
        "optionally location, active). All or nothing: any bad row and nothing is saved."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            with file.open("rb") as handle:
                result = employee_import_csv(file=handle)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from exc
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{file}: {result.summary()}")
        self.stdout.write(self.style.SUCCESS(f"{file}: {result.summary()}"))
