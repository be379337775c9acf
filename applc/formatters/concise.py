"""`concise`: one line per diagnostic, `file:line:col: CODE [severity] message`.

The gcc-style prefix is what Vim's errorformat, Emacs compile-mode and CI problem
matchers read.
"""

from __future__ import annotations

from applc.formatters import Report
from applc.formatters.text import escape_controls


def render(report: Report, color: bool) -> str:
    out = []
    for d in report.diagnostics:
        line = f"{d.file}:{d.span.line}:{d.span.column}: {d.code} [{d.severity.label}] {d.message}"
        if d.help:
            line += f" ({d.help})"
        out.append(escape_controls(line) + "\n")
    return "".join(out)
