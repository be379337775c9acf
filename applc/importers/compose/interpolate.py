"""Compose's variable interpolation and `.env` files, as `docker compose config` reads them.

`$$` is a literal `$`; `$VAR` and `${VAR}` are replaced by the variable (empty, with a
warning, when it is not set); `${VAR:-default}` / `${VAR-default}` use the default when
VAR is unset or empty / unset; `${VAR:?message}` / `${VAR?message}` are errors then;
`${VAR:+other}` / `${VAR+other}` give `other` when VAR is set and not empty / set. A
default may hold further `${...}`. A `$` followed by anything else is kept as it is.
"""

from __future__ import annotations

import re
from collections import ChainMap
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
# How far a line gets as `KEY`: where a malformed line goes wrong.
_DOTENV_KEY = re.compile(r"\s*(?:export\s+)?(?:[A-Za-z_][A-Za-z0-9_.\-]*\s*)?")


@dataclass(frozen=True)
class DotenvLine:
    """One `KEY=value` of a dotenv file; `line` is 1-based."""

    key: str
    value: str | None
    line: int


@dataclass(frozen=True)
class DotenvError:
    """A line that is not an entry: 1-based line and column, and what is wrong. The
    message never quotes the file (a dotenv file may hold secrets)."""

    line: int
    column: int
    message: str


def parse_dotenv(
    text: str, lookup: Mapping[str, str]
) -> tuple[list[DotenvLine], list[DotenvError], list[tuple[int, Problem]]]:
    """The entries of a `.env` / `env_file` file, the lines that are not entries, and
    interpolation problems with their lines. Values may use `${VAR}` of earlier entries
    and of `lookup`; single-quoted values are literal."""
    entries: list[DotenvLine] = []
    bad: list[DotenvError] = []
    problems: list[tuple[int, Problem]] = []
    known: dict[str, str] = {}
    # Earlier entries first, then `lookup`: a view, not a copy per line (a long file
    # would take quadratic time).
    env = ChainMap(known, dict(lookup))
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
            bad.append(_malformed(raw, lineno))
            continue
        key, rest = m.group(1), m.group(2)
        if rest is None:
            entries.append(DotenvLine(key, None, lineno))
            continue
        value_col = m.start(2) + len(rest) - len(rest.lstrip()) + 1
        rest = rest.strip()
        if rest[:1] in ("'", '"'):
            quote = rest[0]
            body = rest[1:]
            # A quoted value may span lines; each line is scanned once, and joined once.
            chunks, offset = [body], 0
            end, pos = _find_close(body, quote, 0)
            while end < 0 and i < len(lines):
                skip = pos - offset - len(chunks[-1])  # 1 after a `\` that ends a line
                offset += len(chunks[-1])
                chunks.append("\n" + lines[i])
                i += 1
                found, pos = _find_close(chunks[-1], quote, skip)
                end, pos = (offset + found if found >= 0 else -1), offset + pos
            body = "".join(chunks)
            if end < 0:
                what = "double" if quote == '"' else "single"
                bad.append(DotenvError(lineno, value_col, f"the {what} quote is not closed"))
                continue
            value = body[:end]
            if quote == '"':
                value = value.replace("\\n", "\n").replace('\\"', '"').replace("\\\\", "\\")
                value = _interp(value, env, lineno, problems)
        else:
            # An unquoted value ends at ` #`, which starts a comment.
            value = re.split(r"\s+#", rest, maxsplit=1)[0].strip()
            value = _interp(value, env, lineno, problems)
        known[key] = value
        entries.append(DotenvLine(key, value, lineno))
    return entries, bad, problems


def _malformed(raw: str, lineno: int) -> DotenvError:
    got = _DOTENV_KEY.match(raw)
    col = (got.end() if got is not None else 0) + 1
    if got is None or not got.group().strip() or got.group().strip() == "export":
        why = "a line must start with a variable name (a letter or `_`) or `#`"
    else:
        why = "a variable name must be followed by `=`"
    return DotenvError(lineno, col, f"this line is not `KEY=VALUE`: {why}")


def _interp(
    value: str, env: Mapping[str, str], line: int, problems: list[tuple[int, Problem]]
) -> str:
    out, found = Interpolator(env).expand(value)
    problems.extend((line, p) for p in found)
    return out


def _find_close(body: str, quote: str, start: int) -> tuple[int, int]:
    """(index of the closing quote or -1, where to go on scanning once more is added)."""
    i = start
    n = len(body)
    while i < n:
        if quote == '"' and body[i] == "\\":
            i += 2
            continue
        if body[i] == quote:
            return i, i
        i += 1
    return -1, i
