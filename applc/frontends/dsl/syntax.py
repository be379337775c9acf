"""The DSL's syntax tree and the decoding of its tokens.

The parser (parser.py) builds these light records while lark reduces, bottom-up, so no
step of reading a file recurses over its nesting. Generic JSON values are converted to
their Python value right away, each with a `Node` (or a leaf tuple) that says where it
is in the text; statements stay as `Stmt` and `Assign` for the builder to interpret.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from applc.frontends.dsl.schema import LITERAL_WORDS

# A leaf of the position tree: (start, end, kind) with kind one of these.
PLAIN, QUOTED, BARE = 0, 1, 2
Leaf = tuple[int, int, int]

MAX_INT_DIGITS = 4300  # CPython's int/str conversion limit


class DslSyntaxError(Exception):
    def __init__(
        self,
        message: str,
        start: int,
        end: int,
        help: str | None = None,
        notes: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.start = start
        self.end = end
        self.help = help
        self.notes = notes


class Node:
    """Where an object or array is: its range, its children, and its keys' ranges."""

    __slots__ = ("start", "end", "kids", "keys", "first", "dups")

    def __init__(
        self, start: int, end: int, kids: Any, keys: dict[str, tuple[int, int]] | None
    ) -> None:
        self.start = start
        self.end = end
        self.kids = kids  # dict[str, Node | Leaf] for objects, list for arrays
        self.keys = keys  # key ranges, for objects
        self.first: dict[str, tuple[int, int]] | None = None  # first ranges of duplicates
        self.dups = False  # a duplicate key somewhere inside (generic values only)


PosNode = Node | Leaf


class Pairs(dict):  # type: ignore[type-arg]
    """A JSON object that remembers every key/value pair as written, duplicates included.

    As a dict it is the JSON value (the later of two equal keys wins, at the place of
    the first); `items()` gives all pairs, so printers and `json.dumps` write the
    duplicates back. `anchors` are the DSL statements the pairs came from, and `anchor`
    the statement that made the object, for the formatter's comments.
    """

    __slots__ = ("pairs", "anchors", "anchor")

    def __init__(self) -> None:
        super().__init__()
        self.pairs: list[tuple[str, Any]] = []
        self.anchors: list[Any] = []
        self.anchor: Any = None

    def add(self, key: str, value: Any, anchor: Any = None) -> None:
        self.pairs.append((key, value))
        self.anchors.append(anchor)
        dict.__setitem__(self, key, value)

    def items(self) -> list[tuple[str, Any]]:  # type: ignore[override]
        return list(self.pairs)  # a copy: json.dumps(sort_keys=True) sorts it in place

    @classmethod
    def from_pairs(cls, pairs: list[tuple[str, Any]]) -> Pairs:
        p = cls()
        for k, v in pairs:
            p.add(k, v)
        return p


class Pair:
    """`key=value` among the arguments of a statement."""

    __slots__ = ("key", "value", "node", "start", "end")

    def __init__(self, key: Any, value: Any, node: PosNode, start: int, end: int) -> None:
        self.key = key
        self.value = value
        self.node = node
        self.start = start
        self.end = end


class Block:
    __slots__ = ("open", "stmts", "close")

    def __init__(self, open: Any, stmts: list[Any], close: Any) -> None:
        self.open = open
        self.stmts = stmts
        self.close = close


class Stmt:
    """`head arg arg key=value { ... }`."""

    __slots__ = ("head", "args", "block", "start", "end")

    def __init__(
        self, head: Any, args: list[Any], block: Block | None, start: int, end: int
    ) -> None:
        self.head = head
        self.args = args
        self.block = block
        self.start = start
        self.end = end


class Assign:
    """`key = value`."""

    __slots__ = ("head", "value", "node", "start", "end")

    def __init__(self, head: Any, value: Any, node: PosNode, start: int, end: int) -> None:
        self.head = head
        self.value = value
        self.node = node
        self.start = start
        self.end = end


_AT_ESCAPE = re.compile(r"\\(.)", re.DOTALL)


def _at(m: re.Match[str]) -> str:
    return "\\\\@" if m.group(1) == "@" else m.group(0)


def decode_string(raw: str) -> str:
    """The value of a STRING token: JSON's escapes, and `\\@` kept as it is."""
    if "\\" not in raw:
        return raw[1:-1]
    if "\\@" in raw:
        raw = _AT_ESCAPE.sub(_at, raw)
    value: str = json.loads(raw)
    return value


def number_value(tok: Any) -> int | float:
    text: str = tok.value
    if "." in text or "e" in text or "E" in text:
        value = float(text)
        if math.isinf(value):
            raise DslSyntaxError(
                f"number {clip(text)} is too large: it overflows to infinity",
                tok.start_pos,
                tok.end_pos,
                help="use a number within the range of a 64-bit float",
            )
        return value
    digits = len(text) - text.startswith("-")
    if digits > MAX_INT_DIGITS:
        raise DslSyntaxError(
            f"number has {digits} digits, more than the {MAX_INT_DIGITS} applc reads",
            tok.start_pos,
            tok.end_pos,
        )
    return int(text)


def atom(tok: Any) -> tuple[Any, Leaf]:
    """The JSON value of a WORD, STRING or NUMBER token, and its leaf."""
    t = tok.type
    if t == "STRING":
        return decode_string(tok.value), (tok.start_pos, tok.end_pos, QUOTED)
    if t == "WORD":
        text: str = tok.value
        if text in LITERAL_WORDS:
            return LITERAL_WORDS[text], (tok.start_pos, tok.end_pos, PLAIN)
        return text, (tok.start_pos, tok.end_pos, BARE)
    if t == "NUMBER":
        return number_value(tok), (tok.start_pos, tok.end_pos, PLAIN)
    raise DslSyntaxError(
        f"`{tok}` is a port, which only a `port` statement takes",
        tok.start_pos,
        tok.end_pos,
        help=f'write "{tok}" in double quotes for a string',
    )


def key_text(tok: Any) -> str:
    """A key or head word: a WORD as written (even `true`), or a STRING's value."""
    if tok.type == "STRING":
        return decode_string(tok.value)
    return tok.value  # type: ignore[no-any-return]


def clip(text: str, width: int = 24) -> str:
    return text if len(text) <= width else text[:width] + "…"


def string_offset(text: str, start: int, index: int) -> int:
    """Offset in `text` of decoded character `index` of the STRING token at `start`."""
    pos = start + 1
    seen = 0
    n = len(text)
    while seen < index and pos < n:
        ch = text[pos]
        if ch == '"':
            break
        if ch == "\\" and pos + 1 < n:
            nxt = text[pos + 1]
            if nxt == "@":
                pos += 1  # `\@` is two characters of the value too
            elif nxt == "u":
                code = int(text[pos + 2 : pos + 6], 16)
                pos += 6
                if 0xD800 <= code < 0xDC00 and text.startswith("\\u", pos):
                    low = int(text[pos + 2 : pos + 6], 16)
                    if 0xDC00 <= low < 0xE000:
                        pos += 6
            else:
                pos += 2
        else:
            pos += 1
        seen += 1
    return pos
