"""Visually hidden text that completes a link or button for a screen reader reads as words
after the visible label ("Go to the program Grow 2027"), never starting with a colon or a
semicolon, which a screen reader's list of links reads out as ": Grow 2027"."""

import re

from django.conf import settings
from django.urls import reverse

HIDDEN = re.compile(r'<span class="visually-hidden">(.*?)</span>', re.DOTALL)


def templates():
    root = settings.BASE_DIR
    for path in sorted(root.rglob("*.html")):
        parts = path.relative_to(root).parts
        if parts[0] in (".venv", "staticfiles", "artifacts", "node_modules"):
            continue
        if "templates" in parts:
            yield path


def test_no_visually_hidden_text_starts_with_a_colon_or_semicolon():
    found = list(templates())
    assert len(found) > 50  # the walk finds the templates
    offenders = [
        f"{path.relative_to(settings.BASE_DIR)}: {text!r}"
        for path in found
        for text in HIDDEN.findall(path.read_text())
        if text.lstrip().startswith((":", ";"))
    ]
    assert offenders == []


def test_a_program_link_reads_as_words(program, admit, mentoree, signed_in_client):
    admit(mentoree.employee)

    html = signed_in_client(mentoree).get(reverse("programs:my_applications")).content.decode()

    text = re.sub(r"<[^>]+>", "", html)
    assert f"Go to the program {program.name}" in " ".join(text.split())
    assert f"program: {program.name}" not in text
