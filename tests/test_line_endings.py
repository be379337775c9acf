"""Each file keeps its line endings (issue 11 item 14): --add-ignore and --fix insert
lines with the file's own breaks, fmt writes CRLF back as CRLF, and the DSL reads CR-only
files as JSON does."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

SERVICE = {
    "id": "shop",
    "containers": [
        {
            "id": "web",
            "type": "service",
            "image": "nginx",  # no tag: APL304
            "resources": {"cpus": 1, "mem": 128},
        }
    ],
}
DSL_LINES = [
    "appliance shop",
    "",
    "# the front end",
    "service web {",
    '  image "nginx"',
    "  resources cpus=1 mem=128",
    "}",
]


def _fmt_stdin(data: bytes) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "applc", "fmt", "-"], input=data, capture_output=True, env=env
    )


def _breaks(data: bytes) -> tuple[int, int, int]:
    """(CRLF, lone LF, lone CR) counts."""
    crlf = data.count(b"\r\n")
    return crlf, data.count(b"\n") - crlf, data.count(b"\r") - crlf


@pytest.mark.parametrize("eol", ["\r\n", "\r"])
def test_add_ignore_keeps_json_line_endings(cli, tmp_path, eol):
    f = tmp_path / "a.appliance.json"
    text = json.dumps(SERVICE, indent=2) + "\n"
    lines = text.count("\n")
    f.write_bytes(text.replace("\n", eol).encode())
    run = cli(["lint", "--add-ignore", str(f)])
    assert run.code == 0, run.stderr
    data = f.read_bytes()
    assert b"x-applc-ignore" in data
    crlf, lf, cr = _breaks(data)
    assert lf == 0  # no LF-only line slipped in
    if eol == "\r\n":
        assert (crlf, cr) == (lines + 1, 0)  # the entry went on a line of its own
    else:
        # A CR-only file is one line as JSON positions go, so the entry goes inline.
        assert (crlf, cr) == (0, lines)


def test_add_ignore_keeps_dsl_crlf(cli, tmp_path):
    f = tmp_path / "a.appl"
    f.write_bytes(("\r\n".join(DSL_LINES) + "\r\n").encode())
    run = cli(["lint", "--add-ignore", str(f)])
    assert run.code == 0, run.stderr
    data = f.read_bytes()
    assert b'ignore APL304 "TODO: say why"\r\n' in data
    assert _breaks(data)[1:] == (0, 0)
    # ... and the file still lints clean afterwards.
    assert cli(["lint", str(f)]).code == 0


def test_fmt_keeps_crlf(cli, tmp_path):
    f = tmp_path / "a.appl"
    ugly = ["appliance   shop", "", "# the front end", "service web {", '      image "nginx"', "}"]
    f.write_bytes(("\r\n".join(ugly) + "\r\n").encode())
    run = cli(["fmt", str(f)])
    assert run.code == 0, run.stderr
    expected = ["appliance shop", "", "# the front end", "service web {", '  image "nginx"', "}"]
    assert f.read_bytes() == ("\r\n".join(expected) + "\r\n").encode()
    # Formatted CRLF text is already canonical: no change, no "reformatted".
    run = cli(["fmt", "--check", str(f)])
    assert run.code == 0
    # Standard input too (through a real pipe: click's runner turns CRLF into LF).
    run = _fmt_stdin(("\r\n".join(ugly) + "\r\n").encode())
    assert run.stdout == ("\r\n".join(expected) + "\r\n").encode()


def test_dsl_reads_cr_only_line_endings_as_json_does(cli, tmp_path):
    lf = tmp_path / "lf.appl"
    lf.write_text("\n".join(DSL_LINES) + "\n")
    cr = tmp_path / "cr.appl"
    cr.write_bytes(("\r".join(DSL_LINES) + "\r").encode())
    as_json = cli(["convert", str(lf), "--to", "json"])
    from_cr = cli(["convert", str(cr), "--to", "json"])
    assert from_cr.code == 0, from_cr.stderr
    assert json.loads(from_cr.stdout) == json.loads(as_json.stdout)
    codes = {d["code"] for d in cli(["lint", "-f", "json", str(cr)]).json()["diagnostics"]}
    assert codes == {"APL304"}
    # The comment ends at its CR: it does not swallow the statements after it.
    run = _fmt_stdin(("\r".join(DSL_LINES) + "\r").encode())
    assert run.returncode == 0
    assert run.stdout == ("\r".join(DSL_LINES) + "\r").encode()
