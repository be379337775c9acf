"""A JSON scanner that records where every node is, and explains syntax errors.

`json.loads` is fast but knows no positions and gives terse messages, so the loader uses
it for values and calls this scanner only when positions are needed (a finding to
report) or when the text is not valid JSON. The scanner is iterative, so nesting depth
cannot exhaust the Python stack.
"""

from __future__ import annotations

import bisect
import json
import math
import re
from array import array

from applc.frontends.strings import StringSyntax
from applc.patterns import lazy
from applc.records import Value
from applc.source import escape_token

MAX_DEPTH = 500

_WS = re.compile(r"[ \t\n\r]*")
# After a member or element: the comma, if there is one, and the whitespace around it.
_AFTER = re.compile(r"[ \t\n\r]*(,?)[ \t\n\r]*")
# Between a key and its value.
_COLON = re.compile(r"[ \t\n\r]*:[ \t\n\r]*")
# Compiled when a text is first scanned for positions or a syntax error (a clean file is
# never). Possessive: a 50 MB string is one match with no backtracking state (the plain
# `*` kept a frame per character: 600 MB and half a second for 5 MB).
_STRING = lazy(r'"(?:[^"\\\x00-\x1f]++|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*+"')
_NUMBER = lazy(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_WORD = lazy(r"[A-Za-z_$][A-Za-z0-9_$.-]*")
_MAX_INT_DIGITS = 4300  # CPython's int/str conversion limit (sys.get_int_max_str_digits)

_CLOSERS = {"{": "}", "[": "]"}
_KIND = {"{": "object", "[": "array"}


class JsonSyntaxError(Exception):
    def __init__(self, message: str, start: int, end: int, help: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.start = start
        self.end = end
        self.help = help


class JsonMap(Value):
    """Pointer -> (start, end) offsets of values and keys, for one JSON text."""

    FIELDS = ("text", "values", "keys", "first_keys", "duplicates")
    __hash__ = None  # type: ignore[assignment]  # mutable, as the dataclass was

    def __init__(
        self,
        text: str,
        values: dict[str, tuple[int, int]] | None = None,
        keys: dict[str, tuple[int, int]] | None = None,
        first_keys: dict[str, tuple[int, int]] | None = None,
        duplicates: list[str] | None = None,
    ) -> None:
        self.text = text
        self.values = {} if values is None else values
        self.keys = {} if keys is None else keys
        self.first_keys = {} if first_keys is None else first_keys
        self.duplicates = [] if duplicates is None else duplicates
        # string token start -> its escapes (see `_escape_map`), made on first use
        self._escapes: dict[int, tuple[list[int], list[int], list[int]]] = {}

    def value_range(self, pointer: str) -> tuple[int, int] | None:
        return self.values.get(pointer)

    def key_range(self, pointer: str) -> tuple[int, int] | None:
        return self.keys.get(pointer)

    def first_key_range(self, pointer: str) -> tuple[int, int] | None:
        return self.first_keys.get(pointer)

    def string_offset(self, pointer: str, index: int) -> int | None:
        rng = self.values.get(pointer)
        if rng is None or self.text[rng[0]] != '"':
            return None
        escapes = self._escapes.get(rng[0])
        if escapes is None:
            escapes = self._escapes[rng[0]] = _escape_map(self.text, *rng)
        return _offset_in_string(escapes, rng[0], rng[1], index)


_ESCAPE = lazy(
    r'\\(?:u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)|"'
)


def string_source_offset(text: str, token_start: int, index: int) -> int:
    """Offset in `text` of decoded character `index` of the string token at `token_start`.

    Runs of plain characters map one to one, so only the escapes before `index` are
    looked at (one regex step each): a finding deep inside a 50 MB string costs no more
    than one near its start.
    """
    pos = token_start + 1
    seen = 0
    for m in _ESCAPE.finditer(text, pos):
        run = m.start() - pos  # plain characters before this escape (or the closing quote)
        if seen + run >= index or m.group() == '"':
            return pos + min(index - seen, run)
        seen += run + 1  # an escape, or a surrogate pair's two, decode to one character
        pos = m.end()
        if seen >= index:
            return pos
    return pos + (index - seen)


class _Frame:
    __slots__ = ("opener", "pointer", "start", "count", "comma")

    def __init__(self, opener: str, pointer: str, start: int) -> None:
        self.opener = opener
        self.pointer = pointer
        self.start = start
        self.count = 0
        self.comma = -1


def _decode_key(token: str) -> str:
    if "\\" not in token:
        return token[1:-1]
    value: str = json.loads(token)
    return value


def scan(text: str) -> JsonMap:
    """Scan `text`, recording positions; raise JsonSyntaxError at the first mistake."""
    m = JsonMap(text)
    values, keys = m.values, m.keys
    n = len(text)
    stack: list[_Frame] = []
    pointer = ""
    pos = _WS.match(text, 0).end()  # type: ignore[union-attr]
    if pos >= n:
        raise JsonSyntaxError("file is empty: expected a JSON object", 0, 0)
    # States: 0 expect a value, 1 after a value, 2 expect a key (or `}` when first).
    state = 0
    ws_match = _WS.match
    while True:
        if state == 0:
            if pos >= n:
                _eof(text, stack)
            ch = text[pos]
            if ch == "{" or ch == "[":
                if len(stack) >= MAX_DEPTH:
                    raise JsonSyntaxError(
                        f"nesting is deeper than {MAX_DEPTH} levels",
                        pos,
                        pos + 1,
                        help="an appliance never needs this depth; the file is probably corrupt",
                    )
                stack.append(_Frame(ch, pointer, pos))
                pos = ws_match(text, pos + 1).end()  # type: ignore[union-attr]
                if ch == "{":
                    state = 2
                    continue
                if pos < n and text[pos] == "]":
                    frame = stack.pop()
                    values[frame.pointer] = (frame.start, pos + 1)
                    pos += 1
                    state = 1
                else:
                    pointer = frame_child(stack[-1])
                    state = 0
                    continue
            elif ch == '"':
                mt = _STRING.match(text, pos)
                if mt is None:
                    _bad_string(text, pos)
                    raise AssertionError  # pragma: no cover
                values[pointer] = (pos, mt.end())
                pos = mt.end()
                state = 1
            elif ch == "-" or "0" <= ch <= "9":
                mt = _NUMBER.match(text, pos)
                if mt is None:
                    raise JsonSyntaxError(
                        f"invalid number starting with {_show(text, pos)}", pos, pos + 1
                    )
                end = mt.end()
                if end < n and text[end].isdigit() and text[pos:end] in ("0", "-0"):
                    raise JsonSyntaxError("numbers in JSON cannot have leading zeros", pos, end + 1)
                tok = text[pos:end]
                _check_number(tok, pos, end)
                values[pointer] = (pos, end)
                pos = end
                state = 1
            else:
                mt = _WORD.match(text, pos)
                if mt is not None and mt.group() in ("true", "false", "null"):
                    values[pointer] = (pos, mt.end())
                    pos = mt.end()
                    state = 1
                else:
                    _bad_value(text, pos)
        elif state == 1:
            pos = ws_match(text, pos).end()  # type: ignore[union-attr]
            if not stack:
                if pos < n:
                    raise JsonSyntaxError(
                        f"unexpected {_show(text, pos)} after the end of the JSON document",
                        pos,
                        pos + 1,
                        help="a JSON file holds exactly one value: the appliance object",
                    )
                return m
            frame = stack[-1]
            if pos >= n:
                _eof(text, stack)
            ch = text[pos]
            if ch == ",":
                frame.comma = pos
                frame.count += 1
                pos = ws_match(text, pos + 1).end()  # type: ignore[union-attr]
                if frame.opener == "{":
                    state = 2
                    continue
                if pos < n and text[pos] == "]":
                    raise JsonSyntaxError(
                        "trailing comma is not allowed in JSON",
                        frame.comma,
                        frame.comma + 1,
                        help="remove this comma",
                    )
                pointer = frame_child(frame)
                state = 0
                continue
            closer = _CLOSERS[frame.opener]
            if ch == closer:
                stack.pop()
                values[frame.pointer] = (frame.start, pos + 1)
                pos += 1
                continue
            if ch in "}]":
                raise JsonSyntaxError(
                    f"expected `{closer}` to close the {_KIND[frame.opener]} "
                    f"opened at {_where(text, frame.start)}, found `{ch}`",
                    pos,
                    pos + 1,
                )
            raise JsonSyntaxError(
                f"expected `,` or `{closer}` after this value, found {_show(text, pos)}",
                pos,
                pos + 1,
                help="is a comma missing before this?",
            )
        else:  # state == 2: a key, or `}`
            frame = stack[-1]
            if pos >= n:
                _eof(text, stack)
            ch = text[pos]
            if ch == "}":
                if frame.comma >= 0 and frame.count > 0:
                    raise JsonSyntaxError(
                        "trailing comma is not allowed in JSON",
                        frame.comma,
                        frame.comma + 1,
                        help="remove this comma",
                    )
                stack.pop()
                values[frame.pointer] = (frame.start, pos + 1)
                pos += 1
                state = 1
                continue
            if ch != '"':
                _bad_key(text, pos)
            mt = _STRING.match(text, pos)
            if mt is None:
                _bad_string(text, pos)
                raise AssertionError  # pragma: no cover
            kend = mt.end()
            key = _decode_key(mt.group())
            pointer = frame.pointer + "/" + escape_token(key)
            if pointer in keys:
                if pointer not in m.first_keys:
                    m.first_keys[pointer] = keys[pointer]
                m.duplicates.append(pointer)
            keys[pointer] = (pos, kend)
            pos = ws_match(text, kend).end()  # type: ignore[union-attr]
            if pos >= n or text[pos] != ":":
                if pos >= n:
                    _eof(text, stack)
                raise JsonSyntaxError(
                    f"expected `:` after the key {mt.group()}, found {_show(text, pos)}",
                    pos,
                    pos + 1,
                )
            pos = ws_match(text, pos + 1).end()  # type: ignore[union-attr]
            if pos < n and text[pos] in ",}":
                raise JsonSyntaxError(f"missing value for the key {mt.group()}", pos, pos + 1)
            state = 0


def frame_child(frame: _Frame) -> str:
    return f"{frame.pointer}/{frame.count}"


def _check_number(tok: str, start: int, end: int) -> None:
    if "." in tok or "e" in tok or "E" in tok:
        if math.isinf(float(tok)):
            raise JsonSyntaxError(
                f"number {_clip(tok)} is too large: it overflows to infinity",
                start,
                end,
                help="use a number within the range of a 64-bit float",
            )
    elif len(tok) > _MAX_INT_DIGITS:
        raise JsonSyntaxError(
            f"number has {len(tok)} digits, more than the {_MAX_INT_DIGITS} applc reads",
            start,
            end,
        )


def _clip(tok: str, width: int = 24) -> str:
    return tok if len(tok) <= width else tok[:width] + "…"


def _show(text: str, pos: int) -> str:
    if pos >= len(text):
        return "the end of the file"
    mt = _WORD.match(text, pos)
    if mt is not None:
        return f"`{_clip(mt.group())}`"
    ch = text[pos]
    if ch == "\n":
        return "a line break"
    if ch.isprintable():
        return f"`{ch}`"
    return f"U+{ord(ch):04X}"


def _where(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"{line}:{col}"


def _eof(text: str, stack: list[_Frame]) -> None:
    frame = stack[-1]
    raise JsonSyntaxError(
        f"unexpected end of file: the {_KIND[frame.opener]} opened at "
        f"{_where(text, frame.start)} is never closed",
        len(text),
        len(text),
        help=f"add the missing `{_CLOSERS[frame.opener]}`",
    )


_STRINGS = StringSyntax(
    escapes='"\\/bfnrt',
    controls=r"\x00-\x1f",
    escape_help='JSON allows \\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX; '
    "write a literal backslash as \\\\",
)


def _bad_string(text: str, pos: int) -> None:
    """Explain why the string token at `pos` does not scan."""
    p = _STRINGS.problem(text, pos)
    raise JsonSyntaxError(p.message, p.start, p.end, help=p.help)


def _bad_key(text: str, pos: int) -> None:
    ch = text[pos]
    if ch == "'":
        raise JsonSyntaxError(
            "single-quoted strings are not allowed in JSON",
            pos,
            pos + 1,
            help='use double quotes: "key"',
        )
    if text.startswith("//", pos) or text.startswith("/*", pos):
        raise JsonSyntaxError(
            "comments are not allowed in JSON",
            pos,
            pos + 2,
            help='remove the comment; to explain a suppression use "x-applc-ignore"',
        )
    mt = _WORD.match(text, pos)
    if mt is not None:
        raise JsonSyntaxError(
            f"object keys must be double-quoted strings, found `{_clip(mt.group())}`",
            pos,
            mt.end(),
            help=f'write "{mt.group()}"',
        )
    raise JsonSyntaxError(
        f"expected a key in double quotes or `}}`, found {_show(text, pos)}", pos, pos + 1
    )


def _bad_value(text: str, pos: int) -> None:
    ch = text[pos]
    if ch == "'":
        raise JsonSyntaxError(
            "single-quoted strings are not allowed in JSON",
            pos,
            pos + 1,
            help='use double quotes: "value"',
        )
    if text.startswith("//", pos) or text.startswith("/*", pos):
        raise JsonSyntaxError(
            "comments are not allowed in JSON", pos, pos + 2, help="remove the comment"
        )
    mt = _WORD.match(text, pos)
    if mt is not None:
        word = mt.group()
        if word in ("NaN", "Infinity"):
            raise JsonSyntaxError(
                f"`{word}` is not valid JSON", pos, mt.end(), help="use a number or null"
            )
        py = {"True": "true", "False": "false", "None": "null"}.get(word)
        if py is not None:
            raise JsonSyntaxError(f"`{word}` is not valid JSON", pos, mt.end(), help=f"use `{py}`")
        raise JsonSyntaxError(
            f"unexpected `{_clip(word)}`: strings must be in double quotes",
            pos,
            mt.end(),
            help=f'write "{_clip(word)}"',
        )
    if ch == "-" and text.startswith("-Infinity", pos):
        raise JsonSyntaxError(
            "`-Infinity` is not valid JSON", pos, pos + 9, help="use a number or null"
        )
    if ch == ",":
        raise JsonSyntaxError("expected a value before this comma", pos, pos + 1)
    raise JsonSyntaxError(f"expected a value, found {_show(text, pos)}", pos, pos + 1)


class _Members:
    """What has been read so far of one object or array of an indexed text."""

    __slots__ = ("start", "is_object", "pos", "pending", "done", "keys", "first_keys", "items")

    def __init__(self, text: str, start: int) -> None:
        self.start = start
        self.is_object = text[start] == "{"
        self.pos = start + 1  # where reading resumes (after the opener or a comma)
        self.pending = -1  # start of a value read past but not yet skipped
        self.done = False
        # Only starts are kept (key ends and value starts are cheap to find again): an
        # index over a big document holds one int per member, not a tuple of three.
        # objects: key -> start of its last occurrence; first_keys: key -> start of the
        # first one, for duplicates only; arrays: the start of each element.
        self.keys: dict[str, int] = {}
        self.first_keys: dict[str, int] = {}
        self.items = array("q")


class JsonIndex:
    """Where the nodes of a *valid* JSON text are, found only for the pointers asked for.

    The values beside the path to a requested node are skipped with the C decoder, so
    positions cost a few small Python steps per object and array on the path instead of
    a Python-level scan of the whole text. Each object's members and each array's
    elements are read at most once and remembered, so many lookups in one document cost
    about one pass of the C decoder over the text. With `duplicates` set (the loader saw
    duplicate keys), every object on a path is read to its end, so a key resolves to its
    last occurrence, as `json.loads` keeps it, and `first_key_range` finds the first.
    """

    def __init__(self, text: str, duplicates: bool = False) -> None:
        self.text = text
        self.duplicates = duplicates
        self._skip = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[attr-defined]
        self._ends: dict[int, int] = {}
        self._nodes: dict[int, _Members] = {}
        self._key_strings: dict[str, str] = {}  # one string for each distinct key
        # string token start -> its escapes: (decoded index, source start, source end)
        self._escapes: dict[int, tuple[list[int], list[int], list[int]]] = {}
        root = _WS.match(text, 0).end()  # type: ignore[union-attr]
        self._starts: dict[str, int | None] = {"": root if root < len(text) else None}
        self._root = root
        self._top_values: set[int] = set()  # starts of the root object's member values

    # -- the Locator protocol -------------------------------------------------------

    def value_range(self, pointer: str) -> tuple[int, int] | None:
        start = self._start(pointer)
        if start is None:
            return None
        return start, self._end(start)

    def key_range(self, pointer: str) -> tuple[int, int] | None:
        found = self._key(pointer)
        return None if found is None else (found[0], found[1])

    def first_key_range(self, pointer: str) -> tuple[int, int] | None:
        if not pointer or not self.duplicates:
            return None
        parent = self._start(parent_of(pointer))
        if parent is None or self.text[parent] != "{":
            return None
        members = self._members(parent)
        self._read_all(members)
        first = members.first_keys.get(_unescape(pointer[pointer.rfind("/") + 1 :]))
        return None if first is None else self._key_span(first)[:2]

    def string_offset(self, pointer: str, index: int) -> int | None:
        start = self._start(pointer)
        if start is None or self.text[start] != '"':
            return None
        end = self._end(start)
        escapes = self._escapes.get(start)
        if escapes is None:
            escapes = self._escapes[start] = _escape_map(self.text, start, end)
        return _offset_in_string(escapes, start, end, index)

    # -- navigation -----------------------------------------------------------------

    def _key(self, pointer: str) -> tuple[int, int, int] | None:
        if not pointer:
            return None
        parent = self._start(parent_of(pointer))
        if parent is None or self.text[parent] != "{":
            return None
        return self._member(self._members(parent), _unescape(pointer[pointer.rfind("/") + 1 :]))

    def _start(self, pointer: str) -> int | None:
        starts = self._starts
        if pointer in starts:
            return starts[pointer]
        chain: list[str] = []
        p = pointer
        while p not in starts:
            chain.append(p)
            p = parent_of(p)
        start = starts[p]
        for q in reversed(chain):
            if start is not None:
                token = _unescape(q[q.rfind("/") + 1 :])
                start = self._child(start, token)
            starts[q] = start
        return start

    def _child(self, start: int, token: str) -> int | None:
        opener = self.text[start]
        if opener == "{":
            found = self._member(self._members(start), token)
            return None if found is None else found[2]
        if opener == "[":
            if not token.isdigit() or (len(token) > 1 and token[0] == "0"):
                return None
            index = int(token)
            members = self._members(start)
            items = members.items
            if len(items) <= index and not members.done:
                self._read_items(members, index)
            return items[index] if index < len(items) else None
        return None

    def _member(self, members: _Members, key: str) -> tuple[int, int, int] | None:
        if self.duplicates:
            self._read_all(members)
        keys = members.keys
        if key not in keys and not members.done:
            self._read_members(members, key)
        pos = keys.get(key)
        return None if pos is None else self._key_span(pos)

    def _key_span(self, pos: int) -> tuple[int, int, int]:
        """(key start, key end, value start) of the member whose key starts at `pos`."""
        text = self.text
        kend = self._skip(text, pos)[1]
        vstart = _WS.match(text, _WS.match(text, kend).end() + 1).end()  # type: ignore[union-attr]
        return pos, kend, vstart

    def _members(self, start: int) -> _Members:
        members = self._nodes.get(start)
        if members is None:
            members = _Members(self.text, start)
            self._nodes[start] = members
        return members

    def _read_all(self, members: _Members) -> None:
        if members.is_object:
            self._read_members(members, None)
        else:
            self._read_items(members, -1)

    def _read_items(self, members: _Members, index: int) -> None:
        """Read elements of an array until it has `index + 1` of them, or all of them for
        -1. The loop `_read_next` makes, with its steps for objects and for the document's
        own values left out: this reads every element of a `containers` array on the way
        to a finding's position, so its step is written out in the loop, not called."""
        if members.start == self._root:
            while not members.done and (index < 0 or len(members.items) <= index):
                self._read_next(members)
            return
        items = members.items
        pending = members.pending
        if pending < 0:
            pending = self._first_start(members)
            if pending < 0:
                return
            items.append(pending)
        text = self.text
        ends = self._ends
        skip = self._skip
        after = _AFTER.match
        while index < 0 or len(items) <= index:
            m = after(text, ends.get(pending) or skip(text, pending)[1])
            if not m.group(1):  # type: ignore[union-attr]  # the closing bracket
                self._close(members, m.end())  # type: ignore[union-attr]
                return
            pending = m.end()  # type: ignore[union-attr]
            items.append(pending)
        members.pending = members.pos = pending

    def _read_members(self, members: _Members, key: str | None) -> None:
        """Read members of an object until `key` is among them, or all of them for
        None: `_read_next`'s loop for the objects below the document's own."""
        if members.start == self._root:
            keys = members.keys
            while not members.done and (key is None or key not in keys):
                self._read_next(members)
            return
        text = self.text
        keys = members.keys
        first_keys = members.first_keys
        shared = self._key_strings
        pending = members.pending
        pos = self._first_start(members) if pending < 0 else self._next_start(members, pending)
        while pos >= 0:
            name, kend = self._skip(text, pos)
            name = shared.setdefault(name, name)
            if name in keys and name not in first_keys:
                first_keys[name] = keys[name]
            keys[name] = pos
            pending = _COLON.match(text, kend).end()  # type: ignore[union-attr]
            if name == key:
                members.pending = members.pos = pending
                return
            pos = self._next_start(members, pending)

    def _first_start(self, members: _Members) -> int:
        """Where the first member or element of an unread object or array starts; -1 when
        it is empty (or already read), which closes it."""
        if members.done:
            return -1
        pos = _WS.match(self.text, members.pos).end()  # type: ignore[union-attr]
        if self.text[pos] in "}]":
            self._close(members, pos)
            return -1
        return pos

    def _next_start(self, members: _Members, pending: int) -> int:
        """Where the member or element after the value at `pending` starts; -1 at the
        closing bracket, which closes it."""
        text = self.text
        m = _AFTER.match(text, self._ends.get(pending) or self._skip(text, pending)[1])
        if not m.group(1):  # type: ignore[union-attr]
            self._close(members, m.end())  # type: ignore[union-attr]
            return -1
        return m.end()  # type: ignore[union-attr]

    def _close(self, members: _Members, bracket: int) -> None:
        """The object or array is read: its closing bracket is at `bracket`."""
        members.done = True
        members.pending = -1
        self._ends[members.start] = bracket + 1

    def _read_next(self, members: _Members) -> None:
        """Read one more member or element of the document's own object or array (or its
        closing bracket); `_read_items` and `_read_members` read everything below it.
        Each value read past is ended by `_end`, which reads a top-level object or array
        a member at a time instead of building it whole with the C decoder."""
        text = self.text
        ws = _WS.match
        pos = members.pos
        if members.pending >= 0:
            pos = ws(text, self._end(members.pending)).end()  # type: ignore[union-attr]
            members.pending = -1
            if text[pos] != ",":
                self._close(members, pos)
                return
            pos += 1
        pos = ws(text, pos).end()  # type: ignore[union-attr]
        if text[pos] in "}]":
            self._close(members, pos)
            return
        if members.is_object:
            key, kend = self._skip(text, pos)
            key = self._key_strings.setdefault(key, key)
            vstart = ws(text, ws(text, kend).end() + 1).end()  # type: ignore[union-attr]
            if key in members.keys and key not in members.first_keys:
                members.first_keys[key] = members.keys[key]
            members.keys[key] = pos
            self._top_values.add(vstart)
        else:
            vstart = pos
            members.items.append(vstart)
        members.pending = vstart
        members.pos = vstart

    def _end(self, start: int) -> int:
        end = self._ends.get(start)
        if end is None:
            if self.text[start] in "[{" and (start == self._root or start in self._top_values):
                # The C decoder skips a value by building all of it: for the document or
                # its `containers` array that is the whole appliance again. One member at
                # a time, each is built and dropped.
                self._read_all(self._members(start))
                return self._ends[start]
            end = self._skip(self.text, start)[1]
            self._ends[start] = end
        return end


_ESCAPES_ONLY = lazy(
    r"\\(?:u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)"
)


def _escape_map(text: str, start: int, end: int) -> tuple[list[int], list[int], list[int]]:
    """For the string token text[start:end]: each escape's decoded index and source
    span, so any decoded index maps to its source offset with one bisection (a string
    with thousands of findings is scanned once, not once per finding)."""
    decoded: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    seen = 0
    pos = start + 1
    for m in _ESCAPES_ONLY.finditer(text, pos, end - 1):
        seen += m.start() - pos
        decoded.append(seen)
        starts.append(m.start())
        ends.append(m.end())
        seen += 1  # an escape, or a surrogate pair's two, decode to one character
        pos = m.end()
    return decoded, starts, ends


def _offset_in_string(
    escapes: tuple[list[int], list[int], list[int]], start: int, end: int, index: int
) -> int:
    """Source offset of decoded character `index` of the string token text[start:end]
    (the closing quote for an index past its end), by bisection over its escapes."""
    decoded, starts, ends = escapes
    k = bisect.bisect_right(decoded, index) - 1
    if k < 0:
        offset = start + 1 + index
    elif decoded[k] == index:
        offset = starts[k]
    else:
        offset = ends[k] + index - decoded[k] - 1
    return min(offset, end - 1)


def parent_of(pointer: str) -> str:
    return pointer[: pointer.rfind("/")]


def _unescape(token: str) -> str:
    if "~" not in token:
        return token
    return token.replace("~1", "/").replace("~0", "~")
