"""An imported compose project runs on the engine after the round trip:
compose -> `applc import` -> appliance -> `applc build --target compose` -> `up`.

The web service reaches the database by the host name the compose file used (rewritten
to `@db` by the import, and back to a service name by the build), waits for a run-once
migration (imported as a job), and keeps a literal `@` and `$(...)` as they were.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli

pytestmark = pytest.mark.engine

COMPOSE = """\
services:
  db:
    image: applc-test/busybox:1
    pull_policy: never
    entrypoint: ["sh", "-c"]
    command: ["mkdir -p /www && echo db > /www/id && exec httpd -f -p 8080 -h /www"]
    expose: ["8080"]
    healthcheck:
      test: ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1:8080/id"]
      interval: 1s
      timeout: 5s
      retries: 30
  migrate:
    image: applc-test/busybox:1
    pull_policy: never
    entrypoint: ["sh", "-c", "echo migrated"]
  web:
    image: applc-test/busybox:1
    pull_policy: never
    environment:
      DB_URL: http://db:8080/id
      CONTACT: ops@example.org
    entrypoint: ["sh", "-c"]
    command:
      - >-
        echo "db says $$(wget -q -O - http://db:8080/id)";
        echo "env says $$(wget -q -O - "$$DB_URL")";
        echo "contact $$CONTACT";
        exec sleep 600
    depends_on:
      db: {condition: service_healthy}
      migrate: {condition: service_completed_successfully}
"""


def test_an_imported_compose_project_runs_after_the_round_trip(project, tmp_path: Path):
    src = tmp_path / "shop" / "compose.yaml"
    src.parent.mkdir()
    src.write_text(COMPOSE, encoding="utf-8")
    out = tmp_path / "shop.appliance.json"
    imported = run_cli(["import", str(src), "-o", str(out), "--id", "shop"])
    assert imported.code == 0, imported.stderr
    app = json.loads(out.read_text())
    kinds = {c["id"]: c["type"] for c in app["containers"]}
    assert kinds == {"db": "service", "migrate": "job", "web": "service"}

    p = project(out)
    p.compose("up", "--detach", timeout=240, check=True)
    logs = p.wait_for_log("web", "contact ", timeout=120)
    lines = logs.splitlines()
    assert "db says db" in lines
    assert "env says db" in lines
    assert "contact ops@example.org" in lines
    assert p.container("migrate")["State"]["ExitCode"] == 0
    assert "migrated" in p.logs("migrate")
