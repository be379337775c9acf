"""Statements -> the appliance's JSON value, and where each part of it is in the text.

The builder reads each statement with the form the field table gives its head word
(schema.py) and writes the JSON value the equivalent JSON file would have, key by key
in the order of the text. Beside the value it builds a tree of positions (`Node`) that
the locator walks to answer "where is /containers/2/image?".

With `pairs=True` objects are `Pairs`, which keep duplicate keys and the statement each
key came from: the converter and the formatter print from them, so that nothing the
text says is lost, duplicates included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from applc.frontends.dsl import schema
from applc.frontends.dsl.schema import (
    ELEMENT,
    FLAG,
    IGNORE,
    LIST,
    MAP,
    OBJECT_FORM,
    SCALAR,
    Form,
)
from applc.frontends.dsl.syntax import (
    BARE,
    PLAIN,
    Assign,
    DslSyntaxError,
    Leaf,
    Node,
    Pair,
    Pairs,
    PosNode,
    Stmt,
    atom,
    key_text,
)
from applc.model.fields import IGNORE_KEY
from applc.source import escape_token

_PORT = re.compile(r"(?:([0-9]+):)?([0-9]+)(?:/(.+))?")


class _Obj:
    """An object being built: its value, its position node, and open accumulators."""

    __slots__ = ("value", "node", "acc", "ptr")

    def __init__(self, value: Any, node: Node, ptr: str) -> None:
        self.value = value
        self.node = node
        self.acc: dict[str, tuple[str, Any]] = {}
        self.ptr = ptr


@dataclass
class Duplicate:
    pointer: str
    key: str


@dataclass
class BuildResult:
    value: Any
    root: Node
    errors: list[DslSyntaxError] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)


def _range(tok: Any) -> tuple[int, int]:
    return tok.start_pos, tok.end_pos


def _node_range(n: PosNode) -> tuple[int, int]:
    if type(n) is Node:
        return n.start, n.end  # type: ignore[union-attr]
    return n[0], n[1]  # type: ignore[index]


class Builder:
    def __init__(self, pairs: bool = False) -> None:
        self.pairs = pairs
        self.errors: list[DslSyntaxError] = []
        self.duplicates: list[Duplicate] = []

    # -- objects -----------------------------------------------------------------

    def new_obj(self, start: int, end: int, ptr: str) -> _Obj:
        return _Obj(Pairs() if self.pairs else {}, Node(start, end, {}, {}), ptr)

    def put(
        self, o: _Obj, key: str, value: Any, node: PosNode, krange: tuple[int, int], anchor: Any
    ) -> None:
        kids = o.node.kids
        if key in kids:
            keys = o.node.keys
            if o.node.first is None:
                o.node.first = {}
            o.node.first.setdefault(key, keys[key])  # type: ignore[index]
            self.duplicates.append(Duplicate(o.ptr + "/" + escape_token(key), key))
            o.acc.pop(key, None)
        kids[key] = node
        o.node.keys[key] = krange  # type: ignore[index]
        if self.pairs:
            o.value.add(key, value, anchor)
        else:
            o.value[key] = value

    def generic(
        self, o: _Obj, key: str, value: Any, node: PosNode, krange: tuple[int, int], anchor: Any
    ) -> None:
        if type(node) is Node and node.dups:  # type: ignore[union-attr]
            value = self._generic_duplicates(value, node, o.ptr + "/" + escape_token(key))  # type: ignore[arg-type]
        self.put(o, key, value, node, krange, anchor)

    def _generic_duplicates(self, value: Any, node: Node, ptr: str) -> Any:
        """Report duplicate keys inside a JSON-like value; outside pairs mode, make
        every object a plain dict again."""
        out = value
        if not self.pairs and isinstance(value, Pairs):
            out = dict(value)
        stack: list[tuple[Any, Node, str]] = [(out, node, ptr)]
        while stack:
            v, n, p = stack.pop()
            if isinstance(v, dict):
                if n.first:
                    for k in n.first:
                        self.duplicates.append(Duplicate(p + "/" + escape_token(k), k))
                for k, child in n.kids.items():
                    if type(child) is Node and child.dups:
                        cv = v[k]
                        if not self.pairs and isinstance(cv, Pairs):
                            cv = dict(cv)
                            v[k] = cv
                        stack.append((cv, child, p + "/" + escape_token(k)))
            elif isinstance(v, list):
                for i, child in enumerate(n.kids):
                    if type(child) is Node and child.dups:
                        cv = v[i]
                        if not self.pairs and isinstance(cv, Pairs):
                            cv = dict(cv)
                            v[i] = cv
                        stack.append((cv, child, f"{p}/{i}"))
        return out

    def accumulate(
        self, o: _Obj, key: str, group: str, krange: tuple[int, int], start: int, make_object: bool
    ) -> Any:
        """The list (or object, for `ignore`) that statements of `group` add to."""
        acc = o.acc.get(key)
        if acc is not None and acc[0] == group:
            return acc[1]
        target: Any
        if make_object:
            target = self.new_obj(start, start, o.ptr + "/" + escape_token(key))
            self.put(o, key, target.value, target.node, krange, None)
        else:
            target = ([], Node(start, start, [], None))
            self.put(o, key, target[0], target[1], krange, None)
        o.acc[key] = (group, target)
        return target

    # -- statements --------------------------------------------------------------

    def error(
        self,
        message: str,
        start: int,
        end: int,
        help: str | None = None,
        notes: tuple[str, ...] = (),
    ) -> None:
        self.errors.append(DslSyntaxError(message, start, end, help, notes))

    def statements(self, stmts: list[Any], kind: str | None, o: _Obj) -> None:
        forms = schema.FORMS.get(kind) if kind is not None else None
        for s in stmts:
            if type(s) is Assign:
                self.generic(o, key_text(s.head), s.value, s.node, _range(s.head), s)
                continue
            word = key_text(s.head)
            if forms is None:
                self.error(
                    "entries of this block are written `NAME = value`",
                    s.head.start_pos,
                    s.head.end_pos,
                    help=f"write `{word} = ...`",
                )
                continue
            form = forms.get(word)
            if form is None:
                self._unknown(s, word, kind or "")
                continue
            try:
                self.statement(s, form, o)
            except DslSyntaxError as exc:
                self.errors.append(exc)

    def _unknown(self, s: Stmt, word: str, kind: str) -> None:
        guess = schema.suggestions(kind, word)
        what = schema.WHAT.get(kind, f"`{kind}`")
        help = f"did you mean `{guess}`?" if guess else None
        shown = word if schema.is_word(word) else f'"{word}"'
        self.error(
            f"unknown field `{word}` in {what}",
            s.head.start_pos,
            s.head.end_pos,
            help=help,
            notes=(f"a key that applc does not know is written `{shown} = value`",),
        )

    def statement(self, s: Stmt, form: Form, o: _Obj) -> None:
        shape = form.shape
        head = s.head
        args = s.args
        if (
            shape in (SCALAR, FLAG)
            and len(args) == 1
            and s.block is None
            and type(args[0]) is not Pair
        ):
            # the most frequent statement, `word value`: what the general path below
            # does for it, without its checks
            v, n = atom(args[0])
            self.put(o, form.key, v, n, (head.start_pos, head.end_pos), s)
            return
        if shape == ELEMENT:
            self.element(s, form, o)
            return
        if shape == IGNORE:
            self.ignore(s, o)
            return
        positional = [a for a in s.args if type(a) is not Pair]
        if shape in (OBJECT_FORM, MAP):
            if positional:
                a = positional[0]
                raise DslSyntaxError(
                    f"`{form.word}` takes `key=value` pairs or a block, not a value",
                    a.start_pos,
                    a.end_pos,
                    help=f"write `{form.word} {{ ... }}` or `{form.word} = ...`",
                )
            start = (
                s.args[0].start
                if s.args
                else (s.block.open.start_pos if s.block is not None else head.start_pos)
            )
            end = s.end if (s.args or s.block is not None) else head.end_pos
            inner = self.new_obj(start, end, o.ptr + "/" + escape_token(form.key))
            self.pairs_into(s, inner)
            if s.block is not None:
                self.statements(s.block.stmts, form.kind if shape == OBJECT_FORM else None, inner)
            self.put(o, form.key, inner.value, inner.node, _range(head), s)
            return
        self._no_block(s, form)
        if len(positional) != len(s.args):
            p = next(a for a in s.args if type(a) is Pair)
            raise DslSyntaxError(
                f"`{form.word}` takes {'values' if shape == LIST else 'a value'}, "
                "not `key=value` pairs",
                p.start,
                p.end,
                help=f"write `{form.word} = {{...}}` to give it an object",
            )
        if shape == LIST:
            values: list[Any] = []
            kids: list[PosNode] = []
            for a in positional:
                v, n = atom(a)
                values.append(v)
                kids.append(n)
            if kids:
                node = Node(kids[0][0], kids[-1][1], kids, None)  # type: ignore[index]
            else:
                node = Node(head.start_pos, head.end_pos, kids, None)
            self.put(o, form.key, values, node, _range(head), s)
            return
        if shape == FLAG and not positional:
            self.put(o, form.key, True, (head.start_pos, head.end_pos, PLAIN), _range(head), s)
            return
        if len(positional) != 1:
            if not positional:
                raise DslSyntaxError(
                    f"`{form.word}` needs a value",
                    head.start_pos,
                    head.end_pos,
                    help=_value_help(form),
                )
            a = positional[1]
            raise DslSyntaxError(
                f"`{form.word}` takes one value",
                a.start_pos,
                positional[-1].end_pos,
                help=f"write the whole value in double quotes, or `{form.word} = [...]` for a list",
            )
        v, n = atom(positional[0])
        self.put(o, form.key, v, n, _range(head), s)

    def _no_block(self, s: Stmt, form: Form) -> None:
        if s.block is not None:
            raise DslSyntaxError(
                f"`{form.word}` takes no block",
                s.block.open.start_pos,
                s.block.open.end_pos,
                help=f"write `{form.word} = {{...}}` for an object",
            )

    def pairs_into(self, s: Stmt, o: _Obj) -> None:
        for a in s.args:
            if type(a) is Pair:
                self.generic(o, key_text(a.key), a.value, a.node, _range(a.key), None)

    def element(self, s: Stmt, form: Form, o: _Obj) -> None:
        head = s.head
        ekind = form.kind or ""
        group = "containers" if ekind == "container" else form.word
        lst, lnode = self.accumulate(o, form.key, group, _range(head), s.start, False)
        index = len(lst)
        e = self.new_obj(s.start, s.end, f"{o.ptr}/{escape_token(form.key)}/{index}")
        positional = [a for a in s.args if type(a) is not Pair]
        if ekind == "container":
            if len(positional) > 1:
                a = positional[1]
                raise DslSyntaxError(
                    f"`{form.word}` takes one id",
                    a.start_pos,
                    a.end_pos,
                    help=f"write `{form.word} NAME {{ ... }}`; quote an id with spaces",
                )
            if positional:
                v, n = atom(positional[0])
                self.put(e, "id", v, n, _range(positional[0]), None)
            if form.element_type is not None:
                self.put(
                    e,
                    "type",
                    form.element_type,
                    (head.start_pos, head.end_pos, PLAIN),
                    _range(head),
                    None,
                )
        elif ekind == "port":
            if len(positional) > 1:
                a = positional[1]
                raise DslSyntaxError(
                    "`port` takes one port",
                    a.start_pos,
                    a.end_pos,
                    help="write one `port` statement for each port",
                )
            if positional:
                self._port_spec(positional[0], e)
        elif ekind == "volume":
            if len(positional) not in (0, 2):
                a = positional[-1]
                raise DslSyntaxError(
                    "`volume` takes a source and a destination",
                    a.start_pos,
                    a.end_pos,
                    help='write `volume SOURCE DEST`, e.g. `volume pgdata "/var/lib/data"`',
                )
            if positional:
                for key, tok in zip(("src", "dest"), positional, strict=True):
                    v, n = atom(tok)
                    self.put(e, key, v, n, _range(tok), None)
        else:  # a persistent volume: its id
            if len(positional) > 1:
                a = positional[1]
                raise DslSyntaxError("`volume` takes one id", a.start_pos, a.end_pos)
            if positional:
                v, n = atom(positional[0])
                self.put(e, "id", v, n, _range(positional[0]), None)
        self.pairs_into(s, e)
        if s.block is not None:
            self.statements(s.block.stmts, ekind, e)
        if self.pairs:
            e.value.anchor = s
        if not lst:
            lnode.start = s.start
        lst.append(e.value)
        lnode.kids.append(e.node)
        lnode.end = s.end

    def _port_spec(self, tok: Any, e: _Obj) -> None:
        if tok.type == "NUMBER":
            v, n = atom(tok)
            self.put(e, "container_port", v, n, _range(tok), None)
            return
        if tok.type != "PORT":
            raise DslSyntaxError(
                f"expected a port such as `8080`, `8080/tcp` or `80:8080/tcp`, found `{tok}`",
                tok.start_pos,
                tok.end_pos,
                help="write `port container_port=...` for a value of another type",
            )
        m = _PORT.fullmatch(str(tok))
        if m is None:  # pragma: no cover - the token's pattern guarantees a match
            raise DslSyntaxError(f"invalid port `{tok}`", tok.start_pos, tok.end_pos)
        base = tok.start_pos
        cp_start, cp_end = m.span(2)
        self.put(
            e,
            "container_port",
            _port_int(m.group(2), tok),
            (base + cp_start, base + cp_end, PLAIN),
            (base + cp_start, base + cp_end),
            None,
        )
        if m.group(1) is not None:
            a, b = m.span(1)
            self.put(
                e,
                "host_port",
                _port_int(m.group(1), tok),
                (base + a, base + b, PLAIN),
                (base + a, base + b),
                None,
            )
        if m.group(3) is not None:
            a, b = m.span(3)
            self.put(
                e, "protocol", m.group(3), (base + a, base + b, BARE), (base + a, base + b), None
            )

    def ignore(self, s: Stmt, o: _Obj) -> None:
        self._no_block(s, schema.FORMS["appliance"]["ignore"])
        if len(s.args) != 2 or any(type(a) is Pair for a in s.args):
            raise DslSyntaxError(
                "`ignore` takes a rule and a reason",
                s.head.start_pos,
                s.end,
                help='write `ignore APL301 "why this is fine"`',
            )
        sel, reason = s.args
        if sel.type not in ("WORD", "STRING"):
            raise DslSyntaxError(
                "expected a rule code or name such as `APL301`", sel.start_pos, sel.end_pos
            )
        target = self.accumulate(o, IGNORE_KEY, "ignore", _range(s.head), s.start, True)
        v, n = atom(reason)
        self.put(target, key_text(sel), v, n, _range(sel), s)
        if target.node.start == target.node.end:
            target.node.start = s.start
        target.node.end = s.end


def _port_int(digits: str, tok: Any) -> int:
    if len(digits) > 4300:
        raise DslSyntaxError("port number is too long", tok.start_pos, tok.end_pos)
    return int(digits)


def _value_help(form: Form) -> str:
    examples = {
        "image": 'image "nginx:1.25.3"',
        "cmd": "cmd \"nginx -g 'daemon off;'\"",
        "network": "network BRIDGE",
        "appliance": "appliance my-app",
    }
    return "write " + "`" + examples.get(form.word, f"{form.word} VALUE") + "`"


def build(stmts: list[Any], text_length: int, pairs: bool = False) -> BuildResult:
    b = Builder(pairs)
    if stmts:
        start, end = stmts[0].start, stmts[-1].end
    else:
        start = end = 0
    root = b.new_obj(start, end, "")
    b.statements(stmts, "appliance", root)
    return BuildResult(root.value, root.node, b.errors, b.duplicates)


__all__ = ["BuildResult", "Builder", "Duplicate", "Leaf", "build"]
