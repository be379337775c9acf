"""`applc lint` as a user meets it: inputs, exit codes, suppressions, bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import EXAMPLES

CLEAN = str(EXAMPLES / "workflow.appliance.json")
MESOS = str(EXAMPLES / "mesos.appliance.json")


def app(extra: str = "", cid: str = "web") -> str:
    return (
        '{"id": "shop", "containers": [{"id": "' + cid + '", "type": "service", '
        '"image": "nginx:1.25", "resources": {"cpus": 1, "mem": 256}' + extra + "}]}\n"
    )


def test_clean_file_exits_zero_with_a_summary(cli):
    run = cli(["lint", CLEAN])
    assert run.code == 0
    assert run.stdout == ""
    assert run.stderr.strip() == "All checks passed! (1 file)"


def test_warnings_only_exit_zero_unless_fail_level_says_so(cli):
    assert cli(["lint", MESOS]).code == 0
    assert cli(["lint", "--fail-level", "warning", MESOS]).code == 1
    assert cli(["lint", "--fail-level", "info", "--select", "APL245", MESOS]).code == 1


def test_exit_zero_overrides_findings(cli):
    assert cli(["lint", "--exit-zero", str(EXAMPLES / "broken.appliance.json")]).code == 0


def test_missing_file_is_a_finding_not_a_crash(cli, tmp_path):
    run = cli(["lint", "-f", "concise", str(tmp_path / "nope.json")])
    assert run.code == 1
    assert (
        run.stdout == f"{tmp_path / 'nope.json'}:1:1: APL003 [error] "
        f"{tmp_path / 'nope.json'} does not exist\n"
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "file is empty: expected a JSON object"),
        (b"\xef\xbb\xbf" + app().encode(), "file starts with a UTF-8 byte order mark"),
        (b'{"id": "\xff"}', "file is not valid UTF-8: byte 0xff at line 1"),
        (b"[1, 2]", "the top level must be an object (the appliance), found an array"),
        (b'{"id": "a", "containers": [1,]}', "trailing comma is not allowed in JSON"),
        (b"{'id': 'a'}", "single-quoted strings are not allowed in JSON"),
        (b'{"id": NaN}', "`NaN` is not valid JSON"),
        (b'{"x": 1e999}', "number 1e999 is too large: it overflows to infinity"),
        (b"[" * 100000, "nesting is deeper than 500 levels"),
    ],
)
def test_bad_files_get_a_clear_message(cli, tmp_path, data, message):
    f = tmp_path / "bad.json"
    f.write_bytes(data)
    run = cli(["lint", "-f", "json", str(f)])
    assert run.code == 1
    messages = [d["message"] for d in json.loads(run.stdout)["diagnostics"]]
    assert any(m.startswith(message) for m in messages), messages


def test_stdin_with_a_filename(cli):
    run = cli(
        ["lint", "-f", "concise", "--stdin-filename", "svc.json", "-"],
        stdin=app(', "is_privileged": true'),
    )
    assert run.code == 0
    assert run.stdout.startswith("svc.json:1:")
    assert "APL301" in run.stdout


def test_directory_finds_appliances_and_skips_other_json(cli, tmp_path):
    (tmp_path / "package.json").write_text('{"name": "x", "version": "1.0.0"}')
    (tmp_path / "a.appliance.json").write_text(app())
    sub = tmp_path / "deploy"
    sub.mkdir()
    (sub / "cluster.json").write_text(app(', "dependencies": ["nope"]'))
    hidden = tmp_path / ".cache"
    hidden.mkdir()
    (hidden / "x.appliance.json").write_text("{broken")
    run = cli(["lint", "-f", "json", str(tmp_path)])
    data = json.loads(run.stdout)
    assert data["summary"]["files"] == 2
    assert {d["code"] for d in data["diagnostics"]} == {"APL211"}
    assert run.code == 1


def test_inline_suppression_covers_the_object_and_below(cli, tmp_path):
    f = tmp_path / "a.json"
    f.write_text(app(', "is_privileged": true, "x-applc-ignore": {"privileged": "agent"}'))
    run = cli(["lint", "-f", "concise", "--fail-level", "warning", str(f)])
    assert run.code == 0 and run.stdout == ""
    raw = cli(["lint", "-f", "concise", "--no-inline-ignores", str(f)])
    assert "APL301" in raw.stdout


def test_root_suppression_covers_the_file(cli, tmp_path):
    f = tmp_path / "a.json"
    f.write_text(
        app(', "is_privileged": true').replace(
            '"id": "shop",', '"id": "shop", "x-applc-ignore": {"APL3": "lab cluster"},'
        )
    )
    assert cli(["lint", "-f", "concise", str(f)]).stdout == ""


def test_unused_and_unknown_suppressions_are_reported(cli, tmp_path):
    f = tmp_path / "a.json"
    f.write_text(app(', "x-applc-ignore": {"APL301": "x", "APL999": "y"}'))
    run = cli(["lint", "-f", "concise", str(f)])
    assert "APL090 [warning] unused suppression of `APL301`" in run.stdout
    assert "APL091 [warning] `APL999` in `x-applc-ignore` names no rule" in run.stdout


def test_select_ignore_and_prefixes_on_the_command_line(cli):
    broken = str(EXAMPLES / "broken.appliance.json")
    only = json.loads(cli(["lint", "-f", "json", "--select", "APL3", broken]).stdout)
    assert {d["code"][:4] for d in only["diagnostics"]} == {"APL3"}
    no3 = json.loads(
        cli(["lint", "-f", "json", "--ignore", "APL3,unknown-reference", broken]).stdout
    )
    codes = {d["code"] for d in no3["diagnostics"]}
    assert not any(c.startswith("APL3") for c in codes) and "APL201" not in codes
    bad = cli(["lint", "--select", "APL2011", broken])
    assert bad.code == 2 and "did you mean `APL211`?" in bad.stderr


def test_budget_on_the_command_line(cli):
    spark = str(EXAMPLES / "spark.appliance.json")
    run = cli(["lint", "-f", "concise", "--budget", "cpus=2,mem=1024", spark])
    assert run.code == 1
    assert run.stdout.count("APL233") == 2
    assert cli(["lint", "--budget", "cpu=2", spark]).code == 2


def test_unknown_target_is_a_usage_error(cli):
    run = cli(["lint", "--target", "nomad", CLEAN])
    assert run.code == 2 and "unknown target `nomad`" in run.stderr


def test_no_traceback_from_the_real_command(tmp_path):
    f = tmp_path / "x.json"
    f.write_bytes(b'{"id": 5, "containers": {"a": 1}, "data_persistence": [], "scheduler": 3}')
    proc = subprocess.run(
        [sys.executable, "-m", "applc", "lint", str(f)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "APL103" in proc.stdout


def test_version(cli):
    run = cli(["--version"])
    assert run.code == 0 and run.stdout.startswith("applc, version ")
