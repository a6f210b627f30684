# ruff: noqa: E501 - the template the rows replaced, kept as it was
"""The notes list writes each note's list item in Python (`NoteRow.html`): byte for byte what
the template's loop wrote (kept here), for every kind of row, escaping included; and a row's
`repr` never carries the note's text (F9)."""

from __future__ import annotations

import itertools

from django.template import Context, Template

from confidentiality.views import NoteRow

# The loop of confidentiality/notes.html before the rows wrote themselves.
OLD_LOOP = Template(
    """          {% for note in rows %}
            <li>
              <article class="note" aria-labelledby="note-{{ note.pk }}-heading">
                <div class="note__head">
                  <h3 id="note-{{ note.pk }}-heading" class="note__author">{{ note.author }}<span class="visually-hidden">, {{ note.written }}</span></h3>
                  {% if note.shared %}<span class="status tone--good">Shared</span>{% else %}<span class="status tone--own">Private</span>{% endif %}
                </div>
                <p class="note__meta">
                  <span>Written {{ note.written_short }}</span>
                  {% if note.changed %}<span>Changed {{ note.changed }}</span>{% endif %}
                  {% if note.meeting %}<span>About the meeting on {{ note.meeting }}</span>{% else %}<span>About the pairing in general</span>{% endif %}
                </p>
                <div class="note__text">{{ note.text|linebreaksbr }}</div>
                <p class="note__link"><a href="{{ note.url }}">Open the note<span class="visually-hidden"> {% if note.by_me %}you wrote{% else %}shared with you{% endif %} on {{ note.written }}</span></a></p>
              </article>
            </li>
          {% endfor %}
"""
)
NEW_LOOP = Template(
    "          {% for note in rows %}\n            {{ note.html }}\n          {% endfor %}\n"
)

TEXTS = ["plain", "a <b>\"bold\"</b> & 'x'\r\nnext line\n\nlast", ""]


def _rows() -> list[NoteRow]:
    rows = []
    kinds = itertools.product([True, False], [True, False], ["", "4 Mar 2026, 10:00"], TEXTS)
    for n, (by_me, shared, meeting, text) in enumerate(kinds):
        rows.append(
            NoteRow(
                pk=n + 1,
                by_me=by_me,
                author="You" if by_me else "Ann <O'Neil> & Co",
                shared=shared,
                written="3 March 2026, 14:05",
                written_short="3 Mar 2026, 14:05",
                changed="" if n % 2 else "5 Mar 2026, 09:00",
                meeting=meeting,
                text=text,
                url=f"/confidentiality/notes/{n + 1}/?a=1&b=<2>",
            )
        )
    return rows


def test_each_note_is_written_as_the_template_wrote_it():
    rows = _rows()
    assert NEW_LOOP.render(Context({"rows": rows})) == OLD_LOOP.render(Context({"rows": rows}))


def test_a_rows_repr_carries_no_text():
    row = _rows()[1]
    assert "bold" not in repr(row)
