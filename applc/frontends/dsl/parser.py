"""Text -> syntax tree with lark (LALR), and syntax errors explained in words.

lark is imported here only, and this module only when a `.appl` file is read. The parse
tables are cached on disk (`cache=True`), so a warm start does not rebuild them.

Tokens pass through `_TokenFilter` on their way from lark's lexer to its parser: it
merges blank lines, drops line breaks
inside `[ ]` and JSON-like `{ }` values, caps nesting, and remembers which blocks are
open so an error can say what was expected there.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from applc.frontends.dsl import schema
from applc.frontends.dsl.syntax import (
    Assign,
    Block,
    DslSyntaxError,
    Node,
    Pair,
    Pairs,
    PosNode,
    Stmt,
    atom,
    clip,
    key_text,
)
from applc.frontends.json_scanner import MAX_DEPTH

GRAMMAR = Path(__file__).with_name("grammar.lark")

_ATOMS = frozenset(("WORD", "STRING", "NUMBER", "PORT"))
_JSON_OPENERS = frozenset(("EQUAL", "COLON", "COMMA", "LSQB"))

_lark: Any = None
_lexer: Any = None


class Tok:
    """A token: lighter than lark's, which the parser does not need."""

    __slots__ = ("type", "value", "start_pos", "end_pos")

    def __init__(self, type: str, value: str, start_pos: int, end_pos: int) -> None:
        self.type = type
        self.value = value
        self.start_pos = start_pos
        self.end_pos = end_pos

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:
        return f"Tok({self.type}, {self.value!r}, {self.start_pos})"


class _Lexer:
    """One regular expression made of the grammar's terminals, tried in lark's order.

    lark's own lexer does the same with more layers per token; this one is the hot loop
    of reading a file. Whitespace (the grammar's WS) is skipped in the same match as the
    token after it."""

    def __init__(self, lark: Any) -> None:
        terms = sorted(
            lark.terminals,
            key=lambda t: (-t.priority, -t.pattern.max_width, -len(t.pattern.value), t.name),
        )
        self.ignore = frozenset(lark.lexer_conf.ignore)
        ws = next(t for t in terms if t.name == "WS").pattern.to_regexp()
        self.pattern = re.compile(
            f"(?:{ws})?(?:"
            + "|".join(f"(?P<{t.name}>{t.pattern.to_regexp()})" for t in terms if t.name != "WS")
            + ")"
        )
        self.ws = re.compile(ws)

    def lex(self, text: str) -> Iterator[Tok]:
        match = self.pattern.match
        ignore = self.ignore
        pos = 0
        n = len(text)
        while pos < n:
            m = match(text, pos)
            if m is None:
                w = self.ws.match(text, pos)
                if w is not None and w.end() == n:
                    return
                raise _bad_character(text, w.end() if w is not None else pos)
            t: str = m.lastgroup  # type: ignore[assignment]
            if t not in ignore:
                start, end = m.span(t)
                yield Tok(t, m.group(t), start, end)
            pos = m.end()


def _value(v: Any) -> tuple[Any, PosNode]:
    if type(v) is tuple:
        return v
    return atom(v)


def _end_of(x: Any) -> int:
    return x.end_pos if hasattr(x, "end_pos") else x.end  # type: ignore[no-any-return]


def _end_of_node(node: PosNode) -> int:
    return node.end if type(node) is Node else node[1]  # type: ignore[union-attr,index]


