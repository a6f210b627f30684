"""The difference between two versions of a text, line by line and, within a changed line,
word by word: what a reader needs to see what a new version says differently.

It returns plain data (lines of pieces, each kept, added or removed); templates render it,
so every piece is escaped like any other text (`templates/includes/text_diff.html`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

SAME, ADDED, REMOVED, CHANGED = "same", "added", "removed", "changed"
# Below this share of words in common, a changed line reads better as one removed and one
# added than as a patchwork of small insertions and deletions.
WORD_DIFF_MIN_RATIO = 0.4
_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass(frozen=True)
class Piece:
    kind: str  # SAME, ADDED or REMOVED
    text: str


@dataclass(frozen=True)
class Line:
    kind: str  # SAME, ADDED, REMOVED or CHANGED (then its pieces say which words)
    pieces: list[Piece]

    @property
    def is_blank(self) -> bool:
        return all(not piece.text.strip() for piece in self.pieces)


@dataclass
class TextDiff:
    lines: list[Line] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(1 for line in self.lines if line.kind == kind and not line.is_blank)

    @property
    def added(self) -> int:
        return self.count(ADDED)

    @property
    def removed(self) -> int:
        return self.count(REMOVED)

    @property
    def changed(self) -> int:
        return self.count(CHANGED)

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.removed or self.changed)


def _words(old: str, new: str) -> Line | None:
    """One changed line as word pieces, or None when the two have too little in common."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    words_a = [token for token in a if not token.isspace()]
    words_b = [token for token in b if not token.isspace()]
    if SequenceMatcher(None, words_a, words_b, autojunk=False).ratio() < WORD_DIFF_MIN_RATIO:
        return None
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    pieces: list[Piece] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(Piece(SAME, "".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(Piece(REMOVED, "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(Piece(ADDED, "".join(b[j1:j2])))
    return Line(CHANGED, _tidy(pieces))


def _tidy(pieces: list[Piece]) -> list[Piece]:
    """A change that starts or ends with a space (" entirely", "entirely ") leaves that space
    to the kept text beside it, so only the words are marked."""
    tidy: list[Piece] = []
    for piece in pieces:
        text = piece.text
        if piece.kind != SAME and tidy and tidy[-1].kind == SAME and text[:1].isspace():
            stripped = text.lstrip()
            tidy[-1] = Piece(SAME, tidy[-1].text + text[: len(text) - len(stripped)])
            text = stripped
        if text:
            tidy.append(Piece(piece.kind, text))
    # And the space after it goes to the kept text that follows.
    for i in range(len(tidy) - 1):
        piece, after = tidy[i], tidy[i + 1]
        if piece.kind != SAME and after.kind == SAME and piece.text[-1:].isspace():
            stripped = piece.text.rstrip()
            tidy[i] = Piece(piece.kind, stripped)
            tidy[i + 1] = Piece(SAME, piece.text[len(stripped) :] + after.text)
    return [piece for piece in tidy if piece.text]


def _lines(text: str) -> list[str]:
    """The text's lines without the blank ones: paragraphs are compared, not the empty
    lines between them (which would match each other and pair unrelated paragraphs)."""
    return [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


def text_diff(old: str, new: str) -> TextDiff:
    """The lines of `new` against `old`: kept lines, added and removed lines, and changed
    lines showing which words went and came."""
    a, b = _lines(old), _lines(new)
    diff = TextDiff()
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            diff.lines += [Line(SAME, [Piece(SAME, line)]) for line in a[i1:i2]]
            continue
        removed, added = a[i1:i2], b[j1:j2]
        paired = min(len(removed), len(added)) if op == "replace" else 0
        for old_line, new_line in zip(removed[:paired], added[:paired], strict=True):
            words = _words(old_line, new_line)
            if words is None:
                diff.lines += [
                    Line(REMOVED, [Piece(REMOVED, old_line)]),
                    Line(ADDED, [Piece(ADDED, new_line)]),
                ]
            else:
                diff.lines.append(words)
        diff.lines += [Line(REMOVED, [Piece(REMOVED, line)]) for line in removed[paired:]]
        diff.lines += [Line(ADDED, [Piece(ADDED, line)]) for line in added[paired:]]
    return diff
