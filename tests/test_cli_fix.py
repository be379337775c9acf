"""`applc lint --fix`, `--diff`, `--add-ignore` and `--statistics`, driven as a user would."""

from __future__ import annotations

import json
import os
import shutil
import stat
from collections import Counter
from pathlib import Path

import pytest

from applc import fixing
from applc.config import Settings
from applc.diagnostics import Diagnostic, ResolvedEdit, ResolvedFix, Severity
from applc.edits import TextEdit, apply_edits, choose_fixes
from applc.inputs import parse_document
from applc.rules.context import LintOptions
from applc.source import Span
from tests.conftest import EXAMPLES

BROKEN = EXAMPLES / "broken.appliance.json"

# Two findings of the broken example have a safe fix, three more an unsafe one.
SAFE = {"APL201": 1, "APL243": 1}
UNSAFE = {"APL102": 2, "APL105": 1}


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    f = tmp_path / "broken.appliance.json"
    shutil.copyfile(BROKEN, f)
    return f


@pytest.fixture
def broken_dsl(cli, tmp_path: Path) -> Path:
    f = tmp_path / "broken.appl"
    run = cli(["convert", str(BROKEN), "--to", "dsl", "-o", str(f)])
    assert run.code == 0, run.stderr
    return f


def codes(cli, f: Path, *extra: str) -> Counter[str]:
    run = cli(["lint", "-f", "json", *extra, str(f)])
    return Counter(d["code"] for d in run.json()["diagnostics"])


def test_the_summary_says_how_many_findings_can_be_fixed(cli, broken):
    run = cli(["lint", str(broken)])
    assert run.stderr.strip().splitlines()[-1] == (
        "[*] 2 fixable with `applc lint --fix` (3 more with --unsafe-fixes)."
    )


def test_diff_shows_the_safe_fixes_and_writes_nothing(cli, broken):
    before = broken.read_bytes()
    run = cli(["lint", "--diff", str(broken)])
    assert run.code == 1
    assert broken.read_bytes() == before
    removed = [line for line in run.stdout.splitlines() if line.startswith("-  ")]
    added = [line for line in run.stdout.splitlines() if line.startswith("+  ")]
    assert [a[1:].strip() for a in added] == [
        '"KAFKA_CFG_ZOOKEEPER_CONNECT": "@zookeeper:2181/kafka"',
        '"interval": "T10M"',
    ]
    assert len(removed) == 2
    assert run.stdout.startswith(f"--- a/{broken}\n+++ b/{broken}\n")
    assert run.stderr.strip() == "Would fix 2 findings in 1 file."


def test_diff_marks_a_last_line_without_a_newline(cli, tmp_path):
    f = tmp_path / "a.appliance.json"
    f.write_text(
        '{"id": "a", "containers": [{"id": "web", "type": "service", "image": "nginx:1.25", '
        '"network_mode": "bridgee", "resources": {"cpus": 1, "mem": 64}}]}'
    )
    run = cli(["lint", "--diff", str(f)])
    assert run.code == 1
    assert run.stdout.count("\\ No newline at end of file\n") == 2
    assert '"network_mode": "BRIDGE"' in run.stdout


def test_diff_of_a_file_with_nothing_to_fix_exits_zero(cli):
    run = cli(["lint", "--diff", str(EXAMPLES / "workflow.appliance.json")])
    assert (run.code, run.stdout, run.stderr.strip()) == (0, "", "No fixes to make.")


def test_fix_writes_the_file_back_keeping_its_permissions(cli, broken):
    before = codes(cli, broken)
    os.chmod(broken, 0o640)
    run = cli(["lint", "--fix", "-f", "json", str(broken)])
    assert run.code == 1  # errors without a fix remain
    assert run.stderr.splitlines()[0] == "Fixed 2 findings in 1 file."
    assert stat.S_IMODE(broken.stat().st_mode) == 0o640
    after = Counter(d["code"] for d in run.json()["diagnostics"])
    assert after == before - Counter(SAFE)
    assert after == codes(cli, broken)  # the report is of the file as written
    text = broken.read_text()
    assert '"@zookeeper:2181/kafka"' in text and '"interval": "T10M"' in text
    assert not list(broken.parent.glob(".*.tmp"))
    again = cli(["lint", "--fix", str(broken)])
    assert "Fixed" not in again.stderr


