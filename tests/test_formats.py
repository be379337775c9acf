"""Each output format's exact shape, driven through the CLI as a user would."""

from __future__ import annotations

import json
import re

from tests.conftest import EXAMPLES

BROKEN = str(EXAMPLES / "broken.appliance.json")
CLEAN = str(EXAMPLES / "workflow.appliance.json")

REF_APP = """{
  "id": "mesos",
  "containers": [
    {"id": "zookeeper", "type": "service", "image": "zookeeper:3.9",
     "resources": {"cpus": 1, "mem": 1024}},
    {"id": "master", "type": "service", "image": "mesos-master:1.9",
     "resources": {"cpus": 1, "mem": 1024},
     "args": ["--zk=zk://@zookeper:2181/mesos"], "dependencies": ["zookeeper"]}
  ]
}
"""


def test_full_format_snippet_with_carets_and_help(cli, tmp_path):
    f = tmp_path / "mesos.json"
    f.write_text(REF_APP)
    run = cli(["lint", str(f)])
    assert run.code == 1
    assert run.stdout == (
        "error[APL201]: unknown reference `@zookeper`\n"
        f" --> {f}:8:26\n"
        "  |\n"
        '8 |      "args": ["--zk=zk://@zookeper:2181/mesos"], "dependencies": ["zookeeper"]}\n'
        "  |                          ^^^^^^^^^\n"
        "  |\n"
        "  = help: did you mean `@zookeeper`?\n"
        "\n"
    )
    assert run.stderr.strip().splitlines() == [
        "Found 1 error, 0 warnings and 0 infos in 1 file.",
        "[*] 1 fixable with `applc lint --fix`.",
    ]


def test_concise_format(cli, tmp_path):
    f = tmp_path / "mesos.json"
    f.write_text(REF_APP)
    run = cli(["lint", "--output-format", "concise", str(f)])
    assert run.stdout == (
        f"{f}:8:26: APL201 [error] unknown reference `@zookeper` (did you mean `@zookeeper`?)\n"
    )


def test_json_format_fields_and_summary(cli):
    run = cli(["lint", "-f", "json", BROKEN])
    data = json.loads(run.stdout)  # stdout holds nothing but the document
    assert set(data) >= {"applc_version", "diagnostics", "summary"}
    assert data["summary"] == {"files": 1, "errors": 17, "warnings": 13, "infos": 1, "fixable": 2}
    first = data["diagnostics"][0]
    assert {
        k: first[k]
        for k in (
            "code",
            "name",
            "severity",
            "file",
            "line",
            "column",
            "end_line",
            "end_column",
            "pointer",
            "help",
        )
    } == {
        "code": "APL201",
        "name": "unknown-reference",
        "severity": "error",
        "file": BROKEN,
        "line": 34,
        "column": 41,
        "end_line": 34,
        "end_column": 50,
        "pointer": "/containers/1/env/KAFKA_CFG_ZOOKEEPER_CONNECT",
        "help": "did you mean `@zookeeper`?",
    }
    assert first["url"].endswith("/APL201.md")
    keys = [(d["file"], d["line"], d["column"], d["code"]) for d in data["diagnostics"]]
    assert keys == sorted(keys)


def test_json_format_clean_run(cli):
    run = cli(["lint", "-f", "json", CLEAN])
    assert run.code == 0
    data = json.loads(run.stdout)
    assert data["diagnostics"] == []
    assert data["summary"] == {"files": 1, "errors": 0, "warnings": 0, "infos": 0, "fixable": 0}


def test_github_format_annotations(cli):
    run = cli(["lint", "-f", "github", BROKEN])
    lines = run.stdout.splitlines()
    assert len(lines) == 31
    pattern = re.compile(
        r"^::(error|warning|notice) file=[^,]+,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,"
        r"title=APL\d{3} [a-z0-9-]+::[^\n]+$"
    )
    assert all(pattern.match(line) for line in lines)
    assert lines[0] == (
        f"::error file={BROKEN},line=34,col=41,endLine=34,endColumn=50,"
        "title=APL201 unknown-reference::unknown reference `@zookeper`"
        "%0Ahelp: did you mean `@zookeeper`?"
    )
    assert any(line.startswith("::notice ") for line in lines)  # info -> notice


def test_github_escapes_properties_and_data():
    from applc.formatters.github import escape_data, escape_property

    assert escape_data("50%\r\nx") == "50%25%0D%0Ax"
    assert escape_property("a:b,c") == "a%3Ab%2Cc"


def test_sarif_valid_for_failing_and_clean_runs(cli):
    from tests.support.validators import validate_sarif

    bad = json.loads(cli(["lint", "-f", "sarif", BROKEN]).stdout)
    assert validate_sarif(bad) == []
    run = bad["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    assert len(run["results"]) == 31
    r0 = run["results"][0]
    assert r0["ruleId"] == "APL201" and r0["level"] == "error"
    assert run["tool"]["driver"]["rules"][r0["ruleIndex"]]["id"] == "APL201"
    region = r0["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 34, "startColumn": 41, "endLine": 34, "endColumn": 50}
    clean = json.loads(cli(["lint", "-f", "sarif", CLEAN]).stdout)
    assert validate_sarif(clean) == []
    assert clean["runs"][0]["results"] == []


def test_several_formats_in_one_run(cli, tmp_path):
    sarif = tmp_path / "out" / "applc.sarif"
    js = tmp_path / "applc.json"
    run = cli(["lint", "-f", "concise", "-f", f"sarif={sarif}", "-f", f"json={js}", BROKEN])
    assert run.code == 1
    assert run.stdout.count("\n") == 31
    assert len(json.loads(sarif.read_text())["runs"][0]["results"]) == 31
    assert json.loads(js.read_text())["summary"]["errors"] == 17


def test_two_formats_on_stdout_is_a_usage_error(cli):
    run = cli(["lint", "-f", "json", "-f", "concise", CLEAN])
    assert run.code == 2
    assert "only one --output-format" in run.stderr


def test_unknown_format_is_a_usage_error_with_suggestion(cli):
    run = cli(["lint", "-f", "sarf", CLEAN])
    assert run.code == 2
    assert "did you mean `sarif`?" in run.stderr


def test_colour_only_when_asked_or_on_a_terminal(cli):
    plain = cli(["lint", BROKEN])
    assert "\x1b[" not in plain.stdout  # CliRunner is not a terminal
    forced = cli(["lint", "--color", "always", BROKEN])
    assert "\x1b[1;31merror[APL201]" in forced.stdout
    no_color = cli(["lint", BROKEN], env={"NO_COLOR": "1", "FORCE_COLOR": "1"})
    assert "\x1b[" not in no_color.stdout
