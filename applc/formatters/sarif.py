"""`sarif`: SARIF 2.1.0 for code-scanning services; a clean run has `"results": []`."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from applc import __version__
from applc.diagnostics import Diagnostic, Severity
from applc.formatters import Report
from applc.links import REPOSITORY_URL
from applc.rules.registry import all_rules
from applc.writers import json_writer

LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _uri(path: str) -> str:
    p = Path(path)
    if p.is_absolute():
        try:
            p = p.relative_to(Path.cwd())
        except ValueError:
            return p.as_uri()
    return quote(p.as_posix())


def _region(d: Any) -> dict[str, int]:
    s = d.span
    return {
        "startLine": s.line,
        "startColumn": s.column,
        "endLine": s.end_line,
        "endColumn": s.end_column,
    }


def _result(d: Diagnostic, index: dict[str, int]) -> dict[str, Any]:
    text = d.message + (f"\nhelp: {d.help}" if d.help else "")
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": {"uri": _uri(d.file), "uriBaseId": "%SRCROOT%"},
            "region": _region(d),
        }
    }
    if d.pointer:
        location["logicalLocations"] = [{"fullyQualifiedName": d.pointer, "kind": "object"}]
    result: dict[str, Any] = {
        "ruleId": d.code,
        "ruleIndex": index[d.code],
        "level": LEVEL[d.severity],
        "message": {"text": text},
        "locations": [location],
        "partialFingerprints": {"applcFingerprint/v1": d.fingerprint},
    }
    if d.labels:
        result["relatedLocations"] = [
            {
                "id": i + 1,
                "message": {"text": lb.message},
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(d.file), "uriBaseId": "%SRCROOT%"},
                    "region": _region(lb),
                },
            }
            for i, lb in enumerate(d.labels)
        ]
    return result


def render(report: Report, color: bool) -> str:
    rules = all_rules()
    index = {r.code: i for i, r in enumerate(rules)}
    driver = {
        "name": "applc",
        "version": __version__,
        "semanticVersion": __version__,
        "informationUri": REPOSITORY_URL,
        "rules": [
            {
                "id": r.code,
                "name": r.name,
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": r.docs},
                "helpUri": r.url,
                "help": {"text": r.docs, "markdown": r.docs},
                "defaultConfiguration": {"level": LEVEL[r.severity]},
            }
            for r in rules
        ],
    }
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "columnKind": "unicodeCodePoints",
                "results": [_result(d, index) for d in report.diagnostics],
            }
        ],
    }
    return json_writer.dumps(log) + "\n"
