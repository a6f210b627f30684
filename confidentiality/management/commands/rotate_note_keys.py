"""Re-encrypt every confidential value under the newest key in NOTE_KEYS.

Resumable and safe to run twice: values already under the newest key are skipped, and each
batch commits on its own, so an interrupted run continues where it stopped. Once it reports
nothing left, older keys may be removed from NOTE_KEYS.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from firewall.crypto import EncryptedTextField, is_under_primary, rotate


def encrypted_columns():
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                yield model, field


class Command(BaseCommand):
    help = "Re-encrypt notes, consented themes and private end reasons under the newest key."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size: int, **options):
        quote = connection.ops.quote_name
        total_rotated = total_seen = 0
        for model, field in encrypted_columns():
            table, column, pk = (
                quote(model._meta.db_table),
                quote(field.column),
                quote(model._meta.pk.column),
            )
            last_id, rotated, seen = 0, 0, 0
            while True:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT {pk}, {column} FROM {table} WHERE {pk} > %s "  # noqa: S608
                        f"ORDER BY {pk} LIMIT %s",
                        [last_id, batch_size],
                    )
                    rows = cursor.fetchall()
                    if not rows:
                        break
                    for row_id, token in rows:
                        seen += 1
                        if token and not is_under_primary(token):
                            cursor.execute(
                                f"UPDATE {table} SET {column} = %s WHERE {pk} = %s",  # noqa: S608
                                [rotate(token), row_id],
                            )
                            rotated += 1
                    last_id = rows[-1][0]
            self.stdout.write(
                f"{model._meta.label}.{field.name}: {rotated} re-encrypted, "
                f"{seen - rotated} already under the newest key."
            )
            total_rotated += rotated
            total_seen += seen
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {total_rotated} of {total_seen} values re-encrypted under the newest key."
            )
        )
