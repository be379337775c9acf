"""Text -> syntax tree with lark's LALR tables, and syntax errors explained in words.

lark is imported here only, and this module only when a `.appl` file is read. The parse
tables are cached on disk (`cache=True`), so a warm start does not rebuild them.

`parse` is one loop that lexes, filters and parses: lark builds the tables, but reading
a file goes through neither its lexer nor its parser, whose layers per token cost more
than the work itself. The filter merges blank lines, drops line breaks inside `[ ]` and
JSON-like `{ }` values, caps nesting, and remembers which blocks are open so an error
can say what was expected there.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
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
from applc.frontends.strings import StringSyntax

GRAMMAR = Path(__file__).with_name("grammar.lark")

_ATOMS = frozenset(("WORD", "STRING", "NUMBER", "PORT"))
_JSON_OPENERS = frozenset(("EQUAL", "COLON", "COMMA", "LSQB"))

# The most frequent terminals, tried first in the lexer's alternation. Each starts with
# characters no other terminal starts with, so trying them early cannot change which
# terminal matches; the others keep lark's order (PORT before NUMBER).
_FIRST = ("WORD", "_NL", "STRING", "EQUAL", "LBRACE", "RBRACE")

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
    """One regular expression made of the grammar's terminals, read with `finditer`.

    A match is one token, its kind the name of the group that matched (`lastgroup`).
    Whitespace (the grammar's WS) is skipped in the same match as the token after it."""

    def __init__(self, lark: Any) -> None:
        terms = sorted(
            lark.terminals,
            key=lambda t: (-t.priority, -t.pattern.max_width, -len(t.pattern.value), t.name),
        )
        hot = {name: i for i, name in enumerate(_FIRST)}
        terms.sort(key=lambda t: hot.get(t.name, len(hot)))  # stable: the rest keep order
        self.ignore = frozenset(lark.lexer_conf.ignore)
        ws = next(t for t in terms if t.name == "WS").pattern.to_regexp()
        self.pattern = re.compile(
            f"(?:{ws})?(?:"
            + "|".join(f"(?P<{t.name}>{t.pattern.to_regexp()})" for t in terms if t.name != "WS")
            + ")"
        )
        self.ws = re.compile(ws)

    def bad_character(self, text: str, pos: int) -> DslSyntaxError | None:
        """The error for text at `pos` that starts no token; None if it is trailing
        whitespace."""
        w = self.ws.match(text, pos)
        if w is not None and w.end() == len(text):
            return None
        return _bad_character(text, w.end() if w is not None else pos)


def _value(v: Any) -> tuple[Any, PosNode]:
    if type(v) is tuple:
        return v
    return atom(v)


def _end_of(x: Any) -> int:
    return x.end_pos if hasattr(x, "end_pos") else x.end  # type: ignore[no-any-return]


def _end_of_node(node: PosNode) -> int:
    return node.end if type(node) is Node else node[1]  # type: ignore[union-attr,index]


# -- what each rule makes, called as the parser reduces: no parse tree, no recursion.
# Each takes the rule's children without the filtered tokens (`_NL`, `=`, `,`, `:`).


def _start(children: list[Any]) -> list[Any]:
    return children[0] if children else []


def _append(children: list[Any]) -> list[Any]:
    if len(children) == 2:
        children[0].append(children[1])
        return children[0]  # type: ignore[no-any-return]
    return children


def _items(children: list[Any]) -> list[Any]:
    if len(children) == 2 and type(children[0]) is list:
        children[0].append(children[1])
        return children[0]  # type: ignore[no-any-return]
    return children


def _stmt(children: list[Any]) -> Stmt:
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


def _assign(children: list[Any]) -> Assign:
    head, v = children
    value, node = _value(v)
    return Assign(head, value, node, head.start_pos, _end_of_node(node))


def _pair(children: list[Any]) -> Pair:
    key, v = children
    value, node = _value(v)
    return Pair(key, value, node, key.start_pos, _end_of_node(node))


def _block(children: list[Any]) -> Block:
    return Block(children[0], children[1] if len(children) == 3 else [], children[-1])


def _array(children: list[Any]) -> tuple[list[Any], Node]:
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


def _object(children: list[Any]) -> tuple[dict[str, Any], Node]:
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


def _member(children: list[Any]) -> tuple[str, Any, PosNode, tuple[int, int]]:
    key, v = children
    value, node = _value(v)
    return key_text(key), value, node, (key.start_pos, key.end_pos)


_CALLBACKS: dict[str, Callable[[list[Any]], Any]] = {
    "start": _start,
    "stmts": _append,
    "args": _append,
    "items": _items,
    "members": _items,
    "stmt": _stmt,
    "assign": _assign,
    "pair": _pair,
    "block": _block,
    "array": _array,
    "object": _object,
    "member": _member,
}


def _filtered(fn: Callable[[list[Any]], Any], keep: tuple[int, ...]) -> Callable[[list[Any]], Any]:
    """`fn` called with only the children at `keep` (lark's child filter)."""
    if len(keep) == 1:
        (a,) = keep
        return lambda c: fn([c[a]])
    if len(keep) == 2:
        a, b = keep
        return lambda c: fn([c[a], c[b]])
    return lambda c: fn([c[i] for i in keep])


def get_lark() -> Any:
    """The grammar, with its LALR tables (cached on disk by lark)."""
    global _lark
    if _lark is None:
        from lark import Lark

        _lark = Lark(
            GRAMMAR.read_text(encoding="utf-8"),
            parser="lalr",
            lexer="basic",
            maybe_placeholders=False,
            propagate_positions=False,
            cache=True,
        )
    return _lark


class _Unexpected(Exception):
    def __init__(self, token: Any, expected: set[str], current: bool) -> None:
        self.token = token
        self.expected = expected
        self.current = current  # the token just read (not one the filter added)


# A rule to reduce by: (number of children, what it makes from them, the rule's name for
# the goto). What it makes is None for a `?` rule of one child, which is that child.
_Rule = tuple[int, Callable[[list[Any]], Any] | None, str]


class _Tables:
    """lark's LALR tables, flattened for `parse`: per state, per symbol, an int that is
    the next state to shift (>= 0) or `~i` to reduce by `rules[i]`. Gotos are in the
    same rows, under the rules' names."""

    def __init__(self, lark: Any) -> None:
        from lark.parsers.lalr_analysis import Shift

        table = lark.parser.parser.parser.parse_table
        self.start: int = table.start_states["start"]
        self.end: int = table.end_states["start"]
        self.rules: list[_Rule] = []
        numbers: dict[int, int] = {}
        kept: set[str] = set()
        self.states: list[dict[str, int]] = [{} for _ in range(max(table.states) + 1)]
        for state, actions in table.states.items():
            row = self.states[state]
            for symbol, (action, arg) in actions.items():
                if action is Shift:
                    row[symbol] = arg
                    continue
                i = numbers.get(id(arg))
                if i is None:
                    i = numbers[id(arg)] = len(self.rules)
                    self.rules.append(self._rule(arg, kept))
                row[symbol] = ~i
        # Tokens no rule keeps are pushed as None: no object is made for them.
        self.kept = frozenset(kept)

    @staticmethod
    def _rule(rule: Any, kept: set[str]) -> _Rule:
        expansion = rule.expansion
        keep = tuple(i for i, sym in enumerate(expansion) if not (sym.is_term and sym.filter_out))
        kept.update(expansion[i].name for i in keep if expansion[i].is_term)
        name = rule.origin.name
        fn: Callable[[list[Any]], Any] | None
        if rule.options.expand1:
            if keep != (0,) or len(expansion) != 1:
                raise ValueError(f"rule {name}: a `?` rule here has one symbol")
            fn = None  # the child is the value: nothing to call
        elif len(keep) == len(expansion):
            fn = _CALLBACKS[name]
        else:
            fn = _filtered(_CALLBACKS[name], keep)
        return len(expansion), fn, name


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


class _Open:
    """An open bracket or block, for the filter and the error messages."""

    __slots__ = ("token", "json", "kind", "known")

    def __init__(self, token: Any, json: bool, kind: str | None = None, known: bool = True) -> None:
        self.token = token
        self.json = json
        self.kind = kind  # a block's object kind (None: a map or unknown)
        self.known = known  # the block's head word is a statement that takes a block


@dataclass
class ParseResult:
    stmts: list[Any]


class _FilterState:
    """What the token filter knew when the parser stopped: the open brackets and
    blocks, the last token passed on and the one before, what the last `}` or `]`
    closed, and the head word of the statement being read."""

    def __init__(
        self, stack: list[_Open], prev: Any, before: Any, closed: _Open | None, head: Any
    ) -> None:
        self.stack = stack
        self.prev = prev
        self.before = before
        self.closed = closed
        self.head = head

    def kind(self) -> str | None:
        """The object kind of the innermost open block (or the appliance at top level)."""
        return _kind(self.stack)


def _kind(stack: list[_Open]) -> str | None:
    for o in reversed(stack):
        if not o.json:
            return o.kind if o.known else None
    return "appliance"


def _too_deep(tok: Tok) -> DslSyntaxError:
    return DslSyntaxError(
        f"nesting deeper than {MAX_DEPTH} levels",
        tok.start_pos,
        tok.end_pos,
        help="applc reads at most this many nested blocks, lists and objects",
    )


def _shift(tables: _Tables, ss: list[int], vs: list[Any], t: str, value: Any, tok: Tok) -> None:
    """Feed one token the filter added (a line break, or the end of the text) to the
    parser; `parse` has the same steps inline for the tokens it reads."""
    states, rules = tables.states, tables.rules
    while True:
        row = states[ss[-1]]
        act = row.get(t)
        if act is None or (t == "$END" and act >= 0):
            raise _Unexpected(tok, {x for x in row if x.isupper()}, False)
        if act >= 0:
            ss.append(act)
            vs.append(value)
            return
        size, fn, origin = rules[~act]
        if fn is None:
            del ss[-1]
        elif size:
            children = vs[-size:]
            del ss[-size:]
            vs[-size:] = (fn(children),)
        else:
            vs.append(fn([]))
        ss.append(states[ss[-1]][origin])
        if t == "$END" and ss[-1] == tables.end:
            return


def parse(text: str, start: int = 0, end: int | None = None) -> ParseResult:
    """Parse DSL text into statements; raise DslSyntaxError at the first mistake.

    With `start` and `end`, only that part of the text (whole statements), with offsets
    into the whole text: the lazy locator reads one statement of a file at a time."""
    tables = get_tables()
    lexer = get_lexer()
    states, rules, kept = tables.states, tables.rules, tables.kept
    ignore = lexer.ignore
    ss: list[int] = [tables.start]  # the LALR state stack
    vs: list[Any] = []  # the values beside it
    state = tables.start
    stack: list[_Open] = []  # open brackets and blocks
    head: Any = None  # the head word of the statement being read
    closed: _Open | None = None  # what the last `}` or `]` closed
    # The last token passed on to the parser (not dropped line breaks, not tokens the
    # filter added): for the filter's rules and for error messages.
    prev_type: str | None = None
    prev_start = prev_end = -1
    n = len(text) if end is None else end
    pos = start
    t = ""
    tok: Any = None
    try:
        for m in lexer.pattern.finditer(text, start, n):
            if m.start() != pos:
                break  # text that starts no token: an error, raised below
            pos = m.end()
            t = m.lastgroup  # type: ignore[assignment]
            start, end = m.span(t)
            tok = Tok(t, m.group(t), start, end) if t in kept else None
            if t in _ATOMS:
                if prev_type in _ATOMS and start == prev_end:
                    _adjacent(text, _prev_tok(text, prev_type, prev_start, prev_end), tok)
                if head is None and (not stack or not stack[-1].json):
                    head = tok
            elif t == "_NL":
                if (stack and stack[-1].json) or prev_type == "_NL":
                    continue
                head = None
            elif t == "LBRACE":
                if prev_type in _JSON_OPENERS:
                    stack.append(_Open(tok, True))
                else:
                    known, kind = False, None
                    if head is not None:
                        known, kind = schema.child_kind(_kind(stack), key_text(head))
                    stack.append(_Open(tok, False, kind, known))
                    head = None
                if len(stack) > MAX_DEPTH:
                    raise _too_deep(tok)
            elif t == "LSQB":
                stack.append(_Open(tok, True))
                if len(stack) > MAX_DEPTH:
                    raise _too_deep(tok)
            elif t == "RBRACE" or t == "RSQB":
                closed = None
                if stack:
                    o = closed = stack.pop()
                    if not o.json and prev_type != "_NL" and prev_start != o.token.start_pos:
                        # the grammar ends every statement with a line break
                        _shift(tables, ss, vs, "_NL", None, Tok("_NL", "", start, start))
                        state = ss[-1]
                        head = None
            elif t in ignore:  # a comment: rare, so tested last
                continue
            # The LALR step, as lark's parser does it.
            while True:
                try:
                    act = states[state][t]
                except KeyError:
                    expected = {x for x in states[state] if x.isupper()}
                    if tok is None:
                        tok = Tok(t, m.group(t), start, end)
                    raise _Unexpected(tok, expected, True) from None
                if act >= 0:
                    ss.append(act)
                    vs.append(tok)
                    state = act
                    break
                size, fn, origin = rules[~act]
                if fn is None:  # `?value` of one child: the child is the value
                    del ss[-1]
                elif size:
                    children = vs[-size:]
                    del ss[-size:]
                    vs[-size:] = (fn(children),)
                else:
                    vs.append(fn([]))
                state = states[ss[-1]][origin]
                ss.append(state)
            prev_type = t
            prev_start = start
            prev_end = end
        if pos < n:
            err = lexer.bad_character(text[:n], pos)  # None: only whitespace is left
            if err is not None:
                raise err
        if prev_type is not None and prev_type != "_NL" and not (stack and stack[-1].json):
            _shift(tables, ss, vs, "_NL", None, Tok("_NL", "", n, n))
        _shift(tables, ss, vs, "$END", None, Tok("$END", "", n, n))
    except _Unexpected as exc:
        last = _prev_tok(text, prev_type, prev_start, prev_end, head)
        if exc.current:
            filt = _FilterState(stack, exc.token, last, closed, head)
        else:
            filt = _FilterState(stack, last, None, closed, head)
        raise _unexpected(text, filt, exc.token, exc.expected) from None
    stmts = vs[-1]
    return ParseResult(stmts if isinstance(stmts, list) else [])


def _prev_tok(text: str, t: str | None, start: int, end: int, head: Any = None) -> Any:
    """The token the filter passed on last, remade from its place (the head word
    itself when it is that)."""
    if t is None:
        return None
    if head is not None and head.start_pos == start:
        return head
    return Tok(t, text[start:end], start, end)


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


def _show_escaped(ch: str) -> str:
    return ch if ch and ch.isprintable() else _show_char(ch or "\n")


_STRINGS = StringSyntax(
    escapes='"\\/bfnrt@',
    controls=r"\x00-\x1f\x7f",
    escape_help='the escapes are \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX and \\@ (a '
    "literal at sign); write a backslash as \\\\",
    show=_show_escaped,
)


def _bad_string(text: str, pos: int) -> DslSyntaxError:
    p = _STRINGS.problem(text, pos)
    return DslSyntaxError(p.message, p.start, p.end, help=p.help)


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


def _unexpected(text: str, filt: _FilterState, tok: Any, expected: set[str]) -> DslSyntaxError:
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
