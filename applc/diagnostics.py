"""The one diagnostic record that every output format renders.

Rules create `Finding`s that name a node by JSON pointer; positions are resolved only
for the findings that survive selection and suppression, so clean files never pay for
a source map.
"""

from __future__ import annotations

import enum
from typing import Final

from applc.links import rule_url
from applc.records import Value
from applc.source import Part, Source, Span


class Severity(enum.IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.strip().upper()]


class Loc(Value):
    """A place in a document, by pointer; `sub` narrows a string value to a slice of it."""

    __slots__ = ("pointer", "part", "sub")
    FIELDS = __slots__
    pointer: Final[str]
    part: Final[Part]
    sub: Final[tuple[int, int] | None]

    def __init__(self, pointer: str, part: Part = "value", sub: tuple[int, int] | None = None):
        self.pointer = pointer
        self.part = part
        self.sub = sub


class Label(Value):
    """A secondary place a finding points at, with what it is."""

    __slots__ = ("loc", "message")
    FIELDS = __slots__
    loc: Final[Loc]
    message: Final[str]

    def __init__(self, loc: Loc, message: str) -> None:
        self.loc = loc
        self.message = message


class Edit(Value):
    """Replace what `loc` points at with `text`."""

    __slots__ = ("loc", "text")
    FIELDS = __slots__
    loc: Final[Loc]
    text: Final[str]

    def __init__(self, loc: Loc, text: str) -> None:
        self.loc = loc
        self.text = text


class Fix(Value):
    """The edits that fix a finding; `safe` ones `--fix` makes without `--unsafe-fixes`."""

    __slots__ = ("message", "edits", "safe")
    FIELDS = __slots__
    message: Final[str]
    edits: Final[tuple[Edit, ...]]
    safe: Final[bool]

    def __init__(self, message: str, edits: tuple[Edit, ...], safe: bool = True) -> None:
        self.message = message
        self.edits = edits
        self.safe = safe


class Finding(Value):
    """What a rule reports: code, place and words; severity comes from the registry."""

    __slots__ = (
        "code",
        "loc",
        "message",
        "help",
        "labels",
        "notes",
        "fix",
        "target",
        "severity",
        "span",
    )
    FIELDS = __slots__
    __hash__ = None  # type: ignore[assignment]  # mutable, as the dataclass was

    def __init__(
        self,
        code: str,
        loc: Loc,
        message: str,
        help: str | None = None,
        labels: tuple[Label, ...] = (),
        notes: tuple[str, ...] = (),
        fix: Fix | None = None,
        target: str | None = None,
        # A rule whose findings differ in weight (APL232) may say so; config still wins.
        severity: Severity | None = None,
        # Syntax errors have no pointer to resolve: they carry their span directly.
        span: Span | None = None,
    ) -> None:
        self.code = code
        self.loc = loc
        self.message = message
        self.help = help
        self.labels = labels
        self.notes = notes
        self.fix = fix
        self.target = target
        self.severity = severity
        self.span = span


class ResolvedLabel(Value):
    __slots__ = ("span", "message")
    FIELDS = __slots__
    span: Final[Span]
    message: Final[str]

    def __init__(self, span: Span, message: str) -> None:
        self.span = span
        self.message = message


class ResolvedEdit(Value):
    __slots__ = ("span", "text")
    FIELDS = __slots__
    span: Final[Span]
    text: Final[str]

    def __init__(self, span: Span, text: str) -> None:
        self.span = span
        self.text = text


class ResolvedFix(Value):
    __slots__ = ("message", "edits", "safe")
    FIELDS = __slots__
    message: Final[str]
    edits: Final[tuple[ResolvedEdit, ...]]
    safe: Final[bool]

    def __init__(self, message: str, edits: tuple[ResolvedEdit, ...], safe: bool) -> None:
        self.message = message
        self.edits = edits
        self.safe = safe


class Diagnostic(Value):
    """A finding with its positions, rule name and severity: what every format renders."""

    __slots__ = (
        "code",
        "name",
        "severity",
        "message",
        "file",
        "span",
        "pointer",
        "help",
        "labels",
        "notes",
        "fix",
        "target",
        "url",
        "suppressed",
    )
    FIELDS = __slots__
    COMPARED = FIELDS[:-1]  # not `suppressed`
    code: Final[str]
    name: Final[str]
    severity: Final[Severity]
    message: Final[str]
    file: Final[str]
    span: Final[Span]
    pointer: Final[str]
    help: Final[str | None]
    labels: Final[tuple[ResolvedLabel, ...]]
    notes: Final[tuple[str, ...]]
    fix: Final[ResolvedFix | None]
    target: Final[str | None]
    url: Final[str]
    suppressed: Final[str | None]

    def __init__(
        self,
        code: str,
        name: str,
        severity: Severity,
        message: str,
        file: str,
        span: Span,
        pointer: str,
        help: str | None = None,
        labels: tuple[ResolvedLabel, ...] = (),
        notes: tuple[str, ...] = (),
        fix: ResolvedFix | None = None,
        target: str | None = None,
        url: str = "",
        suppressed: str | None = None,
    ) -> None:
        self.code = code
        self.name = name
        self.severity = severity
        self.message = message
        self.file = file
        self.span = span
        self.pointer = pointer
        self.help = help
        self.labels = labels
        self.notes = notes
        self.fix = fix
        self.target = target
        self.url = url
        self.suppressed = suppressed

    @property
    def line(self) -> int:
        return self.span.line

    @property
    def column(self) -> int:
        return self.span.column

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file, self.span.line, self.span.column, self.code, self.message)

    @property
    def fingerprint(self) -> str:
        import hashlib  # only SARIF and GitLab reports need fingerprints

        raw = "\x00".join((self.code, self.file, self.pointer, self.message))
        return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def resolve(
    finding: Finding, source: Source, name: str, severity: Severity, url: str | None = None
) -> Diagnostic:
    """Turn a finding into a diagnostic with positions, looking them up in the source.
    `url` is the rule's page when not in applc's docs (a plug-in's rule)."""
    loc = finding.loc
    span = finding.span or source.locate(loc.pointer, loc.part, loc.sub)
    labels = tuple(
        ResolvedLabel(source.locate(lb.loc.pointer, lb.loc.part, lb.loc.sub), lb.message)
        for lb in finding.labels
    )
    fix = None
    if finding.fix is not None:
        fix = ResolvedFix(
            finding.fix.message,
            tuple(
                ResolvedEdit(source.locate(e.loc.pointer, e.loc.part, e.loc.sub), e.text)
                for e in finding.fix.edits
            ),
            finding.fix.safe,
        )
    return Diagnostic(
        code=finding.code,
        name=name,
        severity=severity,
        message=finding.message,
        file=source.path,
        span=span,
        pointer=loc.pointer,
        help=finding.help,
        labels=labels,
        notes=finding.notes,
        fix=fix,
        target=finding.target,
        url=url or rule_url(finding.code),
    )
