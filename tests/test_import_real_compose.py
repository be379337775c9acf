"""Compose files written by others (tests/data/compose/, each folder with its licence).

Each one imports without a traceback; each that imports cleanly (exit 0) lints without
errors and builds to Kubernetes that kubernetes-validate accepts (strict); and built back
to compose, it is accepted by the compose binary and means the same as the original as
the binary reads both: the same services, images, argv, environment, container ports and
dependencies.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest

from applc.importers.compose.mapping import dns_label
from tests.conftest import ROOT
from tests.support.validators import (
    compose_binary,
    skip_unless_available,
    validate_compose,
    validate_kubernetes_yaml,
)

DATA = ROOT / "tests" / "data" / "compose"
FILES = sorted(
    p
    for p in DATA.rglob("*")
    if p.is_file() and p.suffix in (".yaml", ".yml") and "compose" in p.name
)


def test_the_collection_is_varied():
    assert len(FILES) >= 30
    for folder in {p.relative_to(DATA).parts[0] for p in FILES}:
        assert (DATA / folder / "LICENSE").is_file() or (DATA / folder / "NOTICE").is_file()


def _import(cli, path: Path, tmp_path: Path) -> tuple[int, Path | None, str]:
    out = tmp_path / "imported.appliance.json"
    # An empty environment: what the files interpolate comes from themselves.
    run = cli(["import", str(path), "-o", str(out), "-f", "concise"], env=_empty_env())
    assert run.code in (0, 1), run.stderr
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr
    return run.code, (out if out.exists() else None), run.stderr


def _empty_env() -> dict[str, str | None]:
    """The environment the compose binary gets here: PATH and HOME only (CliRunner
    unsets a variable given as None)."""
    return {k: None for k in os.environ if k not in ("PATH", "HOME")}


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(DATA)))
def test_real_compose_file_imports_lints_and_builds_for_kubernetes(cli, path, tmp_path):
    code, out, stderr = _import(cli, path, tmp_path)
    if code != 0:
        assert "error" in stderr
        return
    assert out is not None
    lint = cli(["lint", str(out), "--output-format", "json"])
    assert [d for d in lint.json()["diagnostics"] if d["severity"] == "error"] == []
    skip_unless_available("kubernetes")
    build = cli(["build", str(out), "-t", "kubernetes", "-o", "-"])
    assert build.code == 0, build.stderr
    assert validate_kubernetes_yaml(build.stdout, strict=True) == []


def _config(folder: Path, compose_file: Path) -> dict[str, Any] | None:
    run = subprocess.run(
        [str(compose_binary()), "-f", str(compose_file), "config", "--format", "json"],
        capture_output=True,
        text=True,
        cwd=folder,
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(folder)},
        timeout=60,
    )
    return json.loads(run.stdout) if run.returncode == 0 else None


def _argv(svc: dict[str, Any]) -> list[str]:
    return list(svc.get("entrypoint") or []) + list(svc.get("command") or [])


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(DATA)))
def test_real_compose_file_built_back_to_compose_means_the_same(cli, path, tmp_path):
    skip_unless_available("compose")
    code, out, _ = _import(cli, path, tmp_path)
    original = _config(path.parent, path)
    if code != 0:
        # applc refuses a file only where the compose binary refuses it too.
        assert original is None
        return
    if original is None:
        pytest.skip("the compose binary does not read the original here either")
    build = cli(["build", str(out), "-t", "compose", "-o", "-"])
    assert build.code == 0, build.stderr
    assert validate_compose(build.stdout) == []
    back_file = tmp_path / "back" / "compose.yaml"
    back_file.parent.mkdir()
    back_file.write_text(build.stdout)
    back = _config(back_file.parent, back_file)
    assert back is not None
    enabled = set(original["services"])
    assert set(back["services"]) == {dns_label(n) for n in enabled}
    renamed = any(dns_label(n) != n for n in enabled)
    for name, svc in original["services"].items():
        b = back["services"][dns_label(name)]
        if "image" in svc:
            assert b["image"] == svc["image"]
        # The argv: an entrypoint override runs through `sh -c` with each word quoted.
        if b.get("entrypoint") == ["/bin/sh", "-c"]:
            assert shlex.split(b["command"][0]) == _argv(svc)
        elif svc.get("command"):
            assert b.get("command") == svc["command"]
        env = {k: v for k, v in (svc.get("environment") or {}).items() if v is not None}
        if not renamed:
            assert (b.get("environment") or {}) == env
        ports = {int(p["target"]) for p in svc.get("ports") or []}
        ports |= {int(str(e).split("/")[0]) for e in svc.get("expose") or []}
        assert {int(p["target"]) for p in b.get("ports") or []} == ports
        deps = {dns_label(d) for d in (svc.get("depends_on") or {}) if d in enabled}
        assert set(b.get("depends_on") or {}) == deps
