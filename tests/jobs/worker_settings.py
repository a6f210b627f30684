"""Settings of the Celery worker and beat that the crash test starts as separate processes:
the project's settings with the e-mail backend swapped for a transactional sink."""

from mentoring.settings import *  # noqa: F403

MAILERS = {"default": {"BACKEND": "tests.jobs.mail_sink.DatabaseSinkBackend"}}
