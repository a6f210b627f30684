"""Project-wide pytest set-up: tests that need a service are left out when it is missing.

Markers: `postgres` (DATABASE_URL on PostgreSQL), `redis` (REDIS_URL), `browser` (Chromium),
`pg_restart` (this machine's PostgreSQL, which the fault tests stop and start: needs the
database on localhost, `pg_ctlcluster` and the rights to run it).
Without the service such tests are deselected and the run says so at the end; with
`--require-services` (what .ci/run passes) a missing service is an error instead, so CI can
never go green by quietly leaving them out.

`make test` runs the suite on as many pytest-xdist workers as there are cores, then the tests
marked `alone` (they stop the database every other worker uses) in a second pass by
themselves. Each worker gets its own Redis database, so one worker's `cache.clear()` or
Celery queue never reaches another's.
"""

import os
import shutil
from urllib.parse import urlsplit, urlunsplit

import pytest

# The suite's fixtures, for every folder: named people, programs, pairings, notes, reviews
# (plain builders live in tests/builders/ and are imported by name).
pytest_plugins = [
    "tests.fixtures.people",
    "tests.fixtures.programs",
    "tests.fixtures.pairings",
    "tests.fixtures.confidentiality",
    "tests.fixtures.reviews",
    "tests.fixtures.world",
]

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# axe-core, which every browser journey runs on each page it visits: installed from
# tests/browser/axe/package-lock.json by `make test` (npm ci).
AXE = os.path.join(os.path.dirname(__file__), "tests", "browser", "axe")
AXE_SCRIPT = os.path.join(AXE, "node_modules", "axe-core", "axe.min.js")
SERVICES = ("postgres", "redis", "browser", "pg_restart")


