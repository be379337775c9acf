"""Pieces shared by the human-readable formats: colour and display width."""

from __future__ import annotations

import re

from applc.diagnostics import Severity
from applc.patterns import lazy

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
    if " " <= ch < "\x7f":
        return 1
    import unicodedata  # only text beyond ASCII needs the tables

    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


# What a terminal, a CI log or an editor would act on instead of showing: C0 controls
# (escape sequences, carriage returns that overwrite a line, line breaks that fake a new
# finding), DEL, C1 controls (CSI and OSC on their own), and the bidirectional overrides
# and isolates that reorder what is shown ("Trojan Source"), plus the Unicode line and
# paragraph separators.
# Every one of them is a character `str.isprintable` refuses, so printable text (nearly
# every message and line) is passed without compiling the pattern.
_UNSAFE = lazy("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")
_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape_char(m: re.Match[str]) -> str:
    ch = m.group()
    short = _SHORT.get(ch)
    if short is not None:
        return short
    n = ord(ch)
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}"


def escape_controls(text: str) -> str:
    """Text from a file made safe to print: every character a terminal or log viewer
    would act on becomes a visible escape (`\\x1b`, `\\r`, `\\u202e`).

    Every human-readable renderer passes file-derived text (messages, help, notes, file
    names) through this one function, whatever the colour setting.
    """
    if text.isprintable() or _UNSAFE.search(text) is None:  # the common cases, in C
        return text
    return _UNSAFE.sub(_escape_char, text)


def display(line: str) -> str:
    """A source line as shown: tabs expanded, control characters made visible escapes
    (widths are measured on this form, so carets stay under their text)."""
    if line.isprintable() or _UNSAFE.search(line) is None:
        return line
    return escape_controls(line.replace("\t", "    "))


def width(text: str) -> int:
    if text.isascii() and "\t" not in text:
        return len(text)
    return sum(char_width(c) for c in text)
