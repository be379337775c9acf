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
each top-level statement starts, and the locator (locator.py `LazyDslLocator`) has
`locate` read again just the statements that hold a pointer it is asked about, into the
position tree the builder would make. `reread` is `read` after an edit that stays inside
one top-level statement (the language server's keystrokes): only that statement is read.

The token patterns are the grammar's (grammar.lark; a test compares them).
"""

from __future__ import annotations

import bisect
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
from applc.frontends.dsl.syntax import (
    BARE,
    MAX_INT_DIGITS,
    PLAIN,
    QUOTED,
    Leaf,
    Node,
    PosNode,
    decode_string,
)

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
_TOKEN = rf"(?>{PORT}|{NUMBER}|{WORD}|{STRING})"  # a PORT or NUMBER key declines later
_ARG = rf"{_TOKEN}(?:{WS}*+={WS}*+{_TOKEN})?{_END}"  # a value, or `key=value`

# One line: `key = value` (or the start of a `[...]`/`{...}` value), `head args... {`,
# a `}` alone, or a blank or comment line. Groups: head, assigned value, a JSON value
# that starts here, the first argument when it is a value, the other arguments, block,
# close. `head value`, the most frequent statement, is the one group alone.
_LINE = re.compile(
    rf"{WS}*+(?:"
    rf"({_HEAD})(?:"
    rf"{WS}*+={WS}*+(?:({_TOKEN}){_END}{_TAIL}|()(?=[\[{{]))"
    rf"|(?:{WS}++({_TOKEN}){_END})?((?:{WS}++{_ARG})*+){WS}*+(\{{)?{_TAIL}"
    rf")"
    rf"|(\}}){_TAIL}"
    rf"|{_TAIL}"
    rf")"
)
# The arguments one by one: (value or key, value of a pair or "")
_ARGS = re.compile(rf"{WS}++({_TOKEN})(?:{WS}*+={WS}*+({_TOKEN}))?{_END}")
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
_SCALARS: dict[str, dict[str, str]] = {
    kind: {w: e[1] for w, e in table.items() if e[0] is SCALAR or e[0] is FLAG}
    for kind, table in _TABLES.items()
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
    scalars = _SCALARS["appliance"]  # the words of `table` that take one value
    acc: dict[str, Any] = {}  # the lists (and `ignore` objects) statements add to
    stack: list[Any] = []  # the (obj, table, scalars, acc) of each open block's parent
    tops: list[Top] = []
    match = _LINE.match
    tables = _TABLES
    atom = _atom
    n = len(text)
    pos = 0
    while pos < n:
        m = match(text, pos)
        if m is None:
            raise _Decline
        pos = m.end()
        head, assigned, json_start, one, args, block, close = m.groups()
        if head is None:
            if close is not None:
                if not stack:
                    raise _Decline
                obj, table, scalars, acc = stack.pop()
            continue
        if assigned is not None:
            key = head if head[0] != '"' else _key(head)
            if key in obj:
                raise _Decline
            obj[key] = (
                assigned[1:-1] if assigned[0] == '"' and "\\" not in assigned else atom(assigned)
            )
            if not stack:
                tops.append(Top(key, m.start(1), m.end(1), False))
            continue
        if one is not None and not args and block is None:
            # `head value`: the most frequent statement
            key = scalars.get(head)
            if key is not None:
                if key in obj:
                    raise _Decline
                obj[key] = one[1:-1] if one[0] == '"' and "\\" not in one else atom(one)
                if not stack:
                    tops.append(Top(key, m.start(1), m.end(1), False))
                continue
        if json_start is not None:
            key = _key(head)
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
        if table is None:
            raise _Decline  # a map block takes `NAME = value` only
        entry = table.get(head)
        if entry is None:
            raise _Decline
        shape = entry[0]
        positional: list[str] = [] if one is None else [one]
        pairs: list[tuple[str, str]] = []
        if args:
            for k, v in _ARGS.findall(args):
                if not v:
                    positional.append(k)
                elif k[0] in _NUMERIC:
                    raise _Decline  # a number is not a key
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
                stack.append((obj, table, scalars, acc))
                obj, table, acc = e, tables[ekind], {}  # type: ignore[index]
                scalars = _SCALARS[ekind]  # type: ignore[index]
            continue
        if shape is OBJECT_FORM or shape is MAP:
            if positional:
                raise _Decline
            inner: dict[str, Any] = {}
            _put(obj, key, inner)
            for k, v in pairs:
                _put(inner, _key(k), _atom(v))
            if block is not None:
                stack.append((obj, table, scalars, acc))
                obj, acc = inner, {}
                if shape is OBJECT_FORM:
                    table = tables[entry[2]]  # type: ignore[index]
                    scalars = _SCALARS[entry[2]]  # type: ignore[index]
                else:
                    table, scalars = None, {}
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


# -- positions ----------------------------------------------------------------------
#
# The position tree the full road's builder makes (builder.py: a `Node` per object and
# list, a leaf (start, end, kind) per scalar, key ranges per object), made here for a
# few top-level statements of a text `read` took. The locator asks for it when a
# finding needs a position; it mirrors builder.Builder rule for rule, and the tests
# compare the two trees pointer by pointer.


def _leaf(s: str, start: int, end: int) -> Leaf:
    c = s[0]
    if c == '"':
        return (start, end, QUOTED)
    if c in _NUMERIC or s in _LITERALS:
        return (start, end, PLAIN)
    return (start, end, BARE)


def _key_node(node: Node, key: str, child: PosNode, krange: tuple[int, int]) -> None:
    kids = node.kids
    if key in kids:
        raise _Decline  # pragma: no cover - `read` declined duplicates
    kids[key] = child
    node.keys[key] = krange  # type: ignore[index]


def _end(n: PosNode) -> int:
    return n.end if type(n) is Node else n[1]  # type: ignore[union-attr,index]


def locate(text: str, ranges: list[tuple[int, int]]) -> Node:
    """The root position node of the statements in `ranges` (whole top-level
    statements of a text `read` took, in order), as builder.build makes it; raises
    ValueError when a statement is not one `read` takes."""
    try:
        return _locate(text, ranges)
    except _Decline:
        raise ValueError("not a statement the fast reader takes") from None


def _locate(text: str, ranges: list[tuple[int, int]]) -> Node:
    root = Node(0, 0, {}, {})
    first_start = last_end = -1
    for start, end in ranges:
        node = root
        table: dict[str, _Entry] | None = _TABLES["appliance"]
        acc: dict[str, Any] = {}
        # per open block: the parent's state and the nodes that end where it closes
        stack: list[tuple[Node, dict[str, _Entry] | None, dict[str, Any], list[Any]]] = []
        pos = start
        top_end = -1
        while pos < end:
            m = _LINE.match(text, pos, end)
            if m is None:
                raise _Decline
            pos = m.end()
            head, assigned, json_start, one, args, block, close = m.groups()
            if head is None:
                if close is not None:
                    if not stack:
                        raise _Decline
                    close_end = m.end(7)
                    node, table, acc, closing = stack.pop()
                    for n in closing:
                        n.end = close_end
                    if not stack:
                        top_end = close_end
                continue
            hs, he = m.span(1)
            if first_start < 0:
                first_start = hs
            if assigned is not None or json_start is not None:
                if assigned is not None:
                    child: PosNode = _leaf(assigned, *m.span(2))
                else:
                    child, pos = _json_node(text, pos, end)
                    t = _TAIL_RE.match(text, pos, end)
                    if t is None:
                        raise _Decline
                    pos = t.end()
                _key_node(node, _key(head), child, (hs, he))
                if not stack:
                    top_end = _end(child)
                continue
            if table is None:
                raise _Decline
            entry = table.get(head)
            if entry is None:
                raise _Decline
            shape, key, kind, etype = entry
            # the arguments: (text, start, end) of positional ones; pairs as (key text,
            # key start, key end, value text, value start, value end)
            positional: list[tuple[str, int, int]] = []
            pairs: list[tuple[str, int, int, str, int, int]] = []
            if one is not None:
                positional.append((one, *m.span(4)))
            if args:
                for a in _ARGS.finditer(text, *m.span(5)):
                    k, v = a.groups()
                    if v is None:
                        positional.append((k, *a.span(1)))
                    else:
                        pairs.append((k, *a.span(1), v, *a.span(2)))
            opened = block is not None
            # the statement's end when it has no block (builder: Stmt.end)
            # (the last argument's end: pairs and values may come in any order)
            s_end = max(pairs[-1][5] if pairs else he, positional[-1][2] if positional else he)
            ending: list[Any] = []
            inner: Node = node
            inner_table: dict[str, _Entry] | None = None
            if shape is ELEMENT:
                lnode = acc.get(key)
                if lnode is None:
                    lnode = acc[key] = Node(hs, hs, [], None)
                    _key_node(node, key, lnode, (hs, he))
                e = Node(hs, s_end, {}, {})
                if kind == "container":
                    if positional:
                        p, ps, pe = positional[0]
                        _key_node(e, "id", _leaf(p, ps, pe), (ps, pe))
                    if etype is not None:
                        _key_node(e, "type", (hs, he, PLAIN), (hs, he))
                elif kind == "port":
                    if positional:
                        _port_nodes(e, *positional[0])
                elif kind == "volume":
                    for name, (p, ps, pe) in zip(("src", "dest"), positional, strict=False):
                        _key_node(e, name, _leaf(p, ps, pe), (ps, pe))
                elif positional:  # a persistent volume
                    p, ps, pe = positional[0]
                    _key_node(e, "id", _leaf(p, ps, pe), (ps, pe))
                for k, ks, ke, v, vs, ve in pairs:
                    _key_node(e, _key(k), _leaf(v, vs, ve), (ks, ke))
                lnode.kids.append(e)
                lnode.end = s_end
                ending = [e, lnode]
                inner_table = _TABLES[kind]  # type: ignore[index]
                inner = e
            elif shape is OBJECT_FORM or shape is MAP:
                if pairs:
                    o_start = pairs[0][1]
                elif opened:
                    o_start = m.start(6)
                else:
                    o_start = hs
                inner = Node(o_start, s_end, {}, {})
                for k, ks, ke, v, vs, ve in pairs:
                    _key_node(inner, _key(k), _leaf(v, vs, ve), (ks, ke))
                _key_node(node, key, inner, (hs, he))
                ending = [inner]
                inner_table = _TABLES[kind] if shape is OBJECT_FORM else None  # type: ignore[index]
            elif shape is LIST:
                kids = [_leaf(p, ps, pe) for p, ps, pe in positional]
                ln = Node(kids[0][0], kids[-1][1], kids, None) if kids else Node(hs, he, kids, None)
                _key_node(node, key, ln, (hs, he))
            elif shape is IGNORE:
                target = acc.get(key)
                if target is None:
                    target = acc[key] = Node(hs, hs, {}, {})
                    _key_node(node, key, target, (hs, he))
                (sel, ss, se), (r, rs, re_) = positional
                _key_node(target, _key(sel), _leaf(r, rs, re_), (ss, se))
                target.end = s_end
            elif positional:  # SCALAR, FLAG
                p, ps, pe = positional[0]
                _key_node(node, key, _leaf(p, ps, pe), (hs, he))
            else:  # FLAG alone
                _key_node(node, key, (hs, he, PLAIN), (hs, he))
            if opened:
                if not ending:
                    raise _Decline
                stack.append((node, table, acc, ending))
                node, table, acc = inner, inner_table, {}
            elif not stack:
                top_end = s_end
        if stack or top_end < 0:
            raise _Decline
        last_end = top_end
    if first_start >= 0:
        root.start, root.end = first_start, last_end
    return root


def _port_nodes(e: Node, tok: str, start: int, end: int) -> None:
    if ":" not in tok and "/" not in tok:
        _key_node(e, "container_port", (start, end, PLAIN), (start, end))
        return
    m = _PORT_PARTS.fullmatch(tok)
    if m is None:
        raise _Decline
    a, b = m.span(2)
    _key_node(e, "container_port", (start + a, start + b, PLAIN), (start + a, start + b))
    if m.group(1) is not None:
        a, b = m.span(1)
        _key_node(e, "host_port", (start + a, start + b, PLAIN), (start + a, start + b))
    if m.group(3) is not None:
        a, b = m.span(3)
        _key_node(e, "protocol", (start + a, start + b, BARE), (start + a, start + b))


def _json_node(text: str, pos: int, end: int) -> tuple[Node, int]:
    """The position node of the `[...]` or `{...}` value at `pos` (`_json`'s)."""
    match = _JSON_TOKEN.match
    stack: list[Node] = []
    keys: list[tuple[str, int, int] | None] = []
    while True:
        m = match(text, pos, end)
        if m is None:
            raise _Decline
        pos = m.end()
        punct, port, string, number, word = m.groups()
        if port is not None:
            raise _Decline
        child: PosNode
        if punct is not None:
            if punct == "[" or punct == "{":
                ps = m.start(1)
                stack.append(Node(ps, ps, [] if punct == "[" else {}, None if punct == "[" else {}))
                keys.append(None)
                continue
            if punct == "," or punct == ":":
                continue
            if not stack:
                raise _Decline
            child = stack.pop()
            keys.pop()
            child.end = m.end(1)
        else:
            top = stack[-1] if stack else None
            tok = string or number or word
            g = 3 if string is not None else (4 if number is not None else 5)
            if top is not None and top.keys is not None and keys[-1] is None:
                keys[-1] = (_key(tok), *m.span(g))
                continue
            child = _leaf(tok, *m.span(g))
        if not stack:
            if type(child) is not Node:
                raise _Decline
            return child, pos
        top = stack[-1]
        if top.keys is None:
            top.kids.append(child)
        else:
            k = keys[-1]
            if k is None:
                raise _Decline
            _key_node(top, k[0], child, (k[1], k[2]))
            keys[-1] = None


# -- re-reading after an edit ----------------------------------------------------------


def _common_prefix(a: str, b: str) -> int:
    """The length of the longest common prefix, by halving (each test is a C compare)."""
    lo, hi = 0, min(len(a), len(b))
    if a[:hi] == b[:hi]:
        return hi
    while lo < hi:  # a[:lo] == b[:lo] and a[:hi] != b[:hi]
        mid = (lo + hi + 1) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(a: str, b: str, limit: int) -> int:
    lo, hi = 0, limit
    if hi == 0 or a[len(a) - hi :] == b[len(b) - hi :]:
        return hi
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[len(a) - mid : len(a) - lo] == b[len(b) - mid : len(b) - lo]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def reread(old_text: str, old: Fast, text: str) -> Fast | None:
    """`read(text)`, for a `text` that differs from `old_text` (which `read` took, giving
    `old`) inside one top-level statement: only that statement is read again, and the
    rest of the value is shared with `old`. None when the edit is not of that kind (it
    spans statements, adds or removes one, changes what it sets) or the statement no
    longer reads cleanly: then `read` (or the full road) takes the whole text."""
    tops = old.tops
    if not tops:
        return None
    p = _common_prefix(old_text, text)
    s = _common_suffix(old_text, text, min(len(old_text), len(text)) - p)
    changed_end = len(old_text) - s  # the edit is old_text[p:changed_end]
    starts = [t.start for t in tops]
    i = bisect.bisect_right(starts, p) - 1
    if i < 0:
        return None
    end = starts[i + 1] if i + 1 < len(tops) else len(old_text)
    if changed_end > end:
        return None
    delta = len(text) - len(old_text)
    start = starts[i]
    try:
        piece = _read(text[start : end + delta])
    except (_Decline, ValueError, RecursionError):
        return None
    was = tops[i]
    if len(piece.tops) != 1:
        return None
    now = piece.tops[0]
    if now.key != was.key or now.element != was.element:
        return None
    key = was.key
    value = dict(old.value)  # the same keys in the same order
    if was.element:
        (element,) = piece.value[key]
        index = sum(1 for t in tops[:i] if t.key == key and t.element)
        items = list(value[key])
        items[index] = element
        value[key] = items
    elif sum(1 for t in tops if t.key == key) == 1:
        value[key] = piece.value[key]
    else:
        return None  # a key set by several statements (`ignore`): read it all again
    moved = [t._replace(start=t.start + delta, end=t.end + delta) for t in tops[i + 1 :]]
    here = Top(key, start + now.start, start + now.end, now.element)
    return Fast(value, [*tops[:i], here, *moved])
