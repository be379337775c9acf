"""The one `@` reference tokenizer, shared by lint and build so they never disagree.

PIVOT rewrites `@<id>` in `cmd`, `args`, `env` values and COMMAND health checks into the
DNS name of container `<id>`. An id is a run of `[A-Za-z0-9-]` and ends at any other
character. `\\@` (a backslash before the at sign, `"\\\\@"` in JSON source) is a literal
`@`. Unlike PIVOT, applc finds a reference at the very start of a string and every
reference when a string has several.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Final

from applc.patterns import lazy
from applc.records import Value

ID_CHARS = re.compile(r"[A-Za-z0-9-]+")
_AT = re.compile(r"\\@|@")
# What an e-mail address looks like around its `@`: a local part right before it and a
# dotted domain after it.
_LOCAL_PART_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._%+-")
_EMAIL_DOMAIN = lazy(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![A-Za-z0-9-])")


class Reference(Value):
    """`@id` at text[start:end]; the id is text[start + 1:end]."""

    __slots__ = ("id", "start", "end", "email_like")
    FIELDS = __slots__
    id: Final[str]
    start: Final[int]
    end: Final[int]
    email_like: Final[bool]

    def __init__(self, id: str, start: int, end: int, email_like: bool = False) -> None:
        self.id = id
        self.start = start
        self.end = end
        self.email_like = email_like


class StrayAt(Value):
    """An `@` with no id after it: kept as a literal `@` by PIVOT and by applc."""

    __slots__ = ("index",)
    FIELDS = __slots__
    index: Final[int]

    def __init__(self, index: int) -> None:
        self.index = index


class Escape(Value):
    """`\\@` at text[index:index + 2]: a literal `@`."""

    __slots__ = ("index",)
    FIELDS = __slots__
    index: Final[int]

    def __init__(self, index: int) -> None:
        self.index = index


Token = Reference | StrayAt | Escape


def tokenize(text: str) -> Iterator[Token]:
    if "@" not in text:
        return
    for m in _AT.finditer(text):
        i = m.start()
        if m.group() == "\\@":
            yield Escape(i)
            continue
        idm = ID_CHARS.match(text, i + 1)
        if idm is None:
            yield StrayAt(i)
            continue
        # Only the character before the `@` matters: looking further back would make
        # a long string with many references quadratic.
        # A domain has a dot right after its first label, which is what ID_CHARS took:
        # checking that first spares the domain pattern's backtracking over long ids.
        email = (
            i > 0
            and text[i - 1] in _LOCAL_PART_CHARS
            and text.startswith(".", idm.end())
            and bool(_EMAIL_DOMAIN.match(text, i + 1))
        )
        yield Reference(idm.group(), i, idm.end(), email)


def references(text: str) -> list[Reference]:
    return [t for t in tokenize(text) if isinstance(t, Reference)]


def rewrite(text: str, name_of: Callable[[str], str]) -> str:
    """Replace each `@id` with `name_of(id)` and each `\\@` with `@`; keep the rest."""
    if "@" not in text:
        return text
    out: list[str] = []
    pos = 0
    for tok in tokenize(text):
        if isinstance(tok, Reference):
            out.append(text[pos : tok.start])
            out.append(name_of(tok.id))
            pos = tok.end
        elif isinstance(tok, Escape):
            out.append(text[pos : tok.index])
            out.append("@")
            pos = tok.index + 2
    out.append(text[pos:])
    return "".join(out)


def unescape(text: str) -> str:
    """The text as written, with escapes resolved and references left as `@id`."""
    return rewrite(text, lambda cid: "@" + cid)
