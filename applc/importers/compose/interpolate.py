"""Compose's variable interpolation and `.env` files, as `docker compose config` reads them.

`$$` is a literal `$`; `$VAR` and `${VAR}` are replaced by the variable (empty, with a
warning, when it is not set); `${VAR:-default}` / `${VAR-default}` use the default when
VAR is unset or empty / unset; `${VAR:?message}` / `${VAR?message}` are errors then;
`${VAR:+other}` / `${VAR+other}` give `other` when VAR is set and not empty / set. A
default may hold further `${...}`. A `$` followed by anything else is kept as it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

_NAME = re.compile(r"[_a-zA-Z][_a-zA-Z0-9]*")
_BRACED = re.compile(r"([_a-zA-Z][_a-zA-Z0-9]*)(:-|-|:\?|\?|:\+|\+)?")


@dataclass(frozen=True)
class Problem:
    """`kind` is "unset" (a warning), "required" or "invalid" (errors)."""

    kind: str
    name: str
    message: str


class Interpolator:
    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env

    def expand(self, text: str) -> tuple[str, list[Problem]]:
        problems: list[Problem] = []
        out = self._expand(text, problems)
        return out, problems

    def _expand(self, text: str, problems: list[Problem]) -> str:
        if "$" not in text:
            return text
        out: list[str] = []
        i, n = 0, len(text)
        while i < n:
            j = text.find("$", i)
            if j < 0:
                out.append(text[i:])
                break
            out.append(text[i:j])
            nxt = text[j + 1] if j + 1 < n else ""
            if nxt == "$":
                out.append("$")
                i = j + 2
            elif nxt == "{":
                end = _closing(text, j + 2)
                if end < 0:
                    problems.append(Problem("invalid", "", f"`{text[j:]}` has no closing `}}`"))
                    out.append(text[j:])
                    break
                out.append(self._braced(text[j + 2 : end], problems))
                i = end + 1
            else:
                m = _NAME.match(text, j + 1)
                if m is None:
                    out.append("$")
                    i = j + 1
                else:
                    out.append(self._lookup(m.group(), problems))
                    i = m.end()
        return "".join(out)

    def _lookup(self, name: str, problems: list[Problem]) -> str:
        value = self.env.get(name)
        if value is None:
            problems.append(
                Problem("unset", name, f"variable `{name}` is not set; an empty string is used")
            )
            return ""
        return value

    def _braced(self, body: str, problems: list[Problem]) -> str:
        m = _BRACED.match(body)
        if m is None or (m.group(2) is None and m.end() != len(body)):
            problems.append(Problem("invalid", body, f"`${{{body}}}` is not a valid variable"))
            return ""
        name, op = m.group(1), m.group(2)
        rest = body[m.end() :]
        value = self.env.get(name)
        if op is None:
            return self._lookup(name, problems)
        unset_or_empty = value is None or (op.startswith(":") and value == "")
        if op in (":-", "-"):
            return self._expand(rest, problems) if unset_or_empty else (value or "")
        if op in (":?", "?"):
            if unset_or_empty:
                msg = self._expand(rest, problems) or "required"
                problems.append(
                    Problem("required", name, f"required variable `{name}` is not set: {msg}")
                )
                return ""
            return value or ""
        # :+ and +
        return "" if unset_or_empty else self._expand(rest, problems)


def _closing(text: str, start: int) -> int:
    """The index of the `}` that closes a `${` whose body starts at `start`."""
    depth = 1
    i = start
    n = len(text)
    while i < n:
        c = text[i]
        if c == "$" and i + 1 < n and text[i + 1] == "{":
            depth += 1
            i += 2
            continue
        if c == "$" and i + 1 < n and text[i + 1] == "$":
            i += 2
            continue
        if c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


_DOTENV_LINE = re.compile(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.\-]*)\s*(?:=\s*(.*))?$")


@dataclass(frozen=True)
class DotenvLine:
    """One `KEY=value` of a dotenv file; `line` is 1-based."""

    key: str
    value: str | None
    line: int


def parse_dotenv(
    text: str, lookup: Mapping[str, str]
) -> tuple[list[DotenvLine], list[tuple[int, str]], list[Problem]]:
    """The entries of a `.env` / `env_file` file, the lines that are not entries (line,
    why), and interpolation problems. Values may use `${VAR}` of earlier entries and of
    `lookup`; single-quoted values are literal."""
    entries: list[DotenvLine] = []
    bad: list[tuple[int, str]] = []
    problems: list[Problem] = []
    known: dict[str, str] = {}
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        raw = lines[i]
        lineno = i + 1
        i += 1
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        m = _DOTENV_LINE.match(raw)
        if m is None:
            bad.append((lineno, f"`{stripped[:40]}` is not KEY=VALUE"))
            continue
        key, rest = m.group(1), m.group(2)
        if rest is None:
            entries.append(DotenvLine(key, None, lineno))
            continue
        rest = rest.strip()
        if rest[:1] in ("'", '"'):
            quote = rest[0]
            body = rest[1:]
            # A quoted value may span lines.
            while _unclosed(body, quote) and i < len(lines):
                body += "\n" + lines[i]
                i += 1
            end = _close_index(body, quote)
            if end < 0:
                bad.append((lineno, f"the {quote} quote of `{key}` is not closed"))
                continue
            value = body[:end]
            if quote == '"':
                value = value.replace("\\n", "\n").replace('\\"', '"').replace("\\\\", "\\")
                value = _interp(value, known, lookup, problems)
        else:
            # An unquoted value ends at ` #`, which starts a comment.
            value = re.split(r"\s+#", rest, maxsplit=1)[0].strip()
            value = _interp(value, known, lookup, problems)
        known[key] = value
        entries.append(DotenvLine(key, value, lineno))
    return entries, bad, problems


def _interp(
    value: str, known: dict[str, str], lookup: Mapping[str, str], problems: list[Problem]
) -> str:
    env = dict(lookup)
    env.update(known)
    out, found = Interpolator(env).expand(value)
    problems.extend(found)
    return out


def _close_index(body: str, quote: str) -> int:
    i = 0
    while i < len(body):
        if quote == '"' and body[i] == "\\":
            i += 2
            continue
        if body[i] == quote:
            return i
        i += 1
    return -1


def _unclosed(body: str, quote: str) -> bool:
    return _close_index(body, quote) < 0
