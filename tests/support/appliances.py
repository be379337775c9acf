"""The small appliance the build tests write: a database, and a job that migrates it."""

from __future__ import annotations

import json
from pathlib import Path


def shop(name: str = "shop", jobs: bool = True, **extra: object) -> dict:
    containers = [
        {
            "id": "db",
            "type": "service",
            "image": "postgres:15.4",
            "resources": {"cpus": 1, "mem": 512},
            "network_mode": "BRIDGE",
            "ports": [{"container_port": 5432}],
        }
    ]
    if jobs:
        containers.append(
            {
                "id": "migrate",
                "type": "job",
                "image": "postgres:15.4",
                "resources": {"cpus": 1, "mem": 256},
                "network_mode": "BRIDGE",
                "cmd": "psql -h @db",
                "dependencies": ["db"],
            }
        )
    return {"id": name, "containers": containers, **extra}


def write_json(path: Path, value: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2), encoding="utf-8")
    return path
