"""`gitlab`: a GitLab Code Quality report, read by GitLab CI as a `codequality` artifact.

A JSON array of issues, each `{description, check_name, fingerprint, severity,
location: {path, positions: {begin: {line, column}, end: {line, column}}}}`; GitLab shows
them in the merge-request widget and the diff. A clean run prints `[]`.

The fingerprint hashes the path, code, pointer and message, never a line number, so a
finding keeps its identity across edits elsewhere in the file and GitLab can tell new
findings from old ones.
"""

from __future__ import annotations

import hashlib
from typing import Any

from applc.diagnostics import Diagnostic, Severity
from applc.formatters import Report
from applc.formatters.paths import report_path
from applc.writers import json_writer

# GitLab's levels are info, minor, major, critical and blocker.
SEVERITY = {Severity.ERROR: "critical", Severity.WARNING: "major", Severity.INFO: "info"}
# A file that cannot be read at all blocks everything else.
BLOCKERS = frozenset({"APL001", "APL003"})


def fingerprint(path: str, d: Diagnostic, occurrence: int = 0) -> str:
    """sha256 of path, code, pointer and message; `occurrence` tells apart identical twins."""
    parts = [path, d.code, d.pointer, d.message]
    if occurrence:
        parts.append(str(occurrence))
    raw = "\x00".join(parts)
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def issue(d: Diagnostic, path: str, fp: str) -> dict[str, Any]:
    s = d.span
    return {
        "description": f"{d.code} {d.message}",
        "check_name": d.code,
        "fingerprint": fp,
        "severity": "blocker" if d.code in BLOCKERS else SEVERITY[d.severity],
        "location": {
            "path": path,
            "positions": {
                "begin": {"line": s.line, "column": s.column},
                "end": {"line": s.end_line, "column": s.end_column},
            },
        },
    }


def render(report: Report, color: bool) -> str:
    paths: dict[str, str] = {}
    seen: dict[tuple[str, str, str, str], int] = {}
    issues = []
    for d in report.diagnostics:
        path = paths.get(d.file)
        if path is None:
            path = paths[d.file] = report_path(d.file)
        key = (path, d.code, d.pointer, d.message)
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        issues.append(issue(d, path, fingerprint(path, d, occurrence)))
    return json_writer.dumps(issues) + "\n"
