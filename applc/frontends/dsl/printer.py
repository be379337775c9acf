"""Appliance value -> canonical DSL text.

One layout for every appliance: the statements in the order of the value's keys, the
DSL's short words where the value fits them (`privileged`, `port 0:2181/tcp`,
`resources cpus=1 mem=1024`) and `key = value` for anything else, so that reading the
text back gives an equal JSON value, unknown keys, odd types and duplicates included.
The formatter passes the comments of the file it formats; the converter passes none.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
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
from applc.frontends.dsl.syntax import Pairs

LINE = 100
INDENT = "  "
# Kinds written on one line as `word key=value ...` when they fit.
INLINE_KINDS = frozenset(("resources", "port", "volume", "persistent_volume", "placement"))
# Beyond this depth, generic values are written on one line.
MAX_PRETTY_DEPTH = 24

_PROTOCOL = re.compile(r"[A-Za-z][A-Za-z,]*")
_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f", '"': '\\"'}


def quote(s: str) -> str:
    """A DSL string literal for `s`: JSON's escapes, with `\\@` left as it is."""
    if s.isprintable() and '"' not in s and "\\" not in s:
        return '"' + s + '"'
    out = ['"']
    n = len(s)
    for i, ch in enumerate(s):
        if ch == "\\":
            out.append("\\" if i + 1 < n and s[i + 1] == "@" else "\\\\")
        elif ch in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[ch])
        elif ch.isprintable() and not 0xD800 <= ord(ch) <= 0xDFFF:
            out.append(ch)
        else:
            code = ord(ch)
            if code > 0xFFFF:
                code -= 0x10000
                out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
            else:
                out.append(f"\\u{code:04x}")
    out.append('"')
    return "".join(out)


def key_text(key: str) -> str:
    return key if schema.is_word(key) else quote(key)


def is_scalar(v: Any) -> bool:
    return v is None or isinstance(v, str | int | float)


def atom(v: Any, bare: bool = False) -> str:
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, str):
        return v if bare and schema.is_word(v) else quote(v)
    raise TypeError(f"not a JSON scalar: {type(v).__name__}")


class _Lit(str):
    """A piece of output text on the compact printer's stack."""


def compact(v: Any) -> str:
    """A JSON-like value on one line (iterative: any depth)."""
    out: list[str] = []
    stack: list[Any] = [v]
    while stack:
        x = stack.pop()
        if type(x) is _Lit:
            out.append(x)
        elif isinstance(x, dict):
            items = list(x.items())
            if not items:
                out.append("{}")
                continue
            out.append("{")
            stack.append(_Lit("}"))
            for i in range(len(items) - 1, -1, -1):
                k, val = items[i]
                stack.append(val)
                stack.append(_Lit(quote(k) + ": "))
                if i:
                    stack.append(_Lit(", "))
        elif isinstance(x, list):
            if not x:
                out.append("[]")
                continue
            out.append("[")
            stack.append(_Lit("]"))
            for i in range(len(x) - 1, -1, -1):
                stack.append(x[i])
                if i:
                    stack.append(_Lit(", "))
        else:
            out.append(atom(x))
    return "".join(out)


def _items(obj: dict[str, Any]) -> Iterator[tuple[str, Any, Any]]:
    if isinstance(obj, Pairs):
        yield from ((k, v, a) for (k, v), a in zip(obj.pairs, obj.anchors, strict=True))
    else:
        for k, v in obj.items():
            yield k, v, None


@dataclass
class CommentLine:
    text: str
    blank_before: bool = False
    blank_after: bool = False


@dataclass
class Comments:
    """Comments of a formatted file, by the statement (anchor) they belong to."""

    leading: dict[int, list[CommentLine]] = field(default_factory=dict)
    trailing: dict[int, list[str]] = field(default_factory=dict)
    head: dict[int, list[str]] = field(default_factory=dict)
    dangling: dict[int, list[CommentLine]] = field(default_factory=dict)
    end: list[CommentLine] = field(default_factory=list)
    printed: set[int] = field(default_factory=set)

    def of(self, anchor: Any) -> bool:
        a = id(anchor)
        return anchor is not None and (
            a in self.leading or a in self.trailing or a in self.head or a in self.dangling
        )


