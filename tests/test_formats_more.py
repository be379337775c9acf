"""The CI formats (json-lines, gitlab, junit, rdjson), driven through the CLI as a user would."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT, position_of

BROKEN = str(EXAMPLES / "broken.appliance.json")
CLEAN = str(EXAMPLES / "workflow.appliance.json")
NEW_FORMATS = ("json-lines", "gitlab", "junit", "rdjson")
BROKEN_COUNT = 31  # what the json format reports for BROKEN: 17 errors, 13 warnings, 1 info


def json_diagnostics(cli, *paths: str) -> list[dict]:
    data = json.loads(cli(["lint", "-f", "json", *paths]).stdout)
    assert len(data["diagnostics"]) == sum(
        data["summary"][k] for k in ("errors", "warnings", "infos")
    )
    return data["diagnostics"]


@pytest.fixture
def in_root(monkeypatch):
    """Run from the repository root, as CI does, so paths under it come out relative."""
    monkeypatch.chdir(ROOT)


# --- registration -------------------------------------------------------------------


def test_help_lists_every_format(cli):
    run = cli(["lint", "--help"])
    assert run.code == 0
    # Click wraps long help lines, and may break at the hyphen of `json-lines`.
    text = re.sub(r"-\s*\n\s*", "-", run.stdout)
    text = " ".join(text.split())
    listed = re.search(r"Output format \(([^)]*)\)", text)
    assert listed is not None
    names = [n.strip() for n in listed.group(1).split(",")]
    assert names == ["full", "concise", "json", "json-lines", "sarif", "github", *NEW_FORMATS[1:]]


@pytest.mark.parametrize("name", NEW_FORMATS)
def test_each_format_runs_and_fails_like_the_others(cli, name):
    bad = cli(["lint", "-f", name, BROKEN])
    assert bad.code == 1
    assert bad.stderr.startswith("Found 17 errors, 13 warnings and 1 info in 1 file.")
    clean = cli(["lint", "-f", name, CLEAN])
    assert clean.code == 0
    assert clean.stderr.startswith("All checks passed! (1 file)")


def test_misspelt_format_suggests_the_new_name(cli):
    run = cli(["lint", "-f", "json-line", CLEAN])
    assert run.code == 2
    assert "did you mean `json-lines`?" in run.stderr


def test_format_from_the_environment(cli):
    run = cli(["lint", BROKEN], env={"APPLC_OUTPUT_FORMAT": "json-lines"})
    assert len(run.stdout.splitlines()) == BROKEN_COUNT


# --- json-lines ---------------------------------------------------------------------


def test_json_lines_one_object_per_line_same_as_json(cli):
    run = cli(["lint", "-f", "json-lines", BROKEN])
    assert run.stdout.endswith("\n")
    lines = run.stdout.splitlines()
    assert len(lines) == BROKEN_COUNT
    objects = [json.loads(line) for line in lines]  # every line parses on its own
    assert all(isinstance(o, dict) for o in objects)
    assert objects == json_diagnostics(cli, BROKEN)  # same fields, same order, no envelope
    assert "applc_version" not in run.stdout and "summary" not in objects[0]


def test_json_lines_clean_run_prints_nothing(cli):
    run = cli(["lint", "-f", "json-lines", CLEAN])
    assert run.code == 0
    assert run.stdout == ""


def test_json_lines_unicode_line_breaks_stay_on_one_line(cli, tmp_path):
    f = tmp_path / "odd.json"
    # Unknown keys holding U+2028, U+2029 and NEL end up in the messages.
    f.write_text(
        '{"id": "odd", "a\\u2028b": 1, "c\\u2029d": 2, "e\\u0085f": 3, "containers": []}',
        encoding="utf-8",
    )
    run = cli(["lint", "-f", "json-lines", str(f)])
    expected = json_diagnostics(cli, str(f))
    lines = run.stdout.splitlines()  # splits on U+2028, U+2029 and NEL too
    assert len(lines) == len(expected) >= 3
    assert [json.loads(line) for line in lines] == expected
    assert any("\u2028" in d["message"] for d in expected)


# --- gitlab -------------------------------------------------------------------------

GITLAB_KEYS = {"description", "check_name", "fingerprint", "severity", "location"}


def test_gitlab_code_quality_shape(cli, in_root):
    run = cli(["lint", "-f", "gitlab", BROKEN])
    issues = json.loads(run.stdout)
    diagnostics = json_diagnostics(cli, BROKEN)
    assert isinstance(issues, list) and len(issues) == len(diagnostics) == BROKEN_COUNT
    severity = {"error": "critical", "warning": "major", "info": "info"}
    for issue, d in zip(issues, diagnostics, strict=True):
        assert set(issue) == GITLAB_KEYS
        assert issue["description"] == f"{d['code']} {d['message']}"
        assert issue["check_name"] == d["code"]
        assert issue["severity"] == severity[d["severity"]]
        assert re.fullmatch(r"[0-9a-f]{64}", issue["fingerprint"])
        assert issue["location"] == {
            # BROKEN is absolute and under the current folder: relative, as GitLab wants.
            "path": "examples/broken.appliance.json",
            "positions": {
                "begin": {"line": d["line"], "column": d["column"]},
                "end": {"line": d["end_line"], "column": d["end_column"]},
            },
        }
    assert issues[0] == {
        "description": "APL201 unknown reference `@zookeper`",
        "check_name": "APL201",
        "fingerprint": issues[0]["fingerprint"],
        "severity": "critical",
        "location": {
            "path": "examples/broken.appliance.json",
            "positions": {"begin": {"line": 34, "column": 41}, "end": {"line": 34, "column": 50}},
        },
    }
    assert {i["severity"] for i in issues} == {"critical", "major", "info"}


def test_gitlab_calls_an_unreadable_file_a_blocker(cli, in_root, tmp_path):
    f = tmp_path / "bad.appliance.json"
    f.write_text('{"id": "a", "containers": [}', encoding="utf-8")
    issues = json.loads(cli(["lint", "-f", "gitlab", str(f)]).stdout)
    assert [(i["check_name"], i["severity"]) for i in issues] == [("APL001", "blocker")]


def test_gitlab_path_outside_the_current_folder_is_kept(cli, in_root, tmp_path):
    f = tmp_path / "broken.appliance.json"
    f.write_text(Path(BROKEN).read_text(encoding="utf-8"), encoding="utf-8")
    issues = json.loads(cli(["lint", "-f", "gitlab", str(f)]).stdout)
    assert {i["location"]["path"] for i in issues} == {str(f)}


def test_gitlab_relative_input_path(cli, in_root):
    issues = json.loads(cli(["lint", "-f", "gitlab", "./examples/broken.appliance.json"]).stdout)
    assert {i["location"]["path"] for i in issues} == {"examples/broken.appliance.json"}


def test_gitlab_fingerprints_unique_and_stable(cli, tmp_path):
    f = tmp_path / "broken.appliance.json"
    text = Path(BROKEN).read_text(encoding="utf-8")
    f.write_text(text, encoding="utf-8")
    first = json.loads(cli(["lint", "-f", "gitlab", str(f)]).stdout)
    again = json.loads(cli(["lint", "-f", "gitlab", str(f)]).stdout)
    fingerprints = [i["fingerprint"] for i in first]
    assert len(set(fingerprints)) == len(fingerprints) == BROKEN_COUNT
    assert [i["fingerprint"] for i in again] == fingerprints

    f.write_text("\n" + text, encoding="utf-8")  # an unrelated edit: every line moves down
    moved = json.loads(cli(["lint", "-f", "gitlab", str(f)]).stdout)
    assert [i["location"]["positions"]["begin"]["line"] for i in moved] == [
        i["location"]["positions"]["begin"]["line"] + 1 for i in first
    ]
    assert [i["fingerprint"] for i in moved] == fingerprints


def test_gitlab_identical_findings_get_distinct_fingerprints():
    from applc.diagnostics import Diagnostic, Severity
    from applc.formatters import Report, renderer
    from applc.source import Span

    d = Diagnostic(
        "APL201", "unknown-reference", Severity.ERROR, "m", "a.json", Span(1, 1, 1, 2), "/x"
    )
    twin = Diagnostic(
        "APL201", "unknown-reference", Severity.ERROR, "m", "a.json", Span(2, 1, 2, 2), "/x"
    )
    issues = json.loads(renderer("gitlab")(Report([d, twin]), False))
    assert issues[0]["fingerprint"] != issues[1]["fingerprint"]
    # The first keeps the fingerprint it has alone, so adding a twin leaves it in place.
    alone = json.loads(renderer("gitlab")(Report([d]), False))
    assert alone[0]["fingerprint"] == issues[0]["fingerprint"]


def test_gitlab_clean_run_is_an_empty_array(cli):
    run = cli(["lint", "-f", "gitlab", CLEAN])
    assert run.code == 0
    assert json.loads(run.stdout) == []


# --- junit --------------------------------------------------------------------------


def parse_junit(text: str) -> ET.Element:
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(text.encode("utf-8"))


def test_junit_one_suite_per_file_one_case_per_finding(cli, in_root):
    run = cli(["lint", "-f", "junit", BROKEN, CLEAN])
    root = parse_junit(run.stdout)
    diagnostics = json_diagnostics(cli, BROKEN, CLEAN)
    assert root.tag == "testsuites"
    assert root.get("tests") == str(BROKEN_COUNT + 1)
    assert root.get("failures") == str(BROKEN_COUNT) == str(len(diagnostics))
    assert root.get("errors") == "0"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [
        "examples/broken.appliance.json",
        "examples/workflow.appliance.json",
    ]
    broken, clean = suites
    cases = broken.findall("testcase")
    assert broken.get("tests") == broken.get("failures") == str(len(cases)) == str(BROKEN_COUNT)
    failures = [c.find("failure") for c in cases]
    assert all(f is not None for f in failures)
    assert len(list(root.iter("failure"))) == len(diagnostics)
    for case, failure, d in zip(cases, failures, diagnostics, strict=True):
        assert case.get("name") == f"{d['code']} at {d['line']}:{d['column']}"
        assert case.get("classname") == "examples/broken.appliance.json"
        assert case.get("line") == str(d["line"])
        assert failure.get("type") == d["code"]
        assert failure.get("message") == d["message"]
        body = failure.text or ""
        first = f"examples/broken.appliance.json:{d['line']}:{d['column']}: {d['code']}"
        assert body.startswith(f"{first} [{d['severity']}] {d['message']}")
        if d["help"]:
            assert f"\nhelp: {d['help']}" in body
    # A file with no findings: one passing testcase.
    assert clean.get("tests") == "1" and clean.get("failures") == "0"
    (passing,) = clean.findall("testcase")
    assert passing.find("failure") is None
    assert passing.get("classname") == "examples/workflow.appliance.json"


def test_junit_escapes_what_the_spec_holds(cli, tmp_path):
    f = tmp_path / "hostile.json"
    # An unknown key with markup, quotes, a control character and a lone surrogate.
    f.write_text(
        '{"id": "h", "<a href=\\"x\\">&amp;\\u0001\\ud800": 1, "containers": []}',
        encoding="utf-8",
    )
    js = tmp_path / "hostile.out.json"  # a file: the lone surrogate is kept as is there
    run = cli(["lint", "-f", "junit", "-f", f"json={js}", str(f)])
    root = parse_junit(run.stdout)
    messages = [fl.get("message") or "" for fl in root.iter("failure")]
    # The control character is shown as an escape, as `full` shows it; the lone
    # surrogate, which XML cannot carry at all, as U+FFFD.
    assert any('<a href="x">&amp;\\x01\N{REPLACEMENT CHARACTER}' in m for m in messages)
    expected = json.loads(js.read_text(encoding="utf-8", errors="surrogatepass"))
    assert root.get("failures") == str(len(expected["diagnostics"])) != "0"


def test_junit_clean_run_is_a_valid_document(cli):
    run = cli(["lint", "-f", "junit", CLEAN])
    assert run.code == 0
    root = parse_junit(run.stdout)
    assert root.tag == "testsuites"
    assert root.get("failures") == "0" and root.get("errors") == "0"
    assert list(root.iter("failure")) == []


def test_junit_nothing_linted_is_still_a_document(cli, tmp_path):
    run = cli(["lint", "-f", "junit", str(tmp_path)])  # an empty folder
    root = parse_junit(run.stdout)
    assert root.get("tests") == "0" and root.get("failures") == "0"
    assert root.findall("testsuite") == []


# --- rdjson -------------------------------------------------------------------------


def test_rdjson_fields(cli, in_root):
    doc = json.loads(cli(["lint", "-f", "rdjson", BROKEN]).stdout)
    diagnostics = json_diagnostics(cli, BROKEN)
    assert set(doc) == {"source", "severity", "diagnostics"}
    assert doc["source"]["name"] == "applc"
    assert doc["source"]["url"].startswith("https://")
    assert doc["severity"] == "ERROR"
    assert len(doc["diagnostics"]) == len(diagnostics) == BROKEN_COUNT
    severity = {"error": "ERROR", "warning": "WARNING", "info": "INFO"}
    for rd, d in zip(doc["diagnostics"], diagnostics, strict=True):
        assert set(rd) - {"suggestions"} == {"message", "location", "severity", "code"}
        assert rd["message"].split("\nhelp: ")[0] == d["message"]
        assert rd["severity"] == severity[d["severity"]]
        assert rd["code"] == {"value": d["code"], "url": d["url"]}
        assert rd["location"] == {
            "path": "examples/broken.appliance.json",
            # BROKEN is ASCII, so UTF-8 byte columns equal code-point columns.
            "range": {
                "start": {"line": d["line"], "column": d["column"]},
                "end": {"line": d["end_line"], "column": d["end_column"]},
            },
        }
        if d["fix"] is None:
            assert "suggestions" not in rd
        else:
            assert rd["suggestions"] == [
                {
                    "range": {
                        "start": {"line": e["line"], "column": e["column"]},
                        "end": {"line": e["end_line"], "column": e["end_column"]},
                    },
                    "text": e["content"],
                }
                for e in d["fix"]["edits"]
            ]
    with_fixes = [rd for rd in doc["diagnostics"] if "suggestions" in rd]
    assert len(with_fixes) == sum(1 for d in diagnostics if d["fix"]) == 5
    assert with_fixes[0]["suggestions"][0]["text"] == "@zookeeper"
    assert doc["diagnostics"][0]["message"] == (
        "unknown reference `@zookeper`\nhelp: did you mean `@zookeeper`?"
    )


def test_rdjson_columns_are_utf8_bytes(cli, tmp_path):
    f = tmp_path / "u.json"
    f.write_text(
        '{"id": "u", "containers": [{"id": "a", "type": "service", "image": "x:1",\n'
        ' "resources": {"cpus": 1, "mem": 1024}, "env": {"NOTE": "€ @zookeper"}}]}\n',
        encoding="utf-8",
    )
    line, column, _, end_column = position_of(f.read_text(encoding="utf-8"), "@zookeper")
    (d,) = json_diagnostics(cli, str(f))
    assert (d["code"], d["line"], d["column"], d["end_column"]) == (
        "APL201",
        line,
        column,
        end_column,
    )  # code points
    (rd,) = json.loads(cli(["lint", "-f", "rdjson", str(f)]).stdout)["diagnostics"]
    assert rd["location"]["range"] == {  # `€` is three bytes in UTF-8
        "start": {"line": 2, "column": column + 2},
        "end": {"line": 2, "column": end_column + 2},
    }


def test_rdjson_clean_run(cli):
    run = cli(["lint", "-f", "rdjson", CLEAN])
    assert run.code == 0
    doc = json.loads(run.stdout)
    assert doc["diagnostics"] == []
    assert doc["source"]["name"] == "applc"
    assert doc["severity"] == "UNKNOWN_SEVERITY"


def test_rdjson_overall_severity_is_the_worst(cli, tmp_path):
    f = tmp_path / "w.json"
    f.write_text(
        '{"id": "w", "containers": [{"id": "a", "type": "service", "image": "x:latest",'
        ' "resources": {"cpus": 1, "mem": 1024}}]}',
        encoding="utf-8",
    )
    doc = json.loads(cli(["lint", "-f", "rdjson", str(f)]).stdout)
    assert {d["severity"] for d in doc["diagnostics"]} == {"WARNING"}
    assert doc["severity"] == "WARNING"


# --- several at once, to files ------------------------------------------------------


def test_new_formats_written_to_files(cli, tmp_path):
    out = tmp_path / "reports"
    run = cli(
        [
            "lint",
            "-f",
            "concise",
            "-f",
            f"json-lines={out / 'applc.jsonl'}",
            "-f",
            f"gitlab={out / 'gl-code-quality-report.json'}",
            "-f",
            f"junit={out / 'junit.xml'}",
            "-f",
            f"rdjson={out / 'applc.rdjson'}",
            BROKEN,
        ]
    )
    assert run.code == 1
    assert len(run.stdout.splitlines()) == BROKEN_COUNT  # only concise on stdout
    jsonl = (out / "applc.jsonl").read_text(encoding="utf-8").splitlines()
    assert len([json.loads(line) for line in jsonl]) == BROKEN_COUNT
    assert len(json.loads((out / "gl-code-quality-report.json").read_text("utf-8"))) == BROKEN_COUNT
    junit = ET.parse(out / "junit.xml").getroot()
    assert junit.get("failures") == str(BROKEN_COUNT)
    rd = json.loads((out / "applc.rdjson").read_text(encoding="utf-8"))
    assert len(rd["diagnostics"]) == BROKEN_COUNT
    # Files get no colour, whatever standard output gets.
    forced = cli(["lint", "--color", "always", "-f", f"junit={out / 'c.xml'}", BROKEN])
    assert "\x1b[" not in (out / "c.xml").read_text(encoding="utf-8")
    assert forced.code == 1


def test_new_formats_written_to_files_on_a_clean_run(cli, tmp_path):
    paths = {name: tmp_path / f"out.{name}" for name in NEW_FORMATS}
    args = ["lint"]
    for name, path in paths.items():
        args += ["-f", f"{name}={path}"]
    run = cli([*args, CLEAN])
    assert run.code == 0
    assert run.stdout == ""  # every format went to a file
    assert paths["json-lines"].read_text(encoding="utf-8") == ""
    assert json.loads(paths["gitlab"].read_text(encoding="utf-8")) == []
    assert ET.parse(paths["junit"]).getroot().get("failures") == "0"
    assert json.loads(paths["rdjson"].read_text(encoding="utf-8"))["diagnostics"] == []
