"""Source text, spans and JSON pointers.

Offsets are indexes into the decoded text, so they count Unicode code points, which is
what the conventions ask of columns. Lines and columns are 1-based; ends are exclusive.
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Iterable
from itertools import accumulate
from typing import Final, Literal, Protocol

from applc.patterns import lazy
from applc.records import Value

Part = Literal["value", "key", "open", "first_key"]


class Span(Value):
    """Where a node is: 1-based line and column, and the exclusive end."""

    __slots__ = ("line", "column", "end_line", "end_column")
    FIELDS = __slots__
    line: Final[int]
    column: Final[int]
    end_line: Final[int]
    end_column: Final[int]

    def __init__(self, line: int, column: int, end_line: int, end_column: int) -> None:
        self.line = line
        self.column = column
        self.end_line = end_line
        self.end_column = end_column


_LONE_CR = lazy(r"\r(?!\n)")


def line_ending(text: str) -> str:
    """The line break a text uses, by its first one: "\r\n", "\r" or "\n" (the default
    for a text without any)."""
    cr = text.find("\r")
    if cr < 0:
        return "\n"
    lf = text.find("\n")
    if 0 <= lf < cr:
        return "\n"
    return "\r\n" if text.startswith("\n", cr + 1) else "\r"


def with_line_ending(text: str, eol: str) -> str:
    """A text written with "\n" line breaks, in `eol` instead."""
    return text if eol == "\n" else text.replace("\n", eol)


def lone_cr_as_lf(text: str) -> str:
    """Line breaks written as a lone CR (classic Mac) as LF: the same length, so every
    offset still points at the same character."""
    return _LONE_CR.sub("\n", text) if "\r" in text else text


def has_u_escape(text: str) -> bool:
    """Whether `text` holds a backslash followed by `u` (`"\\u" in text`, found faster).

    A search for the two characters stops at every `u` of a big document (6 ms for
    6 MB); a backslash is one byte that C's `memchr` skips to, and documents hold few of
    them (an escaped `@`, a Windows path). Past one per 1,024 characters, the plain
    search takes over, so a text full of backslashes costs a bounded Python loop.
    """
    i = text.find("\\")
    for _ in range(len(text) // 1024 + 8):
        if i < 0:
            return False
        if text.startswith("u", i + 1):
            return True
        i = text.find("\\", i + 1)
    return i >= 0 and text.find("\\u", i) >= 0


def escape_token(token: str) -> str:
    """One RFC 6901 reference token: `~` becomes `~0` and `/` becomes `~1`."""
    if "~" in token or "/" in token:
        return token.replace("~", "~0").replace("/", "~1")
    return token


def unescape_token(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def join_pointer(base: str, *tokens: str | int) -> str:
    out = base
    for t in tokens:
        out += "/" + (str(t) if isinstance(t, int) else escape_token(t))
    return out


def split_pointer(pointer: str) -> list[str]:
    if not pointer:
        return []
    return [unescape_token(t) for t in pointer[1:].split("/")]


def parent_pointer(pointer: str) -> str:
    return pointer[: pointer.rfind("/")] if pointer else ""


def pointer_within(pointer: str, scope: str) -> bool:
    """True when `pointer` is `scope` itself or lies inside it."""
    return pointer == scope or pointer.startswith(scope + "/") or scope == ""


# Offsets a position was found for are kept as starting points for counting line breaks
# when they are at least this far apart (so a big file with many findings keeps a few).
_MARK_GAP = 1 << 12

# Line starts are found a piece of the text at a time, so the lines of one piece (and
# not of the whole text) are held at once.
_PIECE = 1 << 16


def line_starts(text: str) -> array[int]:
    """The offset of each line's first character (the first line's is 0).

    Each piece of the text is split at its line breaks and the lengths of the lines are
    summed up in C (`itertools.accumulate` over `map`): a loop of `str.find` calls made
    two Python-level calls a line, a quarter of the lint of a 300,000-line file that has
    findings.
    """
    starts = array("i" if len(text) < 2**31 else "q", [0])
    step = (1).__add__  # each line's length and its line break
    for lo in range(0, len(text), _PIECE):
        lines = text[lo : lo + _PIECE].split("\n")
        lines.pop()  # the piece's last line has no line break inside the piece
        if lines:
            # `initial` is where the piece starts; the sums after it are the starts of
            # the lines that follow each line break.
            found = accumulate(map(step, map(len, lines)), initial=lo)
            next(found)
            starts.extend(found)
    return starts


class Locator(Protocol):
    """Where each node of a document sits in its text, by JSON pointer.

    Front ends provide one: JSON computes it lazily with a scanner; the DSL records it
    while parsing. Offsets are code-point indexes into the source text.
    """

    def value_range(self, pointer: str) -> tuple[int, int] | None: ...

    def key_range(self, pointer: str) -> tuple[int, int] | None: ...

    def first_key_range(self, pointer: str) -> tuple[int, int] | None:
        """For a duplicated key: where its first occurrence is."""
        ...

    def string_offset(self, pointer: str, index: int) -> int | None:
        """Source offset of character `index` of the decoded string value at `pointer`."""
        ...


class Source:
    """One input document: its name, its text, and a locator for its nodes."""

    def __init__(self, path: str, text: str, locator: Locator | None = None) -> None:
        self.path = path
        self.text = text
        self.locator = locator
        self._line_starts: array[int] | None = None
        # Positions are found without the table of line starts, which takes a step per
        # line of the text: line breaks are counted (in C) from the nearest offset
        # already placed. `_marks` are such offsets, sorted, at least _MARK_GAP apart,
        # with their 0-based line and its start in `_marked`; `_lines` has the start and
        # (once asked) the end of each line a position was found on, for showing it.
        self._marks: list[int] = []
        self._marked: list[tuple[int, int]] = []
        self._lines: dict[int, list[int]] = {}
        # Characters counted beyond the marks' gap: positions asked in an order that
        # keeps counting the same stretch again (backwards, say) switch to the table.
        self._counted = 0

    @property
    def line_starts(self) -> array[int]:
        """The offset of each line's first character. An array of machine integers: a
        list of int objects took 36 bytes a line, more than the text itself."""
        if self._line_starts is None:
            self._line_starts = line_starts(self.text)
        return self._line_starts

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a code-point offset."""
        offset = max(0, min(offset, len(self.text)))
        if self._line_starts is None:
            marks = self._marks
            k = bisect.bisect_right(marks, offset) - 1
            base, (idx, start) = (marks[k], self._marked[k]) if k >= 0 else (0, (0, 0))
            # Counting up to the gap from a mark is every position's own cost; more
            # than that adds up, to at most a few times the text.
            self._counted += max(0, offset - base - _MARK_GAP)
            if self._counted <= 4 * len(self.text):
                text = self.text
                breaks = text.count("\n", base, offset)
                if breaks:
                    idx += breaks
                    start = text.rfind("\n", base, offset) + 1
                if offset - base >= _MARK_GAP:
                    marks.insert(k + 1, offset)
                    self._marked.insert(k + 1, (idx, start))
                if idx + 1 not in self._lines:
                    self._lines[idx + 1] = [start]
                return idx + 1, offset - start + 1
        starts = self.line_starts
        idx = bisect.bisect_right(starts, offset) - 1
        return idx + 1, offset - starts[idx] + 1

    def _line_bounds(self, line: int) -> tuple[int, int] | None:
        """Where line `line` (1-based) starts and where its line break is (or the end of
        the text); None for a line the text does not have."""
        known = self._lines.get(line)
        if known is not None and self._line_starts is None:
            if len(known) == 1:
                end = self.text.find("\n", known[0])
                known.append(len(self.text) if end < 0 else end)
            return known[0], known[1]
        starts = self.line_starts
        if not 1 <= line <= len(starts):
            return None
        return starts[line - 1], starts[line] - 1 if line < len(starts) else len(self.text)

    def offset(self, line: int, column: int) -> int:
        starts = self.line_starts
        line = max(1, min(line, len(starts)))
        return min(starts[line - 1] + column - 1, len(self.text))

    def span(self, start: int, end: int) -> Span:
        line, col = self.position(start)
        end_line, end_col = self.position(max(end, start))
        return Span(line, col, end_line, end_col)

    def line_text(self, line: int) -> str:
        bounds = self._line_bounds(line)
        if bounds is None:
            return ""
        start, end = bounds
        return self.text[start:end].rstrip("\r")

    def line_slice(self, line: int, start: int, end: int | None = None) -> str:
        """Code points `start` to `end` (0-based) of line `line`, cut from the text
        directly: showing one finding on a 50 MB line must not copy the whole line."""
        bounds = self._line_bounds(line)
        if bounds is None:
            return ""
        first, last = bounds
        lo = min(first + max(start, 0), last)
        hi = last if end is None else min(first + max(end, 0), last)
        piece = self.text[lo:hi]
        return piece[:-1] if hi == last and piece.endswith("\r") else piece

    def lines(self, first: int, last: int) -> Iterable[tuple[int, str]]:
        for n in range(first, last + 1):
            yield n, self.line_text(n)

    def locate(
        self,
        pointer: str,
        part: Part = "value",
        sub: tuple[int, int] | None = None,
    ) -> Span:
        """The span of a node; falls back to the nearest ancestor that has one."""
        rng = self._range(pointer, part, sub)
        if rng is None:
            return Span(1, 1, 1, 1)
        return self.span(*rng)

    def _range(
        self, pointer: str, part: Part, sub: tuple[int, int] | None
    ) -> tuple[int, int] | None:
        loc = self.locator
        if loc is None:
            return None
        p = pointer
        while True:
            if part == "first_key":
                rng = loc.first_key_range(p) or loc.key_range(p)
            elif part == "key":
                rng = loc.key_range(p)
                if rng is None:
                    rng = loc.value_range(p)
            else:
                rng = loc.value_range(p)
            if rng is not None:
                if p == pointer:
                    if part == "open":
                        return rng[0], rng[0] + 1
                    if sub is not None:
                        a = loc.string_offset(p, sub[0])
                        b = loc.string_offset(p, sub[1])
                        if a is not None and b is not None:
                            return a, b
                return rng
            if not p:
                return None
            p = parent_pointer(p)
            part = "value"
            sub = None
