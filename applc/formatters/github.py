"""`github`: GitHub Actions workflow commands, one annotation per diagnostic."""

from __future__ import annotations

from applc.diagnostics import Severity
from applc.formatters import Report
from applc.formatters.text import escape_controls

COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    # The log GitHub shows renders ANSI sequences: file-derived text is escaped first,
    # then the workflow-command encoding carries the line breaks applc itself writes.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report, color: bool) -> str:
    out = []
    for d in report.diagnostics:
        s = d.span
        props = ",".join(
            (
                f"file={escape_property(escape_controls(d.file))}",
                f"line={s.line}",
                f"col={s.column}",
                f"endLine={s.end_line}",
                f"endColumn={s.end_column}",
                f"title={escape_property(f'{d.code} {d.name}')}",
            )
        )
        message = escape_controls(d.message)
        if d.help:
            message += f"\nhelp: {escape_controls(d.help)}"
        out.append(f"::{COMMAND[d.severity]} {props}::{escape_data(message)}\n")
    return "".join(out)
