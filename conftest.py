"""Project-wide pytest set-up: tests that need a service are left out when it is missing.

Markers: `postgres` (DATABASE_URL on PostgreSQL), `redis` (REDIS_URL), `browser` (Chromium),
`pg_restart` (this machine's PostgreSQL, which the fault tests stop and start: needs the
database on localhost, `pg_ctlcluster` and the rights to run it).
Without the service such tests are deselected and the run says so at the end; with
`--require-services` (what .ci/run passes) a missing service is an error instead, so CI can
never go green by quietly leaving them out.
"""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SERVICES = ("postgres", "redis", "browser", "pg_restart")


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
    if pg_cluster() is None:
        missing["pg_restart"] = (
            "no local PostgreSQL cluster this user can restart (needs DATABASE_URL on "
            "localhost, pg_ctlcluster and root)"
        )
    return missing


def pytest_collection_modifyitems(config, items):
    missing = _missing_services()
    kept, left_out = [], {}
    for item in items:
        needs = [name for name in missing if item.get_closest_marker(name)]
        if needs:
            left_out.setdefault(needs[0], []).append(item)
        else:
            kept.append(item)
    required = _required(config)
    unknown = required - set(SERVICES)
    if unknown:
        raise pytest.UsageError(f"--require-services: unknown service(s) {sorted(unknown)}")
    failing = sorted(required & set(missing))
    if failing:
        lines = [
            f"{name}: {missing[name]} ({len(left_out.get(name, []))} test(s) need it)"
            for name in failing
        ]
        raise pytest.UsageError(
            "--require-services: a service the suite needs is missing:\n  " + "\n  ".join(lines)
        )
    if not left_out:
        return
    config.hook.pytest_deselected(items=[i for tests in left_out.values() for i in tests])
    items[:] = kept
    config._services_left_out = {name: (len(t), missing[name]) for name, t in left_out.items()}


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    left_out = getattr(config, "_services_left_out", None)
    if left_out:
        terminalreporter.section("tests left out: service missing")
        for name, (count, why) in left_out.items():
            terminalreporter.write_line(f"{count} {name} test(s) not run: {why}")
