"""The DSL read straight into its JSON value, a line at a time, for text that reads cleanly.

Most `.appl` files are what the converter and the formatter write: one statement a line,
`word value`, `word key=value ...`, `NAME = value`, blocks opened at the end of a line
and closed by a `}` alone on one. `read` takes such a text with one regular expression
match per line and builds the JSON value directly, with none of the parser's per-token
work and no positions. For anything else it declines (returns None) and the loader
takes the full road (parser.py, builder.py), which also explains every mistake: a
syntax error, an unknown field, a duplicate key, deep nesting, a number that overflows,
a block closed on a statement's line, and any layout this reader does not know all
decline. So what `read` accepts, it reads exactly as the full road does; the tests hold
both roads to the same value on the examples, generated appliances and random texts.

Positions are found later, and only where a finding needs one: `read` returns where
each top-level statement starts, and the locator (locator.py `LazyDslLocator`) parses
just the statements that hold a pointer it is asked about.

The token patterns are the grammar's (grammar.lark; a test compares them).
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from applc.frontends.dsl.schema import (
    ELEMENT,
    FLAG,
    FORMS,
    IGNORE,
    LIST,
    LITERAL_WORDS,
    MAP,
    OBJECT_FORM,
    SCALAR,
)
from applc.frontends.dsl.syntax import MAX_INT_DIGITS, decode_string

STRING = r'"[^"\\\x00-\x1f\x7f]*(?:\\(?:["\\\/bfnrt@]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f\x7f]*)*"'
NUMBER = r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?"
PORT = r"[0-9]+:[0-9]+(?:\/[A-Za-z][A-Za-z,]*)?|[0-9]+\/[A-Za-z][A-Za-z,]*"
WORD = r"[A-Za-z_][A-Za-z0-9_.\-]*"
WS = r"[ \t\f\r]"  # the grammar's WS

# The generic JSON values this reader takes: deeper ones go the full road, which caps
# nesting with an error at MAX_DEPTH.
MAX_NESTING = 64

_TAIL = rf"{WS}*+(?:#[^\n]*+)?(?:\n|\Z)"
# An argument ends where whitespace, a comment, a block or the line does: two tokens
# side by side (`8080x`, `a"b"`) are an error the full road explains.
_END = r"(?=[ \t\f\r\n#{]|\Z)"
# Atomic groups: a token is what the lexer's own alternation matches at that place (the
# first alternative that matches, as far as it goes), never a shorter piece of it.
_HEAD = rf"(?>{WORD}|{STRING})"
_POSITIONAL = rf"(?>{PORT}|{NUMBER}|{WORD}|{STRING}){_END}"
_VALUE = rf"(?>{PORT}|{NUMBER}|{WORD}|{STRING}){_END}"  # a PORT here declines (_atom)
_ARG = rf"({_HEAD}){WS}*+={WS}*+({_VALUE})|({_POSITIONAL})"
_ARG_SKIPPED = rf"(?:{_HEAD}){WS}*+={WS}*+{_VALUE}|{_POSITIONAL}"  # no groups

# One line: `head value`, `key = value` (or the start of a `[...]`/`{...}` value),
# `head args... {`, a `}` alone, or a blank or comment line. Groups: head, its one
# value, an assigned value, a JSON value that starts here, arguments, block, close.
_LINE = re.compile(
    rf"{WS}*+(?:"
    rf"({_HEAD})(?:"
    rf"{WS}++({_POSITIONAL}){_TAIL}"
    rf"|{WS}*+={WS}*+(?:({_VALUE}){_TAIL}|()(?=[\[{{]))"
    rf"|((?:{WS}++(?:{_ARG_SKIPPED}))*+){WS}*+(\{{)?{_TAIL}"
    rf")"
    rf"|(\}}){_TAIL}"
    rf"|{_TAIL}"
    rf")"
)
_ARGS = re.compile(rf"{WS}++(?:{_ARG})")
_TAIL_RE = re.compile(_TAIL)
_JSON_TOKEN = re.compile(
    rf"[ \t\f\r\n]*+(?:#[^\n]*+[ \t\f\r\n]*+)*+"
    rf"(?:([\[\]{{}},:])|({PORT})|({STRING})|({NUMBER})|({WORD}))"
)
_PORT_PARTS = re.compile(r"(?:([0-9]+):)?([0-9]+)(?:/(.+))?")
_NUMERIC = frozenset("-0123456789")


class Top(NamedTuple):
    """A statement of the file's top level: the key it sets and where its head word is.
    `element` is True for one element of a list (`service`, `job`, `container`)."""

    key: str
    start: int
    end: int
    element: bool


class Fast(NamedTuple):
    value: dict[str, Any]
    tops: list[Top]


class _Decline(Exception):
    pass


# word -> (shape, key, kind, element type), per object kind
_Entry = tuple[str, str, "str | None", "str | None"]
_TABLES: dict[str, dict[str, _Entry]] = {
    kind: {w: (f.shape, f.key, f.kind, f.element_type) for w, f in forms.items()}
    for kind, forms in FORMS.items()
}
_LITERALS: dict[str, Any] = dict(LITERAL_WORDS)


def _number(s: str) -> int | float:
    if "." in s or "e" in s or "E" in s:
        x = float(s)
        if x == float("inf") or x == float("-inf"):
            raise _Decline  # overflows: an error the full road words
        return x
    if len(s) > MAX_INT_DIGITS:
        raise _Decline
    return int(s)


def _atom(s: str) -> Any:
    """The value of a WORD, STRING or NUMBER token; a PORT declines."""
    c = s[0]
    if c == '"':
        return s[1:-1] if "\\" not in s else decode_string(s)
    if c in _NUMERIC:
        if ":" in s or "/" in s:
            raise _Decline  # a port where a value belongs
        return _number(s)
    return _LITERALS.get(s, s)


def _key(s: str) -> str:
    if s[0] == '"':
        return s[1:-1] if "\\" not in s else decode_string(s)
    return s


def _put(obj: dict[str, Any], key: str, value: Any) -> None:
    if key in obj:
        raise _Decline  # a duplicate key: APL002, with positions, by the full road
    obj[key] = value


def read(text: str) -> Fast | None:
    """The JSON value of a DSL text and its top-level statements, or None when the text
    needs the full road. `text` has its lone CRs already made LFs."""
    try:
        return _read(text)
    except (_Decline, ValueError, RecursionError):
        return None


def _read(text: str) -> Fast:
    root: dict[str, Any] = {}
    obj = root
    table: dict[str, _Entry] | None = _TABLES["appliance"]
    acc: dict[str, Any] = {}  # the lists (and `ignore` objects) statements add to
    stack: list[tuple[dict[str, Any], dict[str, _Entry] | None, dict[str, Any]]] = []
    tops: list[Top] = []
    match = _LINE.match
    tables = _TABLES
    n = len(text)
    pos = 0
    while pos < n:
        m = match(text, pos)
        if m is None:
            raise _Decline
        pos = m.end()
        head, one, assigned, json_start, args, block, close = m.groups()
        if head is None:
            if close is not None:
                if not stack:
                    raise _Decline
                obj, table, acc = stack.pop()
            continue
        if one is not None:
            # `head value`: the most frequent statement
            if table is None:
                raise _Decline  # a map block takes `NAME = value` only
            entry = table.get(head)
            if entry is None:
                raise _Decline
            shape = entry[0]
            if shape is SCALAR or shape is FLAG:
                key = entry[1]
                if key in obj:
                    raise _Decline
                obj[key] = _atom(one)
                if not stack:
                    tops.append(Top(key, m.start(1), m.end(1), False))
                continue
            positional = [one]
            pairs: list[tuple[str, str]] = []
        elif assigned is not None or json_start is not None:
            key = _key(head)
            if assigned is not None:
                value = _atom(assigned)
            else:
                value, pos = _json(text, pos)
                t = _TAIL_RE.match(text, pos)
                if t is None:
                    raise _Decline
                pos = t.end()
            if key in obj:
                raise _Decline
            obj[key] = value
            if not stack:
                tops.append(Top(key, m.start(1), m.end(1), False))
            continue
        else:
            if table is None:
                raise _Decline
            entry = table.get(head)
            if entry is None:
                raise _Decline
            shape = entry[0]
            positional = []
            pairs = []
            if args:
                for k, v, p in _ARGS.findall(args):
                    if p:
                        positional.append(p)
                    else:
                        pairs.append((k, v))
        # -- a statement of a field: what builder.Builder.statement does
        key = entry[1]
        if not stack:
            tops.append(Top(key, m.start(1), m.end(1), shape is ELEMENT))
        if shape is ELEMENT:
            lst = acc.get(key)
            if lst is None:
                if key in obj:
                    raise _Decline
                lst = obj[key] = acc[key] = []
            e: dict[str, Any] = {}
            ekind = entry[2]
            if ekind == "container":
                if len(positional) > 1:
                    raise _Decline
                if positional:
                    e["id"] = _atom(positional[0])
                if entry[3] is not None:
                    e["type"] = entry[3]
            elif ekind == "port":
                if len(positional) > 1:
                    raise _Decline
                if positional:
                    _port(positional[0], e)
            elif ekind == "volume":
                if positional:
                    if len(positional) != 2:
                        raise _Decline
                    e["src"] = _atom(positional[0])
                    e["dest"] = _atom(positional[1])
            else:  # a persistent volume
                if len(positional) > 1:
                    raise _Decline
                if positional:
                    e["id"] = _atom(positional[0])
            for k, v in pairs:
                _put(e, _key(k), _atom(v))
            lst.append(e)
            if block is not None:
                stack.append((obj, table, acc))
                obj, table, acc = e, tables[ekind], {}  # type: ignore[index]
            continue
        if shape is OBJECT_FORM or shape is MAP:
            if positional:
                raise _Decline
            inner: dict[str, Any] = {}
            _put(obj, key, inner)
            for k, v in pairs:
                _put(inner, _key(k), _atom(v))
            if block is not None:
                stack.append((obj, table, acc))
                obj, acc = inner, {}
                table = tables[entry[2]] if shape is OBJECT_FORM else None  # type: ignore[index]
            continue
        if block is not None or pairs:
            raise _Decline
        if shape is LIST:
            _put(obj, key, [_atom(p) for p in positional])
        elif shape is FLAG and not positional:
            _put(obj, key, True)
        elif shape is IGNORE:
            if len(positional) != 2 or positional[0][0] in _NUMERIC:
                raise _Decline  # a rule code is a word or a string
            target = acc.get(key)
            if target is None:
                target = {}
                _put(obj, key, target)
                acc[key] = target
            _put(target, _key(positional[0]), _atom(positional[1]))
        elif len(positional) == 1:  # SCALAR, FLAG
            _put(obj, key, _atom(positional[0]))
        else:
            raise _Decline
    if stack:
        raise _Decline  # a block never closed
    return Fast(root, tops)


def _port(tok: str, e: dict[str, Any]) -> None:
    """`port 8080`, `port 8080/tcp`, `port 0:8080/udp,tcp`: builder._port_spec."""
    c = tok[0]
    if c not in _NUMERIC:
        raise _Decline  # a word or a string: not a port
    if ":" not in tok and "/" not in tok:
        e["container_port"] = _number(tok)
        return
    m = _PORT_PARTS.fullmatch(tok)
    if m is None:
        raise _Decline
    host, container, protocol = m.groups()
    if len(container) > MAX_INT_DIGITS or (host is not None and len(host) > MAX_INT_DIGITS):
        raise _Decline
    e["container_port"] = int(container)
    if host is not None:
        e["host_port"] = int(host)
    if protocol is not None:
        e["protocol"] = protocol


def _json(text: str, pos: int) -> tuple[Any, int]:
    """A `[...]` or `{...}` value starting at `pos` (line breaks and comments free
    inside, trailing commas allowed): the value and where it ends."""
    match = _JSON_TOKEN.match
    stack: list[Any] = []  # open lists and objects
    keys: list[str | None] = []  # per open object, the key whose value comes next
    # What may come: "value" (or a closer, after `[` or `,`), "key", ":", "after"
    want = "value"
    closer_ok = False
    while True:
        m = match(text, pos)
        if m is None:
            raise _Decline
        pos = m.end()
        punct, port, string, number, word = m.groups()
        if port is not None:
            raise _Decline
        value: Any
        if punct is not None:
            if punct == "[" or punct == "{":
                if want != "value":
                    raise _Decline
                if len(stack) >= MAX_NESTING:
                    raise _Decline
                if punct == "[":
                    stack.append([])
                    keys.append(None)
                    want = "value"
                else:
                    stack.append({})
                    keys.append(None)
                    want = "key"
                closer_ok = True
                continue
            if punct == "]" or punct == "}":
                top = stack[-1] if stack else None
                is_list = type(top) is list
                if top is None or (punct == "]") != is_list:
                    raise _Decline
                if not (want == "after" or closer_ok):
                    raise _Decline
                value = stack.pop()
                keys.pop()
            elif punct == ",":
                if want != "after" or not stack:
                    raise _Decline
                want = "value" if type(stack[-1]) is list else "key"
                closer_ok = True
                continue
            else:  # ":"
                if want != ":":
                    raise _Decline
                want = "value"
                closer_ok = False
                continue
        elif want == "key":
            keys[-1] = word if string is None else _key(string)
            if word is None and string is None:
                raise _Decline  # a number is not a key
            want = ":"
            closer_ok = False
            continue
        elif want != "value":
            raise _Decline
        elif string is not None:
            value = string[1:-1] if "\\" not in string else decode_string(string)
        elif number is not None:
            value = _number(number)
        else:
            value = _LITERALS.get(word, word)
        # a value is complete
        if not stack:
            return value, pos
        top = stack[-1]
        if type(top) is list:
            top.append(value)
        else:
            k = keys[-1]
            assert k is not None
            if k in top:
                raise _Decline
            top[k] = value
        want = "after"
        closer_ok = False
