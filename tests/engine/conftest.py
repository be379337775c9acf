"""Fixtures for the end-to-end tests on a real Docker engine (tests/support/engine.py).

Every test here is marked `@pytest.mark.engine`. Without an engine they skip with one
line saying why; with `CI` set they fail instead, since CI must run them.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli
from tests.support.engine import Project, ensure_images, require_engine, unique_name

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def _images() -> None:
    require_engine()
    ensure_images()


@pytest.fixture(autouse=True)
def engine(_images: None) -> None:
    """Every engine test needs the engine and the stand-in images."""
    require_engine()


def build_compose(source: Path, out: Path, *extra: str) -> Path:
    """`applc build --target compose` through the CLI, as a user runs it; the one file."""
    result = run_cli(["build", "--target", "compose", "-q", str(source), "-o", str(out), *extra])
    assert result.code == 0, result.stdout + result.stderr
    files = sorted(out.glob("*.compose.yaml"))
    assert len(files) == 1, files
    return files[0]


@pytest.fixture
def appliance_file(tmp_path: Path) -> Callable[[dict[str, Any]], Path]:
    """Write an appliance document to a file of its own."""
    count = 0

    def write(doc: dict[str, Any]) -> Path:
        nonlocal count
        count += 1
        path = tmp_path / f"in{count}" / f"{doc['id']}.appliance.json"
        path.parent.mkdir()
        path.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
        return path

    return write


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Callable[..., Project]]:
    """`project(appliance)` builds an appliance (a dict or a file) with the CLI and
    returns its compose project under a name unique to the test. Everything every
    project made is removed at the end, also when the test failed."""
    made: list[Project] = []

    def make(source: dict[str, Any] | Path, *build_args: str) -> Project:
        n = len(made) + 1
        if isinstance(source, dict):
            src = tmp_path / f"src{n}" / f"{source['id']}.appliance.json"
            src.parent.mkdir()
            src.write_text(json.dumps(source, indent=2, ensure_ascii=False), encoding="utf-8")
        else:
            src = source
        out = tmp_path / f"build{n}"
        file = build_compose(src, out, *build_args)
        p = Project(unique_name(), file, tmp_path / f"home{n}")
        made.append(p)
        return p

    yield make
    for p in reversed(made):
        p.down()


def seed(name: str) -> dict[str, Any]:
    return copy.deepcopy(json.loads((DATA / name).read_text(encoding="utf-8")))
