"""The scale-out rehearsal's pure parts (unit-tested): a browser that alternates between web
nodes and tallies what they answer, reading the e-mails the workers wrote, and the verdicts.

`manage.py rehearse_scaleout` starts the processes and drives the load; everything here can be
checked without a server.
"""

from __future__ import annotations

import http.client
import re
import threading
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from benchmarks.stats import percentile

LOGIN_PATH = "/account/login/"

# The Message-ID every e-mail of a message carries (notifications.messaging._message_id):
# <key.recipient id.message id@domain>; a header may be folded onto the next line.
_MESSAGE_ID = re.compile(rb"^Message-ID:\s*<([^>\s]+)>", re.MULTILINE | re.IGNORECASE)
# The key starts with the kind's name, so an id of Python's make_msgid (numbers only before
# its last part) is never taken for a message row's.
_MESSAGE_PK = re.compile(r"^[^@]*[A-Za-z][^@]*\.\d+\.(\d+)@[^@]*$")
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# --- E-mails the workers wrote -----------------------------------------------------------------


def message_ids_in(text: bytes) -> list[str]:
    """The Message-ID headers of a file written by Django's file e-mail backend (one or more
    e-mails, each followed by a line of dashes)."""
    return [m.decode("ascii", "replace") for m in _MESSAGE_ID.findall(text)]


def message_pk(message_id: str) -> int | None:
    """The message row's id from an e-mail's Message-ID; None for an e-mail of another kind."""
    match = _MESSAGE_PK.search(message_id)
    return int(match.group(1)) if match else None


def emails_per_message(folders: Iterable[Path]) -> tuple[Counter[int], Counter[str], int]:
    """How many e-mails each message row got, across every folder (one per process), how many
    e-mails each folder holds, and how many e-mails carried no message row's id."""
    per_message: Counter[int] = Counter()
    per_folder: Counter[str] = Counter()
    other = 0
    for folder in folders:
        per_folder[folder.name] += 0
        for path in sorted(folder.glob("*")) if folder.is_dir() else []:
            for message_id in message_ids_in(path.read_bytes()):
                per_folder[folder.name] += 1
                pk = message_pk(message_id)
                if pk is None:
                    other += 1
                else:
                    per_message[pk] += 1
    return per_message, per_folder, other


@dataclass(frozen=True)
class Delivery:
    due: int
    sent: int
    skipped: int
    pending: int  # still waiting after the drain: missing
    failed: int
    emails: int  # e-mails of the due messages
    duplicates: int  # messages with more than one e-mail
    missing: int  # sent rows without an e-mail, and rows still pending
    unexpected: int  # e-mails of a due message not marked sent

    @property
    def exactly_once(self) -> bool:
        return (
            self.due > 0 and not self.duplicates and not self.missing and not self.unexpected
        ) and not self.failed


def delivery_of(statuses: Mapping[int, str], emails: Mapping[int, int]) -> Delivery:
    """Compare the rows of the messages that came due (id -> status) with the e-mails counted
    per message id: each sent row has exactly one e-mail; no other due row has any."""
    sent = [pk for pk, status in statuses.items() if status == "sent"]
    emailed_sent = [emails.get(pk, 0) for pk in sent]
    pending = sum(1 for status in statuses.values() if status == "pending")
    return Delivery(
        due=len(statuses),
        sent=len(sent),
        skipped=sum(1 for status in statuses.values() if status == "skipped"),
        pending=pending,
        failed=sum(1 for status in statuses.values() if status == "failed"),
        emails=sum(emails.get(pk, 0) for pk in statuses),
        duplicates=sum(1 for n in emailed_sent if n > 1),
        missing=sum(1 for n in emailed_sent if n == 0) + pending,
        unexpected=sum(
            1 for pk, status in statuses.items() if status != "sent" and emails.get(pk, 0)
        ),
    )


# --- Responses --------------------------------------------------------------------------------


