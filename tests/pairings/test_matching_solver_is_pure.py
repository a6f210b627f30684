"""The matching solver is pure numpy and scipy: it runs, and is tested, without Django.

The solver gets everything it needs in the `Cohort` it is given; the database reads live in
`pairings.matching.cohort` and the writes in `pairings.matching.services`. These tests keep
Django out of the solver, of the scores it uses and of the greedy baseline.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import pairings

PURE_MODULES = ["pairings.matching.solver", "pairings.matching.scores", "pairings.matching.greedy"]
ROOT = Path(pairings.__file__).resolve().parent.parent

PROBE = """
import json, os, sys
assert "DJANGO_SETTINGS_MODULE" not in os.environ
import {module}
print(json.dumps({{
    "imported": {module!r} in sys.modules,
    "django": sorted(name for name in sys.modules if name.split(".")[0] == "django"),
}}))
"""


@pytest.mark.parametrize("module", PURE_MODULES)
def test_importing_the_module_in_a_clean_interpreter_imports_no_django(module):
    env = {"PATH": os.environ.get("PATH", os.defpath), "PYTHONPATH": str(ROOT)}
    completed = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=module)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    assert report == {"imported": True, "django": []}


def _imported_roots(source: str) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("module", PURE_MODULES)
def test_the_module_source_has_no_django_import(module):
    path = ROOT.joinpath(*module.split(".")).with_suffix(".py")
    roots = _imported_roots(path.read_text(encoding="utf-8"))
    assert "numpy" in roots or "scipy" in roots  # the file read is the one meant
    assert "django" not in roots
