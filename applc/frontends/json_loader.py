"""JSON front end: bytes -> Document, with exact positions for every problem.

The fast path is `json.loads`; the position scanner runs only when a finding needs a
position or the text is not JSON, so clean files pay nothing for positions.
"""

from __future__ import annotations

import gc
import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from applc.diagnostics import Finding, Label, Loc
from applc.frontends.document import Document
from applc.frontends.json_scanner import MAX_DEPTH, JsonIndex, JsonMap, JsonSyntaxError, scan
from applc.source import Source, Span, join_pointer


class LazyJsonLocator:
    """Finds positions only when a finding asks for one.

    Lookups go through a `JsonIndex`, which reads only the objects and arrays on the way
    to the node asked for and skips everything else with the C decoder. `map` (the full
    scan of every node) is still there for callers that want all positions at once.
    """

    def __init__(self, text: str, duplicates: bool = False) -> None:
        self._text = text
        self._map: JsonMap | None = None
        self.index = JsonIndex(text, duplicates)

    @property
    def map(self) -> JsonMap:
        if self._map is None:
            try:
                self._map = scan(self._text)
            except JsonSyntaxError:
                self._map = JsonMap(self._text)
        return self._map

    def forget(self) -> None:
        """Drop what lookups have read so far (found again if asked): a build has its
        findings placed before it renders, and at 10,000 containers that index was a
        tenth of the build's peak memory."""
        if isinstance(self.index, JsonIndex):
            self.index = JsonIndex(self._text, self.index.duplicates)

    def use_full_scan(self) -> None:
        """Answer from the full scan, which also knows the nodes inside a value that a
        later duplicate key replaced (findings can point there)."""
        self.index = self.map  # type: ignore[assignment]

    def value_range(self, pointer: str) -> tuple[int, int] | None:
        return self.index.value_range(pointer)

    def key_range(self, pointer: str) -> tuple[int, int] | None:
        return self.index.key_range(pointer)

    def first_key_range(self, pointer: str) -> tuple[int, int] | None:
        return self.index.first_key_range(pointer)

    def string_offset(self, pointer: str, index: int) -> int | None:
        return self.index.string_offset(pointer, index)


@contextmanager
def gc_paused() -> Iterator[None]:
    """No garbage collection while a large document is built.

    Parsing and modelling allocate a million objects for a big appliance and create no
    reference cycles; every collection the allocations trigger would walk all of them
    again (at 50,000 containers that was 40% of the lint time). Collection resumes (if it
    was on) when the block ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if FREEZE_SURVIVORS:
                # What the block made is moved out of the collector's generations:
                # otherwise the first collections after it walk every object again (a
                # quarter of a big DSL file's load). Freed objects still go by their
                # reference counts.
                gc.freeze()
            gc.enable()


# Set by the command line, whose process ends with its run: a long-lived process (the
# language server) leaves it off, so that cycles it drops later are still collected.
FREEZE_SURVIVORS = False

# The last document a one-shot process read (see `keep_until_exit`); the list holds
# itself, so only the collector could free it, and `gc.freeze` puts it out of its reach.
_KEPT: list[Any] = []


def keep_until_exit(document: Any) -> None:
    """In a process that ends with its run (FREEZE_SURVIVORS), never free `document`.

    Freeing a big document (its value, model and index: a million objects at 10,000
    containers) one object at a time when the run drops it, or at the interpreter's
    exit, took a fiftieth of a lint; the operating system takes the memory back at once.
    Only the last document is kept: each one read replaces the one before, which is
    then freed as before, so a run over many files holds no more than it did.
    """
    if not FREEZE_SURVIVORS:
        return
    if not _KEPT:
        _KEPT.append(_KEPT)
    _KEPT[1:] = [document]


class _Invalid(Exception):
    pass


def _reject_constant(name: str) -> Any:
    raise _Invalid(name)


def _parse_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _Invalid(text)
    return value


def wide_encoding(data: bytes) -> str | None:
    """UTF-32 or UTF-16, told by the byte order mark or, without one, by where the zero
    bytes of the first two ASCII characters fall (RFC 4627, section 3); None otherwise.
    UTF-32 is tested first: its little-endian mark begins with UTF-16's."""
    head = data[:4]
    if head in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"):
        return "UTF-32"
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "UTF-16"
    if len(head) == 4:
        zeros = tuple(b == 0 for b in head)
        if zeros in ((True, True, True, False), (False, True, True, True)):
            return "UTF-32"
        if zeros in ((True, False, True, False), (False, True, False, True)):
            return "UTF-16"
    return None


