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


def test_a_one_shot_lint_keeps_its_last_document_out_of_the_collectors_reach(
    tmp_path: Path,
) -> None:
    # Freeing a big document object by object on the way out is time the operating
    # system spends for nothing: the command line keeps the last one it read, in a list
    # that holds itself (so no reference count reaches zero) and that `gc.freeze` moved
    # out of the collector's generations (so no collection frees it either).
    for name in ("a.appliance.json", "b.appliance.json"):
        (tmp_path / name).write_text(json.dumps(APPLIANCE, indent=2))
    driver = (
        "import atexit, gc, sys\n"
        "from applc.frontends import json_loader\n"
        "def report():\n"
        "    kept = json_loader._KEPT\n"
        "    frozen = not any(o is kept for o in gc.get_objects())\n"
        "    names = [d.source.path for d in kept[1:]]\n"
        "    sys.stderr.write(f'\\nKEPT {kept[0] is kept} {frozen} {names}\\n')\n"
        "atexit.register(report)\n"
        "sys.argv = ['applc', *sys.argv[1:]]\n"
        "from applc.cli import main\n"
        "main()\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", driver, "lint", "a.appliance.json", "b.appliance.json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "KEPT True True ['b.appliance.json']" in proc.stderr, proc.stderr


def test_a_library_lint_keeps_no_document(unfrozen: None, tmp_path: Path) -> None:
    from applc.api import Inputs, lint_paths
    from applc.config import ConfigCache

    path = tmp_path / "web.appliance.json"
    path.write_text(json.dumps(APPLIANCE, indent=2))
    before = list(json_loader._KEPT)
    report = lint_paths(Inputs([str(path)], ConfigCache()))
    assert report.files == 1
    assert len(json_loader._KEPT) == len(before)
    assert all(a is b for a, b in zip(json_loader._KEPT, before, strict=True))