def _make_transformer() -> Any:
    from lark import Transformer

    class Shape(Transformer):  # type: ignore[type-arg]
        """Callbacks run as the LALR parser reduces: no parse tree, no recursion."""

        def start(self, children: list[Any]) -> list[Any]:
            return children[0] if children else []

        def stmts(self, children: list[Any]) -> list[Any]:
            if len(children) == 2:
                children[0].append(children[1])
                return children[0]  # type: ignore[no-any-return]
            return children

        args = stmts

        def items(self, children: list[Any]) -> list[Any]:
            if len(children) == 2 and type(children[0]) is list:
                children[0].append(children[1])
                return children[0]  # type: ignore[no-any-return]
            return children

        members = items

        def stmt(self, children: list[Any]) -> Stmt:
            head = children[0]
            args: list[Any] = []
            block = None
            for c in children[1:]:
                if type(c) is Block:
                    block = c
                else:
                    args = c
            if block is not None:
                end = block.close.end_pos
            elif args:
                end = _end_of(args[-1])
            else:
                end = head.end_pos
            return Stmt(head, args, block, head.start_pos, end)

        def assign(self, children: list[Any]) -> Assign:
            head, v = children
            value, node = _value(v)
            return Assign(head, value, node, head.start_pos, _end_of_node(node))

        def pair(self, children: list[Any]) -> Pair:
            key, v = children
            value, node = _value(v)
            return Pair(key, value, node, key.start_pos, _end_of_node(node))

        def block(self, children: list[Any]) -> Block:
            return Block(children[0], children[1] if len(children) == 3 else [], children[-1])

        def array(self, children: list[Any]) -> tuple[list[Any], Node]:
            values: list[Any] = []
            kids: list[PosNode] = []
            dups = False
            for c in children[1] if len(children) == 3 else ():
                v, n = _value(c)
                values.append(v)
                kids.append(n)
                if type(n) is Node and n.dups:
                    dups = True
            node = Node(children[0].start_pos, children[-1].end_pos, kids, None)
            node.dups = dups
            return values, node

        def object(self, children: list[Any]) -> tuple[dict[str, Any], Node]:
            value: dict[str, Any] = {}
            kids: dict[str, PosNode] = {}
            keys: dict[str, tuple[int, int]] = {}
            node = Node(children[0].start_pos, children[-1].end_pos, kids, keys)
            pairs: Pairs | None = None
            for m in children[1] if len(children) == 3 else ():
                k, v, n, krange = m
                if k in kids:
                    if node.first is None:
                        node.first = {}
                    node.first.setdefault(k, keys[k])
                    node.dups = True
                    if pairs is None:
                        pairs = Pairs.from_pairs(list(value.items()))
                if pairs is not None:
                    pairs.add(k, v)
                else:
                    value[k] = v
                kids[k] = n
                keys[k] = krange
                if type(n) is Node and n.dups:
                    node.dups = True
            return (pairs if pairs is not None else value), node

        def member(self, children: list[Any]) -> tuple[str, Any, PosNode, tuple[int, int]]:
            key, v = children
            value, node = _value(v)
            return key_text(key), value, node, (key.start_pos, key.end_pos)

    return Shape()


def get_lark() -> Any:
    """The grammar, with its LALR tables (cached on disk by lark) and callbacks."""
    global _lark
    if _lark is None:
        from lark import Lark

        _lark = Lark(
            GRAMMAR.read_text(encoding="utf-8"),
            parser="lalr",
            lexer="basic",
            transformer=_make_transformer(),
            maybe_placeholders=False,
            propagate_positions=False,
            cache=True,
        )
    return _lark


class _Unexpected(Exception):
    def __init__(self, token: Any, expected: set[str]) -> None:
        self.token = token
        self.expected = expected


class _Tables:
    """lark's LALR tables, flattened for `_run`: per state, per symbol, either
    (True, next state) to shift or (False, (size, callback, rule name)) to reduce."""

    def __init__(self, lark: Any) -> None:
        from lark.parsers.lalr_analysis import Shift

        parser = lark.parser.parser.parser
        table = parser.parse_table
        self.start: int = table.start_states["start"]
        self.end: int = table.end_states["start"]
        reductions: dict[int, tuple[int, Any, str]] = {}
        self.states: dict[int, dict[str, tuple[bool, Any]]] = {}
        for state, actions in table.states.items():
            row: dict[str, tuple[bool, Any]] = {}
            for symbol, (action, arg) in actions.items():
                if action is Shift:
                    row[symbol] = (True, arg)
                else:
                    r = reductions.get(id(arg))
                    if r is None:
                        r = (len(arg.expansion), parser.callbacks[arg], arg.origin.name)
                        reductions[id(arg)] = r
                    row[symbol] = (False, r)
            self.states[state] = row

    def run(self, tokens: Iterator[Any], end_token: Any) -> Any:
        """The LALR loop of lark's parser, without its per-token call layers."""
        states = self.states
        state_stack = [self.start]
        value_stack: list[Any] = []
        end = self.end
        for tok in tokens:
            t = tok.type
            while True:
                row = states[state_stack[-1]]
                act = row.get(t)
                if act is None:
                    raise _Unexpected(tok, {x for x in row if x.isupper()})
                if act[0]:
                    state_stack.append(act[1])
                    value_stack.append(tok)
                    break
                size, callback, origin = act[1]
                if size:
                    children = value_stack[-size:]
                    del state_stack[-size:]
                    del value_stack[-size:]
                else:
                    children = []
                value_stack.append(callback(children))
                state_stack.append(states[state_stack[-1]][origin][1])
        while True:
            row = states[state_stack[-1]]
            act = row.get("$END")
            if act is None or act[0]:
                raise _Unexpected(end_token, {x for x in row if x.isupper()})
            size, callback, origin = act[1]
            if size:
                children = value_stack[-size:]
                del state_stack[-size:]
                del value_stack[-size:]
            else:
                children = []
            value_stack.append(callback(children))
            state_stack.append(states[state_stack[-1]][origin][1])
            if state_stack[-1] == end:
                return value_stack[-1]