def _worker_index() -> int | None:
    """0, 1, ... in a pytest-xdist worker (gw0, gw1, ...); None in a run of one process."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else None


def _redis_url_for_worker(url: str, index: int) -> str:
    """The same Redis server, another database: REDIS_URL's own number minus one per worker
    (wrapping at 16), so a run on /15 uses /14, /13, ... and leaves /15 to the serial pass."""
    parts = urlsplit(url)
    path = parts.path.strip("/")
    base = int(path) if path.isdigit() else 0
    return urlunsplit(parts._replace(path=f"/{(base - 1 - index) % 16}"))


def pytest_configure(config):
    index = _worker_index()
    if index is None:
        return
    from django.conf import settings

    if not settings.REDIS_URL:
        return
    url = _redis_url_for_worker(settings.REDIS_URL, index)
    settings.REDIS_URL = url
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "LOCATION": url},
    }
    settings.CELERY_BROKER_URL = settings.CELERY_RESULT_BACKEND = url
    from mentoring.celery import app

    app.conf.broker_url = app.conf.result_backend = url


def pg_cluster() -> tuple[str, str] | None:
    """(version, name) of the local PostgreSQL cluster behind DATABASE_URL, which the fault
    tests may restart: found by its port in `pg_lsclusters`; None when there is none or this
    user may not restart it."""
    import subprocess

    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        return None
    if (db.get("HOST") or "localhost") not in ("localhost", "127.0.0.1", "::1"):
        return None
    if not shutil.which("pg_ctlcluster") or not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    port = str(db.get("PORT") or 5432)
    listing = subprocess.run(
        ["pg_lsclusters", "-h"],  # noqa: S607 (Debian's own tool, found on PATH)
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    for line in listing.splitlines():
        fields = line.split()
        if len(fields) >= 3 and fields[2] == port:
            return fields[0], fields[1]
    return None


def pytest_addoption(parser):
    parser.addoption(
        "--require-services",
        action="store",
        nargs="?",
        const="all",
        default=os.environ.get("REQUIRE_SERVICES", ""),
        metavar="postgres,redis,browser,pg_restart|all",
        help="fail, rather than leave out, tests whose service (PostgreSQL, Redis, Chromium) "
        "is missing; a comma-separated list, or all when given alone",
    )


def _required(config) -> set[str]:
    value = (config.getoption("--require-services") or "").strip()
    names = {name.strip() for name in value.split(",") if name.strip()}
    return set(SERVICES) if "all" in names else names


def _missing_services() -> dict[str, str]:
    from django.conf import settings

    missing = {}
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        missing["postgres"] = "DATABASE_URL does not point at PostgreSQL"
    if not settings.REDIS_URL:
        missing["redis"] = "REDIS_URL is not set"
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        missing["browser"] = f"Chromium is not installed at {CHROMIUM}"
    elif not os.path.exists(AXE_SCRIPT):
        missing["browser"] = (
            f"axe-core is not installed in {AXE} (`make test` installs it with npm ci; "
            "without npm: install Node.js 20 and npm)"
        )
    if pg_cluster() is None:
        missing["pg_restart"] = (
            "no local PostgreSQL cluster this user can restart (needs DATABASE_URL on "
            "localhost, pg_ctlcluster and root)"
        )
    return missing


def _refuse_missing_required(config, counts: dict[str, int] | None = None) -> None:
    required = _required(config)
    unknown = required - set(SERVICES)
    if unknown:
        raise pytest.UsageError(f"--require-services: unknown service(s) {sorted(unknown)}")
    missing = _missing_services()
    failing = sorted(required & set(missing))
    if failing:
        lines = [
            f"{name}: {missing[name]}"
            + (f" ({counts.get(name, 0)} test(s) need it)" if counts is not None else "")
            for name in failing
        ]
        raise pytest.UsageError(
            "--require-services: a service the suite needs is missing:\n  " + "\n  ".join(lines)
        )


def _parallel(config) -> bool:
    """True in the controller or a worker of a pytest-xdist run."""
    return bool(getattr(config.option, "numprocesses", None)) or _worker_index() is not None


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session):
    # The xdist controller collects nothing: it refuses a missing service before any worker
    # starts, so the error is one line, not one per worker.
    config = session.config
    if _parallel(config) and _worker_index() is None:
        _refuse_missing_required(config)


def pytest_collection_modifyitems(config, items):
    if _parallel(config):
        # Tests that stop a shared service wait for the serial pass (`make test` runs it).
        alone = [item for item in items if item.get_closest_marker("alone")]
        if alone:
            config.hook.pytest_deselected(items=alone)
            items[:] = [item for item in items if not item.get_closest_marker("alone")]
        config._summary = {"serial": len(alone)}
    missing = _missing_services()
    kept, left_out = [], {}
    for item in items:
        needs = [name for name in missing if item.get_closest_marker(name)]
        if needs:
            left_out.setdefault(needs[0], []).append(item)
        else:
            kept.append(item)
    _refuse_missing_required(config, {name: len(tests) for name, tests in left_out.items()})
    summary = getattr(config, "_summary", {"serial": 0})
    summary["left_out"] = {name: [len(t), missing[name]] for name, t in left_out.items()}
    config._summary = summary
    if left_out:
        config.hook.pytest_deselected(items=[i for tests in left_out.values() for i in tests])
        items[:] = kept


def pytest_sessionfinish(session):
    # A worker hands its summary to the controller (every worker collects the whole suite,
    # so any one worker's numbers are the run's).
    if hasattr(session.config, "workeroutput") and hasattr(session.config, "_summary"):
        session.config.workeroutput["summary"] = session.config._summary


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    summary = getattr(node, "workeroutput", {}).get("summary")
    if summary:
        node.config._summary = summary


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    summary = getattr(config, "_summary", None)
    if not summary:
        return
    if summary["serial"]:
        terminalreporter.section("tests left for the serial pass")
        terminalreporter.write_line(
            f"{summary['serial']} test(s) marked `alone` were not run here; "
            "`pytest -m alone` runs them (make test does)"
        )
    if summary["left_out"]:
        terminalreporter.section("tests left out: service missing")
        for name, (count, why) in summary["left_out"].items():
            terminalreporter.write_line(f"{count} {name} test(s) not run: {why}")
