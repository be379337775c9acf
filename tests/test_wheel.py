"""The wheel carries the schemas and the target templates: build it, install it into a
fresh virtual environment, and run `applc schema` and `applc build` from there."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT


def _run(args: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    # Without PYTHONPATH, or a checkout on it would shadow the installed wheel.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(
        args, capture_output=True, text=True, timeout=600, check=False, env=env, **kwargs
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The `applc` script of a fresh venv holding only the wheel (its dependencies come
    from this environment through --system-site-packages)."""
    base = tmp_path_factory.mktemp("wheel")
    dist = base / "dist"
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(dist), str(ROOT)])
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = dist.glob("applc-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for target in ("marathon", "compose", "kubernetes"):
        assert any(
            n.startswith(f"applc/_data/targets/{target}/") and n.endswith(".j2") for n in names
        ), target
    assert "applc/_data/schemas/marathon-group.schema.json" in names
    venv = base / "venv"
    made = _run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)])
    assert made.returncode == 0, made.stderr
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    pip = _run(
        [
            str(bin_dir / "python"),
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--force-reinstall",
            str(wheel),
        ]
    )
    assert pip.returncode == 0, pip.stderr[-3000:]
    return bin_dir / "applc"


def test_installed_applc_prints_the_schema(installed, tmp_path):
    run = _run([str(installed), "schema"], cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["$schema"].startswith("http://json-schema.org/")


def test_installed_applc_builds_from_its_packaged_templates(installed, tmp_path):
    # Run from outside the checkout, so only the installed package can be found.
    where = _run(
        [
            str(installed.parent / "python"),
            "-c",
            "import applc.targets.registry as r; print(r.templates_root())",
        ],
        cwd=tmp_path,
    )
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).parts[-3:] == ("applc", "_data", "targets")
    assert not Path(where.stdout.strip()).is_relative_to(ROOT)
    for target, name in (
        ("marathon", "workflow.chronos.json"),
        ("compose", "workflow.compose.yaml"),
        ("kubernetes", "workflow.k8s.yaml"),
    ):
        run = _run(
            [
                str(installed),
                "build",
                str(EXAMPLES / "workflow.appliance.json"),
                "--target",
                target,
                "-o",
                str(tmp_path / target),
            ],
            cwd=tmp_path,
        )
        assert run.returncode == 0, run.stderr
        assert (tmp_path / target / name).is_file()
        ours = (
            _run(
                [
                    sys.executable,
                    "-m",
                    "applc",
                    "build",
                    str(EXAMPLES / "workflow.appliance.json"),
                    "--target",
                    target,
                    "-o",
                    "-",
                ],
                cwd=ROOT,
            )
            if target != "marathon"
            else None
        )
        if ours is not None:
            assert ours.returncode == 0, ours.stderr
            assert (tmp_path / target / name).read_text() == ours.stdout


def test_installed_applc_validates_with_its_packaged_schemas(installed, tmp_path):
    # `build --validate` reads the schemas from the wheel, not from a checkout.
    run = _run(
        [
            str(installed),
            "build",
            str(EXAMPLES / "workflow.appliance.json"),
            "--target",
            "marathon",
            "-o",
            str(tmp_path / "out"),
            "--validate",
        ],
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    where = _run(
        [
            str(installed.parent / "python"),
            "-c",
            "import applc.targets.validate as v; print(v.schemas_root())",
        ],
        cwd=tmp_path,
    )
    assert Path(where.stdout.strip()).parts[-3:] == ("applc", "_data", "schemas")
