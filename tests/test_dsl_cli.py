"""`applc convert` and `applc fmt` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import EXAMPLES, run_cli

UGLY = """\
# header comment

appliance   demo   # the id
service web {   # the web server
    image "nginx:1.25.3"
  resources   cpus=1    mem=128
    args = ["a",
            "b"]
  # before the port
  port 8080/tcp


}
"""

PRETTY = """\
# header comment

appliance demo  # the id

service web {  # the web server
  image "nginx:1.25.3"
  resources cpus=1 mem=128
  args "a" "b"
  # before the port
  port 8080/tcp
}
"""


def test_convert_json_to_dsl_and_back(tmp_path: Path) -> None:
    src = EXAMPLES / "mesos.appliance.json"
    out = tmp_path / "mesos.appl"
    run = run_cli(["convert", str(src), "--to", "dsl", "-o", str(out)])
    assert run.code == 0, run.stderr
    assert out.read_text() == (EXAMPLES / "mesos.appl").read_text()
    back = run_cli(["convert", str(out), "--to", "json"])
    assert back.code == 0
    assert json.loads(back.stdout) == json.loads(src.read_text())


def test_convert_defaults_to_the_other_language_and_reads_stdin() -> None:
    run = run_cli(["convert", str(EXAMPLES / "spark.appl")])
    assert run.code == 0 and json.loads(run.stdout)["id"] == "spark"
    piped = run_cli(["convert", "-"], stdin=(EXAMPLES / "spark.appliance.json").read_text())
    assert piped.code == 0 and piped.stdout == (EXAMPLES / "spark.appl").read_text()
    from_dsl = run_cli(["convert", "-", "--from", "dsl", "--to", "json"], stdin="appliance x\n")
    assert from_dsl.code == 0 and json.loads(from_dsl.stdout) == {"id": "x"}


def test_convert_a_file_with_syntax_errors_exits_1_with_diagnostics(tmp_path: Path) -> None:
    bad = tmp_path / "bad.appl"
    bad.write_text('service web {\n  imgae "x"\n}\n')
    run = run_cli(["convert", str(bad), "--to", "json"])
    assert run.code == 1
    assert "APL001" in run.stderr and "did you mean `image`?" in run.stderr
    assert run.stdout == ""
    assert "bad.appl:2:3" in run.stderr
    bad_json = tmp_path / "bad.json"
    bad_json.write_text('{"id": "a",}')
    run = run_cli(["convert", str(bad_json), "--to", "dsl"])
    assert run.code == 1 and "trailing comma" in run.stderr


def test_convert_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run_cli(["convert", str(tmp_path / "missing.json")]).code == 2
    assert run_cli(["convert", str(EXAMPLES / "spark.appl"), "--to", "yaml"]).code == 2


def test_convert_refuses_a_json_value_that_is_not_an_object(tmp_path: Path) -> None:
    f = tmp_path / "list.json"
    f.write_text("[1, 2]")
    run = run_cli(["convert", str(f), "--to", "dsl"])
    assert run.code == 1 and "not an object" in run.stderr


def test_fmt_rewrites_in_place_keeping_comments(tmp_path: Path) -> None:
    f = tmp_path / "demo.appl"
    f.write_text(UGLY)
    run = run_cli(["fmt", str(f)])
    assert run.code == 0, run.stderr
    assert f.read_text() == PRETTY
    assert "1 file reformatted" in run.stderr
    again = run_cli(["fmt", str(f)])
    assert again.code == 0 and f.read_text() == PRETTY and "left unchanged" in again.stderr


def test_fmt_check_and_diff_write_nothing(tmp_path: Path) -> None:
    f = tmp_path / "demo.appl"
    f.write_text(UGLY)
    check = run_cli(["fmt", "--check", str(f)])
    assert check.code == 1 and "would reformat" in check.stdout
    diff = run_cli(["fmt", "--diff", str(f)])
    assert diff.code == 1 and "+appliance demo  # the id" in diff.stdout
    assert f.read_text() == UGLY
    f.write_text(PRETTY)
    assert run_cli(["fmt", "--check", str(f)]).code == 0
    assert run_cli(["fmt", "--diff", str(f)]).stdout == ""


def test_fmt_folders_stdin_and_errors(tmp_path: Path) -> None:
    (tmp_path / "a.appl").write_text(PRETTY)
    (tmp_path / "b.appliance.json").write_text("{}")
    assert run_cli(["fmt", "--check", str(tmp_path)]).code == 0
    piped = run_cli(["fmt", "-"], stdin=UGLY)
    assert piped.code == 0 and piped.stdout == PRETTY
    (tmp_path / "bad.appl").write_text("service {\n")
    bad = run_cli(["fmt", str(tmp_path / "bad.appl")])
    assert bad.code == 1 and "never closed" in bad.stderr and bad.stdout == ""
    assert run_cli(["fmt", str(tmp_path / "b.appliance.json")]).code == 2
    assert run_cli(["fmt", str(tmp_path / "nope.appl")]).code == 2


def test_examples_are_formatted() -> None:
    run = run_cli(["fmt", "--check", *(str(p) for p in sorted(EXAMPLES.glob("*.appl")))])
    assert run.code == 0, run.stdout


def test_lint_and_build_accept_appl_files(tmp_path: Path) -> None:
    lint = run_cli(["lint", "-f", "concise", str(EXAMPLES / "broken.appl")])
    assert lint.code == 1 and "broken.appl:" in lint.stdout
    for name in ("mesos", "workflow"):
        a = run_cli(
            [
                "build",
                "-t",
                "marathon",
                "-o",
                str(tmp_path / "json"),
                str(EXAMPLES / f"{name}.appliance.json"),
            ]
        )
        b = run_cli(
            ["build", "-t", "marathon", "-o", str(tmp_path / "dsl"), str(EXAMPLES / f"{name}.appl")]
        )
        assert a.code == 0 and b.code == 0, (a.stderr, b.stderr)
    for p in (tmp_path / "json").glob("[!.]*"):
        assert (tmp_path / "dsl" / p.name).read_bytes() == p.read_bytes()
