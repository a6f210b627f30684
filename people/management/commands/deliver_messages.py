"""Deliver every due message now, in this process: what beat's every-minute sweep does.

For development without Redis (`make run` delivers due-now messages at once, but reminders
fall due later), and for deployments that prefer cron to beat:

    * * * * *  cd /app && python manage.py deliver_messages
"""

from django.core.management.base import BaseCommand

from notifications.messaging import messages_sweep
from people.accounts import password_resets_lookup_overdue


class Command(BaseCommand):
    help = "Deliver every due message now (e-mail and in-app), as beat's sweep does."

    def handle(self, *args, **options):
        password_resets_lookup_overdue()  # requests whose lookup task never ran
        counts = messages_sweep()
        if not counts:
            self.stdout.write("Nothing was due.")
            return
        summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
        self.stdout.write(self.style.SUCCESS(f"Delivered due messages: {summary}."))
