"""`json`: one object with the version, every diagnostic (flat fields) and a summary."""

from __future__ import annotations

from typing import Any

from applc import __version__
from applc.diagnostics import Diagnostic, Severity
from applc.formatters import Report
from applc.writers import json_writer


def diagnostic_dict(d: Diagnostic) -> dict[str, Any]:
    return {
        "code": d.code,
        "name": d.name,
        "severity": d.severity.label,
        "message": d.message,
        "file": d.file,
        "line": d.span.line,
        "column": d.span.column,
        "end_line": d.span.end_line,
        "end_column": d.span.end_column,
        "pointer": d.pointer,
        "help": d.help,
        "url": d.url,
        "notes": list(d.notes),
        "labels": [
            {
                "message": lb.message,
                "line": lb.span.line,
                "column": lb.span.column,
                "end_line": lb.span.end_line,
                "end_column": lb.span.end_column,
            }
            for lb in d.labels
        ],
        "fix": None
        if d.fix is None
        else {
            "message": d.fix.message,
            "applicability": "safe" if d.fix.safe else "unsafe",
            "edits": [
                {
                    "line": e.span.line,
                    "column": e.span.column,
                    "end_line": e.span.end_line,
                    "end_column": e.span.end_column,
                    "content": e.text,
                }
                for e in d.fix.edits
            ],
        },
        "target": d.target,
        "fingerprint": d.fingerprint,
    }


def render(report: Report, color: bool) -> str:
    doc = {
        "applc_version": __version__,
        "schema_version": 1,
        "diagnostics": [diagnostic_dict(d) for d in report.diagnostics],
        "summary": {
            "files": report.files,
            "errors": report.count(Severity.ERROR),
            "warnings": report.count(Severity.WARNING),
            "infos": report.count(Severity.INFO),
            "fixable": sum(1 for d in report.diagnostics if d.fix is not None and d.fix.safe),
        },
    }
    return json_writer.dumps(doc) + "\n"
