"""Importers: compose files and Marathon apps and groups into appliances.

Each source format is a package here (`compose/`, `marathon/`) with an `import_files`
function that returns an `ImportResult`: the appliance as a JSON value, and the findings
(APL5xx, see applc/rules/importing.py) with positions in the files it read. The findings
become the same `Diagnostic` records lint makes, so every output format renders them.
"""

from __future__ import annotations

from typing import Any, Final

from applc.diagnostics import Diagnostic, Finding, Loc, Severity
from applc.records import Value
from applc.source import Source, Span

FORMATS = ("compose", "marathon")


class ImportError_(Exception):
    """The import could not run at all (exit 2): a message for the user."""


class Reporter(Value):
    """The findings of one import, each with the source it points into."""

    FIELDS = ("items", "sources", "hidden", "_seen")
    __hash__ = None  # type: ignore[assignment]  # mutable, as the dataclass was

    def __init__(
        self,
        items: list[tuple[Source, Finding]] | None = None,
        sources: dict[str, Source] | None = None,
        # Files whose text is never shown: those the import read without the user
        # naming them (a compose file's `.env`, `env_file` and `extends` files, which
        # may be secrets). A finding in one gives its file, line and column, and no
        # source line.
        hidden: set[str] | None = None,
        _seen: set[tuple[str, str, int, int, str]] | None = None,
    ) -> None:
        self.items = [] if items is None else items
        self.sources = {} if sources is None else sources
        self.hidden = set() if hidden is None else hidden
        self._seen = set() if _seen is None else _seen

    def add(
        self,
        code: str,
        source: Source,
        span: Span,
        message: str,
        *,
        pointer: str = "",
        help: str | None = None,
        severity: Severity | None = None,
    ) -> None:
        key = (code, source.path, span.line, span.column, message)
        if key in self._seen:  # an anchored value reached through several aliases
            return
        self._seen.add(key)
        if source.path in self.hidden:
            # The span stays where it is (computed on the real text); the text goes.
            source = self.sources.setdefault(source.path, Source(source.path, ""))
        self.sources.setdefault(source.path, source)
        self.items.append(
            (source, Finding(code, Loc(pointer), message, help=help, severity=severity, span=span))
        )

    def diagnostics(self, settings: Any = None) -> list[Diagnostic]:
        """The findings as diagnostics, selected and weighted by the lint settings."""
        from applc.config import Settings
        from applc.diagnostics import resolve
        from applc.lint import Selection
        from applc.rules.registry import RULES, load_rules

        load_rules()
        settings = settings or Settings()
        out: list[Diagnostic] = []
        selections: dict[str, Selection] = {}
        for source, f in self.items:
            sel = selections.get(source.path)
            if sel is None:
                sel = selections[source.path] = Selection(settings, source.path)
            if f.code not in sel.enabled:
                continue
            r = RULES[f.code]
            out.append(resolve(f, source, r.name, sel.severity(r, f)))
        out.sort(key=lambda d: d.sort_key)
        return out


class Origin(Value):
    """Where an imported container came from, for findings about it."""

    FIELDS = ("source", "span", "pointer")
    source: Final[Source]
    span: Final[Span]
    pointer: Final[str]

    def __init__(self, source: Source, span: Span, pointer: str) -> None:
        self.source = source
        self.span = span
        self.pointer = pointer


class ImportResult(Value):
    """An imported appliance (None when nothing could be imported) and its findings;
    `origins[i]` is where container i came from."""

    FIELDS = ("value", "reporter", "origins", "root")
    __hash__ = None  # type: ignore[assignment]  # mutable, as the dataclass was

    def __init__(
        self,
        value: dict[str, Any] | None,
        reporter: Reporter,
        origins: list[Origin] | None = None,
        # Where appliance-level findings point (the top of the first file).
        root: Origin | None = None,
    ) -> None:
        self.value = value
        self.reporter = reporter
        self.origins = [] if origins is None else origins
        self.root = root


def detect_format(name: str, data: bytes) -> str:
    """`marathon` for JSON (an app, a group, Chronos jobs), `compose` for YAML."""
    if name.endswith(".json"):
        return "marathon"
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return "marathon" if head in (b"{", b"[") else "compose"


def run_import(
    files: list[str],
    source_format: str,
    *,
    appliance_id: str | None = None,
    profiles: list[str] | None = None,
    environ: dict[str, str] | None = None,
    stdin: bytes | None = None,
    settings: Any = None,
    allow_outside: list[str] | None = None,
) -> ImportResult:
    """Import `files` from `source_format`, then lint the appliance: a lint error becomes
    an APL513 finding at the container it is about, so an import that reports no error
    always gives an appliance that lints without errors. `allow_outside`: folders besides
    the compose project's whose files a compose file may have the import read."""
    if source_format == "compose":
        from applc.importers.compose import import_files

        result = import_files(
            files,
            appliance_id=appliance_id,
            profiles=profiles,
            environ=environ,
            stdin=stdin,
            allow_outside=allow_outside,
        )
    elif source_format == "marathon":
        from applc.importers.marathon import import_files as import_marathon

        result = import_marathon(files, appliance_id=appliance_id, stdin=stdin)
    else:
        raise ImportError_(f"unknown source format `{source_format}`")
    if result.value is not None:
        self_check(result, settings)
    return result


def self_check(result: ImportResult, settings: Any = None) -> None:
    from applc.api import lint_text
    from applc.convert import to_json_text

    text = to_json_text(result.value)
    _, diags = lint_text("imported.json", text, settings)
    for d in diags:
        if d.severity < Severity.ERROR:
            continue
        origin = _origin_of(result, d.pointer)
        if origin is None:
            empty = Source("<import>", "")
            origin = Origin(empty, empty.span(0, 0), "")
        result.reporter.add(
            "APL513",
            origin.source,
            origin.span,
            f"the imported appliance does not lint clean at `{d.pointer}`: {d.code} {d.message}",
            pointer=origin.pointer,
            help=d.help,
        )


def _origin_of(result: ImportResult, pointer: str) -> Origin | None:
    parts = pointer.split("/")
    if len(parts) > 2 and parts[1] == "containers" and parts[2].isdigit():
        i = int(parts[2])
        if i < len(result.origins):
            return result.origins[i]
    return result.root


def escape_at(text: str) -> str:
    """A literal `@` written so that PIVOT keeps it: `\\@` (references are made apart)."""
    return text.replace("@", "\\@")
