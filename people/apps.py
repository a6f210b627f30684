from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = "People"

    def ready(self) -> None:
        from people.roles import roles_sync_after_migrate

        # The role groups and their model permissions are declared in code (people/roles.py)
        # and brought up to date after every migrate, so a fresh database always has them.
        post_migrate.connect(roles_sync_after_migrate, dispatch_uid="people.roles_sync")
        # Each app declares its kinds of message in its own `messages.py` (people.messaging).
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("messages")
        # Services hand tasks to workers by name (people.dispatch): the tasks are registered in
        # every process, not only in the workers that discover them.
        import people.tasks  # noqa: F401
