"""`rdjson`: reviewdog's Diagnostic Format (`reviewdog -f=rdjson`), for review comments
and suggested changes on pull and merge requests.

One `DiagnosticResult` object: `source`, the overall `severity` (the worst found,
`UNKNOWN_SEVERITY` when there is nothing) and `diagnostics`, each with `message`,
`location` (`path`, `range` with an exclusive end), `severity`, `code` (`value`, `url`)
and, when the diagnostic has a fix, `suggestions` (one per edit). Columns are counted in
UTF-8 bytes, as the format asks, not in code points like applc's other formats.
"""

from __future__ import annotations

from typing import Any

from applc.diagnostics import Diagnostic, Severity
from applc.formatters import Report
from applc.formatters.paths import report_path
from applc.links import REPOSITORY_URL
from applc.source import Source, Span
from applc.writers import json_writer

SEVERITY = {Severity.ERROR: "ERROR", Severity.WARNING: "WARNING", Severity.INFO: "INFO"}
SOURCE = {"name": "applc", "url": REPOSITORY_URL}


class _Columns:
    """Code-point columns as UTF-8 byte columns, for one source. Each line is checked for
    non-ASCII once, and byte counts go on from the last column asked for on that line
    (diagnostics come in order), so thousands of findings on one huge line stay linear."""

    def __init__(self, source: Source | None) -> None:
        self.source = source
        self.ascii: dict[int, bool] = {}
        self.last: dict[int, tuple[int, int]] = {}  # line -> (column, extra bytes before it)

    def __call__(self, line: int, column: int) -> int:
        source = self.source
        if source is None or not source.text:
            return column
        plain = self.ascii.get(line)
        if plain is None:
            plain = self.ascii[line] = source.line_slice(line, 0).isascii()
        if plain:
            return column
        col0, extra = self.last.get(line, (1, 0))
        if column < col0:
            col0, extra = 1, 0
        # Past the end of the line (an end at the newline) counts one column per step.
        piece = source.line_slice(line, col0 - 1, column - 1)
        extra += len(piece.encode("utf-8", "surrogatepass")) - len(piece)
        self.last[line] = (column, extra)
        return column + extra


def _range(span: Span, columns: _Columns) -> dict[str, Any]:
    return {
        "start": {"line": span.line, "column": columns(span.line, span.column)},
        "end": {"line": span.end_line, "column": columns(span.end_line, span.end_column)},
    }


def diagnostic(d: Diagnostic, path: str, columns: _Columns) -> dict[str, Any]:
    out: dict[str, Any] = {
        "message": d.message + (f"\nhelp: {d.help}" if d.help else ""),
        "location": {"path": path, "range": _range(d.span, columns)},
        "severity": SEVERITY[d.severity],
        "code": {"value": d.code, "url": d.url} if d.url else {"value": d.code},
    }
    if d.fix is not None and d.fix.edits:
        out["suggestions"] = [
            {"range": _range(e.span, columns), "text": e.text} for e in d.fix.edits
        ]
    return out


def render(report: Report, color: bool) -> str:
    paths: dict[str, str] = {}
    columns: dict[str, _Columns] = {}
    diagnostics = []
    for d in report.diagnostics:
        path = paths.get(d.file)
        if path is None:
            path = paths[d.file] = report_path(d.file)
            columns[d.file] = _Columns(report.sources.get(d.file))
        diagnostics.append(diagnostic(d, path, columns[d.file]))
    worst = max((d.severity for d in report.diagnostics), default=None)
    doc = {
        "source": SOURCE,
        "severity": "UNKNOWN_SEVERITY" if worst is None else SEVERITY[worst],
        "diagnostics": diagnostics,
    }
    return json_writer.dumps(doc) + "\n"
