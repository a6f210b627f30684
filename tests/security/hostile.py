"""Hostile values for the security tests, and a reader that finds markup that got through.

`hostile_text()` mixes the classic attacks (markup, SQL fragments, template syntax), control
characters and NUL bytes, tricky unicode (right-to-left overrides, emoji sequences, piles of
combining marks), 10,000-character strings, and plain random text from Hypothesis.
`injected(html)` parses a page the way a browser would and lists what an attacker's value
could have become: a script element, an event-handler attribute, a javascript: link, a frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from html.parser import HTMLParser

from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import strategies as st

from tests.builders.programs import PDF_BYTES

MARKUP = "<script>alert(1)</script>"
BREAKOUT = '"><img src=x onerror=alert(1)>'

MARKUP_VALUES = [
    MARKUP,
    BREAKOUT,
    "'><svg onload=alert(1)>",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    '<a href="javascript:alert(1)">click</a>',
    "javascript:alert(1)",
    "<iframe src=//evil.example></iframe>",
    "<b onmouseover=alert(1)>hover</b>",
    "{{ request.user.password }}{% debug %}",
    "${7*7}#{7*7}",
]
SQL_VALUES = [
    "' OR 1=1 --",
    "'; DROP TABLE people_user; --",
    '" OR ""="',
    "1) OR (1=1",
    "%",
    "_",
    "\\",
    "1; SELECT pg_sleep(10)",
]
CONTROL_VALUES = [
    "\x00",
    "nul\x00byte",
    "\x01\x02\x07\x08\x1b[31mred",
    "line\r\nInjected-Header: yes",
    "\u2028\u2029",
    "\ufeffbom",
    "\x7f\x85\x9f",
]
UNICODE_VALUES = [
    "\u202eevil.exe\u202dfdp.",
    "مرحبا بالعالم",
    "שלום עולם",
    "👩🏽\u200d💻🏳️\u200d🌈🚀",
    "e\u0301\u0301\u0301\u0301\u0301\u0301",
    "Z\u0335\u0321\u0322\u0348a\u0338l\u0337g\u0336o\u0335",
    "\U0001d518\U0001d52b\U0001d526 \ufb01 \u00df \u0130 \u0131",  # fraktur, ligature, I/i
    "\u200b\u200c\u200d\u2060",
    "漢字かなカナ한국어",
]
LONG_VALUES = ["A" * 10_000, MARKUP * 400, "é" * 10_000, "😀" * 2_500]

ALL_HOSTILE = MARKUP_VALUES + SQL_VALUES + CONTROL_VALUES + UNICODE_VALUES + LONG_VALUES


def hostile_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(ALL_HOSTILE),
        st.text(max_size=40),
        st.builds(
            lambda before, attack, after: before + attack + after,
            st.text(max_size=8),
            st.sampled_from(MARKUP_VALUES + SQL_VALUES + CONTROL_VALUES + UNICODE_VALUES),
            st.text(max_size=8),
        ),
    )


@dataclass(frozen=True)
class Field:
    """One field of a form: what kind of value it takes, a good value (so that the other
    fields of a post can be valid while one is hostile), and the strategy Hypothesis draws
    from (good values, hostile ones, values of the wrong type)."""

    kind: str
    good: object
    strategy: st.SearchStrategy


def text_or(*good: str) -> Field:
    """A field that takes text: a good value or a hostile one."""
    strategy = st.one_of(st.sampled_from(good), hostile_text()) if good else hostile_text()
    return Field("text", good[0] if good else "x", strategy)


WRONG_NUMBERS = [
    "",
    "-1",
    "0",
    "1.5",
    "1e309",
    "NaN",
    "inf",
    "0x10",
    " 7 ",
    "\u0661\u0662",  # Arabic-Indic digits: int() reads them as 12
    "99999999999999999999999999",
    str(2**63),
    str(-(2**63) - 1),
    "seven",
]


def _numbers(*good) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from([str(g) for g in good]) if good else st.nothing(),
        st.integers().map(str),
        st.sampled_from(WRONG_NUMBERS),
        hostile_text(),
    )


def number_or(*good: int | str) -> Field:
    """A field that takes a number: a good one, an integer of any size, or not a number."""
    return Field("number", str(good[0]) if good else "1", _numbers(*good))


def _ids(*good: int) -> st.SearchStrategy[str]:
    # Ids beyond a 64-bit integer are left to the edge values (see EDGES), where their known
    # failures are marked.
    return st.one_of(
        st.sampled_from([str(g) for g in good]) if good else st.nothing(),
        st.sampled_from(["0", "-1", str(2**31), "1 OR 1=1", "", "seven", "1.5", "NaN"]),
        st.integers(min_value=-(2**63), max_value=2**63 - 1).map(str),
        hostile_text(),
    )


def ids_or(*good: int) -> Field:
    """A field that names an object by id: one of `good` (which may include other people's
    objects), one that does not exist, or not an id at all."""
    return Field("id", str(good[0]) if good else "1", _ids(*good))


def many_ids_or(*good: int | str) -> Field:
    """A field that names several objects (checkboxes): lists of ids, or one."""
    ids = st.one_of(st.sampled_from([str(g) for g in good]), _ids()) if good else _ids()
    return Field("ids", [str(g) for g in good[:1]], st.one_of(st.lists(ids, max_size=3), ids))


WRONG_DATES = [
    "",
    "2027-02-30",
    "2027-13-01",
    "31/12/2027",
    "tomorrow",
    "99999-01-01",
    "-0001-01-01",
    "2027-06-01T25:61",
    "1970-01-01",
]


def date_or(*good: date) -> Field:
    return Field(
        "date",
        good[0].isoformat() if good else "2030-01-01",
        st.one_of(
            st.sampled_from([g.isoformat() for g in good]) if good else st.nothing(),
            st.dates().map(date.isoformat),
            st.sampled_from(WRONG_DATES),
            hostile_text(),
        ),
    )


WRONG_DATETIMES = [
    "",
    "2027-02-30T10:00",
    "2027-03-28T01:30",  # the hour the clocks skip in London
    "2027-10-31T01:30",  # the hour that happens twice
    "2027-06-01T25:61",
    "2027-06-01",
    "now",
]


def datetime_or(*good: str) -> Field:
    """A datetime-local field. The first and last minutes of the calendar are left to the
    edge values (see EDGES), where their known failures are marked."""
    return Field(
        "datetime",
        good[0] if good else soon(7),
        st.one_of(
            st.sampled_from(list(good)) if good else st.nothing(),
            st.datetimes(min_value=datetime(1, 1, 3), max_value=datetime(9999, 12, 30)).map(
                lambda d: d.strftime("%Y-%m-%dT%H:%M")
            ),
            st.sampled_from(WRONG_DATETIMES),
            hostile_text(),
        ),
    )


def soon(days: int = 7, hour: int = 10) -> str:
    """A datetime-local value `days` from today."""
    return (date.today() + timedelta(days=days)).isoformat() + f"T{hour:02d}:00"


def choice_or(*good: str) -> Field:
    """A choice field: one of the choices, or anything else."""
    return Field("choice", good[0], st.one_of(st.sampled_from(list(good)), hostile_text()))


def many_choices_or(*good: str) -> Field:
    one = st.one_of(st.sampled_from(list(good)), hostile_text())
    return Field("choices", list(good[:1]), st.one_of(st.lists(one, max_size=4), one))


def email_or(*good: str) -> Field:
    return Field(
        "email",
        good[0] if good else "nobody@example.test",
        st.one_of(
            st.sampled_from(list(good)) if good else st.nothing(),
            st.emails().map(str),
            st.sampled_from(
                [
                    "",
                    "a@b",
                    "not-an-email",
                    "x@" + "a" * 300 + ".example",
                    "' OR 1=1 --@example.test",
                    '"<script>alert(1)</script>"@example.test',
                    "ünïcode@exämple.test",
                    "admin@example.test\x00",
                ]
            ),
            hostile_text(),
        ),
    )


def boolean_or() -> Field:
    return Field(
        "bool",
        "on",
        st.one_of(st.sampled_from(["on", "1", "true", "false", "0", ""]), hostile_text()),
    )


def slug_or(good: str) -> Field:
    return Field(
        "slug",
        good,
        st.one_of(
            st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True),
            st.sampled_from(["new", "tags", "grow-2027", "lead-2027"]),
            hostile_text(),
        ),
    )


# Edge values, by kind of field: each is posted once per field of that kind, the form's other
# fields holding good values, before Hypothesis's own examples. A label names each value.
EDGES: dict[str, list[tuple[str, object]]] = {
    "text": [("NUL", "before\x00after"), ("10k", "\u202e" + "A" * 10_000)],
    "slug": [("NUL", "slug\x00")],
    "number": [("2**63", str(2**63)), ("2**64", str(2**64)), ("-2**63-1", str(-(2**63) - 1))],
    "id": [("2**63", str(2**63)), ("2**64", str(2**64))],
    "ids": [("2**63", [str(2**63)]), ("2**64", [str(2**64)])],
    "date": [("9999-12-31", "9999-12-31"), ("0001-01-01", "0001-01-01")],
    "datetime": [
        ("9999-12-31T23:59", "9999-12-31T23:59"),
        ("0001-01-01T00:00", "0001-01-01T00:00"),
    ],
    "email": [("NUL", "a\x00@example.test"), ("long", "a" * 240 + "@example.test")],
    "choice": [("NUL", "\x00")],
    "choices": [("NUL", ["\x00"])],
    "bool": [],
    "file": [
        ("empty", lambda: SimpleUploadedFile("empty.pdf", b"", "application/pdf")),
        (
            "not what its name says",
            lambda: SimpleUploadedFile("x.pdf", b"MZ\x90", "application/pdf"),
        ),
        ("long name", lambda: SimpleUploadedFile("a" * 300 + ".pdf", PDF_BYTES, "application/pdf")),
        (
            "long non-ASCII name",
            lambda: SimpleUploadedFile("é" * 200 + ".pdf", PDF_BYTES, "application/pdf"),
        ),
    ],
}


def fresh(value):
    """Edge and good values that are files are made anew for each post (a post reads them)."""
    return value() if callable(value) else value


# --- Reading a page as a browser would ----------------------------------------------------------


class _Reader(HTMLParser):
    """Collects elements and attributes that run code or bypass the style policy."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []  # inline script content, or the src of a foreign script
        self.handlers: list[str] = []  # on*= attributes
        self.javascript_urls: list[str] = []
        self.style_attributes: list[str] = []
        self.style_elements: list[str] = []
        self.frames: list[str] = []  # iframe, object, embed, base: the site itself has none
        self._open: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag in ("iframe", "object", "embed", "base", "frame"):
            self.frames.append(f"<{tag} {attrs!r}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action", "formaction", "xlink:href", "data") and (
                (value or "").strip().lower().replace("\t", "").startswith("javascript:")
            ):
                self.javascript_urls.append(f"<{tag} {name}={value!r}>")
            if name == "style":
                self.style_attributes.append(f"<{tag} style={value!r}>")
        if tag in ("script", "style"):
            self._open = tag
            src = (dict(attrs).get("src") or "").strip().lower()
            if tag == "script" and src and not (src.startswith("/") and not src.startswith("//")):
                self.scripts.append(f"<script src={src!r}>")  # not from this site

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in ("script", "style"):
            self._open = None

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._open = None

    def handle_data(self, data):
        if self._open == "script" and data.strip():
            self.scripts.append(data.strip()[:80])
        if self._open == "style" and data.strip():
            self.style_elements.append(data.strip()[:80])


def read_page(html: str) -> _Reader:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader


def injected(html: str) -> list[str]:
    """Markup that would run in the browser: what no value typed into a form may become."""
    reader = read_page(html)
    return reader.scripts + reader.handlers + reader.javascript_urls + reader.frames
