"""`@id` references in cmd, args, env values and COMMAND health checks resolve on a real
engine: `host:port` forms, several in one string, and `\\@` escapes that stay literal.

Two servers answer `/id` with their own name, so a fetch proves the name reached the
right container, not just some container.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest

pytestmark = pytest.mark.engine


def server(cid: str, port: int) -> dict[str, Any]:
    return {
        "id": cid,
        "type": "service",
        "image": "applc-test/busybox:1",
        "force_pull_image": False,
        "resources": {"cpus": 0.1, "mem": 32},
        "network_mode": "container",
        "ports": [{"container_port": port, "host_port": 0, "protocol": "tcp"}],
        "cmd": f"mkdir -p /www && echo {cid} > /www/id && exec httpd -f -p {port} -h /www",
        "health_check": {
            "protocol": "TCP",
            "interval_seconds": 1,
            "timeout_seconds": 5,
            "grace_period_seconds": 0,
        },
    }


def decoded(log: str, kind: str) -> list[str]:
    return [
        base64.b64decode(line.split(" ", 1)[1]).decode()
        for line in log.splitlines()
        if line.startswith(kind + " ")
    ]


APPLIANCE = {
    "id": "refs",
    "containers": [
        server("db", 8080),
        server("cache", 6379),
        {
            # A COMMAND health check that passes only when @db resolves and answers.
            "id": "gate",
            "type": "service",
            "image": "applc-test/busybox:1",
            "force_pull_image": False,
            "resources": {"cpus": 0.1, "mem": 32},
            "network_mode": "container",
            "cmd": "exec sleep 600",
            "health_check": {
                "protocol": "COMMAND",
                "command": 'test "$(wget -q -O - http://@db:8080/id)" = db',
                "interval_seconds": 1,
                "timeout_seconds": 5,
                "grace_period_seconds": 0,
            },
            "dependencies": ["db"],
        },
        {
            "id": "with-cmd",
            "type": "job",
            "image": "applc-test/busybox:1",
            "force_pull_image": False,
            "resources": {"cpus": 0.1, "mem": 32},
            "network_mode": "bridge",
            "env": {
                "BOTH": "@db:8080,@cache:6379",
                "DB_URL": "http://@db:8080/id",
                "LITERAL": "mail me at ops\\@db or \\@cache:6379",
            },
            "cmd": (
                'echo "cmd sees @db:8080 and @cache:6379; literal \\@db"; '
                'echo "db says $(wget -q -O - http://@db:8080/id)"; '
                'echo "cache says $(wget -q -O - http://@cache:6379/id)"; '
                'echo "env url says $(wget -q -O - "$DB_URL")"; '
                'for hp in $(echo "$BOTH" | tr , " "); do '
                'echo "both $hp says $(wget -q -O - "http://$hp/id")"; done'
            ),
            "dependencies": ["gate", "cache"],
        },
        {
            "id": "with-args",
            "type": "job",
            "image": "applc-test/args:1",
            "force_pull_image": False,
            "resources": {"cpus": 0.1, "mem": 32},
            "network_mode": "bridge",
            "args": [
                "http://@db:8080/id",
                "http://@cache:6379/id",
                "--peers=@db:8080,@cache:6379",
                "\\@db stays",
                "user\\@cache",
            ],
            "dependencies": ["gate", "cache"],
        },
    ],
}


def test_references_resolve_on_the_engine_and_escapes_stay_literal(project):
    p = project(APPLIANCE)
    p.compose("up", "--detach", timeout=180, check=True)
    for job in ("with-cmd", "with-args"):
        c = p.wait_exited(job)
        assert c["State"]["ExitCode"] == 0, p.logs(job)

    # The COMMAND health check reached @db by its rewritten name.
    gate = p.container("gate")
    assert gate["State"]["Health"]["Status"] == "healthy"

    out = p.logs("with-cmd").splitlines()
    assert "cmd sees db:8080 and cache:6379; literal @db" in out
    assert "db says db" in out
    assert "cache says cache" in out
    assert "env url says db" in out
    assert "both db:8080 says db" in out
    assert "both cache:6379 says cache" in out
    env = dict(item.split("=", 1) for item in p.container("with-cmd")["Config"]["Env"])
    assert env["BOTH"] == "db:8080,cache:6379"
    assert env["DB_URL"] == "http://db:8080/id"
    assert env["LITERAL"] == "mail me at ops@db or @cache:6379"

    log = p.logs("with-args")
    assert decoded(log, "arg") == [
        "http://db:8080/id",
        "http://cache:6379/id",
        "--peers=db:8080,cache:6379",
        "@db stays",
        "user@cache",
    ]
    assert "fetched http://db:8080/id db" in log
    assert "fetched http://cache:6379/id cache" in log
