"""One open document, linted: the same diagnostics `applc lint` gives, and their LSP form.

The server keeps one `Analysis` per document version. Diagnostics come from
`api.lint_text` with the settings the CLI would find for that file, so they are the
same codes, messages and spans; only the positions are converted, to 0-based lines and
the code units the client negotiated.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsprotocol import types

from applc.api import lint_text, options_for
from applc.config import ConfigCache, ConfigError, Settings, find_config
from applc.diagnostics import Diagnostic, Severity
from applc.frontends.document import Document
from applc.inputs import DSL_SUFFIX
from applc.lint import lint_document
from applc.server.navigation import Index
from applc.server.positions import range_to_json, span_to_range
from applc.source import Source

log = logging.getLogger(__name__)

CONFIG_NAMES = ("applc.toml", "pyproject.toml")
# The same test as `applc.inputs.looks_like_appliance`, on text instead of a file.
_CONTAINERS_KEY = re.compile(r'"containers"\s*:')

_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}
_TAGS = {
    "APL090": types.DiagnosticTag.Unnecessary,  # unused suppression
    "APL245": types.DiagnosticTag.Deprecated,  # legacy volume form
    "APL246": types.DiagnosticTag.Deprecated,  # legacy or server-side field
}


def looks_like_appliance_text(path: str, text: str) -> bool:
    """`*.appl`, `*.appliance.json`, or a `*.json` whose top level has `containers`:
    the rule `applc lint` uses to find appliances in a folder."""
    name = Path(path).name
    if name.endswith((DSL_SUFFIX, ".appliance.json")):
        return True
    if not name.endswith(".json"):
        return False
    head = text[: 1 << 20].lstrip("\ufeff \t\r\n")
    return head.startswith("{") and _CONTAINERS_KEY.search(head) is not None


class ConfigStore:
    """Settings per document, found the way the CLI finds them, reloaded when a config
    file changes (a watched-file event, or its modification time on the next lint)."""

    def __init__(self) -> None:
        self.cache = ConfigCache()
        self.generation = 0
        self._mtimes: dict[str, int | None] = {}

    def reset(self) -> None:
        self.cache = ConfigCache()
        self.generation += 1
        self._mtimes.clear()

    @staticmethod
    def anchor(path: str) -> Path:
        """Where config discovery starts for a document (unsaved files: their folder)."""
        p = Path(path)
        if p.exists():
            return p
        if p.parent.is_dir():
            return p.parent
        return Path.cwd()

    def settings_for(self, path: str) -> tuple[Settings, ConfigError | None]:
        anchor = self.anchor(path)
        cfg = find_config(anchor)
        if cfg is not None:
            key = str(cfg)
            try:
                mtime: int | None = os.stat(cfg).st_mtime_ns
            except OSError:
                mtime = None
            if key in self._mtimes and self._mtimes[key] != mtime:
                self.reset()
            self._mtimes[key] = mtime
        try:
            return self.cache.for_path(str(anchor)), None
        except ConfigError as exc:
            root = anchor if anchor.is_dir() else anchor.parent
            return Settings(root=str(root)), exc


@dataclass
class Analysis:
    uri: str
    version: int | None
    path: str
    text: str
    generation: int
    settings: Settings
    active: bool  # an appliance applc lints (not package.json, not excluded)
    document: Document | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    config_error: ConfigError | None = None
    internal_error: str | None = None
    _lsp: list[types.Diagnostic] | None = None
    _index: Index | None = None
    _source: Source | None = None

    @property
    def source(self) -> Source:
        """The source the diagnostics' spans refer to."""
        if self.document is not None:
            return self.document.source
        if self._source is None:
            self._source = Source(self.path, self.text)
        return self._source

    @property
    def parsed(self) -> bool:
        return self.document is not None and self.document.value is not None

    @property
    def language(self) -> str:
        return self.document.language if self.document is not None else "json"

    def index(self) -> Index | None:
        if not self.parsed:
            return None
        if self._index is None:
            assert self.document is not None
            self._index = Index(self.document)
        return self._index

    def lsp_diagnostics(
        self, encoding: str, tags: frozenset[int] = frozenset()
    ) -> list[types.Diagnostic]:
        if self._lsp is None:
            self._lsp = [
                to_lsp(d, self.source, self.uri, self.version, encoding, tags)
                for d in self.diagnostics
            ]
        return self._lsp


def analyse(
    uri: str,
    version: int | None,
    path: str,
    text: str,
    store: ConfigStore,
    previous: Analysis | None = None,
) -> Analysis:
    """Lint `text`. `previous`, the analysis of an earlier text of the same document,
    lets a DSL document be read again only where the edit is (the container typed in)."""
    settings, error = store.settings_for(path)
    active = looks_like_appliance_text(path, text) and not settings.excluded(path)
    a = Analysis(uri, version, path, text, store.generation, settings, active, config_error=error)
    if not active:
        return a
    try:
        doc = _reread(path, text, previous)
        if doc is not None:
            diags = lint_document(doc, settings, options_for(settings))
        else:
            doc, diags = lint_text(path, text, settings)
    except Exception as exc:  # a bug in applc must not take the editor session down
        log.exception("linting %s failed", path)
        a.internal_error = f"{type(exc).__name__}: {exc}"
        return a
    a.document = doc
    a.diagnostics = diags
    return a


def _reread(path: str, text: str, previous: Analysis | None) -> Document | None:
    if (
        previous is None
        or previous.document is None
        or previous.path != path
        or not path.endswith(DSL_SUFFIX)
    ):
        return None
    from applc.frontends.dsl.loader import reload_dsl_text

    return reload_dsl_text(path, text, previous.document)


def to_lsp(
    d: Diagnostic,
    source: Source,
    uri: str,
    version: int | None,
    encoding: str,
    tags: frozenset[int] = frozenset(),
) -> types.Diagnostic:
    rng = span_to_range(source, d.span, encoding)
    related = [
        types.DiagnosticRelatedInformation(
            location=types.Location(uri=uri, range=span_to_range(source, lb.span, encoding)),
            message=lb.message,
        )
        for lb in d.labels
    ]
    if d.help:
        related.append(
            types.DiagnosticRelatedInformation(
                location=types.Location(uri=uri, range=rng), message=f"help: {d.help}"
            )
        )
    for note in d.notes:
        related.append(
            types.DiagnosticRelatedInformation(
                location=types.Location(uri=uri, range=rng), message=f"note: {note}"
            )
        )
    data: dict[str, Any] = {"code": d.code, "pointer": d.pointer, "version": version}
    if d.fix is not None:
        data["fix"] = {
            "message": d.fix.message,
            "safe": d.fix.safe,
            "edits": [
                {"range": range_to_json(span_to_range(source, e.span, encoding)), "newText": e.text}
                for e in d.fix.edits
            ],
        }
    tag = _TAGS.get(d.code)
    return types.Diagnostic(
        range=rng,
        message=d.message,
        severity=_SEVERITY[d.severity],
        code=d.code,
        code_description=types.CodeDescription(href=d.url) if d.url else None,
        source="applc",
        tags=[tag] if tag is not None and int(tag) in tags else None,
        related_information=related or None,
        data=data,
    )
