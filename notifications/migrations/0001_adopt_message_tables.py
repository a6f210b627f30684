"""The notifications app adopts the due-message table, the inbox, the opt-outs and the
calendar addresses from people: the tables keep their names and rows, only Django's idea of
which app owns the models moves (no SQL), and the content types move with them.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MODELS = ("message", "messageoptout", "notification", "calendarfeed")


def adopt_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    alias = schema_editor.connection.alias
    taken = set(
        ContentType.objects.using(alias)
        .filter(app_label="notifications", model__in=MODELS)
        .values_list("model", flat=True)
    )
    ContentType.objects.using(alias).filter(
        app_label="people", model__in=[m for m in MODELS if m not in taken]
    ).update(app_label="notifications")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('people', '0005_identity_changes'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.CreateModel(
                name='CalendarFeed',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('token', models.CharField(max_length=64, unique=True)),
                    ('created_at', models.DateTimeField(auto_now=True)),
                    ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='calendar_feed', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'db_table': 'people_calendarfeed',
                },
            ),
            migrations.CreateModel(
                name='Message',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('kind', models.CharField(max_length=40)),
                    ('object_id', models.PositiveBigIntegerField(blank=True, null=True)),
                    ('key', models.CharField(max_length=120)),
                    ('due_at', models.DateTimeField()),
                    ('status', models.CharField(choices=[('pending', 'Pending'), ('sent', 'Sent'), ('skipped', 'Skipped'), ('failed', 'Failed')], default='pending', max_length=10)),
                    ('attempts', models.PositiveSmallIntegerField(default=0)),
                    ('last_error', models.CharField(blank=True, max_length=80)),
                    ('skip_reason', models.CharField(blank=True, max_length=40)),
                    ('created_at', models.DateTimeField(auto_now_add=True)),
                    ('sent_at', models.DateTimeField(blank=True, null=True)),
                    ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='messages', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'db_table': 'people_message',
                    'ordering': ['due_at', 'pk'],
                    'indexes': [models.Index(fields=['status', 'due_at'], name='message_due')],
                    'constraints': [models.UniqueConstraint(fields=('recipient', 'key'), name='one_message_per_key')],
                },
            ),
            migrations.CreateModel(
                name='MessageOptOut',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('kind', models.CharField(max_length=40)),
                    ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='message_opt_outs', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'db_table': 'people_messageoptout',
                    'constraints': [models.UniqueConstraint(fields=('user', 'kind'), name='one_opt_out_per_kind')],
                },
            ),
            migrations.CreateModel(
                name='Notification',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('title', models.CharField(max_length=200)),
                    ('url', models.CharField(blank=True, max_length=300)),
                    ('created_at', models.DateTimeField(auto_now_add=True)),
                    ('read_at', models.DateTimeField(blank=True, null=True)),
                    ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'db_table': 'people_notification',
                    'ordering': ['-created_at', '-pk'],
                    'indexes': [models.Index(fields=['recipient', 'read_at'], name='people_noti_recipie_9018d7_idx')],
                },
            ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(adopt_content_types, migrations.RunPython.noop),
    ]
