"""`applc lint` never imports the language server; `applc server` is wired in."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _imported_by(args: list[str]) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "applc", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    mods = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            mods.add(line.rsplit("|", 1)[1].strip())
    return mods


def test_lint_does_not_import_the_server() -> None:
    mods = _imported_by(["lint", "examples/workflow.appliance.json"])
    assert "applc.lint" in mods  # the measurement works
    assert not {m for m in mods if m.startswith(("pygls", "lsprotocol", "applc.server"))}


def test_server_command_is_listed_and_documented() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "applc", "server", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0
    assert "language server" in proc.stdout
    assert "--stdio" in proc.stdout