@dataclass
class Tally:
    """Every response of the run, per node: statuses, latencies, redirects to sign-in."""

    nodes: tuple[str, ...]
    statuses: dict[str, Counter[int]] = field(default_factory=dict)
    latencies: dict[str, list[float]] = field(default_factory=dict)
    login_redirects: dict[str, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    # What people did, with the status it got: "meeting 302", "vote 400".
    actions: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        for node in self.nodes:
            self.statuses.setdefault(node, Counter())
            self.latencies.setdefault(node, [])
            self.login_redirects.setdefault(node, 0)
            self.errors.setdefault(node, 0)

    def record(
        self, node: str, status: int, seconds: float, location: str = "", action: str = ""
    ) -> None:
        with self.lock:
            if action:
                self.actions[f"{action} {status}"] += 1
            self.statuses[node][status] += 1
            self.latencies[node].append(seconds)
            if 300 <= status < 400 and is_login_redirect(location):
                self.login_redirects[node] += 1

    def error(self, node: str) -> None:
        with self.lock:
            self.errors[node] += 1

    def requests(self, node: str | None = None) -> int:
        nodes = self.nodes if node is None else (node,)
        return sum(sum(self.statuses[n].values()) for n in nodes)

    def server_errors(self) -> int:
        return sum(n for c in self.statuses.values() for s, n in c.items() if s >= 500)

    def all_latencies(self) -> list[float]:
        return [x for node in self.nodes for x in self.latencies[node]]


def is_login_redirect(location: str) -> bool:
    return urlsplit(location).path.startswith(LOGIN_PATH)


def latency_ms(latencies: list[float]) -> tuple[float, float]:
    """p50 and p95 in milliseconds (0, 0 for no request)."""
    if not latencies:
        return 0.0, 0.0
    return percentile(latencies, 50) * 1000, percentile(latencies, 95) * 1000


@dataclass(frozen=True)
class Verdict:
    check: str
    ok: bool
    detail: str


def verdicts(
    *,
    tally: Tally,
    delivery: Delivery,
    coherence: list[tuple[str, bool]],
    cache_backend: str,
    cross_node_sessions: int,
) -> list[Verdict]:
    """The checks of a run: what must hold for the compose topology to be sound."""
    redirects = sum(tally.login_redirects.values())
    errors = sum(tally.errors.values())
    return [
        Verdict(
            "no 5xx",
            tally.server_errors() == 0 and errors == 0,
            f"{tally.server_errors()} 5xx, {errors} connection error(s) in "
            f"{tally.requests()} requests",
        ),
        Verdict(
            "sessions valid on either node",
            redirects == 0 and cross_node_sessions > 0,
            f"{redirects} redirect(s) to the sign-in page; {cross_node_sessions} session(s) "
            "signed in on one node and used on both",
        ),
        Verdict(
            "every due message delivered exactly once",
            delivery.exactly_once,
            f"{delivery.due} due: {delivery.sent} sent, {delivery.skipped} skipped, "
            f"{delivery.pending} still pending, {delivery.failed} failed; {delivery.emails} "
            f"e-mails, {delivery.duplicates} duplicated, {delivery.missing} missing, "
            f"{delivery.unexpected} unexpected",
        ),
        Verdict(
            "no node contradicts another",
            bool(coherence) and all(ok for _, ok in coherence),
            "; ".join(f"{what}: {'yes' if ok else 'NO'}" for what, ok in coherence)
            or "not checked",
        ),
        Verdict(
            "cache shared (Redis)",
            cache_backend.endswith("RedisCache"),
            f"CACHES['default'] is {cache_backend}",
        ),
    ]


# --- A browser over both nodes -----------------------------------------------------------------


@dataclass
class Response:
    node: str
    status: int
    location: str
    body: str


class Browser:
    """One person's browser: one cookie jar, and each request to the next node in turn, so the
    session is used on every node. Records every response in the tally."""

    def __init__(self, ports: Mapping[str, int], tally: Tally, timeout: float = 30) -> None:
        self.ports = dict(ports)
        self.order = list(self.ports)
        self.tally = tally
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.turn = 0
        self.nodes_used: set[str] = set()

    def next_node(self) -> str:
        node = self.order[self.turn % len(self.order)]
        self.turn += 1
        return node

    def get(self, path: str, node: str | None = None) -> Response:
        return self.request("GET", path, node=node)

    def post(
        self, path: str, data: Mapping[str, str], node: str | None = None, action: str = ""
    ) -> Response:
        return self.request("POST", path, data=data, node=node, action=action)

    def request(
        self,
        method: str,
        path: str,
        data: Mapping[str, str] | None = None,
        node: str | None = None,
        action: str = "",
    ) -> Response:
        node = node or self.next_node()
        headers = {"Host": "127.0.0.1", "User-Agent": "rehearse_scaleout"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", self.ports[node], timeout=self.timeout)
        began = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            self.tally.error(node)
            return Response(node, 0, "", "")
        finally:
            conn.close()
        seconds = time.perf_counter() - began
        location = response.getheader("Location", "") or ""
        self.tally.record(node, response.status, seconds, location, action)
        self._keep_cookies(response.msg.get_all("Set-Cookie") or [])
        self.nodes_used.add(node)
        return Response(node, response.status, location, text)

    def _keep_cookies(self, headers: list[str]) -> None:
        for header in headers:
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)


def csrf_token(body: str) -> str:
    """The CSRF token of the first form on a page ('' when the page has none)."""
    match = _CSRF.search(body)
    return match.group(1) if match else ""
