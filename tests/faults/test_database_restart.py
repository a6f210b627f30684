"""PostgreSQL restarted in the middle of a stream of requests (issue H, faults).

A member keeps writing notes through the real HTTP server (pytest-django's live server) while
the test restarts this machine's PostgreSQL cluster. While the database is away every request
gets the clear "Back in a moment" page with status 503 (never a 500), nothing is half written
(each saved note has exactly its author's two permissions, and the notes saved are exactly the
requests that were answered with a redirect), and service comes back by itself within seconds
of the database, without restarting the app.

Needs the local cluster and the rights to restart it (marker `pg_restart`); CI has both and
`--require-services=all` makes their absence an error, never a skip.
"""

import http.cookies
import re
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from confidentiality.models import Note, NoteUserObjectPermission
from conftest import pg_cluster
from tests.builders.pairings import accept_both, enrol_in, propose
from tests.builders.programs import make_program
from tests.factories import EmployeeFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.pg_restart,
    pytest.mark.alone,
    pytest.mark.django_db(transaction=True),
]

RECOVERY_BOUND_SECONDS = 10
DEADLINE_SECONDS = 45


def _pg(action: str) -> None:
    version, name = pg_cluster()
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, action, "-m", "fast"]
        if action in ("restart", "stop")
        else ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, action],
        check=True,
        timeout=60,
        capture_output=True,
    )


def _pg_is_up() -> bool:
    return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], check=False).returncode == 0


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Member:
    """A signed-in browser session, over real HTTP, that writes notes."""

    def __init__(self, base_url: str, user, notes_path: str):
        client = Client()
        client.force_login(user)
        self.opener = urllib.request.build_opener(_NoRedirect())
        self.url = base_url + notes_path
        self.cookies = {
            settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value
        }
        page = self._send(urllib.request.Request(self.url))[1]
        self.csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    def _send(self, request) -> tuple[int, str]:
        request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            with self.opener.open(request, timeout=10) as response:
                self._keep(response.headers)
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:  # 3xx (not followed), 4xx, 5xx
            self._keep(exc.headers)
            return exc.code, exc.read().decode(errors="replace")

    def _keep(self, headers) -> None:
        for header in headers.get_all("Set-Cookie") or []:
            morsel = http.cookies.SimpleCookie(header)
            self.cookies.update({name: m.value for name, m in morsel.items()})

    def write(self, text: str) -> tuple[int, str]:
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": self.csrf, "text": text}).encode()
        request = urllib.request.Request(self.url, data=body, headers={"Referer": self.url})
        return self._send(request)


def test_a_database_restart_mid_stream_gives_503_then_service_returns_by_itself(
    live_server, coordinator, mentor, mentoree
):
    program = make_program(coordinator=coordinator)
    committee = [EmployeeFactory(title="Director", level=7).user for _ in range(3)]
    from programs import services

    for member in committee:
        services.committee_member_add(program=program, by=coordinator, user=member)
    enrol_in(program, committee, mentor.employee, "mentor", capacity=2)
    enrol_in(program, committee, mentoree.employee)
    pairing = accept_both(propose(program, mentor, mentoree, by=coordinator))
    member = Member(live_server.url, mentor, reverse("confidentiality:notes", args=[pairing.pk]))

    results: list[tuple[float, int, str]] = []
    stop = threading.Event()

    def stream() -> None:
        index = 0
        while not stop.is_set():
            index += 1
            status, body = member.write(f"Stream note {index}")
            results.append((time.monotonic(), status, body))
            time.sleep(0.02)
        connection.close()

    def saved_since(moment: float) -> int:
        return sum(1 for at, status, _ in results if at >= moment and status == 302)

    started = time.monotonic()
    writer = threading.Thread(target=stream, daemon=True)
    writer.start()
    try:
        while saved_since(started) < 5 and time.monotonic() - started < DEADLINE_SECONDS:
            time.sleep(0.05)
        assert saved_since(started) >= 5, results[-3:]
        went_down = time.monotonic()
        _pg("restart")
        back_up = time.monotonic()
        assert _pg_is_up()
        while saved_since(back_up) < 5 and time.monotonic() - started < DEADLINE_SECONDS:
            time.sleep(0.05)
    finally:
        stop.set()
        writer.join(timeout=20)
        if not _pg_is_up():
            _pg("start")
        connection.close()  # this thread's connection died with the restart

    statuses = [status for _, status, _ in results]
    assert 500 not in statuses, "a server error instead of the 503 page"
    assert set(statuses) <= {302, 503}, sorted(set(statuses))
    refused = [body for _, status, body in results if status == 503]
    assert refused, "no request reached the server while the database was away"
    assert all("Back in a moment" in body for body in refused)
    first_after = min(at for at, status, _ in results if at >= back_up and status == 302)
    recovery = first_after - back_up
    print(
        f"\n{len(results)} requests; database restart took {back_up - went_down:.1f} s; "
        f"{len(refused)} answered 503; first note saved {recovery:.2f} s after it was back"
    )
    assert recovery < RECOVERY_BOUND_SECONDS

    # Nothing half written: every redirect is one saved note with its two permissions.
    notes = Note.objects.filter(pairing=pairing)
    assert notes.count() == statuses.count(302)
    for note in notes:
        assert (
            NoteUserObjectPermission.objects.filter(content_object=note, user=mentor).count() == 2
        )
