"""Where the cursor is in JSON text that may be broken, for completion while typing.

A document being edited is often not valid JSON (`{"id": "web", "im|`), so completion
cannot rely on the parsed value. This scanner reads the text up to the cursor and never
fails: it tracks the stack of open objects and arrays, the key being filled in each
object, and whether the cursor sits in a key, in a value, or inside a string.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Literal

_WORD = re.compile(r"[^\s,:\[\]{}\"]+")

Where = Literal["key", "value", "key-string", "value-string", "other"]


@dataclass
class Frame:
    opener: str  # "{" or "["
    token: str | int | None  # how the parent reaches this container (None for the root)
    expect: str = "key"  # object: key, colon, value, comma; array: value, comma
    key: str | None = None  # object: the key whose value comes next
    index: int = 0  # array: the index of the current element
    keys: list[str] = field(default_factory=list)
    strings: dict[str, str] = field(default_factory=dict)  # simple string members


@dataclass
class Cursor:
    where: Where
    path: list[str | int]  # tokens from the root to the innermost open container
    frame: Frame | None  # that container
    string_start: int | None = None  # offset of the opening quote when inside a string
    partial: str = ""  # the decoded text of that string up to the cursor

    @property
    def in_object(self) -> bool:
        return self.frame is not None and self.frame.opener == "{"

    @property
    def member(self) -> str | int | None:
        """The key (object) or index (array) of the value at the cursor."""
        if self.frame is None:
            return None
        return self.frame.key if self.frame.opener == "{" else self.frame.index

    @property
    def value_path(self) -> list[str | int]:
        """The path of the value being written at the cursor."""
        m = self.member
        return self.path + [m] if m is not None else list(self.path)


def decode_partial(raw: str) -> str:
    """Decode the body of a JSON string that may end in the middle of an escape."""
    for cut in range(0, min(len(raw), 6) + 1):
        body = raw[: len(raw) - cut] if cut else raw
        try:
            value: str = json.loads('"' + body + '"')
            return value
        except (ValueError, RecursionError):
            continue
    return raw


def cursor_at(text: str, offset: int) -> Cursor:
    stack: list[Frame] = []
    i = 0
    n = min(offset, len(text))
    while i < n:
        ch = text[i]
        if ch in " \t\r\n":
            i += 1
            continue
        top = stack[-1] if stack else None
        if ch == '"':
            j = i + 1
            while j < n:
                c = text[j]
                if c == "\\":
                    j += 2
                    continue
                if c == '"':
                    break
                j += 1
            if j >= n:  # the cursor is inside this string
                raw = text[i + 1 : n]
                where: Where = (
                    "key-string"
                    if top is not None and top.opener == "{" and top.expect == "key"
                    else "value-string"
                )
                return Cursor(where, _path(stack), top, i, decode_partial(raw))
            s = decode_partial(text[i + 1 : j])
            if top is not None and top.opener == "{":
                if top.expect == "key":
                    top.key = s
                    top.keys.append(s)
                    top.expect = "colon"
                else:
                    if top.key is not None:
                        top.strings[top.key] = s
                    top.expect = "comma"
            elif top is not None:
                top.expect = "comma"
            i = j + 1
            continue
        if ch in "{[":
            token: str | int | None
            if top is None:
                token = None
            elif top.opener == "{":
                token = top.key
                top.expect = "comma"
            else:
                token = top.index
                top.expect = "comma"
            stack.append(Frame(ch, token, "key" if ch == "{" else "value"))
            i += 1
            continue
        if ch in "}]":
            if stack:
                stack.pop()
            i += 1
            continue
        if ch == ":":
            if top is not None and top.opener == "{":
                top.expect = "value"
            i += 1
            continue
        if ch == ",":
            if top is not None:
                if top.opener == "{":
                    top.expect = "key"
                    top.key = None
                else:
                    top.index += 1
                    top.expect = "value"
            i += 1
            continue
        m = _WORD.match(text, i, n)
        if m is None:
            i += 1
            continue
        if top is not None:
            top.expect = "comma" if top.opener == "[" or top.expect == "value" else top.expect
        i = m.end()
    top = stack[-1] if stack else None
    if top is None:
        return Cursor("other", [], None)
    if top.opener == "{":
        where = "key" if top.expect == "key" else "value" if top.expect == "value" else "other"
    else:
        where = "value" if top.expect == "value" else "other"
    return Cursor(where, _path(stack), top)


def _path(stack: list[Frame]) -> list[str | int]:
    out: list[str | int] = []
    for f in stack[1:]:
        if f.token is not None:
            out.append(f.token)
    return out
