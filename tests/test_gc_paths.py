"""Garbage collection around a big load (issue 13): the command line freezes what a load
made, so the collections after it do not walk every object of the document again; a
long-lived process (the language server, a library caller) keeps the default, so
cycles it drops later are still collected. Checked by what the collector holds, not by
timing."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from applc.frontends import json_loader
from applc.frontends.json_loader import gc_paused

APPLIANCE = {
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


@pytest.fixture
def unfrozen(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # An in-process `applc lint` (click's runner) earlier in the session sets the flag.
    monkeypatch.setattr(json_loader, "FREEZE_SURVIVORS", False)
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_a_library_load_leaves_the_collector_alone(unfrozen: None) -> None:
    with gc_paused():
        made = [[i] for i in range(1000)]
    assert gc.get_freeze_count() == 0
    assert gc.isenabled()
    del made


def test_a_command_line_load_freezes_what_it_made(
    unfrozen: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(json_loader, "FREEZE_SURVIVORS", True)
    with gc_paused():
        made = [[i] for i in range(1000)]
    assert gc.get_freeze_count() >= 1000
    assert gc.isenabled()
    del made


@pytest.mark.parametrize("name", ["web.appliance.json", "web.appl"])
def test_applc_lint_and_build_freeze_after_loading(tmp_path: Path, name: str) -> None:
    path = tmp_path / "web.appliance.json"
    path.write_text(json.dumps(APPLIANCE, indent=2))
    if name.endswith(".appl"):
        from applc.frontends.dsl.printer import to_dsl

        path = tmp_path / name
        path.write_text(to_dsl(APPLIANCE))
    driver = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: sys.stderr.write(f'\\nFROZEN {gc.get_freeze_count()}\\n'))\n"
        "sys.argv = ['applc', *sys.argv[1:]]\n"
        "from applc.cli import main\n"
        "main()\n"
    )
    for args in (["lint", path.name], ["build", "--target", "compose", path.name, "-o", "out"]):
        proc = subprocess.run(
            [sys.executable, "-c", driver, *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        frozen = int(proc.stderr.rsplit("FROZEN ", 1)[1].split()[0])
        assert frozen > 0, args
