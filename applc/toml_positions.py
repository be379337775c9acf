"""Where each key and value of a TOML document is, by key path.

`tomllib` reads the values but keeps no positions, and tomlkit keeps layout but no line
numbers either; config messages need `file:line:col`. This scanner walks text that
`tomllib` has already accepted, so it only has to find things, never to reject them,
and it follows every way TOML spells a key: tables and arrays of tables (`[a.b]`,
`[[suppress]]`, `[ tool . applc ]`), dotted keys (`tool.applc.select = ...` under
`[tool]`), quoted keys, inline tables and arrays, whose elements are numbered.

A path is a tuple of keys (str) and array indexes (int), like `("suppress", 0, "files")`.
"""

from __future__ import annotations

import bisect
import re

from applc.records import Value

Path = tuple[str | int, ...]
Position = tuple[int, int]  # 1-based line and column (code points)

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_SPACE = re.compile(r"[ \t]*")
_SCALAR_END = re.compile(r"[,\]}\s#]")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[ Tt]\d{2}:")  # a date-time may hold one space
_BASIC_ESCAPE = {'"': '"', "\\": "\\", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class Positions(Value):
    """Key and value positions by path; a missing path falls back to its nearest parent."""

    FIELDS = ("keys", "values")
    __hash__ = None  # type: ignore[assignment]  # mutable, as the dataclass was

    def __init__(
        self,
        keys: dict[Path, Position] | None = None,
        values: dict[Path, Position] | None = None,
    ) -> None:
        self.keys = {} if keys is None else keys
        self.values = {} if values is None else values

    def key(self, path: Path) -> Position:
        return self._nearest(path, self.keys)

    def value(self, path: Path) -> Position:
        if path in self.values:
            return self.values[path]
        return self._nearest(path, self.keys)

    def _nearest(self, path: Path, table: dict[Path, Position]) -> Position:
        for n in range(len(path), 0, -1):
            found = table.get(path[:n]) or self.keys.get(path[:n])
            if found is not None:
                return found
        return (1, 1)


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
        self.out = Positions()
        self.aot: dict[Path, int] = {}  # array-of-tables path -> index of its last entry

    def pos(self, offset: int) -> Position:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def skip_space(self, newlines: bool = False) -> None:
        t = self.text
        while self.i < len(t):
            ch = t[self.i]
            if ch in " \t" or (newlines and ch in "\r\n"):
                self.i += 1
            elif ch == "#" and newlines:
                end = t.find("\n", self.i)
                self.i = len(t) if end < 0 else end
            else:
                return

    def key(self) -> list[tuple[str, int]]:
        """A dotted key: each part with its offset."""
        parts: list[tuple[str, int]] = []
        while True:
            self.skip_space()
            start = self.i
            ch = self.text[self.i]
            if ch == '"':
                name = self.basic_string()
            elif ch == "'":
                end = self.text.index("'", self.i + 1)
                name = self.text[self.i + 1 : end]
                self.i = end + 1
            else:
                m = _BARE.match(self.text, self.i)
                assert m is not None
                name = m.group()
                self.i = m.end()
            parts.append((name, start))
            self.skip_space()
            if self.i < len(self.text) and self.text[self.i] == ".":
                self.i += 1
                continue
            return parts

    def basic_string(self) -> str:
        """A one-line "..." string at self.i: its value."""
        t = self.text
        i = self.i + 1
        out: list[str] = []
        while t[i] != '"':
            if t[i] == "\\":
                esc = t[i + 1]
                if esc in "uU":
                    n = 4 if esc == "u" else 8
                    out.append(chr(int(t[i + 2 : i + 2 + n], 16)))
                    i += 2 + n
                    continue
                out.append(_BASIC_ESCAPE.get(esc, esc))
                i += 2
                continue
            out.append(t[i])
            i += 1
        self.i = i + 1
        return "".join(out)

    def resolve(self, base: Path, parts: list[tuple[str, int]]) -> Path:
        """Key parts appended to `base`, each array of tables on the way at its last entry;
        the first place each prefix appears is recorded."""
        path = base
        for name, offset in parts:
            path = (*path, name)
            self.out.keys.setdefault(path, self.pos(offset))
            if path in self.aot:
                path = (*path, self.aot[path])
        return path

    def value(self, path: Path) -> None:
        self.out.values.setdefault(path, self.pos(self.i))
        t = self.text
        ch = t[self.i]
        if t.startswith(('"""', "'''"), self.i):
            quote = t[self.i : self.i + 3]
            j = self.i + 3
            while True:
                j = t.index(quote, j)
                if quote == '"""' and _escaped(t, j):
                    j += 1
                    continue
                break
            while t.startswith(quote[0], j + 3):  # up to two quotes end the content
                j += 1
            self.i = j + 3
        elif ch == '"':
            self.basic_string()
        elif ch == "'":
            self.i = t.index("'", self.i + 1) + 1
        elif ch == "[":
            self.i += 1
            n = 0
            while True:
                self.skip_space(newlines=True)
                if t[self.i] == "]":
                    self.i += 1
                    return
                self.value((*path, n))
                n += 1
                self.skip_space(newlines=True)
                if t[self.i] == ",":
                    self.i += 1
        elif ch == "{":
            self.i += 1
            while True:
                self.skip_space()
                if t[self.i] == "}":
                    self.i += 1
                    return
                self.key_value(path)
                self.skip_space()
                if t[self.i] == ",":
                    self.i += 1
        else:
            dt = _DATETIME.match(t, self.i)
            m = _SCALAR_END.search(t, dt.end() if dt else self.i)
            self.i = m.start() if m else len(t)

    def key_value(self, base: Path) -> None:
        path = self.resolve(base, self.key())
        self.skip_space()
        self.i += 1  # "="
        self.skip_space()
        self.value(path)

    def scan(self) -> Positions:
        t = self.text
        table: Path = ()
        while True:
            self.skip_space(newlines=True)
            if self.i >= len(t):
                return self.out
            if t.startswith("[[", self.i):
                self.i += 2
                parts = self.key()
                self.i += 2
                # The parent keys resolve to their current entries; the last part is a
                # new entry of this array of tables.
                parent = self.resolve((), parts[:-1])
                name, offset = parts[-1]
                arr = (*parent, name)
                self.out.keys.setdefault(arr, self.pos(offset))
                index = self.aot.get(arr, -1) + 1
                self.aot[arr] = index
                table = (*arr, index)
                self.out.keys[table] = self.pos(offset)
            elif t[self.i] == "[":
                self.i += 1
                parts = self.key()
                self.i += 1
                table = self.resolve((), parts)
            else:
                self.key_value(table)


def _escaped(text: str, j: int) -> bool:
    """Whether the character at `j` follows an odd run of backslashes."""
    k = j
    while k > 0 and text[k - 1] == "\\":
        k -= 1
    return (j - k) % 2 == 1


def toml_positions(text: str) -> Positions:
    """Positions of every key and value in `text`, which must be valid TOML."""
    try:
        return _Scanner(text).scan()
    except (ValueError, IndexError, AssertionError):
        # Valid TOML the scanner does not follow: messages fall back to line 1, never
        # to a crash.
        return Positions()
