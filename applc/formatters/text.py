"""Pieces shared by the human-readable formats: colour and display width."""

from __future__ import annotations

import re
import unicodedata

from applc.diagnostics import Severity

_CODES = {
    "bold": "1",
    "red": "1;31",
    "yellow": "1;33",
    "cyan": "1;36",
    "blue": "1;34",
    "dim": "2",
}
SEVERITY_COLOR = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def paint(text: str, style: str, color: bool) -> str:
    if not color or not text:
        return text
    return f"\x1b[{_CODES[style]}m{text}\x1b[0m"


def char_width(ch: str) -> int:
    if ch == "\t":
        return 4
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


_SPECIAL = re.compile("[\x00-\x1f\x7f]")


def display(line: str) -> str:
    """A source line as shown: tabs expanded, control characters made visible."""
    if _SPECIAL.search(line) is None:  # the common case, at C speed
        return line
    out = []
    for ch in line:
        if ch == "\t":
            out.append("    ")
        elif ord(ch) < 0x20 or ch == "\x7f":
            out.append("\N{REPLACEMENT CHARACTER}")
        else:
            out.append(ch)
    return "".join(out)


def width(text: str) -> int:
    if text.isascii() and "\t" not in text:
        return len(text)
    return sum(char_width(c) for c in text)
