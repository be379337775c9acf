"""`applc lint --fix` and `--add-ignore` as a library: new text for one document.

Fixing runs in passes, as ruff does: lint, make every fix that does not touch another,
lint the new text, and again, until nothing is left to fix (a fix can make another
finding's fix possible). A pass whose result no longer parses is not kept, so a fix can
never leave a broken file. Writing files is the caller's business.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from applc.config import Settings
from applc.diagnostics import Diagnostic
from applc.edits import (
    DEFAULT_REASON,
    TextEdit,
    apply_edits,
    choose_fixes,
    dsl_ignore_insertion,
    ignore_insertion,
    ignore_scope,
)
from applc.frontends.document import Document
from applc.inputs import parse_document
from applc.lint import UNSUPPRESSIBLE, lint_document
from applc.model.fields import IGNORE_KEY
from applc.model.paths import value_at
from applc.rules.context import LintOptions
from applc.source import join_pointer, line_ending, with_line_ending

MAX_PASSES = 10


@dataclass
class Fixed:
    """A document after fixing: its final form, what is left, and what was fixed."""

    document: Document
    diagnostics: list[Diagnostic]
    fixed: Counter[str] = field(default_factory=Counter)

    @property
    def count(self) -> int:
        return sum(self.fixed.values())


def _reparse(doc: Document, text: str) -> Document:
    return parse_document(doc.source.path, text.encode("utf-8", "surrogatepass"))


def _in_line_endings(text: str, edits: list[TextEdit]) -> list[TextEdit]:
    """Edits whose inserted line breaks are the file's own (CRLF stays CRLF)."""
    eol = line_ending(text)
    if eol == "\n":
        return edits
    return [TextEdit(e.start, e.end, with_line_ending(e.text, eol)) for e in edits]


def fix_document(
    doc: Document,
    settings: Settings,
    options: LintOptions,
    *,
    unsafe: bool = False,
    diagnostics: list[Diagnostic] | None = None,
) -> Fixed:
    """Make the document's fixes, pass after pass; `diagnostics` are its findings when
    the caller has linted it already."""
    diags = diagnostics if diagnostics is not None else lint_document(doc, settings, options)
    result = Fixed(doc, diags)
    for _ in range(MAX_PASSES):
        chosen = choose_fixes(result.document.source, result.diagnostics, unsafe)
        if not chosen:
            break
        old = result.document.source.text
        text = apply_edits(old, _in_line_endings(old, [e for _, es in chosen for e in es]))
        if text == result.document.source.text:
            break
        new = _reparse(doc, text)
        if new.value is None and result.document.value is not None:
            break  # a fix that breaks the file is not made
        result.document = new
        result.diagnostics = lint_document(new, settings, options)
        result.fixed.update(d.code for d, _ in chosen)
    return result


def add_ignores(
    doc: Document, diagnostics: list[Diagnostic], reason: str = DEFAULT_REASON
) -> tuple[Document, int]:
    """The document with an `x-applc-ignore` entry (`ignore CODE "reason"` in the DSL)
    for each finding that one can silence, in the nearest object around it; and how
    many entries were added."""
    if doc.value is None:
        return doc, 0
    by_scope: dict[str, list[str]] = {}
    for d in diagnostics:
        if d.code in UNSUPPRESSIBLE:
            continue
        if doc.language == "json":
            scope = ignore_scope(doc, d.pointer)
        else:
            scope, _ = dsl_ignore_insertion(doc, d.pointer, d.code, reason)
        if scope is not None:
            codes = by_scope.setdefault(scope, [])
            if d.code not in codes:
                codes.append(d.code)
    edits: list[TextEdit] = []
    added = 0
    for scope, codes in by_scope.items():
        if doc.language == "json":
            table = value_at(doc.value, join_pointer(scope, IGNORE_KEY))
            codes = [c for c in codes if not (isinstance(table, dict) and c in table)]
            edit = ignore_insertion(doc, scope, codes, reason) if codes else None
        else:
            edit = dsl_ignore_insertion(doc, scope or "/id", codes, reason)[1]
        if edit is not None:
            edits.append(edit)
            added += len(codes)
    if not edits:
        return doc, 0
    new = _reparse(doc, apply_edits(doc.source.text, _in_line_endings(doc.source.text, edits)))
    if new.value is None:
        return doc, 0
    return new, added
