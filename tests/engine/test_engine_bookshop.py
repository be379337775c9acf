"""The issue's "done means": an appliance written by someone else (data/bookshop), whose
services have only busybox in their images, with TCP and HTTP health checks and a job
that reaches both services through `@` references and compares an env value full of `$`,
quotes and unicode with what it received. Built with `applc build --target compose` and
run with `docker compose up --abort-on-container-exit --exit-code-from <job>`; it exits 0
with the CPU and memory limits applied. Then `applc build --check` against the running
project finds nothing to change, and `up` again recreates nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli

DATA = Path(__file__).resolve().parent / "data"

pytestmark = pytest.mark.engine

MOTTO = 'Bücher für $5 — "read" \'em all, `now` or ${LATER}! ☕ $(no) \\o/'


def test_the_bookshop_runs_to_a_zero_exit_with_its_limits_applied(project):
    p = project(DATA / "bookshop.appliance.json")
    result = p.compose(
        "up",
        "--abort-on-container-exit",
        "--exit-code-from",
        "smoke-test",
        "--no-color",
        timeout=240,
    )
    assert result.code == 0, result.stdout + result.stderr
    out = p.logs("smoke-test").splitlines()
    assert "catalog has 42 books, stock has 17 left" in out
    assert f"motto: {MOTTO}" in out
    limits = {
        "catalog": (1_000_000_000, 256),
        "stock": (1_000_000_000, 128),
        "smoke-test": (1_000_000_000, 128),
    }
    for service, (nano_cpus, mib) in limits.items():
        c = p.container(service)
        assert c["HostConfig"]["NanoCpus"] == nano_cpus, service
        assert c["HostConfig"]["Memory"] == mib * 1024 * 1024, service
    assert p.container("smoke-test")["State"]["ExitCode"] == 0
    # The services went healthy before the job ran (the job's dependencies).
    for service in ("catalog", "stock"):
        log = p.container(service)["State"]["Health"]["Log"]
        assert any(entry["ExitCode"] == 0 for entry in log), service


def test_build_check_against_a_running_project_changes_nothing(project, tmp_path):
    p = project(DATA / "bookshop.appliance.json")
    p.compose("up", "--detach", "catalog", "stock", timeout=180, check=True)
    p.up_wait("catalog", "stock")
    before = {s: p.container(s)["Id"] for s in ("catalog", "stock")}
    text = p.file.read_text(encoding="utf-8")
    mtime = p.file.stat().st_mtime_ns

    check = run_cli(
        [
            "build",
            "--target",
            "compose",
            "--check",
            str(DATA / "bookshop.appliance.json"),
            "-o",
            str(p.file.parent),
        ]
    )
    assert check.code == 0, check.stdout + check.stderr
    again = run_cli(
        [
            "build",
            "--target",
            "compose",
            "-q",
            str(DATA / "bookshop.appliance.json"),
            "-o",
            str(p.file.parent),
        ]
    )
    assert again.code == 0, again.stderr
    assert p.file.read_text(encoding="utf-8") == text
    assert p.file.stat().st_mtime_ns == mtime

    # compose agrees: the running containers match the file, so nothing is recreated.
    result = p.compose("up", "--detach", "catalog", "stock", timeout=180, check=True)
    assert "Recreate" not in result.stderr, result.stderr
    assert {s: p.container(s)["Id"] for s in ("catalog", "stock")} == before

    # A changed appliance is stale for --check, and compose would recreate the service.
    changed = Path(tmp_path / "changed" / "bookshop.appliance.json")
    changed.parent.mkdir()
    changed.write_text(
        (DATA / "bookshop.appliance.json")
        .read_text(encoding="utf-8")
        .replace('"mem": 256', '"mem": 320'),
        encoding="utf-8",
    )
    stale = run_cli(
        ["build", "--target", "compose", "--check", str(changed), "-o", str(p.file.parent)]
    )
    assert stale.code == 1