_tables: _Tables | None = None


def get_tables() -> _Tables:
    global _tables
    if _tables is None:
        _tables = _Tables(get_lark())
    return _tables


def get_lexer() -> _Lexer:
    global _lexer
    if _lexer is None:
        _lexer = _Lexer(get_lark())
    return _lexer


@dataclass
class _Open:
    """An open bracket or block, for the filter and the error messages."""

    token: Any
    json: bool
    kind: str | None = None  # a block's object kind (None: a map or unknown)
    known: bool = True  # the block's head word is a statement that takes a block


@dataclass
class ParseResult:
    stmts: list[Any]


class _TokenFilter:
    def __init__(self, text: str) -> None:
        self.text = text
        self.stack: list[_Open] = []
        self.prev: Any = None  # the last token passed on
        self.before: Any = None  # the one before it
        self.closed: _Open | None = None  # what the last `}` or `]` closed
        self.head: Any = None  # the head word of the statement being read
        self.heads: list[Any] = []  # the head of the statement of each open block

    def kind(self) -> str | None:
        """The object kind of the innermost open block (or the appliance at top level)."""
        for o in reversed(self.stack):
            if not o.json:
                return o.kind if o.known else None
        return "appliance"

    def run(self, tokens: Iterator[Any]) -> Iterator[Any]:
        stack = self.stack
        prev_type: str | None = None
        prev_end = -1
        for tok in tokens:
            t = tok.type
            if t == "_NL":
                if (stack and stack[-1].json) or prev_type == "_NL":
                    continue
                self.head = None
            elif t == "LBRACE":
                is_json = prev_type in _JSON_OPENERS
                if is_json:
                    stack.append(_Open(tok, True))
                else:
                    known, kind = False, None
                    if self.head is not None:
                        known, kind = schema.child_kind(self.kind(), key_text(self.head))
                    stack.append(_Open(tok, False, kind, known))
                    self.heads.append(self.head)
                    self.head = None
                if len(stack) > MAX_DEPTH:
                    raise DslSyntaxError(
                        f"nesting deeper than {MAX_DEPTH} levels",
                        tok.start_pos,
                        tok.end_pos,
                        help="applc reads at most this many nested blocks, lists and objects",
                    )
            elif t == "LSQB":
                stack.append(_Open(tok, True))
                if len(stack) > MAX_DEPTH:
                    raise DslSyntaxError(
                        f"nesting deeper than {MAX_DEPTH} levels",
                        tok.start_pos,
                        tok.end_pos,
                        help="applc reads at most this many nested blocks, lists and objects",
                    )
            elif t == "RBRACE" or t == "RSQB":
                self.closed = None
                if stack:
                    o = stack.pop()
                    self.closed = o
                    if not o.json:
                        if self.heads:
                            self.heads.pop()
                        if prev_type != "_NL" and self.prev is not o.token:
                            # the grammar ends every statement with a line break
                            yield Tok("_NL", "", tok.start_pos, tok.start_pos)
                            self.head = None
            elif t in _ATOMS:
                if prev_type in _ATOMS and tok.start_pos == prev_end:
                    _adjacent(self.text, self.prev, tok)
                if self.head is None and (not stack or not stack[-1].json):
                    self.head = tok
            self.before = self.prev
            self.prev = tok
            prev_type = t
            prev_end = tok.end_pos
            yield tok
        if prev_type is not None and prev_type != "_NL" and not (stack and stack[-1].json):
            yield Tok("_NL", "", len(self.text), len(self.text))


def parse(text: str) -> ParseResult:
    """Parse DSL text into statements; raise DslSyntaxError at the first mistake."""
    tables = get_tables()
    lexer = get_lexer()
    filt = _TokenFilter(text)
    try:
        stmts = tables.run(filt.run(lexer.lex(text)), Tok("$END", "", len(text), len(text)))
    except _Unexpected as exc:
        raise _unexpected(text, filt, exc.token, exc.expected) from None
    return ParseResult(stmts if isinstance(stmts, list) else [])


