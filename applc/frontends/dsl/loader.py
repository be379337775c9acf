"""The DSL front end: bytes -> Document, like the JSON front end."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from applc.diagnostics import Finding, Label, Loc
from applc.frontends.document import Document
from applc.frontends.dsl.syntax import DslSyntaxError, Node
from applc.frontends.json_scanner import MAX_DEPTH
from applc.source import Source, Span

LANGUAGE = "dsl"


@dataclass
class Parsed:
    """A DSL text read: the value (None when unreadable), its positions, its comments."""

    value: Any
    root: Node | None
    stmts: list[Any] = field(default_factory=list)
    comments: list[Any] = field(default_factory=list)
    errors: list[DslSyntaxError] = field(default_factory=list)
    duplicates: list[Any] = field(default_factory=list)


def parse_dsl(text: str, pairs: bool = False) -> Parsed:
    """Parse and build; never raises for any input text. Comments are collected only
    with `pairs` (for the formatter)."""
    from applc.frontends.json_loader import gc_paused

    with gc_paused():
        return _parse_dsl(text, pairs)


def _read_dsl(text: str) -> Parsed:
    """`parse_dsl` for `load_dsl_text`, which needs no statements: they are freed before
    garbage collection resumes, so that its first pass does not walk them all."""
    from applc.frontends.json_loader import gc_paused

    with gc_paused():
        return _parse_dsl(text, False, keep_stmts=False)


def _parse_dsl(text: str, pairs: bool, keep_stmts: bool = True) -> Parsed:
    from applc.frontends.dsl.builder import build
    from applc.frontends.dsl.parser import comments, parse
    from applc.source import lone_cr_as_lf

    # A file with CR line breaks reads as JSON's does (they are line breaks there too):
    # the same length, so offsets into the file stay right.
    text = lone_cr_as_lf(text)

    try:
        parsed = parse(text)
    except DslSyntaxError as exc:
        return Parsed(None, None, errors=[exc])
    except RecursionError:  # pragma: no cover - the filter caps nesting
        return Parsed(
            None, None, errors=[DslSyntaxError(f"nesting deeper than {MAX_DEPTH} levels", 0, 0)]
        )
    result = build(parsed.stmts, len(text), pairs)
    stmts = parsed.stmts if keep_stmts else []
    del parsed
    found = comments(text) if pairs else []
    if result.errors:
        return Parsed(None, result.root, stmts, found, result.errors)
    deep = _too_deep(result.root)
    if deep is not None:
        return Parsed(
            None,
            result.root,
            stmts,
            found,
            [
                DslSyntaxError(
                    f"nesting deeper than {MAX_DEPTH} levels",
                    deep,
                    deep + 1,
                    help="applc reads at most this many nested objects and lists",
                )
            ],
        )
    return Parsed(result.value, result.root, stmts, found, [], result.duplicates)


def _too_deep(root: Node) -> int | None:
    """The start of a node nested deeper than MAX_DEPTH (the JSON front end's cap)."""
    stack: list[tuple[Node, int]] = [(root, 1)]
    while stack:
        n, depth = stack.pop()
        if depth > MAX_DEPTH:
            return n.start
        kids = n.kids.values() if isinstance(n.kids, dict) else n.kids
        for k in kids:
            if type(k) is Node:
                stack.append((k, depth + 1))
    return None


def load_dsl_text(path: str, text: str, findings: list[Finding] | None = None) -> Document:
    from applc.frontends.json_loader import gc_paused
    from applc.source import lone_cr_as_lf

    findings = list(findings or [])
    # The fast reader takes the files that read cleanly, with positions found when a
    # finding needs one; the full road below takes the rest and explains mistakes.
    from applc.frontends.dsl.fast import read

    lf_text = lone_cr_as_lf(text)
    with gc_paused():
        fast = read(lf_text)
    if fast is not None:
        from applc.frontends.dsl.locator import LazyDslLocator

        source = Source(path, text, LazyDslLocator(lf_text, fast.tops))
        return Document(source, fast.value, findings, LANGUAGE)
    del lf_text
    from applc.frontends.dsl.locator import DslLocator

    parsed = _read_dsl(text)
    locator = DslLocator(text, parsed.root) if parsed.root is not None else None
    source = Source(path, text, locator)
    if parsed.errors:
        for err in parsed.errors:
            findings.append(
                Finding(
                    "APL001",
                    Loc(""),
                    err.message,
                    help=err.help,
                    notes=err.notes,
                    span=source.span(err.start, max(err.end, err.start)),
                )
            )
        return Document(source, None, findings, LANGUAGE)
    for dup in parsed.duplicates:
        findings.append(
            Finding(
                "APL002",
                Loc(dup.pointer, "key"),
                f"duplicate key `{dup.key}`: the later value wins and the earlier is lost",
                help="remove one of the two entries",
                labels=(Label(Loc(dup.pointer, "first_key"), "first defined here"),),
            )
        )
    return Document(source, parsed.value, findings, LANGUAGE)


def reload_dsl_text(path: str, text: str, previous: Document) -> Document | None:
    """`load_dsl_text(path, text)` for an edit of the text of `previous`: when the fast
    reader read `previous` and the edit stays inside one top-level statement (a
    container, typically), only that statement is read again; None otherwise. The
    language server calls it on every keystroke."""
    from applc.frontends.dsl.fast import Fast, reread
    from applc.frontends.dsl.locator import LazyDslLocator
    from applc.source import lone_cr_as_lf

    old = previous.source.locator
    if not isinstance(old, LazyDslLocator) or previous.value is None or previous.findings:
        return None
    if text.startswith("\ufeff") or text[:4] != previous.source.text[:4]:
        return None  # what the bytes reader tells from the start (a BOM, UTF-16)
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return None  # lone surrogates: not UTF-8, which the bytes reader reports
    lf_text = lone_cr_as_lf(text)
    fast = reread(old.text, Fast(previous.value, old.tops), lf_text)
    if fast is None:
        return None
    source = Source(path, text, LazyDslLocator(lf_text, fast.tops))
    return Document(source, fast.value, [], LANGUAGE)


def decode_dsl_bytes(path: str, data: bytes) -> tuple[str | None, list[Finding]]:
    """Bytes -> text. A UTF-8 byte order mark is allowed in the DSL and dropped."""
    from applc.frontends.json_loader import decode_bytes

    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return decode_bytes(path, data)


def load_dsl(path: str, data: bytes) -> Document:
    text, findings = decode_dsl_bytes(path, data)
    if text is None:
        return Document(Source(path, ""), None, findings, LANGUAGE)
    return load_dsl_text(path, text, findings)


__all__ = [
    "LANGUAGE",
    "Parsed",
    "Span",
    "load_dsl",
    "load_dsl_text",
    "parse_dsl",
    "reload_dsl_text",
]
