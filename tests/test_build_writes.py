"""A build that fails while placing its outputs leaves the folder exactly as it was.

The build stages every output beside its destination, then moves each into place. A
failure at the second move (a full disk, a read-only file system) must undo the first:
restore a file it replaced, and remove a file it created. The failure is injected at
the second `os.replace`, whichever output that is, so these tests hold for any order.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import run_cli

APP = {
    "id": "shop",
    "containers": [
        {
            "id": "db",
            "type": "service",
            "image": "postgres:15.4",
            "resources": {"cpus": 1, "mem": 512},
            "network_mode": "BRIDGE",
            "ports": [{"container_port": 5432}],
        },
        {
            "id": "migrate",
            "type": "job",
            "image": "postgres:15.4",
            "resources": {"cpus": 1, "mem": 256},
            "network_mode": "BRIDGE",
            "cmd": "psql -h @db -f /m.sql",
            "dependencies": ["db"],
        },
    ],
}
OUTPUTS = ["shop.chronos.json", "shop.marathon.json"]  # what marathon writes for APP


def folder(path: Path) -> dict[str, bytes]:
    """Every entry of the folder, hidden staging and backup files included."""
    return {p.name: p.read_bytes() for p in sorted(path.iterdir())}


def fail_second_replace(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    real = os.replace
    calls: list[str] = []

    def replace(src, dst, *args, **kwargs):
        calls.append(os.fspath(dst))
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    return calls


def build(src: Path, out: Path):
    return run_cli(["build", str(src), "-t", "marathon", "-o", str(out)])


@pytest.fixture
def src(tmp_path: Path) -> Path:
    path = tmp_path / "shop.appliance.json"
    path.write_text(json.dumps(APP, indent=2), encoding="utf-8")
    return path


def test_every_output_is_built_when_nothing_fails(src: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(src, out).code == 0
    # With the manifest of what applc wrote there (docs/targets.md).
    assert sorted(folder(out)) == [".applc-manifest.json", *OUTPUTS]


def test_outputs_placed_before_a_failure_are_removed_when_they_are_new(
    src: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "README").write_text("not applc's\n", encoding="utf-8")
    before = folder(out)
    calls = fail_second_replace(monkeypatch)
    run = build(src, out)
    assert run.code == 2, run.stderr
    assert "No space left on device" in run.stderr
    assert len(calls) >= 2  # the first output was placed before the failure
    assert folder(out) == before


@pytest.mark.parametrize("existing", OUTPUTS)
def test_a_failure_restores_old_outputs_and_removes_new_ones(
    src: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, existing: str
) -> None:
    """One output exists with old content, the other is new: whichever is placed first,
    the failure at the second move leaves the old one and no new one."""
    out = tmp_path / "out"
    out.mkdir()
    (out / existing).write_text('{"old": true}\n', encoding="utf-8")
    os.chmod(out / existing, 0o640)
    before = folder(out)
    fail_second_replace(monkeypatch)
    run = build(src, out)
    assert run.code == 2, run.stderr
    assert folder(out) == before
    assert (out / existing).stat().st_mode & 0o777 == 0o640


def test_a_failure_after_every_output_was_new_leaves_no_folder_content(
    src: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    fail_second_replace(monkeypatch)
    assert build(src, out).code == 2
    assert folder(out) == {}
