"""Real Celery processes for the job tests: a worker and beat started as separate processes
on the test's own queue, against the test database (PostgreSQL) and the real broker (Redis)."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import redis
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


class Processes:
    """Worker and beat processes, each the leader of its own process group."""

    def __init__(self, tmp_path: Path, queue: str, *, sink_delay_ms: int = 0):
        self.tmp_path = tmp_path
        self.queue = queue
        self.running: list[subprocess.Popen] = []
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.jobs.worker_settings",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "CELERY_QUEUE": queue,
            "MESSAGES_SWEEP_SECONDS": "1",
            "SINK_DELAY_MS": str(sink_delay_ms),
        }

    def start(self, name: str, *args: str) -> subprocess.Popen:
        log = (self.tmp_path / f"{name}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "mentoring", *args, "--loglevel", "INFO"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.running.append(process)
        return process

    def worker(self, name: str) -> subprocess.Popen:
        return self.start(
            name,
            "worker",
            "--queues",
            self.queue,
            "--concurrency",
            "2",
            "--pool",
            "prefork",
            "--hostname",
            f"{name}-{self.queue}@%h",
            "--without-gossip",
            "--without-mingle",
        )

    def beat(self) -> subprocess.Popen:
        return self.start("beat", "beat", "--schedule", str(self.tmp_path / "beat-schedule"))

    @staticmethod
    def kill(process: subprocess.Popen) -> None:
        """kill -9 the process and every child of its group (the prefork pool)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.running:
            if process.poll() is None:
                self.kill(process)

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
            for path in sorted(self.tmp_path.glob("*.log"))
        )


def forget_queue(queue: str) -> None:
    """Drop the test's queue and the killed worker's unacknowledged tasks from Redis, so
    nothing of this run is redelivered later to anyone."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        client.delete(queue)
        for tag, raw in client.hgetall("unacked").items():
            try:
                routing_key = json.loads(raw)[2]
            except (ValueError, IndexError, TypeError):
                continue
            if routing_key == queue:
                client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)
    finally:
        client.close()


def wait_for(condition, *, until: float, every: float = 0.05) -> bool:
    """Poll `condition` until it holds or the monotonic clock passes `until`."""
    while time.monotonic() < until:
        if condition():
            return True
        time.sleep(every)
    return condition()