# In a text that parsed, `#` is either inside a string or starts a comment.
_STRING_OR_COMMENT = re.compile(r'"(?:[^"\\\n]|\\.)*"|#[^\n]*')


@dataclass
class Comment:
    text: str
    start_pos: int
    end_pos: int


def comments(text: str) -> list[Comment]:
    """The comments of a text that parsed, in order."""
    if "#" not in text:
        return []
    return [
        Comment(m.group(), m.start(), m.end())
        for m in _STRING_OR_COMMENT.finditer(text)
        if m.group().startswith("#")
    ]


# -- explaining errors -------------------------------------------------------------


def _where(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"{line}:{col}"


_RUN_STOP = set(' \t\r\n{}[]=,#"')


def _run(text: str, pos: int) -> tuple[int, int]:
    """The run of characters around `pos` that someone meant as one value."""
    a = pos
    while a > 0 and text[a - 1] not in _RUN_STOP:
        a -= 1
    b = pos
    while b < len(text) and text[b] not in _RUN_STOP:
        b += 1
    return a, b


def _quote_help(text: str, a: int, b: int) -> str:
    import json

    return f"write {json.dumps(text[a:b], ensure_ascii=False)} in double quotes"


def _adjacent(text: str, prev: Any, tok: Any) -> None:
    a, b = _run(text, prev.start_pos)
    if prev.type == "NUMBER" and str(prev) in ("0", "-0") and tok.type == "NUMBER":
        raise DslSyntaxError("numbers cannot have leading zeros", prev.start_pos, tok.end_pos)
    raise DslSyntaxError(
        f"`{clip(text[a:b])}` is not one value: a space or quotes are missing at "
        f"`{clip(str(tok), 12)}`",
        tok.start_pos,
        tok.end_pos,
        help=_quote_help(text, a, b) + " if it is one string",
    )


def _show_char(ch: str) -> str:
    if ch == "\n":
        return "a line break"
    if ch.isprintable() and not ch.isspace():
        return f"`{ch}`"
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" ({name.lower()})" if name else "")


def _bad_character(text: str, pos: int) -> DslSyntaxError:
    ch = text[pos]
    if ch == '"':
        return _bad_string(text, pos)
    if ch == "'":
        return DslSyntaxError(
            "single quotes do not make a string in the DSL",
            pos,
            pos + 1,
            help='use double quotes: "text"',
        )
    if ch == "@":
        a, b = _run(text, pos)
        return DslSyntaxError(
            "a reference `@id` belongs inside a string", pos, pos + 1, help=_quote_help(text, a, b)
        )
    if ch == "/" and text.startswith("//", pos):
        return DslSyntaxError(
            "comments start with `#` in the DSL", pos, pos + 2, help="write `# ...`"
        )
    a, b = _run(text, pos)
    if b - a > 1 and ch.isprintable():
        return DslSyntaxError(
            f"unexpected {_show_char(ch)} in `{clip(text[a:b])}`",
            pos,
            pos + 1,
            help=_quote_help(text, a, b),
        )
    return DslSyntaxError(f"unexpected character {_show_char(ch)}", pos, pos + 1)


def _bad_string(text: str, pos: int) -> DslSyntaxError:
    i = pos + 1
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            break
        if ch == "\\":
            nxt = text[i + 1 : i + 2]
            if nxt == "u":
                hexs = text[i + 2 : i + 6]
                if len(hexs) < 4 or any(c not in "0123456789abcdefABCDEF" for c in hexs):
                    return DslSyntaxError(
                        "invalid \\u escape: it needs four hexadecimal digits", i, i + 2
                    )
                i += 6
                continue
            if nxt and nxt in '"\\/bfnrt@':
                i += 2
                continue
            shown = nxt if nxt.isprintable() and nxt else _show_char(nxt or "\n")
            return DslSyntaxError(
                f"invalid escape `\\{shown}` in a string",
                i,
                i + 2,
                help='the escapes are \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX and \\@ (a '
                "literal at sign); write a backslash as \\\\",
            )
        if ch == "\n":
            return DslSyntaxError(
                "unterminated string: a line break inside a string",
                pos,
                i,
                help='close the string with `"`, or write the line break as \\n',
            )
        if ord(ch) < 0x20 or ord(ch) == 0x7F:
            return DslSyntaxError(
                f"control character U+{ord(ch):04X} inside a string",
                i,
                i + 1,
                help="write it as an escape such as \\t or \\u0009",
            )
        i += 1
    return DslSyntaxError("unterminated string", pos, pos + 1, help='close the string with `"`')