class Printer:
    def __init__(self, comments: Comments | None = None) -> None:
        self.c = comments

    # -- comments ----------------------------------------------------------------

    def _has(self, anchor: Any) -> bool:
        return self.c is not None and self.c.of(anchor)

    def _inner_comments(self, obj: Any) -> bool:
        if self.c is None or not isinstance(obj, Pairs):
            return False
        return any(self._has(a) for a in obj.anchors)

    def wrap(
        self, lines: list[str], anchors: list[Any], depth: int, block: bool = False
    ) -> list[str]:
        """Put the comments of `anchors` around the lines of one statement."""
        c = self.c
        if c is None:
            return lines
        ind = INDENT * depth
        before: list[str] = []
        trailing: list[str] = []
        head: list[str] = []
        for a in anchors:
            if a is None:
                continue
            key = id(a)
            for cl in c.leading.get(key, ()):
                if cl.blank_before:
                    before.append("")
                before.append(ind + cl.text)
                if cl.blank_after:
                    before.append("")
            trailing.extend(c.trailing.get(key, ()))
            if block:
                head.extend(c.head.get(key, ()))
            else:
                trailing[:0] = c.head.get(key, ())
            c.printed.add(key)
        if not before and not trailing and not head:
            return lines
        lines = list(lines)
        if head:
            lines[0] += "  " + head[0]
            for extra in head[1:]:
                before.append(ind + extra)
        if trailing:
            lines[-1] += "  " + trailing[-1]
            for extra in trailing[:-1]:
                before.append(ind + extra)
        return before + lines

    def _dangling(self, anchor: Any, depth: int) -> list[str]:
        if self.c is None or anchor is None:
            return []
        out: list[str] = []
        for cl in self.c.dangling.get(id(anchor), ()):
            if cl.blank_before:
                out.append("")
            out.append(INDENT * depth + cl.text)
        return out

    # -- layout ------------------------------------------------------------------

    def appliance(self, value: Any) -> str:
        if not isinstance(value, dict):
            raise TypeError(
                "the DSL writes an appliance object; this JSON value is "
                f"{'an array' if isinstance(value, list) else 'not an object'}"
            )
        lines = self.body(value, "appliance", 0)
        if self.c is not None and self.c.end:
            if lines:
                lines.append("")
            for cl in self.c.end:
                if cl.blank_before and lines and lines[-1] != "":
                    lines.append("")
                lines.append(cl.text)
        while lines and lines[-1] == "":
            lines.pop()
        return "\n".join(lines) + "\n" if lines else ""

    def body(self, obj: dict[str, Any], kind: str | None, depth: int) -> list[str]:
        chunks: list[list[str]] = []
        seen: set[str] = set()
        for key, val, anchor in _items(obj):
            chunks.extend(self.field(kind, key, val, anchor, depth, key in seen))
            seen.add(key)
        return self.join(chunks, depth == 0)

    @staticmethod
    def join(chunks: list[list[str]], top: bool) -> list[str]:
        lines: list[str] = []
        prev_multi = False
        for ch in chunks:
            multi = sum(1 for line in ch if line) > 1
            if lines and top and (multi or prev_multi) and lines[-1] != "":
                lines.append("")
            for line in ch:
                if line == "" and (not lines or lines[-1] == ""):
                    continue
                lines.append(line)
            prev_multi = multi
        while lines and lines[-1] == "":
            lines.pop()
        return lines

    def block(self, head: str, inner: list[str], anchors: list[Any], depth: int) -> list[str]:
        ind = INDENT * depth
        dangling: list[str] = []
        for a in anchors:
            dangling.extend(self._dangling(a, depth + 1))
        if inner and dangling and dangling[0] == "":
            pass
        elif dangling and dangling[0] == "":
            dangling = dangling[1:]
        body = inner + dangling
        if not body:
            return self.wrap([f"{ind}{head} {{}}"], anchors, depth, block=True)
        return self.wrap([f"{ind}{head} {{", *body, f"{ind}}}"], anchors, depth, block=True)

    def field(
        self, kind: str | None, key: str, val: Any, anchor: Any, depth: int, again: bool = False
    ) -> list[list[str]]:
        """The statements of one key. A key given `again` (a duplicate) is never written
        with a statement that adds to a list (`port`, `service`, `ignore`, ...), which
        would add to the first one instead of replacing it."""
        form = schema.PRINTED.get(kind, {}).get(key) if kind is not None else None
        if form is not None and not (again and form.shape in (ELEMENT, IGNORE)):
            chunks = self.sugar(form, key, val, anchor, depth)
            if chunks is not None:
                return chunks
        return [self.wrap(self.generic(key, val, depth), [anchor], depth)]

    def generic(self, key: str, val: Any, depth: int) -> list[str]:
        return self.value_lines(val, f"{key_text(key)} = ", depth)

    def value_lines(self, v: Any, prefix: str, depth: int) -> list[str]:
        ind = INDENT * depth
        text = compact(v)
        if (
            len(ind) + len(prefix) + len(text) <= LINE
            or not v
            or not isinstance(v, dict | list)
            or depth >= MAX_PRETTY_DEPTH
        ):
            return [ind + prefix + text]
        inner: list[list[str]] = []
        if isinstance(v, dict):
            for k, item in v.items():
                inner.append(self.value_lines(item, quote(k) + ": ", depth + 1))
            opener, closer = "{", "}"
        else:
            for item in v:
                inner.append(self.value_lines(item, "", depth + 1))
            opener, closer = "[", "]"
        lines = [ind + prefix + opener]
        for i, sub in enumerate(inner):
            if i < len(inner) - 1:
                sub[-1] += ","
            lines.extend(sub)
        lines.append(ind + closer)
        return lines

    # -- the DSL's forms ---------------------------------------------------------

    def sugar(
        self, form: Form, key: str, val: Any, anchor: Any, depth: int
    ) -> list[list[str]] | None:
        ind = INDENT * depth
        shape = form.shape
        if shape == SCALAR:
            if not is_scalar(val):
                return None
            return [self.wrap([f"{ind}{form.word} {atom(val, form.bare)}"], [anchor], depth)]
        if shape == FLAG:
            if val is True:
                return [self.wrap([f"{ind}{form.word}"], [anchor], depth)]
            if not is_scalar(val):
                return None
            return [self.wrap([f"{ind}{form.word} {atom(val, form.bare)}"], [anchor], depth)]
        if shape == LIST:
            if not isinstance(val, list) or not val or not all(is_scalar(x) for x in val):
                return None
            line = ind + form.word + " " + " ".join(atom(x, form.bare) for x in val)
            if len(line) > LINE:
                return None
            return [self.wrap([line], [anchor], depth)]
        if shape in (OBJECT_FORM, MAP):
            if not isinstance(val, dict):
                return None
            return [
                self.object(
                    form.word,
                    form.kind if shape == OBJECT_FORM else None,
                    val,
                    [anchor],
                    depth,
                    inline_ok=form.kind in INLINE_KINDS,
                )
            ]
        if shape == ELEMENT:
            if not isinstance(val, list) or not val or not all(isinstance(e, dict) for e in val):
                return None
            chunks = [self.element(form, e, depth) for e in val]
            if anchor is not None and self._has(anchor):
                chunks[0] = self.wrap(chunks[0], [anchor], depth)
            return chunks
        if shape == IGNORE:
            if not isinstance(val, dict) or not val or not all(is_scalar(x) for x in val.values()):
                return None
            out: list[list[str]] = []
            for k, reason, a in _items(val):
                sel = k if schema.is_word(k) else quote(k)
                out.append(self.wrap([f"{ind}ignore {sel} {atom(reason)}"], [a], depth))
            if anchor is not None and self._has(anchor):
                out[0] = self.wrap(out[0], [anchor], depth)
            return out
        return None  # pragma: no cover

    def object(
        self,
        word: str,
        kind: str | None,
        obj: dict[str, Any],
        anchors: list[Any],
        depth: int,
        inline_ok: bool,
        positional: str = "",
        skip: frozenset[int] = frozenset(),
    ) -> list[str]:
        """`word [positional] key=value ...` on one line when allowed and it fits, else
        `word [positional] { statements }`."""
        ind = INDENT * depth
        head = word + positional
        items = [it for i, it in enumerate(_items(obj)) if i not in skip]
        if inline_ok and not self._inner_comments(obj) and all(is_scalar(v) for _, v, _ in items):
            parts = [head]
            for k, v, _ in items:
                parts.append(f"{key_text(k)}={atom(v, _bare(kind, k))}")
            line = ind + " ".join(parts)
            if items and len(line) <= LINE:
                return self.wrap([line], anchors, depth)
            if not items and positional:
                return self.wrap([ind + head], anchors, depth)
        chunks: list[list[str]] = []
        seen = {k for i, (k, _, _) in enumerate(_items(obj)) if i in skip}
        for k, v, a in items:
            chunks.extend(self.field(kind, k, v, a, depth + 1, k in seen))
            seen.add(k)
        return self.block(head, self.join(chunks, False), anchors, depth)

    def element(self, form: Form, e: dict[str, Any], depth: int) -> list[str]:
        kind = form.kind or ""
        anchor = e.anchor if isinstance(e, Pairs) else None
        items = list(_items(e))
        first: dict[str, int] = {}
        for i, (k, _, _) in enumerate(items):
            first.setdefault(k, i)
        consumed: set[int] = set()
        extra: list[Any] = []  # anchors of pairs written in the header

        def take(k: str) -> Any:
            i = first[k]
            consumed.add(i)
            extra.append(items[i][2])
            return items[i][1]

        word = form.word
        positional = ""
        if kind == "container":
            t = items[first["type"]][1] if "type" in first else None
            word = t if t in ("service", "job") else "container"
            if word != "container":
                take("type")
            if "id" in first and is_scalar(items[first["id"]][1]):
                positional = " " + atom(take("id"), True)
            return self.object(
                word, kind, e, [anchor, *extra], depth, False, positional, frozenset(consumed)
            )
        if kind == "port":
            cp = items[first["container_port"]][1] if "container_port" in first else None
            if type(cp) is int and cp >= 0:
                spec = str(take("container_port"))
                hp = items[first["host_port"]][1] if "host_port" in first else None
                if type(hp) is int and hp >= 0:
                    spec = f"{take('host_port')}:{spec}"
                proto = items[first["protocol"]][1] if "protocol" in first else None
                if isinstance(proto, str) and _PROTOCOL.fullmatch(proto):
                    spec = f"{spec}/{take('protocol')}"
                positional = " " + spec
        elif kind == "volume":
            if (
                "src" in first
                and "dest" in first
                and all(is_scalar(items[first[k]][1]) for k in ("src", "dest"))
            ):
                src, dest = take("src"), take("dest")
                positional = f" {atom(src)} {atom(dest)}"
        elif kind == "persistent_volume" and "id" in first and is_scalar(items[first["id"]][1]):
            positional = " " + atom(take("id"), True)
        return self.object(
            word, kind, e, [anchor, *extra], depth, True, positional, frozenset(consumed)
        )


def _bare(kind: str | None, key: str) -> bool:
    if kind is None:
        return False
    form = schema.PRINTED.get(kind, {}).get(key)
    return form is not None and form.bare


def to_dsl(value: Any, comments: Comments | None = None) -> str:
    """The canonical DSL text of an appliance value (a dict, or `Pairs` to keep
    duplicate keys)."""
    return Printer(comments).appliance(value)
