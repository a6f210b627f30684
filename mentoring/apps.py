"""The project app: registers the id path converter and the system checks on start."""

from django.apps import AppConfig
from django.urls import register_converter

from mentoring import checks  # noqa: F401 - registers the project's system checks
from mentoring.converters import IdConverter


class MentoringConfig(AppConfig):
    name = "mentoring"
    verbose_name = "Mentoring"

    def ready(self) -> None:
        # Every app's URLs spell an object id `<id:...>` (64 bits at most). Registered here,
        # once, when Django starts: before any URL module is imported, the root URLconf's
        # includes or a test importing an app's urls.py directly.
        register_converter(IdConverter, "id")
