"""Every dependency is pinned in a hashed lock file: a requirement added to pyproject.toml
without `make lock` fails here before it can float into a fresh install, CI or the image."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

BASE = Path(settings.BASE_DIR)
NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)")


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(path: Path) -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) of a pip-compile lock file."""
    pins: dict[str, tuple[str, int]] = {}
    current = None
    for line in path.read_text().splitlines():
        if match := re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", line):
            current = _normal(match.group(1))
            pins[current] = (match.group(2), 0)
        elif current and "--hash=sha256:" in line:
            version, hashes = pins[current]
            pins[current] = (version, hashes + 1)
    return pins


def _declared(group: str) -> list[str]:
    project = tomllib.loads((BASE / "pyproject.toml").read_text())["project"]
    specs = project["dependencies"] if group == "base" else project["optional-dependencies"][group]
    return [_normal(NAME.match(spec).group(1)) for spec in specs]


@pytest.mark.parametrize(("group", "lock"), [("base", "base.txt"), ("dev", "dev.txt")])
def test_every_declared_dependency_is_pinned_with_hashes(group, lock):
    pins = _pins(BASE / "requirements" / lock)
    wanted = _declared(group) + (_declared("base") if group == "dev" else [])
    missing = [name for name in wanted if name not in pins]
    assert not missing, f"run `make lock`: {missing} not in requirements/{lock}"
    unhashed = [name for name, (_, hashes) in pins.items() if hashes == 0]
    assert not unhashed, f"pinned without a hash in requirements/{lock}: {unhashed}"


def test_the_dev_lock_agrees_with_the_base_lock():
    """Tests run on exactly the versions the app is deployed with."""
    base, dev = _pins(BASE / "requirements/base.txt"), _pins(BASE / "requirements/dev.txt")
    differ = {n: (v, dev[n][0]) for n, (v, _) in base.items() if n in dev and dev[n][0] != v}
    assert not differ
    assert set(base) <= set(dev)


def test_postgres_is_reached_with_psycopg_3_not_the_binary_psycopg2():
    pins = _pins(BASE / "requirements/base.txt")
    assert "psycopg" in pins and pins["psycopg"][0].startswith("3.")
    assert "psycopg2-binary" not in pins and "psycopg2" not in pins


def test_psycopg_runs_its_c_implementation_of_the_same_version():
    """The pure-Python implementation cost a quarter of a list page's time decoding rows
    (docs/PERFORMANCE.md): the binary wheel is pinned at psycopg's own version and is the one
    psycopg loads."""
    pins = _pins(BASE / "requirements/base.txt")
    assert pins["psycopg-binary"][0] == pins["psycopg"][0]
    assert psycopg.pq.__impl__ in {"c", "binary"}
