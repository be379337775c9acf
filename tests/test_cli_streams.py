"""Standard streams and the process around the CLI (issue 11 items 8 and 15): filters
keep standard output for their data, closed streams are reported rather than crashing,
and `python -m applc` searches no module in the current folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import EXAMPLES, ROOT

BROKEN_DSL = "appliance shop {\n  container web {\n"


def _applc(args, cwd=None, **kw):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "applc", *args], cwd=cwd, env=env, capture_output=True, **kw
    )


def test_fmt_stdin_error_goes_to_stderr_and_stdout_stays_empty(cli):
    run = cli(["fmt", "-"], stdin=BROKEN_DSL)
    assert run.code == 1
    assert run.stdout == ""  # an editor filter keeps its buffer
    assert "error[APL001]" in run.stderr and "<stdin>:3:1" in run.stderr


def test_fmt_of_a_broken_file_reports_on_stderr(cli, tmp_path):
    f = tmp_path / "a.appl"
    f.write_text(BROKEN_DSL)
    run = cli(["fmt", "--check", str(f)])
    assert run.code == 1
    assert "error[APL001]" in run.stderr and "error[" not in run.stdout


def test_convert_stdin_error_goes_to_stderr(cli):
    run = cli(["convert", "-"], stdin='{"id": ')
    assert run.code == 1
    assert run.stdout == ""
    assert "error[APL001]" in run.stderr


def test_stdin_filename_without_dash_is_an_error(cli):
    for cmd in (["lint"], ["graph"], ["build", "-t", "compose", "-o", "-"]):
        run = cli([*cmd, "--stdin-filename", "x.json", str(EXAMPLES / "mesos.appliance.json")])
        assert run.code == 2, cmd
        assert "--stdin-filename" in run.stderr and "`-`" in run.stderr


def test_utf32_file_is_reported_as_utf32(cli, tmp_path):
    text = (EXAMPLES / "mesos.appliance.json").read_text()
    cases = {
        "utf-32": "UTF-32",  # with a byte order mark (little-endian here)
        "utf-32-be": "UTF-32",
        "utf-32-le": "UTF-32",
        "utf-16": "UTF-16",
        "utf-16-be": "UTF-16",
    }
    for enc, name in cases.items():
        f = tmp_path / f"{enc}.json"
        f.write_bytes(text.encode(enc))
        run = cli(["lint", "-f", "json", str(f)])
        [d] = run.json()["diagnostics"]
        assert d["code"] == "APL003"
        assert d["message"] == f"file is {name} encoded; applc reads UTF-8", enc


def test_closed_pipe_exits_quietly():
    # A reader that leaves at once (`applc lint . | head -0`): no traceback, no
    # "internal error", whatever moment the pipe breaks.
    big = {
        "id": "a",
        "containers": [{"id": f"c{i}", "type": "service", "bogus": 1} for i in range(3000)],
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "applc", "lint", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    proc.stdout.close()
    _, err = proc.communicate(json.dumps(big).encode())
    assert b"internal error" not in err and b"Traceback" not in err
    assert b"Exception ignored" not in err
    assert proc.returncode == 1


def test_closed_stdout_and_stdin_are_reported_not_internal_errors():
    def close(fd):
        return lambda: os.close(fd)

    f = str(EXAMPLES / "broken.appliance.json")
    run = _applc(["lint", f], preexec_fn=close(1))
    assert run.returncode == 2
    assert run.stderr.decode().startswith("applc: error: standard output is closed")
    run = _applc(["lint", "-"], preexec_fn=close(0))
    assert run.returncode == 2
    assert "applc: error: standard input is closed" in run.stderr.decode()


def test_python_m_applc_loads_no_plug_in_from_the_current_folder(tmp_path):
    # A hostile checkout: its config names a target that a dist-info beside it declares,
    # pointing at a module in the same folder that leaves a mark when imported.
    dist = tmp_path / "evil-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: evil\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[applc.targets]\nevil = evilmod\n")
    (tmp_path / "evilmod.py").write_text("open('PWNED', 'w').write('x')\n")
    (tmp_path / "applc.toml").write_text('default-target = "evil"\n')
    (tmp_path / "a.json").write_text((EXAMPLES / "mesos.appliance.json").read_text())
    run = _applc(["build", "a.json", "-o", "out"], cwd=tmp_path)
    assert run.returncode == 2
    assert "unknown target `evil`" in run.stderr.decode()
    run = _applc(["lint", "--target", "evil", "a.json"], cwd=tmp_path)
    assert run.returncode == 2
    assert not (tmp_path / "PWNED").exists()
