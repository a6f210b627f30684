"""ASGI entry point (the app is served by gunicorn over WSGI; kept for completeness)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentoring.settings")

application = get_asgi_application()