def test_unsafe_fixes_also_rename_fields_and_ids(cli, broken):
    before = codes(cli, broken)
    run = cli(["lint", "--fix", "--unsafe-fixes", str(broken)])
    assert run.stderr.splitlines()[0] == "Fixed 5 findings in 1 file."
    after = codes(cli, broken)
    for code in ("APL102", "APL105", "APL243"):
        assert after[code] == 0, code
    value = json.loads(broken.read_text())
    ids = [c["id"] for c in value["containers"]]
    assert "web-server" in ids and "Web_Server" not in ids
    assert sum(after.values()) < sum(before.values())


def test_fix_works_on_the_dsl(cli, broken_dsl):
    run = cli(["lint", "--fix", str(broken_dsl)])
    assert run.stderr.splitlines()[0] == "Fixed 2 findings in 1 file."
    text = broken_dsl.read_text()
    assert '"@zookeeper:2181/kafka"' in text and 'interval "T10M"' in text
    assert codes(cli, broken_dsl)["APL243"] == 0


def test_fix_on_standard_input_prints_the_fixed_text(cli, broken):
    run = cli(
        ["lint", "--fix", "-f", "concise", "--stdin-filename", "x.appliance.json", "-"],
        stdin=broken.read_bytes(),
    )
    assert run.code == 1
    assert json.loads(run.stdout)["containers"][1]["env"] == {
        "KAFKA_CFG_ZOOKEEPER_CONNECT": "@zookeper:2181/kafka".replace("zookeper", "zookeeper")
    }
    assert "x.appliance.json:" in run.stderr  # the report goes to standard error
    assert "Fixed 2 findings in 1 file." in run.stderr


def test_add_ignore_silences_every_finding_with_the_reason(cli, broken):
    run = cli(["lint", "--add-ignore", "--reason", "legacy, see OPS-12", str(broken)])
    assert run.code == 0
    assert run.stderr.splitlines()[0] == "Added 31 ignore entries to 1 file."
    assert cli(["lint", "--fail-level", "info", str(broken)]).code == 0
    value = json.loads(broken.read_text())
    kafka = value["containers"][1]
    assert kafka["x-applc-ignore"] == {"APL201": "legacy, see OPS-12"}
    again = cli(["lint", "--add-ignore", str(broken)])
    assert "Added" not in again.stderr  # nothing left to ignore


def test_add_ignore_in_the_dsl_writes_ignore_lines(cli, broken_dsl):
    run = cli(["lint", "--add-ignore", str(broken_dsl)])
    assert run.code == 0, run.stderr
    assert 'ignore APL201 "TODO: say why"' in broken_dsl.read_text()
    assert cli(["lint", "--fail-level", "info", str(broken_dsl)]).code == 0


def test_add_ignore_extends_an_existing_table(cli, tmp_path):
    f = tmp_path / "a.appliance.json"
    f.write_text(
        '{"id": "a", "containers": [{"id": "web", "type": "service", '
        '"image": "nginx", "is_privileged": true, '
        '"x-applc-ignore": {"APL301": "needs the host"}, '
        '"resources": {"cpus": 1, "mem": 64}}]}\n'
    )
    assert cli(["lint", "--add-ignore", "--reason", "later", str(f)]).code == 0
    table = json.loads(f.read_text())["containers"][0]["x-applc-ignore"]
    assert table == {"APL301": "needs the host", "APL304": "later"}


