"""The access log and the conflict register now belong to the firewall app: confidentiality
forgets the models, and the tables stay where they are (no SQL)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('confidentiality', '0006_backfill_mentoring_side_relations'),
        ('firewall', '0001_adopt_firewall_tables'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.RemoveIndex(
                model_name='accessevent',
                name='confidentia_object__fdee39_idx',
            ),
            migrations.RemoveIndex(
                model_name='conflictentry',
                name='confidentia_kind_79e374_idx',
            ),
            migrations.RemoveConstraint(
                model_name='conflictkey',
                name='one_conflict_key_per_pair',
            ),
            migrations.RemoveField(
                model_name='conflictentry',
                name='declared_by',
            ),
            migrations.RemoveField(
                model_name='conflictentry',
                name='key',
            ),
            migrations.RemoveField(
                model_name='conflictkey',
                name='person',
            ),
            migrations.RemoveField(
                model_name='conflictkey',
                name='subject',
            ),
            migrations.DeleteModel(
                name='AccessEvent',
            ),
            migrations.DeleteModel(
                name='ConflictEntry',
            ),
            migrations.DeleteModel(
                name='ConflictKey',
            ),
            ],
            database_operations=[],
        ),
    ]