_NAMES = {
    "LBRACE": "`{`",
    "RBRACE": "`}`",
    "LSQB": "`[`",
    "RSQB": "`]`",
    "COMMA": "`,`",
    "COLON": "`:`",
    "EQUAL": "`=`",
    "_NL": "a line break",
    "$END": "the end of the file",
}


def _show_token(tok: Any) -> str:
    t = tok.type
    if t == "$END":
        return "end of file"
    if t == "_NL":
        return "end of line"
    if t == "STRING":
        return f"string {clip(str(tok), 30)}"
    if t == "NUMBER":
        return f"number `{clip(str(tok))}`"
    if t == "PORT":
        return f"port `{tok}`"
    if t == "WORD":
        return f"`{clip(str(tok))}`"
    return _NAMES.get(t, f"`{tok}`")


def _field_examples(kind: str | None) -> str:
    if kind is None:
        return "an entry `NAME = value`"
    words = schema.EXAMPLES.get(kind, ())
    if not words:
        return "a field"
    shown = [f"`{w}`" for w in words]
    listed = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]
    return f"a field such as {listed}"


def _unexpected(text: str, filt: _TokenFilter, tok: Any, expected: set[str]) -> DslSyntaxError:
    t = tok.type
    start = getattr(tok, "start_pos", None)
    if start is None or t == "$END":
        start = len(text)
    end = getattr(tok, "end_pos", None) or start + 1
    if t == "$END":
        end = start
    prev = filt.before if filt.prev is tok else filt.prev
    stack = list(filt.stack)
    if t in ("RBRACE", "RSQB") and filt.prev is tok and filt.closed is not None:
        stack.append(filt.closed)  # the filter had already closed it
    if t == "$END" and stack:
        o = stack[-1]
        what = "list" if o.token.type == "LSQB" else ("object" if o.json else "block")
        close = "]" if o.token.type == "LSQB" else "}"
        return DslSyntaxError(
            f"unexpected end of file: the {what} opened at {_where(text, o.token.start_pos)} "
            "is never closed",
            start,
            end,
            help=f"add the missing `{close}`",
        )
    if t == "RBRACE" and not any(not o.json for o in stack) and "RBRACE" not in expected:
        return DslSyntaxError(
            "unexpected `}`: no block is open here",
            start,
            end,
            help="remove it, or open the block with `{` on its statement",
        )
    # Where are we?
    value_wanted = "LSQB" in expected and "NUMBER" in expected and "PORT" not in expected
    stmt_start = "WORD" in expected and "NUMBER" not in expected and "EQUAL" not in expected
    in_json = bool(stack) and stack[-1].json
    parts: list[str] = []
    help: str | None = None
    if value_wanted:
        parts.append('a value such as `"text"`, `42`, `true` or `[...]`')
    elif stmt_start and not in_json:
        parts.append(_field_examples(filt.kind()))
        if "RBRACE" in expected:
            parts[0] += ","
            parts.append("`}`")
    elif "_NL" in expected and not in_json:
        parts.append("the end of the line")
    else:
        for name in ("COMMA", "RSQB", "RBRACE", "COLON", "EQUAL"):
            if name in expected:
                parts.append(_NAMES[name])
    if not parts:
        parts.append("something else")
    phrase = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " or " + parts[-1]
    message = f"unexpected {_show_token(tok)}; expected {phrase}"
    if t == "COLON" and prev is not None and prev is filt.head and not in_json:
        help = (
            f"a field is written without `:`, as `{key_text(prev)} value` or "
            f"`{key_text(prev)} = value`"
        )
    elif (
        prev is not None
        and t not in ("_NL", "$END", "RBRACE", "RSQB")
        and start == getattr(prev, "end_pos", -1)
        and _run(text, start)[1] - _run(text, start)[0] > 1
    ):
        help = _quote_help(text, *_run(text, start))
    elif t == "PORT":
        help = f'write "{tok}" in double quotes for a string'
    elif in_json and t in ("WORD", "STRING", "NUMBER", "LBRACE", "LSQB") and "COMMA" in expected:
        help = "separate the items of a list or object with `,`"
    elif in_json and t in ("RBRACE", "RSQB", "$END"):
        o = stack[-1]
        what = "list" if o.token.type == "LSQB" else "object"
        help = f"the {what} opened at {_where(text, o.token.start_pos)} is not closed"
    return DslSyntaxError(message, start, max(end, start), help=help)
