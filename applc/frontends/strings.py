"""Why a string token does not scan: the one explainer both readers use.

JSON and the DSL write strings alike (double quotes, backslash escapes, no raw control
characters); they differ only in which escapes exist (the DSL adds `\\@`), which raw
characters are refused, and how the help reads. Each reader describes its strings with a
`StringSyntax` and turns the `StringProblem` into its own syntax error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class StringProblem:
    message: str
    start: int
    end: int
    help: str | None = None


def _as_written(ch: str) -> str:
    return ch


@dataclass(frozen=True)
class StringSyntax:
    # The characters a backslash may escape, besides `u` and its four hex digits.
    escapes: str
    # A regular-expression class body of the raw characters a string may not hold.
    controls: str
    # The help of an invalid escape.
    escape_help: str
    # How an escaped character is shown in the message.
    show: Callable[[str], str] = _as_written
    _plain: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Ordinary characters and valid escapes, possessively: no backtracking state is
        # kept, so a 50 MB string costs one C-level pass and no memory.
        plain = re.compile(
            rf'(?:[^"\\{self.controls}]++|\\(?:[{re.escape(self.escapes)}]|u[0-9a-fA-F]{{4}}))*+'
        )
        object.__setattr__(self, "_plain", plain)

    def problem(self, text: str, pos: int) -> StringProblem:
        """Why the string token that opens at `pos` does not scan."""
        i = pos + 1
        n = len(text)
        plain = self._plain.match
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
