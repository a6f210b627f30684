"""The notifications app; on start it collects every app's kinds of message (their
messages.py) and registers the delivery task in every process."""

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Messages"

    def ready(self) -> None:
        # Each app declares its kinds of message in its own `messages.py`.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("messages")
        # Services hand tasks to workers by name (notifications.dispatch): the tasks are
        # registered in every process, not only in the workers that discover them.
        import notifications.tasks  # noqa: F401
