"""A newcomer's first minutes under `make run`: links name the address served, seeding says
nothing alarming, errors show the designed pages (Django's debug pages only on request), the
static files and the icon are there.

The settings are read once per process, so each of these starts a fresh Python with the
environment `make run` gives it (DEBUG=1, HOST, PORT) and no PYTEST_VERSION.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.urls import reverse

VARIABLES = ("SECRET_KEY", "PYTEST", "DEBUG", "ALLOWED_HOSTS", "READ_DOT_ENV", "NOTE_KEYS")
VARIABLES += ("SITE_URL", "HOST", "PORT", "REDIS_URL", "DATABASE_URL", "LOG_LEVEL")


def run(code: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(VARIABLES)}
    base |= {
        "DJANGO_SETTINGS_MODULE": "mentoring.settings",
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}",
        "PYTHONPATH": str(settings.BASE_DIR),
    }
    base.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=base,
        capture_output=True,
        text=True,
        timeout=240,
    )


EVERYWHERE = "0.0.0.0"  # noqa: S104 - `make run HOST=0.0.0.0`, as a newcomer may type it

SITE_URL = """
import django
django.setup()
from django.conf import settings
from notifications.messaging import absolute
print(settings.SITE_URL, absolute("/pairings/1/"))
"""


def site_url(tmp_path: Path, **env: str) -> list[str]:
    process = run(SITE_URL, tmp_path, **env)
    assert process.returncode == 0, process.stderr
    return process.stdout.split()


def test_links_follow_the_port_make_run_serves_on(tmp_path):
    assert site_url(tmp_path, HOST="127.0.0.1", PORT="8123") == [
        "http://127.0.0.1:8123",
        "http://127.0.0.1:8123/pairings/1/",
    ]
    assert site_url(tmp_path, HOST="localhost", PORT="9000")[0] == "http://localhost:9000"


def test_links_name_a_reachable_address_when_make_run_listens_everywhere(tmp_path):
    assert site_url(tmp_path, HOST=EVERYWHERE, PORT="8001")[0] == "http://127.0.0.1:8001"
    assert site_url(tmp_path, HOST="::1", PORT="8001")[0] == "http://[::1]:8001"


def test_without_host_and_port_links_keep_the_usual_address(tmp_path):
    assert site_url(tmp_path)[0] == "http://127.0.0.1:8000"


def test_an_explicit_site_url_wins_over_host_and_port(tmp_path):
    assert site_url(
        tmp_path, HOST=EVERYWHERE, PORT="8123", SITE_URL="https://mentoring.example.com/"
    ) == ["https://mentoring.example.com", "https://mentoring.example.com/pairings/1/"]


VENV = Path(sys.executable).parents[1]


def test_make_run_hands_host_and_port_to_every_command():
    process = subprocess.run(
        ["make", "-n", "run", "PORT=8123", "HOST=localhost", f"VENV={VENV}"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert process.returncode == 0, process.stderr
    commands = [line for line in process.stdout.splitlines() if "manage.py" in line]
    assert [c.split("manage.py ")[1].split()[0] for c in commands] == [
        "migrate",
        "seed_demo",
        "runserver",
    ]
    for command in commands:
        assert "DEBUG=1 HOST=localhost PORT=8123 " in command, command
    assert commands[-1].endswith("runserver localhost:8123")


def test_seeding_without_redis_prints_no_broker_warning(tmp_path):
    """Tasks run eagerly on the embedded broker: nothing may suggest Redis is missing."""
    process = run(
        "import django; django.setup();"
        "from django.core.management import call_command;"
        "call_command('migrate', verbosity=0); call_command('seed_demo')",
        tmp_path,
    )
    assert process.returncode == 0, process.stderr
    output = process.stdout + process.stderr
    assert "Demo sign-ins" in output
    for word in ("kombu", "WARNING", "hostname", "Redis", "redis", "localhost'"):
        assert word not in output, output


ERROR_PAGES = """
import json, django
django.setup()
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.test.utils import override_settings
from django.urls import include, path

