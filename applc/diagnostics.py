"""The one diagnostic record that every output format renders.

Rules create `Finding`s that name a node by JSON pointer; positions are resolved only
for the findings that survive selection and suppression, so clean files never pay for
a source map.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from applc.links import rule_url
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


@dataclass(frozen=True, slots=True)
class Loc:
    """A place in a document, by pointer; `sub` narrows a string value to a slice of it."""

    pointer: str
    part: Part = "value"
    sub: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class Label:
    loc: Loc
    message: str


@dataclass(frozen=True, slots=True)
class Edit:
    loc: Loc
    text: str


@dataclass(frozen=True, slots=True)
class Fix:
    message: str
    edits: tuple[Edit, ...]
    safe: bool = True


@dataclass(slots=True)
class Finding:
    """What a rule reports: code, place and words; severity comes from the registry."""

    code: str
    loc: Loc
    message: str
    help: str | None = None
    labels: tuple[Label, ...] = ()
    notes: tuple[str, ...] = ()
    fix: Fix | None = None
    target: str | None = None
    # A rule whose findings differ in weight (APL232) may say so; config still wins.
    severity: Severity | None = None
    # Syntax errors have no pointer to resolve: they carry their span directly.
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class ResolvedLabel:
    span: Span
    message: str


@dataclass(frozen=True, slots=True)
class ResolvedEdit:
    span: Span
    text: str


@dataclass(frozen=True, slots=True)
class ResolvedFix:
    message: str
    edits: tuple[ResolvedEdit, ...]
    safe: bool


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    name: str
    severity: Severity
    message: str
    file: str
    span: Span
    pointer: str
    help: str | None = None
    labels: tuple[ResolvedLabel, ...] = ()
    notes: tuple[str, ...] = ()
    fix: ResolvedFix | None = None
    target: str | None = None
    url: str = ""
    suppressed: str | None = field(default=None, compare=False)

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
