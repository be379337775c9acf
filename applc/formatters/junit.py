"""`junit`: JUnit XML, the test report that CI servers read (GitLab `junit` artifacts,
Jenkins, Azure Pipelines, CircleCI, Buildkite and the JUnit report actions on GitHub).

One `<testsuite>` per file and one `<testcase>` per diagnostic, named by code and
position, whose `<failure type="CODE">` carries the full text; a file with no findings
gets one passing testcase. A clean run is still a valid document with zero failures.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from applc.diagnostics import Diagnostic
from applc.formatters import Report
from applc.formatters.paths import report_path
from applc.formatters.text import escape_controls

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

PASSING = "applc lint"  # the name of a clean file's one testcase


# What XML 1.0 cannot carry: control characters other than tab and line breaks, lone
# surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(text: str) -> str:
    """One line of file-derived text as XML 1.0 can carry it and a CI page can show it:
    control characters escaped as `full` shows them, lone surrogates as U+FFFD."""
    return _xml_chars(escape_controls(text))


def _xml_chars(text: str) -> str:
    return _NOT_XML.sub("\N{REPLACEMENT CHARACTER}", text)


def full_text(d: Diagnostic, path: str) -> str:
    s = d.span
    esc = escape_controls
    lines = [f"{esc(path)}:{s.line}:{s.column}: {d.code} [{d.severity.label}] {esc(d.message)}"]
    if d.help:
        lines.append(f"help: {esc(d.help)}")
    lines += [f"note: {esc(note)}" for note in d.notes]
    if d.target:
        lines.append(f"target: {esc(d.target)}")
    if d.url:
        lines.append(f"docs: {d.url}")
    return "\n".join(lines)


def render(report: Report, color: bool) -> str:
    import xml.etree.ElementTree as ET

    by_file: dict[str, list[Diagnostic]] = {name: [] for name in report.sources}
    for d in report.diagnostics:
        by_file.setdefault(d.file, []).append(d)
    root = ET.Element("testsuites", name="applc")
    tests = failures = 0
    suites: list[tuple[str, Element]] = []
    for file, diagnostics in by_file.items():
        path = report_path(file)
        suite = ET.Element("testsuite", name=_xml_text(path))
        for d in diagnostics:
            case = ET.SubElement(
                suite,
                "testcase",
                name=_xml_text(f"{d.code} at {d.span.line}:{d.span.column}"),
                classname=_xml_text(path),
                file=_xml_text(path),
                line=str(d.span.line),
            )
            failure = ET.SubElement(case, "failure", message=_xml_text(d.message), type=d.code)
            failure.text = _xml_chars(full_text(d, path))
        if not diagnostics:
            ET.SubElement(
                suite, "testcase", name=PASSING, classname=_xml_text(path), file=_xml_text(path)
            )
        count = max(1, len(diagnostics))
        suite.set("tests", str(count))
        suite.set("failures", str(len(diagnostics)))
        suite.set("errors", "0")
        suite.set("skipped", "0")
        tests += count
        failures += len(diagnostics)
        suites.append((path, suite))
    for _, suite in sorted(suites, key=lambda item: item[0]):
        root.append(suite)
    root.set("tests", str(tests))
    root.set("failures", str(failures))
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"
