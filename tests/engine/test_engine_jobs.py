"""Jobs on a real engine: a job runs to completion after its dependencies, its exit status
reaches `docker compose`, a service that depends on a job starts only after it finished,
and a failing job keeps that service from starting."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

pytestmark = pytest.mark.engine


def when(text: str) -> datetime:
    head, _, frac = text.rstrip("Z").partition(".")
    return datetime.fromisoformat(f"{head}.{(frac + '000000')[:6]}")


def appliance(app_id: str, job_cmd: str) -> dict[str, Any]:
    base = {
        "image": "applc-test/busybox:1",
        "force_pull_image": False,
        "resources": {"cpus": 0.1, "mem": 32},
    }
    return {
        "id": app_id,
        "containers": [
            {
                **base,
                "id": "db",
                "type": "service",
                "network_mode": "container",
                "ports": [{"container_port": 5432, "host_port": 0, "protocol": "tcp"}],
                # Listens only after 2 s, so a job that did not wait would find nothing.
                "cmd": "sleep 2; mkdir -p /www && echo schema-v1 > /www/schema && "
                "exec httpd -f -p 5432 -h /www",
                "health_check": {
                    "protocol": "TCP",
                    "interval_seconds": 1,
                    "timeout_seconds": 5,
                    "grace_period_seconds": 0,
                },
            },
            {
                **base,
                "id": "migrate",
                "type": "job",
                "network_mode": "bridge",
                "cmd": job_cmd,
                "dependencies": ["db"],
            },
            {
                **base,
                "id": "web",
                "type": "service",
                "network_mode": "container",
                "cmd": "echo web started; exec sleep 600",
                "dependencies": ["migrate"],
            },
        ],
    }


MIGRATE_OK = 'echo "migrating $(wget -q -O - http://@db:5432/schema)"'


def test_a_job_runs_after_its_dependencies_and_gates_the_service_after_it(project):
    p = project(appliance("jobs", MIGRATE_OK))
    p.compose("up", "--detach", timeout=180, check=True)
    migrate = p.wait_exited("migrate")
    assert migrate["State"]["ExitCode"] == 0
    assert "migrating schema-v1" in p.logs("migrate")
    db, web = p.container("db"), p.container("web")
    assert db["State"]["Health"]["Status"] == "healthy"
    assert web["State"]["Status"] == "running"
    assert when(migrate["State"]["StartedAt"]) > when(db["State"]["StartedAt"])
    assert when(web["State"]["StartedAt"]) >= when(migrate["State"]["FinishedAt"])
    # A job runs once: the engine does not restart it.
    assert migrate["HostConfig"]["RestartPolicy"]["Name"] == "no"
    assert migrate["RestartCount"] == 0


@pytest.mark.parametrize(("code", "expected"), [("0", 0), ("3", 3)])
def test_the_jobs_exit_status_is_what_compose_exits_with(project, code, expected):
    doc = appliance("exits", f"{MIGRATE_OK}; exit {code}")
    # `--abort-on-container-exit` stops the project when the job exits, so the job must
    # be the last to run: a service that waits for it would start as everything stops.
    doc["containers"] = [c for c in doc["containers"] if c["id"] != "web"]
    p = project(doc)
    result = p.compose(
        "up",
        "--abort-on-container-exit",
        "--exit-code-from",
        "migrate",
        "--no-color",
        timeout=180,
    )
    assert result.code == expected, result.stdout + result.stderr
    migrate = p.container("migrate")
    assert migrate["State"]["ExitCode"] == expected
    assert "migrating schema-v1" in p.logs("migrate")


def test_a_failing_job_keeps_its_dependant_from_starting(project):
    p = project(appliance("failing", "echo migration failed; exit 7"))
    result = p.compose("up", "--detach", timeout=180)
    assert result.code != 0
    assert "migrate" in result.stderr and "7" in result.stderr, result.stderr
    migrate = p.container("migrate")
    assert migrate["State"]["ExitCode"] == 7
    web = p.container("web")
    assert web["State"]["Status"] == "created"
    assert "web started" not in p.logs("web")
