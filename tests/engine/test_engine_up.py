"""`applc up` and `applc down` on a real engine, run as a user runs them (a subprocess of
`python -m applc`, with compose writing to the terminal)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.support.engine import Project, docker, unique_name

pytestmark = pytest.mark.engine

ROOT = Path(__file__).resolve().parents[2]
BOOKSHOP = Path(__file__).resolve().parent / "data" / "bookshop.appliance.json"


def applc(args: list[str], cwd: Path, cache: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "applc", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "XDG_CACHE_HOME": str(cache),
            "NO_COLOR": "1",
            **env,
        },
        timeout=300,
        check=False,
    )


@pytest.fixture
def shop(tmp_path):
    """The bookshop under an id of its own: a project name must be unique per test."""
    suffix = uuid.uuid4().hex[:8]
    doc = json.loads(BOOKSHOP.read_text(encoding="utf-8"))
    doc["id"] = f"bookshop-{suffix}"
    src = tmp_path / "src" / "shop.appliance.json"
    src.parent.mkdir()
    src.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    cache = tmp_path / "cache"
    project = f"bookshop-{suffix}"
    yield src, work, cache, project
    # Whatever the test did, nothing of the project stays on the engine.
    Project(project, cache / "applc" / "compose" / project / "x.yaml", tmp_path / "h").down()


def project_containers(project: str) -> list[str]:
    label = f"label=com.docker.compose.project={project}"
    return docker("ps", "-aq", "--filter", label).stdout.split()


def test_up_detached_then_down_removes_everything(shop):
    src, work, cache, project = shop
    up = applc(
        ["up", "-q", "--detach", "--wait", "--wait-timeout", "90", str(src), "catalog", "stock"],
        work,
        cache,
    )
    assert up.returncode == 0, up.stdout + up.stderr
    # The compose file is in the cache, named after the project; nothing in the cwd.
    built = cache / "applc" / "compose" / project / f"{project}.compose.yaml"
    assert built.is_file(), sorted(cache.rglob("*"))
    assert list(work.iterdir()) == []
    ids = project_containers(project)
    assert len(ids) == 2
    states = json.loads(docker("inspect", *ids).stdout)
    assert {c["Config"]["Labels"]["com.docker.compose.service"] for c in states} == {
        "catalog",
        "stock",
    }
    assert all(c["State"]["Health"]["Status"] == "healthy" for c in states)

    down = applc(["down", "--volumes", "--timeout", "1", str(src)], work, cache)
    assert down.returncode == 0, down.stdout + down.stderr
    assert project_containers(project) == []
    label = f"label=com.docker.compose.project={project}"
    assert docker("network", "ls", "-q", "--filter", label).stdout.split() == []


def test_up_passes_the_jobs_exit_status_through(shop, tmp_path):
    src, work, cache, project = shop
    ok = applc(
        ["up", "-q", "--exit-code-from", "smoke-test", "--timeout", "1", str(src)], work, cache
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "catalog has 42 books, stock has 17 left" in ok.stdout

    doc = json.loads(src.read_text(encoding="utf-8"))
    doc["containers"][2]["cmd"] = "echo failing on purpose; exit 5"
    src.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    failed = applc(
        ["up", "-q", "--exit-code-from", "smoke-test", "--timeout", "1", str(src)], work, cache
    )
    assert failed.returncode == 5, failed.stdout + failed.stderr
    assert "failing on purpose" in failed.stdout


def test_up_refuses_an_appliance_with_errors_and_starts_nothing(shop):
    src, work, cache, project = shop
    doc = json.loads(src.read_text(encoding="utf-8"))
    doc["containers"][2]["env"]["CATALOG"] = "http://@katalog:8080"
    src.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    up = applc(["up", "--detach", str(src)], work, cache)
    assert up.returncode == 1
    assert "APL201" in up.stderr and "not run: 1 error" in up.stderr
    assert project_containers(project) == []


def test_up_says_so_when_no_engine_answers(shop, tmp_path):
    src, work, cache, _ = shop
    sock = f"unix://{tmp_path}/no-engine.sock"
    up = applc(["up", "--detach", str(src)], work, cache, DOCKER_HOST=sock)
    assert up.returncode == 2
    assert up.stderr.startswith("applc: error: no Docker engine answers at " + sock), up.stderr
    assert "Traceback" not in up.stderr


def test_up_says_so_when_no_compose_is_found(shop):
    src, work, cache, _ = shop
    up = applc(["up", "--detach", str(src)], work, cache, APPLC_COMPOSE="/nonexistent/compose")
    assert up.returncode == 2
    assert "is not a working Docker Compose v2" in up.stderr
    assert "Traceback" not in up.stderr


def test_a_service_name_cannot_smuggle_an_option(shop):
    src, work, cache, project = shop
    up = applc(["up", "--detach", str(src), "--", "--build"], work, cache)
    assert up.returncode == 2
    assert "is not a service name" in up.stderr
    assert project_containers(project) == []


def test_project_names_are_made_valid():
    from applc.engine import project_name

    assert project_name("Book_Shop.v2") == "book_shop-v2"
    assert project_name("--x") == "x"
    assert project_name("@@@") == "applc"
    assert project_name("a" * 80) == "a" * 63
    assert unique_name() != unique_name()