def decode_bytes(path: str, data: bytes) -> tuple[str | None, list[Finding]]:
    """Bytes -> text, or None with a finding that says why the bytes are not UTF-8 text."""
    findings: list[Finding] = []
    wide = wide_encoding(data)
    if wide is not None:
        findings.append(
            Finding(
                "APL003",
                Loc(""),
                f"file is {wide} encoded; applc reads UTF-8",
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
    # Objects with a duplicate key, by id, with the keys that repeat (kept alive here so
    # the ids stay theirs), and the ids of the objects and arrays that hold one, so the
    # walk that names them goes straight down to them.
    duplicated: dict[int, tuple[dict[str, Any], list[str]]] = {}
    holding: set[int] = set()

    # One copy of each string value: a big appliance repeats its images, types, modes
    # and env values thousands of times (a third less memory for the document).
    strings: dict[str, str] = {}
    share = strings.setdefault

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        # One pass makes the object and shares its strings (this runs for every object
        # of the document).
        d = {k: share(v, v) if v.__class__ is str else v for k, v in pairs}
        if len(d) != len(pairs):
            seen: set[str] = set()
            keys = [k for k, _ in pairs if k in seen or seen.add(k)]  # type: ignore[func-returns-value]
            duplicated[id(d)] = (d, list(dict.fromkeys(keys)))
            holding.add(id(d))
        if holding:
            for v in d.values():
                if v.__class__ is not str and _holds(v, holding):
                    holding.add(id(d))
        return d

    value: Any = None
    try:
        with gc_paused():
            value = json.loads(
                text,
                object_pairs_hook=pairs_hook,
                parse_constant=_reject_constant,
                parse_float=_parse_float,
            )
    except (ValueError, _Invalid, RecursionError) as exc:
        locator = LazyJsonLocator(text)
        source = Source(path, text, locator)
        findings.append(_syntax_finding(source, locator, exc))
        return Document(source, None, findings)
    locator = LazyJsonLocator(text, duplicates=bool(duplicated))
    source = Source(path, text, locator)
    if _too_deep(value):
        # json.loads manages a little deeper than our cap; report it the same way.
        findings.append(_syntax_finding(source, locator, RecursionError()))
        return Document(source, None, findings)
    if duplicated:
        for pointer in _duplicate_pointers(value, duplicated, holding, locator):
            key = text[slice(*locator.key_range(pointer) or (0, 0))] or pointer
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


def _holds(v: Any, holding: set[int]) -> bool:
    """Whether `v` is, or is an array that holds, an object marked in `holding`."""
    if v.__class__ is dict:
        return id(v) in holding
    if v.__class__ is not list:
        return False
    if id(v) in holding:
        return True
    stack = [v]
    while stack:
        for x in stack.pop():
            if x.__class__ is dict:
                if id(x) in holding:
                    holding.add(id(v))
                    return True
            elif x.__class__ is list:
                stack.append(x)
    return False


def _duplicate_pointers(
    value: Any,
    duplicated: dict[int, tuple[dict[str, Any], list[str]]],
    holding: set[int],
    locator: LazyJsonLocator,
) -> list[str]:
    """The pointer of every duplicated key, going down only where duplicates are."""
    found: list[str] = []
    remaining = len(duplicated)
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack and remaining:
        v, ptr = stack.pop()
        if v.__class__ is dict:
            entry = duplicated.get(id(v))
            if entry is not None and entry[0] is v:
                found.extend(join_pointer(ptr, k) for k in entry[1])
                remaining -= 1
            stack.extend((c, join_pointer(ptr, k)) for k, c in v.items() if _holds(c, holding))
        elif v.__class__ is list:
            stack.extend((c, f"{ptr}/{i}") for i, c in enumerate(v) if _holds(c, holding))
    if remaining:
        # A duplicate inside a value that a later duplicate replaced: only the full scan
        # still sees it, so it answers every position in this document.
        locator.use_full_scan()
        return list(dict.fromkeys(locator.map.duplicates))
    return found


def _too_deep(value: Any) -> bool:
    """Whether objects and arrays nest deeper than MAX_DEPTH (one level at a time)."""
    frontier = [value] if type(value) is dict or type(value) is list else []
    depth = 1
    while frontier:
        if depth > MAX_DEPTH:
            return True
        deeper = []
        for v in frontier:
            for child in v.values() if type(v) is dict else v:
                if type(child) is dict or type(child) is list:
                    deeper.append(child)
        frontier = deeper
        depth += 1
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
