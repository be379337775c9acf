"""`full`: rustc/ruff-style diagnostics with the source line and carets (the default)."""

from __future__ import annotations

from applc.diagnostics import Diagnostic
from applc.formatters import Report
from applc.formatters.text import SEVERITY_COLOR, display, escape_controls, paint, width
from applc.source import Source, Span

MAX_SHOWN = 160  # columns of a source line shown around the span


def render(report: Report, color: bool) -> str:
    return "".join(
        render_one(d, report.sources.get(d.file), color) + "\n" for d in report.diagnostics
    )


def render_one(d: Diagnostic, source: Source | None, color: bool) -> str:
    sev = d.severity.label
    head = paint(f"{sev}[{d.code}]", SEVERITY_COLOR[d.severity], color)
    esc = escape_controls  # everything below that came from a file is shown escaped
    lines = [f"{head}{paint(': ' + esc(d.message), 'bold', color)}"]
    marks: list[tuple[Span, str, str]] = [(d.span, "^", "")]
    marks += [(lb.span, "-", esc(lb.message)) for lb in d.labels]
    shown = sorted({s.line for s, _, _ in marks}) if source and source.text else []
    gutter = len(str(max(shown))) if shown else 1
    pad = " " * gutter
    bar = paint("|", "blue", color)
    lines.append(f"{pad}{paint('-->', 'blue', color)} {esc(d.file)}:{d.span.line}:{d.span.column}")
    if shown and source is not None:
        lines.append(f"{pad} {bar}")
        previous = None
        for n in shown:
            if previous is not None and n > previous + 1:
                lines.append(paint("...", "blue", color))
            previous = n
            start = 0
            first_col = min(s.column for s, _, _ in marks if s.line == n)
            if first_col > MAX_SHOWN:
                start = first_col - 40
            # Only the shown window is cut from the text: a huge line with thousands of
            # findings must not be copied once per finding.
            shown_text = source.line_slice(n, start, start + MAX_SHOWN * 2)
            lines.append(
                f"{paint(str(n).rjust(gutter), 'blue', color)} {bar} {display(shown_text)}"
            )
            for span, ch, msg in marks:
                if span.line != n:
                    continue
                col0 = span.column - 1 - start
                end0 = (span.end_column - 1 - start) if span.end_line == n else len(shown_text)
                # Underline only what is shown: a span over a huge value stays cheap.
                end0 = min(end0, len(shown_text))
                lead = width(display(shown_text[:col0]))
                length = max(1, width(display(shown_text[col0:end0])))
                style = SEVERITY_COLOR[d.severity] if ch == "^" else "blue"
                underline = paint(ch * length + (" " + msg if msg else ""), style, color)
                lines.append(f"{pad} {bar} {' ' * lead}{underline}")
        lines.append(f"{pad} {bar}")
    if d.help:
        lines.append(f"{pad} = {paint('help', 'bold', color)}: {esc(d.help)}")
    for note in d.notes:
        lines.append(f"{pad} = note: {esc(note)}")
    if d.target:
        lines.append(f"{pad} = target: {esc(d.target)}")
    return "\n".join(lines) + "\n"