@pytest.mark.parametrize(
    "args, message",
    [
        (["--add-ignore", "--fix"], "--add-ignore cannot be combined with --fix or --diff"),
        (["--reason", "x"], "--reason goes with --add-ignore"),
        (["--add-ignore", "--no-inline-ignores"], "which --no-inline-ignores disregards"),
        (["--add-ignore", "--reason", "two\nlines"], "--reason must be one non-empty line"),
    ],
)
def test_misused_options_exit_2(cli, broken, args, message):
    before = broken.read_bytes()
    run = cli(["lint", *args, str(broken)])
    assert run.code == 2
    assert message in run.stderr
    assert broken.read_bytes() == before


def test_statistics_count_findings_per_rule(cli, broken):
    expected = codes(cli, broken)
    run = cli(["lint", "--statistics", str(broken)])
    rows = [line.split() for line in run.stdout.splitlines()]
    assert {r[1]: int(r[0]) for r in rows} == dict(expected)
    assert [int(r[0]) for r in rows] == sorted((int(r[0]) for r in rows), reverse=True)
    assert ["1", "APL243", "[*]", "job-interval"] in rows
    as_json = cli(["lint", "--statistics", "-f", "json", str(broken)]).json()
    assert {i["code"]: i["count"] for i in as_json} == dict(expected)
    assert {i["code"] for i in as_json if i["fixable"]} == set(SAFE)


# --- the library underneath ---------------------------------------------------------


def _diag(code: str, line: int, col: int, end: int, text: str, safe: bool = True) -> Diagnostic:
    span = Span(line, col, line, end)
    return Diagnostic(
        code=code,
        name=code.lower(),
        severity=Severity.ERROR,
        message="m",
        file="a.json",
        span=span,
        pointer="",
        fix=ResolvedFix("fix it", (ResolvedEdit(span, text),), safe),
    )


def test_overlapping_fixes_are_made_one_at_a_time() -> None:
    doc = parse_document("a.json", b'{"id": "abc"}')
    first = _diag("APL1", 1, 8, 13, '"x"')
    clash = _diag("APL2", 1, 9, 12, "y")
    unsafe = _diag("APL3", 1, 2, 6, '"ID"', safe=False)
    chosen = choose_fixes(doc.source, [first, clash, unsafe])
    assert [d.code for d, _ in chosen] == ["APL1"]
    assert [d.code for d, _ in choose_fixes(doc.source, [first, unsafe], unsafe=True)] == [
        "APL1",
        "APL3",
    ]
    edits = [e for _, es in choose_fixes(doc.source, [first, unsafe], unsafe=True) for e in es]
    assert apply_edits(doc.source.text, edits) == '{"ID": "x"}'
    assert apply_edits("abc", [TextEdit(0, 1, "x"), TextEdit(3, 3, "!")]) == "xbc!"


def test_a_fix_that_would_break_the_file_is_not_made(monkeypatch) -> None:
    doc = parse_document("a.json", b'{"id": "abc", "containers": []}')
    bad = _diag("APL1", 1, 8, 13, '"x", }')  # a trailing comma: no longer JSON
    monkeypatch.setattr(fixing, "lint_document", lambda d, s, o: [bad])
    result = fixing.fix_document(doc, Settings(), LintOptions())
    assert result.document is doc and result.count == 0


def test_fixing_stops_after_a_bounded_number_of_passes(monkeypatch) -> None:
    """A fix that brings its own finding back must not loop for ever."""
    doc = parse_document("a.json", b'{"id": "abc"}')
    calls = []

    def lint(d, s, o):  # every pass: the same finding, fixed by flipping the id
        calls.append(d.source.text)
        return [_diag("APL1", 1, 8, 13, '"abd"' if '"abc"' in d.source.text else '"abc"')]

    monkeypatch.setattr(fixing, "lint_document", lint)
    result = fixing.fix_document(doc, Settings(), LintOptions())
    assert result.count == fixing.MAX_PASSES
    assert len(calls) == fixing.MAX_PASSES + 1
