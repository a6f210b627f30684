"""The people app; on start it keeps the role groups in step after every migrate and registers
its tasks in every process."""

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = "People"

    def ready(self) -> None:
        from people.picker import register_fold
        from people.roles import roles_sync_after_migrate

        # The people picker folds case and accents in SQL; SQLite learns how on each connection.
        connection_created.connect(register_fold, dispatch_uid="people.picker_fold")

        # The role groups and their model permissions are declared in code (people/roles.py)
        # and brought up to date after every migrate, so a fresh database always has them.
        post_migrate.connect(roles_sync_after_migrate, dispatch_uid="people.roles_sync")
        # Services hand tasks to workers by name (notifications.dispatch): the tasks are
        # registered in every process, not only in the workers that discover them.
        import people.tasks  # noqa: F401
