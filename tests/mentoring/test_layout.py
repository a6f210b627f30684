"""The shape of the code the docs promise (docs/DESIGN.md, "The apps and what each owns"):
views run no query of their own, no product module grows past about 500 lines, each says
what it is for on its first line, and refusals come from one helper."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APPS = (
    "core",
    "notifications",
    "people",
    "firewall",
    "programs",
    "pairings",
    "confidentiality",
    "reviews",
    "reports",
    "mentoring",
    "demo",
    "benchmarks",
)
MAX_LINES = 520  # "about 500"


def _product_modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def _views():
    for path in _product_modules():
        if path.name == "views.py" or "views" in path.parent.parts[-1:]:
            yield path


# What a view may not call: the ORM's entry points. Selectors do the reading.
ORM = re.compile(
    r"\.objects\b|get_object_or_404|get_list_or_404|\.filter\(|\.exclude\(|\.annotate\("
    r"|\.select_related\(|\.prefetch_related\(|\.order_by\(|\.values\((?!\))|\.values_list\("
    r"|\.aggregate\("
    r"|\.raw\(|connection\.cursor"
)


def test_the_view_modules_are_found():
    found = {p.relative_to(ROOT).as_posix() for p in _views()}
    assert {"pairings/views.py", "programs/views/sessions.py", "reviews/views.py"} <= found


def test_no_view_runs_a_query_of_its_own():
    offenders = []
    for path in _views():
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            code = line.split("#", 1)[0]
            if ORM.search(code):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_no_product_module_is_over_about_500_lines():
    long = [
        f"{path.relative_to(ROOT)}: {n}"
        for path in _product_modules()
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    ]
    assert long == []


def test_every_product_module_says_what_it_is_for():
    silent = []
    for path in _product_modules():
        text = path.read_text()
        if not text.strip() or (path.name in ("__init__.py", "apps.py") and len(text) < 400):
            continue  # empty package markers and one-class app configs
        if ast.get_docstring(ast.parse(text)) is None:
            silent.append(str(path.relative_to(ROOT)))
    assert silent == []


def test_one_refusal_helper():
    """Services refuse with core.refusals.refuse; nobody defines their own."""
    again = [
        str(path.relative_to(ROOT))
        for path in _product_modules()
        if path != ROOT / "core" / "refusals.py"
        and re.search(r"^def _?refuse\(", path.read_text(), re.M)
    ]
    assert again == []


def test_the_image_copies_every_app_and_the_package_list_names_it():
    """A new app that the Dockerfile forgets would be missing from production only."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    pyproject = (ROOT / "pyproject.toml").read_text()
    local = {a for a in settings.INSTALLED_APPS if (ROOT / a).is_dir()}
    assert local | {"core"} == set(APPS)  # core is a package, not an app: it has no models
    for app in APPS:
        assert f"COPY {app} ./{app}" in dockerfile, app
        assert f'"{app}*"' in pyproject, app
