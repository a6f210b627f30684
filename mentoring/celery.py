"""The Celery application. Tasks take ids and call services; see STYLE.md."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentoring.settings")

app = Celery("mentoring")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="mentoring.ping")
def ping() -> str:
    """A round trip through the broker, used by the health check tests and operators."""
    return "pong"
