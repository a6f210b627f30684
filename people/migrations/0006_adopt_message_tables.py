"""The message tables now belong to the notifications app: people forgets the models, and the
tables stay where they are (no SQL)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0005_identity_changes'),
        ('notifications', '0001_adopt_message_tables'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.RemoveField(
                model_name='calendarfeed',
                name='user',
            ),
            migrations.RemoveIndex(
                model_name='message',
                name='message_due',
            ),
            migrations.RemoveConstraint(
                model_name='message',
                name='one_message_per_key',
            ),
            migrations.RemoveConstraint(
                model_name='messageoptout',
                name='one_opt_out_per_kind',
            ),
            migrations.RemoveIndex(
                model_name='notification',
                name='people_noti_recipie_9018d7_idx',
            ),
            migrations.DeleteModel(
                name='CalendarFeed',
            ),
            migrations.RemoveField(
                model_name='messageoptout',
                name='user',
            ),
            migrations.RemoveField(
                model_name='notification',
                name='recipient',
            ),
            migrations.DeleteModel(
                name='Message',
            ),
            migrations.DeleteModel(
                name='MessageOptOut',
            ),
            migrations.DeleteModel(
                name='Notification',
            ),
            ],
            database_operations=[],
        ),
    ]
