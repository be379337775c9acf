"""A plain `applc lint FILE...` runs without click (issue 13, cold start): it must end
exactly as the same command read by click does.

`applc lint -- FILE...` means the same to click and is never the plain path (an argument
starts with `-`), so each case runs both ways in a fresh process, as a user runs them,
and compares standard output, standard error and the exit status byte for byte.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT

# Prints, after the run, whether click was imported: the plain path must not need it,
# and `--` must really have gone through click.
DRIVER = """
import atexit, os, sys
atexit.register(lambda: os.write(2, b"\\nCLICK %d\\n" % ("click" in sys.modules)))
sys.argv = ["applc", *sys.argv[1:]]
from applc.cli import main
main()
"""

CLEAN = {
    "id": "web",
    "containers": [
        {
            "id": "web",
            "type": "service",
            "image": "nginx:1.25",
            "resources": {"cpus": 1, "mem": 512},
        }
    ],
}


def _run(cwd: Path, args: list[str], env: dict[str, str] | None = None) -> tuple[int, str, str]:
    environ = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    for name in ("APPLC_OUTPUT_FORMAT", "NO_COLOR", "FORCE_COLOR", "_APPLC_COMPLETE"):
        if name not in (env or {}):
            environ.pop(name, None)
    proc = subprocess.run(
        [sys.executable, "-c", DRIVER, *args],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return proc.returncode, proc.stdout, proc.stderr


def _both(cwd: Path, files: list[str], env: dict[str, str] | None = None) -> tuple[int, str, str]:
    plain = _run(cwd, ["lint", *files], env)
    clicked = _run(cwd, ["lint", "--", *files], env)
    assert plain[2].endswith("\nCLICK 0\n"), plain
    assert clicked[2].endswith("\nCLICK 1\n"), clicked
    assert plain == (clicked[0], clicked[1], clicked[2].replace("CLICK 1", "CLICK 0"))
    return plain


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "web.appliance.json").write_text(json.dumps(CLEAN, indent=2))
    broken = dict(CLEAN, containers=[dict(CLEAN["containers"][0], image="nginx", bogus=1)])
    (tmp_path / "findings.appliance.json").write_text(json.dumps(broken, indent=2))
    (tmp_path / "syntax.appliance.json").write_text('{"id": "web",, }')
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "more.appliance.json").write_text(json.dumps(CLEAN))
    (tmp_path / "mesos.appl").write_text((EXAMPLES / "mesos.appl").read_text())
    (tmp_path / "\x1b[31mred.json").write_text("{")
    return tmp_path


def test_a_clean_file(folder: Path) -> None:
    code, out, err = _both(folder, ["web.appliance.json"])
    assert code == 0 and "All checks passed!" in err


def test_findings_syntax_errors_and_several_files(folder: Path) -> None:
    code, out, err = _both(
        folder, ["findings.appliance.json", "syntax.appliance.json", "web.appliance.json"]
    )
    assert code == 1 and "APL102" in out and "APL001" in out


def test_folders_the_current_folder_and_the_dsl(folder: Path) -> None:
    assert _both(folder, ["sub"])[0] == 0
    assert _both(folder, ["mesos.appl"])[0] in (0, 1)
    code, out, err = _both(folder, [])
    assert code == 1 and "mesos.appl" in out


def test_files_that_cannot_be_read(folder: Path) -> None:
    code, out, err = _both(folder, ["missing.json", "sub", ""])
    assert code == 1 and "APL003" in out


def test_escape_sequences_in_names_and_messages(folder: Path) -> None:
    code, out, err = _both(folder, ["\x1b[31mred.json"])
    assert code == 1 and "\x1b" not in out + err


def test_configuration_mistakes_and_colour(folder: Path) -> None:
    (folder / "applc.toml").write_text('select = ["APL9"]\nbogus = 1\n')
    code, out, err = _both(folder, ["web.appliance.json"])
    assert code == 2 and "bogus" in err
    (folder / "applc.toml").write_text('ignore = ["APL304"]\n')
    assert _both(folder, ["findings.appliance.json"], {"FORCE_COLOR": "1"})[0] == 1
    assert _both(folder, ["findings.appliance.json"], {"NO_COLOR": "1"})[0] == 1


def test_the_plain_path_runs_with_the_commands_own_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from applc.cli.lint import _parse_formats, lint_command
    from applc.cli.lint_run import PLAIN

    monkeypatch.delenv("APPLC_OUTPUT_FORMAT", raising=False)
    ctx = lint_command.make_context("lint", [])
    params = dict(ctx.params)
    assert params.pop("files") == ()
    formats = params.pop("formats")
    expected = {
        **params,
        "parsed": _parse_formats(formats or ("full",)),
        "exclude": ctx.meta.get("applc.exclude") or (),
        "extend_exclude": ctx.meta.get("applc.extend_exclude") or (),
    }
    assert expected == PLAIN


def test_what_click_reads_itself_is_never_the_plain_path(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from applc.cli import plain_lint_files

    monkeypatch.delenv("APPLC_OUTPUT_FORMAT", raising=False)
    monkeypatch.delenv("_APPLC_COMPLETE", raising=False)
    monkeypatch.chdir(folder)
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BytesIO(), encoding="utf-8"))
    monkeypatch.setattr(sys, "stderr", io.TextIOWrapper(io.BytesIO(), encoding="utf-8"))
    assert plain_lint_files(["lint", "a.json", "sub"]) == ("a.json", "sub")
    assert plain_lint_files(["lint"]) == ()
    for args in (
        ["lint", "-"],
        ["lint", "--", "a.json"],
        ["lint", "a.json", "-q"],
        ["lint", "--help"],
        ["build", "a.json"],
        ["rules"],
        [],
    ):
        assert plain_lint_files(args) is None, args
    monkeypatch.setenv("APPLC_OUTPUT_FORMAT", "json")
    assert plain_lint_files(["lint", "a.json"]) is None
    monkeypatch.delenv("APPLC_OUTPUT_FORMAT")
    monkeypatch.setenv("_APPLC_COMPLETE", "bash_complete")
    assert plain_lint_files(["lint", "a.json"]) is None
    monkeypatch.delenv("_APPLC_COMPLETE")
    # Streams click would re-wrap (ASCII) or that are not the interpreter's own.
    monkeypatch.setattr(sys, "stderr", io.TextIOWrapper(io.BytesIO(), encoding="ascii"))
    assert plain_lint_files(["lint", "a.json"]) is None
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert plain_lint_files(["lint", "a.json"]) is None


@pytest.mark.parametrize("exc", [KeyboardInterrupt, EOFError, BrokenPipeError])
def test_an_interrupted_plain_lint_ends_as_click_ends_it(
    exc: type[BaseException], monkeypatch: pytest.MonkeyPatch, folder: Path
) -> None:
    import applc.cli.lint_run
    from applc.cli import main

    def interrupted(*args: object, **kwargs: object) -> None:
        raise exc

    monkeypatch.setattr(applc.cli.lint_run, "run", interrupted)
    monkeypatch.chdir(folder)
    results = []
    for args in (["lint", "web.appliance.json"], ["lint", "--", "web.appliance.json"]):
        out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
        err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
        saved = sys.argv, sys.stdout, sys.stderr
        sys.argv, sys.stdout, sys.stderr = ["applc", *args], out, err
        try:
            with pytest.raises(SystemExit) as exit_:
                main()
        finally:
            shown_out, shown_err = sys.stdout, sys.stderr
            sys.argv, sys.stdout, sys.stderr = saved
        for s in (shown_out, shown_err):
            s.flush()
        results.append((exit_.value.code, out.buffer.getvalue(), err.buffer.getvalue()))  # type: ignore[attr-defined]
    assert results[0] == results[1]
    assert results[0][0] == 1
