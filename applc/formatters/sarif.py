"""`sarif`: SARIF 2.1.0 for code-scanning services; a clean run has `"results": []`."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from applc import __version__
from applc.diagnostics import Diagnostic, Severity
from applc.formatters import Report
from applc.links import REPOSITORY_URL
from applc.rules.registry import Rule, all_rules
from applc.writers import json_writer

LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _artifact(path: str) -> dict[str, str]:
    """Where a file is, relative to the checkout (`%SRCROOT%`) as code scanning needs
    it; a file outside the working directory can only be an absolute URI, which SARIF
    does not allow with a `uriBaseId`."""
    p = Path(path)
    if p.is_absolute():
        try:
            p = p.relative_to(Path.cwd())
        except ValueError:
            return {"uri": p.as_uri()}
    return {"uri": quote(p.as_posix()), "uriBaseId": "%SRCROOT%"}


def _region(d: Any) -> dict[str, int]:
    s = d.span
    return {
        "startLine": s.line,
        "startColumn": s.column,
        "endLine": s.end_line,
        "endColumn": s.end_column,
    }


def _result(d: Diagnostic, index: dict[str, int], fingerprint: str) -> dict[str, Any]:
    text = d.message + (f"\nhelp: {d.help}" if d.help else "")
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": _artifact(d.file),
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
        "partialFingerprints": {"applcFingerprint/v1": fingerprint},
    }
    if d.labels:
        result["relatedLocations"] = [
            {
                "id": i + 1,
                "message": {"text": lb.message},
                "physicalLocation": {
                    "artifactLocation": _artifact(d.file),
                    "region": _region(lb),
                },
            }
            for i, lb in enumerate(d.labels)
        ]
    return result


def _fingerprints(diagnostics: list[Diagnostic]) -> list[str]:
    """Each finding's fingerprint: the same across runs and when lines move (no line or
    column goes in), and distinct for two equal findings in one value (`@dbx @dbx`),
    which would otherwise be taken for one alert."""
    seen: dict[str, int] = {}
    out = []
    for d in diagnostics:
        fp = d.fingerprint
        seen[fp] = seen.get(fp, 0) + 1
        out.append(fp if seen[fp] == 1 else f"{fp}:{seen[fp]}")
    return out


def _properties(r: Rule) -> dict[str, Any]:
    if r.security is None:
        return {"tags": ["correctness"]}
    return {
        "tags": ["security", f"external/cwe/cwe-{r.security.cwe}"],
        "security-severity": f"{r.security.severity:.1f}",
    }


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
                "properties": _properties(r),
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
                "results": [
                    _result(d, index, fp)
                    for d, fp in zip(
                        report.diagnostics, _fingerprints(report.diagnostics), strict=True
                    )
                ],
            }
        ],
    }
    return json_writer.dumps(log) + "\n"
