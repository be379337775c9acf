"""Why a string token does not scan: the one explainer both readers use.

JSON and the DSL write strings alike (double quotes, backslash escapes, no raw control
characters); they differ only in which escapes exist (the DSL adds `\\@`), which raw
characters are refused, and how the help reads. Each reader describes its strings with a
`StringSyntax` and turns the `StringProblem` into its own syntax error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from applc.records import Value


class StringProblem(Value):
    """What is wrong in a string token, where (offsets into the text), and the help."""

    __slots__ = ("message", "start", "end", "help")
    FIELDS = __slots__
    message: Final[str]
    start: Final[int]
    end: Final[int]
    help: Final[str | None]

    def __init__(self, message: str, start: int, end: int, help: str | None = None) -> None:
        self.message = message
        self.start = start
        self.end = end
        self.help = help


def _as_written(ch: str) -> str:
    return ch


class StringSyntax(Value):
    """How one language writes strings: which escapes exist, which raw characters are
    refused, and how the help reads."""

    FIELDS = ("escapes", "controls", "escape_help", "show")
    escapes: Final[str]
    controls: Final[str]
    escape_help: Final[str]
    show: Final[Callable[[str], str]]

    def __init__(
        self,
        # The characters a backslash may escape, besides `u` and its four hex digits.
        escapes: str,
        # A regular-expression class body of the raw characters a string may not hold.
        controls: str,
        # The help of an invalid escape.
        escape_help: str,
        # How an escaped character is shown in the message.
        show: Callable[[str], str] = _as_written,
    ) -> None:
        self.escapes = escapes
        self.controls = controls
        self.escape_help = escape_help
        self.show = show
        self._plain: re.Pattern[str] | None = None

    @property
    def plain(self) -> re.Pattern[str]:
        """Ordinary characters and valid escapes, possessively: no backtracking state is
        kept, so a 50 MB string costs one C-level pass and no memory. Compiled when a
        string first fails to scan, not when the reader is imported."""
        if self._plain is None:
            self._plain = re.compile(
                rf'(?:[^"\\{self.controls}]++|\\(?:[{re.escape(self.escapes)}]|u[0-9a-fA-F]{{4}}))*+'
            )
        return self._plain

    def problem(self, text: str, pos: int) -> StringProblem:
        """Why the string token that opens at `pos` does not scan."""
        i = pos + 1
        n = len(text)
        plain = self.plain.match
        while True:
            # What is valid is skipped at C speed: a 50 MB string with a bad escape near
            # its end took seconds one character at a time.
            i = plain(text, i).end()  # type: ignore[union-attr]
            if i >= n:
                break
            ch = text[i]
            if ch == '"':
                break
            if ch == "\\":
                nxt = text[i + 1 : i + 2]
                if nxt == "u":
                    return StringProblem(
                        "invalid \\u escape: it needs four hexadecimal digits", i, i + 2
                    )
                return StringProblem(
                    f"invalid escape `\\{self.show(nxt)}` in a string",
                    i,
                    i + 2,
                    self.escape_help,
                )
            if ch == "\n":
                return StringProblem(
                    "unterminated string: a line break inside a string",
                    pos,
                    i,
                    'close the string with `"`, or write the line break as \\n',
                )
            return StringProblem(
                f"control character U+{ord(ch):04X} inside a string",
                i,
                i + 1,
                "write it as an escape such as \\t or \\u0009",
            )
        return StringProblem("unterminated string", pos, pos + 1, 'close the string with `"`')
