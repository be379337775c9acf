"""JSON front end: bytes -> Document, with exact positions for every problem.

The fast path is `json.loads`; the position scanner runs only when a finding needs a
position or the text is not JSON, so clean files pay nothing for positions.
"""

from __future__ import annotations

import json
import math
from typing import Any

from applc.diagnostics import Finding, Label, Loc
from applc.frontends.document import Document
from applc.frontends.json_scanner import MAX_DEPTH, JsonMap, JsonSyntaxError, scan
from applc.source import Source, Span


class LazyJsonLocator:
    """Scans the text the first time a position is asked for."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._map: JsonMap | None = None

    @property
    def map(self) -> JsonMap:
        if self._map is None:
            try:
                self._map = scan(self._text)
            except JsonSyntaxError:
                self._map = JsonMap(self._text)
        return self._map

    def value_range(self, pointer: str) -> tuple[int, int] | None:
        return self.map.value_range(pointer)

    def key_range(self, pointer: str) -> tuple[int, int] | None:
        return self.map.key_range(pointer)

    def first_key_range(self, pointer: str) -> tuple[int, int] | None:
        return self.map.first_key_range(pointer)

    def string_offset(self, pointer: str, index: int) -> int | None:
        return self.map.string_offset(pointer, index)


class _Invalid(Exception):
    pass


def _reject_constant(name: str) -> Any:
    raise _Invalid(name)


def _parse_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _Invalid(text)
    return value


def decode_bytes(path: str, data: bytes) -> tuple[str | None, list[Finding]]:
    """Bytes -> text, or None with a finding that says why the bytes are not UTF-8 text."""
    findings: list[Finding] = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        findings.append(
            Finding(
                "APL003",
                Loc(""),
                "file is UTF-16 encoded; applc reads UTF-8",
                help="save the file as UTF-8",
                span=Span(1, 1, 1, 1),
            )
        )
        return None, findings
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        findings.append(
            Finding(
                "APL001",
                Loc(""),
                "file starts with a UTF-8 byte order mark, which JSON does not allow",
                help="save the file as UTF-8 without BOM",
                span=Span(1, 1, 1, 2),
            )
        )
    try:
        return data.decode("utf-8"), findings
    except UnicodeDecodeError as exc:
        good = data[: exc.start]
        line = good.count(b"\n") + 1
        line_start = good.rfind(b"\n") + 1
        col = len(good[line_start:].decode("utf-8", "replace")) + 1
        findings.append(
            Finding(
                "APL003",
                Loc(""),
                f"file is not valid UTF-8: byte 0x{data[exc.start]:02x} at line {line}",
                help="save the file as UTF-8",
                span=Span(line, col, line, col + 1),
            )
        )
        return None, findings


def load_json_text(path: str, text: str, findings: list[Finding] | None = None) -> Document:
    findings = list(findings or [])
    locator = LazyJsonLocator(text)
    source = Source(path, text, locator)
    duplicates = False

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal duplicates
        d = dict(pairs)
        if len(d) != len(pairs):
            duplicates = True
        return d

    value: Any = None
    try:
        value = json.loads(
            text,
            object_pairs_hook=pairs_hook,
            parse_constant=_reject_constant,
            parse_float=_parse_float,
        )
    except (ValueError, _Invalid, RecursionError) as exc:
        findings.append(_syntax_finding(source, locator, exc))
        return Document(source, None, findings)
    if _too_deep(value):
        # json.loads manages a little deeper than our cap; report it the same way.
        findings.append(_syntax_finding(source, locator, RecursionError()))
        return Document(source, None, findings)
    if duplicates:
        jmap = locator.map
        for pointer in jmap.duplicates:
            key = text[slice(*jmap.keys[pointer])]
            findings.append(
                Finding(
                    "APL002",
                    Loc(pointer, "key"),
                    f"duplicate key {key}: the later value wins and the earlier is lost",
                    help="remove one of the two entries",
                    labels=(Label(Loc(pointer, "first_key"), "first defined here"),),
                )
            )
    return Document(source, value, findings)


def _too_deep(value: Any) -> bool:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        v, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        if isinstance(v, dict):
            for child in v.values():
                if isinstance(child, dict | list):
                    stack.append((child, depth + 1))
        elif isinstance(v, list):
            for child in v:
                if isinstance(child, dict | list):
                    stack.append((child, depth + 1))
    return False


def _syntax_finding(source: Source, locator: LazyJsonLocator, exc: BaseException) -> Finding:
    try:
        scan(source.text)
    except JsonSyntaxError as err:
        return Finding(
            "APL001",
            Loc(""),
            err.message,
            help=err.help,
            span=source.span(err.start, max(err.end, err.start)),
        )
    # The scanner found nothing: fall back to what json.loads said.
    if isinstance(exc, json.JSONDecodeError):
        line, col = exc.lineno, exc.colno
        return Finding("APL001", Loc(""), exc.msg.lower(), span=Span(line, col, line, col + 1))
    return Finding("APL001", Loc(""), f"invalid JSON: {exc}", span=Span(1, 1, 1, 1))


def load_json(path: str, data: bytes) -> Document:
    text, findings = decode_bytes(path, data)
    if text is None:
        return Document(Source(path, ""), None, findings)
    return load_json_text(path, text, findings)