@login_not_required
def boom(request):
    raise RuntimeError("a bug in a view")

@login_not_required
def refused(request):
    raise PermissionDenied

urlpatterns = [path("boom/", boom), path("refused/", refused), path("", include("mentoring.urls"))]
from mentoring import urls as site_urls
handler400, handler403 = site_urls.handler400, site_urls.handler403
handler404, handler500 = site_urls.handler404, site_urls.handler500

client = Client(raise_request_exception=False)
out = {"DEBUG": settings.DEBUG}
with override_settings(ROOT_URLCONF="__main__"):
    for name, url in [("404", "/no-such-page/"), ("403", "/refused/"), ("500", "/boom/"),
                      ("static", "/static/favicon.svg"), ("css", "/static/css/app.css"),
                      ("ico", "/favicon.ico")]:
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        out[name] = [response.status_code, body.decode(errors="replace"),
                     response.get("Location", "")]
print(json.dumps(out))
"""


def error_pages(tmp_path: Path, **env: str) -> tuple[dict, str]:
    process = run(ERROR_PAGES, tmp_path, ALLOWED_HOSTS="testserver", **env)
    assert process.returncode == 0, process.stderr
    return json.loads(process.stdout.splitlines()[-1]), process.stderr


def test_make_run_shows_the_designed_error_pages_and_serves_static_files(tmp_path):
    pages, console = error_pages(tmp_path)

    assert pages["DEBUG"] is False
    headings = {
        "404": "<h1>Page not found</h1>",
        "403": "<h1>You cannot do that here</h1>",
        "500": "<h1>Something went wrong on our side</h1>",
    }
    for status, heading in headings.items():
        code, body, _ = pages[status]
        assert code == int(status)
        assert heading in body
        assert "Traceback" not in body and "URLconf" not in body and "DEBUG = True" not in body
    # The developer still sees what went wrong, on the console.
    assert "RuntimeError: a bug in a view" in console
    # Static files are served in development without collectstatic, the icon among them.
    assert pages["static"][0] == 200 and pages["static"][1].startswith("<svg")
    assert pages["css"][0] == 200
    assert pages["ico"][0] == 301 and pages["ico"][2] == "/static/favicon.svg"


def test_debug_pages_flag_keeps_djangos_debug_pages(tmp_path):
    pages, _ = error_pages(tmp_path, DEBUG_PAGES="1")

    assert pages["DEBUG"] is True
    assert pages["404"][0] == 404 and "URLconf" in pages["404"][1]
    assert pages["500"][0] == 500 and "a bug in a view" in pages["500"][1]
    assert pages["static"][0] == 200


def test_debug_pages_flag_means_nothing_in_production(tmp_path):
    process = run(
        "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)",
        tmp_path,
        DEBUG="0",
        DEBUG_PAGES="1",
        SECRET_KEY="x" * 50,
        NOTE_KEYS="cHJvZHVjdGlvbi1saWtlLXRlc3Qta2V5LTMyLWJ5dGU=",
        ALLOWED_HOSTS="mentoring.example",
    )
    assert process.returncode == 0, process.stderr
    assert process.stdout.strip() == "False"


def test_every_page_and_the_admin_link_the_icon(client, django_user_model):
    link = 'rel="icon" href="/static/favicon.svg" type="image/svg+xml"'
    assert link in client.get(reverse("login")).content.decode()
    assert link in client.get(reverse("admin:login")).content.decode()
    admin = django_user_model.objects.create_superuser(
        username="root", email="root@example.com", password="pw-for-the-test-only"
    )
    client.force_login(admin)
    assert link in client.get(reverse("admin:index")).content.decode()


def test_favicon_ico_sends_browsers_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/favicon.svg"
    assert client.head("/favicon.ico").status_code == 301
    assert client.post("/favicon.ico").status_code == 405
