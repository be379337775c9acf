"""`rdjson`: reviewdog's Diagnostic Format (`reviewdog -f=rdjson`), for review comments
and suggested changes on pull and merge requests.

One `DiagnosticResult` object: `source`, the overall `severity` (the worst found,
`UNKNOWN_SEVERITY` when there is nothing) and `diagnostics`, each with `message`,
`location` (`path`, `range` with an exclusive end), `severity`, `code` (`value`, `url`)
and, when the diagnostic has a fix, `suggestions` (one per edit). Columns are counted in
UTF-8 bytes, as the format asks, not in code points like applc's other formats.
"""

from __future__ import annotations

import json
from typing import Any

from applc.diagnostics import Diagnostic, Severity
from applc.formatters import Report
from applc.formatters.paths import report_path
from applc.source import Source, Span

SEVERITY = {Severity.ERROR: "ERROR", Severity.WARNING: "WARNING", Severity.INFO: "INFO"}
SOURCE = {"name": "applc", "url": "https://github.com/applc/applc"}


def _column(source: Source | None, line: int, column: int) -> int:
    """A code-point column as a UTF-8 byte column; as is when the text is not at hand."""
    if source is None or not source.text:
        return column
    prefix = source.line_text(line)[: column - 1]
    if prefix.isascii():
        return column
    # Past the end of the line (an end at the newline) counts on one column per step.
    return column + len(prefix.encode("utf-8", "surrogatepass")) - len(prefix)


def _range(span: Span, source: Source | None) -> dict[str, Any]:
    return {
        "start": {"line": span.line, "column": _column(source, span.line, span.column)},
        "end": {"line": span.end_line, "column": _column(source, span.end_line, span.end_column)},
    }


def diagnostic(d: Diagnostic, path: str, source: Source | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "message": d.message + (f"\nhelp: {d.help}" if d.help else ""),
        "location": {"path": path, "range": _range(d.span, source)},
        "severity": SEVERITY[d.severity],
        "code": {"value": d.code, "url": d.url} if d.url else {"value": d.code},
    }
    if d.fix is not None and d.fix.edits:
        out["suggestions"] = [
            {"range": _range(e.span, source), "text": e.text} for e in d.fix.edits
        ]
    return out


def render(report: Report, color: bool) -> str:
    paths: dict[str, str] = {}
    diagnostics = []
    for d in report.diagnostics:
        path = paths.get(d.file)
        if path is None:
            path = paths[d.file] = report_path(d.file)
        diagnostics.append(diagnostic(d, path, report.sources.get(d.file)))
    worst = max((d.severity for d in report.diagnostics), default=None)
    doc = {
        "source": SOURCE,
        "severity": "UNKNOWN_SEVERITY" if worst is None else SEVERITY[worst],
        "diagnostics": diagnostics,
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
