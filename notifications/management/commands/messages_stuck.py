"""List messages that failed for good or are overdue, and re-queue them on request.

    manage.py messages_stuck                    # list failed and overdue (> 10 minutes) messages
    manage.py messages_stuck --older-than 60    # overdue by more than an hour
    manage.py messages_stuck --requeue          # ... and give each a fresh start
    manage.py messages_stuck --requeue --id 12 --id 13

The listing shows ids, kinds, keys and error classes: never text (F9).
"""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from notifications.messaging import messages_requeue, messages_stuck


class Command(BaseCommand):
    help = "List failed or overdue messages (the due-message table) and optionally re-queue them."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=10,
            metavar="MINUTES",
            help="A pending message counts as stuck once it is this many minutes overdue "
            "(default 10).",
        )
        parser.add_argument(
            "--requeue",
            action="store_true",
            help="Re-queue what is listed: pending, due now, attempts reset, a task each.",
        )
        parser.add_argument(
            "--id",
            type=int,
            action="append",
            dest="ids",
            metavar="ID",
            help="Only this message (repeat for more).",
        )
        parser.add_argument("--limit", type=int, default=200, help="List at most this many.")

    def handle(self, *args, **options):
        if options["older_than"] < 0:
            raise CommandError("--older-than takes a number of minutes, 0 or more.")
        stuck = messages_stuck(older_than=timedelta(minutes=options["older_than"]))
        if options["ids"]:
            stuck = stuck.filter(pk__in=options["ids"])
        total = stuck.count()
        now = timezone.now()
        rows = list(stuck[: options["limit"]])
        if not rows:
            self.stdout.write("No failed or stuck messages.")
            return
        self.stdout.write(
            f"{'id':>8}  {'status':<8} {'kind':<22} {'overdue':>10}  {'tries':>5}  "
            f"{'last error':<24} key"
        )
        for message in rows:
            overdue = now - message.due_at
            minutes = max(int(overdue.total_seconds() // 60), 0)
            self.stdout.write(
                f"{message.pk:>8}  {message.status:<8} {message.kind:<22} {minutes:>7} min  "
                f"{message.attempts:>5}  {message.last_error or '-':<24} {message.key}"
            )
        if total > len(rows):
            self.stdout.write(f"... and {total - len(rows)} more (use --limit).")
        if options["requeue"]:
            count = messages_requeue(ids=[m.pk for m in stuck])
            self.stdout.write(self.style.SUCCESS(f"Re-queued {count} message(s)."))
        else:
            self.stdout.write(f"{total} message(s). Add --requeue to send them again.")
