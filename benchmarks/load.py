"""HTTP load for the benchmarks: the pages measured, GETs from threads with a connection each,
and the CPU the server and the database spent (from /proc)."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.core.management.base import CommandError

from benchmarks.stats import Stats


@dataclass
class Page:
    name: str
    path: str
    who: str  # a demo e-mail, or "" for signed out
    note: str = ""
    judged: bool = True  # False: shown for reference, no verdict
    min_ratio: float = 0.5  # of the yardstick's throughput, when judged
    cookie: str = ""
    queries: int | None = None
    stats: Stats | None = None
    latencies: list[float] = field(default_factory=list)
    wall_s: float = 0.0
    # CPU clock ticks: "app" for gunicorn (master and workers), "db" for the PostgreSQL
    # backends of this database; client_s for this load generator.
    ticks: dict[str, int] = field(default_factory=dict)
    client_s: float = 0.0

    def cpu_ms_per_request(self, kind: str) -> float | None:
        if kind not in self.ticks or not self.latencies:
            return None
        return self.ticks[kind] * 1000 / os.sysconf("SC_CLK_TCK") / len(self.latencies)


class Discard:
    def write(self, *args, **kwargs) -> None:
        pass

    def flush(self) -> None:
        pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request_headers(cookie: str) -> dict[str, str]:
    headers = {"Host": "127.0.0.1", "User-Agent": "bench_pages"}
    if cookie:
        headers["Cookie"] = cookie
    return headers


def get(port: int, path: str, cookie: str) -> tuple[int, dict[str, str]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers=request_headers(cookie))
        response = conn.getresponse()
        response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}
    finally:
        conn.close()


def run_load(port: int, page: Page, total: int, concurrency: int) -> tuple[list[float], float]:
    """total GETs of the page from `concurrency` threads, each with its own connection: the
    latencies in seconds and the wall time."""
    shares = split(total, concurrency)
    concurrency = len(shares)
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    failures: list[str] = []
    headers = request_headers(page.cookie)
    start = threading.Barrier(concurrency + 1)

    def worker(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = latencies[index]
        start.wait()
        try:
            for _ in range(shares[index]):
                began = time.perf_counter()
                try:
                    conn.request("GET", page.path, headers=headers)
                    response = conn.getresponse()
                    response.read()
                except (OSError, http.client.HTTPException):
                    # A dropped keep-alive connection: reconnect and try once more.
                    conn.close()
                    conn.request("GET", page.path, headers=headers)
                    response = conn.getresponse()
                    response.read()
                mine.append(time.perf_counter() - began)
                if response.status != 200:
                    failures.append(f"{response.status}")
        except Exception as exc:
            failures.append(repr(exc))
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    if failures:
        raise CommandError(f"{page.path}: {len(failures)} failed request(s), e.g. {failures[:3]}")
    return [x for mine in latencies for x in mine], wall


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()  # gunicorn's graceful shutdown
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def loadavg() -> str:
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "?"


def proc_ticks(pid: int) -> int | None:
    """utime + stime of a process, in clock ticks; None where /proc is not readable."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def proc_comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def ticks_between(
    before: dict[tuple[str, int], int], after: dict[tuple[str, int], int], kind: str
) -> int | None:
    keys = [k for k in after if k[0] == kind]
    if not keys:
        return None
    return sum(after[k] - before.get(k, 0) for k in keys)


def split(total: int, parts: int) -> list[int]:
    """total as `parts` near-equal positive shares (fewer parts when total is smaller)."""
    parts = max(1, min(parts, total))
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
