"""The firewall app adopts the access log and the conflict register from confidentiality.

The tables keep their names and their rows: only Django's idea of which app owns the models
moves (SeparateDatabaseAndState, no SQL). The content types move with them, so every
permission already granted on them (HR's view of the access log) stays granted.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MODELS = ("accessevent", "conflictentry", "conflictkey")


def adopt_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    alias = schema_editor.connection.alias
    taken = set(
        ContentType.objects.using(alias)
        .filter(app_label="firewall", model__in=MODELS)
        .values_list("model", flat=True)
    )
    ContentType.objects.using(alias).filter(
        app_label="confidentiality", model__in=[m for m in MODELS if m not in taken]
    ).update(app_label="firewall")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('confidentiality', '0006_backfill_mentoring_side_relations'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('people', '0005_identity_changes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ConflictKey',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='people.employee')),
                        ('subject', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='people.employee')),
                    ],
                    options={
                        'db_table': 'confidentiality_conflictkey',
                    },
                ),
                migrations.CreateModel(
                    name='ConflictEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('mentoring', 'Mentors the subject'), ('coordinating', 'Coordinates a program the subject applied to'), ('committee', 'Sits on the committee of a program the subject applied to'), ('leading', 'Leads a group session the subject registered for'), ('declared', 'Declared by HR'), ('assessing', 'Sits on an open review of the subject'), ('running', 'Runs an open review of the subject')], max_length=12)),
                        ('reference', models.PositiveBigIntegerField(blank=True, help_text='What it stems from: the panel seat, review, program or group session.', null=True)),
                        ('started_at', models.DateTimeField(auto_now_add=True)),
                        ('ended_at', models.DateTimeField(blank=True, null=True)),
                        ('declared_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('key', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='entries', to='firewall.conflictkey')),
                    ],
                    options={
                        'verbose_name_plural': 'conflict entries',
                        'db_table': 'confidentiality_conflictentry',
                        'ordering': ['-started_at', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='AccessEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('actor_label', models.CharField(help_text='Who, as they were at the time.', max_length=300)),
                        ('action', models.CharField(choices=[('read', 'Read'), ('list', 'Listed'), ('write', 'Wrote'), ('sign', 'Signed'), ('refused', 'Refused'), ('recusal', 'Recusal'), ('grant', 'Granted a role'), ('revoke', 'Removed a role'), ('identity', 'Changed an identity')], max_length=12)),
                        ('object_type', models.CharField(max_length=40)),
                        ('object_id', models.PositiveBigIntegerField(null=True)),
                        ('outcome', models.CharField(choices=[('allowed', 'Allowed'), ('refused', 'Refused')], max_length=10)),
                        ('request_id', models.CharField(blank=True, max_length=64)),
                        ('detail', models.CharField(blank=True, help_text='Which role or which part of the identity: a fixed label, never content.', max_length=200)),
                        ('at', models.DateTimeField(auto_now_add=True, db_index=True)),
                        ('actor', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('concerns', models.ForeignKey(blank=True, help_text='The person a grant or an identity change concerns (F12, F13).', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'confidentiality_accessevent',
                        'ordering': ['-at', '-pk'],
                        'default_permissions': ('view',),
                        'indexes': [models.Index(fields=['object_type', 'object_id'], name='confidentia_object__fdee39_idx')],
                    },
                ),
                migrations.AddConstraint(
                    model_name='conflictkey',
                    constraint=models.UniqueConstraint(fields=('person', 'subject'), name='one_conflict_key_per_pair'),
                ),
                migrations.AddIndex(
                    model_name='conflictentry',
                    index=models.Index(fields=['kind', 'reference'], name='confidentia_kind_79e374_idx'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(adopt_content_types, migrations.RunPython.noop),
    ]
