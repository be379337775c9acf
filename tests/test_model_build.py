"""The model reads a document leniently (applc/model/build.py): each field of the right
type is taken as written, and a field of the wrong type reads as absent, so that rules
and targets can trust the types they see. Expectations written by hand from the format
(docs: a service runs 1 instance, images are pulled unless told otherwise, a job runs
once with one retry every 2 minutes, HOST networking by default)."""

from __future__ import annotations

import json
from typing import Any

from applc.model.build import build_appliance
from applc.source import Source

WRITTEN: dict[str, Any] = {
    "id": "web",
    "type": "service",
    "image": "nginx:1.25",
    "cmd": "nginx -g 'daemon off;'",
    "args": ["--port", 8080],
    "env": {"A": "1", "B": 2},
    "resources": {"cpus": 0.5, "mem": 256, "disk": 10, "gpu": 1},
    "network_mode": "bridge",
    "ports": [{"container_port": 80, "host_port": 8080, "protocol": "udp", "name": "http"}],
    "volumes": [
        {"src": "/srv", "dest": "/data", "type": "host"},
        {"container_path": "/old", "host_path": "/srv/old", "mode": "RO"},
    ],
    "is_privileged": True,
    "force_pull_image": False,
    "dependencies": ["db", 7, "cache"],
    "schedule_hints": {"placement": {"rack": "r1", "n": 2}, "preemptible": True},
    "instances": 3.0,
    "health_check": {"protocol": "HTTP", "path": "/up", "port_index": 1, "command": "x"},
    "default_health_check": True,
    "minimum_capacity": 0.5,
    "retries": 4,
    "repeats": 5,
    "start_time": "2026-01-01T00:00:00Z",
    "interval": "5M",
}

WRONG: dict[str, Any] = {
    "id": 1,
    "type": ["service"],
    "image": None,
    "cmd": ["nginx"],
    "args": "--port 8080",
    "env": ["A=1"],
    "resources": [1, 256],
    "network_mode": 1,
    "ports": {"container_port": 80},
    "volumes": "/srv:/data",
    "is_privileged": "true",
    "force_pull_image": 0,
    "dependencies": "db",
    "schedule_hints": ["rack"],
    "instances": "3",
    "health_check": "HTTP",
    "default_health_check": 1,
    "minimum_capacity": "half",
    "retries": True,
    "repeats": 2.5,
    "start_time": 20260101,
    "interval": 5,
}


def _container(raw: dict[str, Any]) -> Any:
    value = {"id": "app", "containers": [raw]}
    app = build_appliance(Source("a.json", json.dumps(value)), value)
    return app.containers[0]


def test_fields_of_the_right_type_are_taken_as_written() -> None:
    c = _container(WRITTEN)
    assert (c.id, c.type, c.image, c.cmd) == ("web", "service", "nginx:1.25", WRITTEN["cmd"])
    assert c.args == ["--port", 8080] and c.args is WRITTEN["args"]
    assert c.env == {"A": "1", "B": 2}
    r = c.resources
    assert (r.cpus, r.mem, r.disk, r.gpu, r.pointer) == (0.5, 256, 10, 1, "/containers/0/resources")
    assert (c.network_mode, c.network_mode_explicit) == ("BRIDGE", True)
    [p] = c.ports
    assert (p.container_port, p.host_port, p.protocol, p.name) == (80, 8080, "udp", "http")
    assert p.pointer == "/containers/0/ports/0"
    current, legacy = c.volumes
    assert (current.legacy, current.source_path, current.container_path) == (False, "/srv", "/data")
    assert (current.kind, current.mode) == ("HOST", "RW")
    assert current.pointer == "/containers/0/volumes/0"
    assert (legacy.legacy, legacy.source_path, legacy.container_path) == (True, "/srv/old", "/old")
    assert (legacy.kind, legacy.mode) == ("HOST", "RO")
    assert (c.is_privileged, c.force_pull_image) == (True, False)
    assert c.dependencies == ["db", "cache"]
    assert (c.placement, c.preemptible) == ({"rack": "r1"}, True)
    assert c.instances == 3 and type(c.instances) is int
    hc = c.health_check
    assert (hc.protocol, hc.path, hc.port_index, hc.command) == ("HTTP", "/up", 1, "x")
    assert (hc.max_consecutive_failures, hc.grace_period_seconds) == (3, 300)
    assert (hc.interval_seconds, hc.timeout_seconds) == (60, 20)
    assert (c.default_health_check, c.minimum_capacity) == (True, 0.5)
    assert (c.retries, c.repeats) == (4, 5)
    assert (c.start_time, c.interval) == ("2026-01-01T00:00:00Z", "5M")
    assert c.raw is WRITTEN


def test_fields_of_the_wrong_type_read_as_absent() -> None:
    c = _container(WRONG)
    assert (c.id, c.type, c.image, c.cmd, c.resources, c.health_check) == (None,) * 6
    assert (c.args, c.env, c.ports, c.volumes, c.dependencies, c.placement) == (
        [], {}, [], [], [], {},
    )  # fmt: skip
    assert (c.network_mode, c.network_mode_explicit) == ("HOST", False)
    assert (c.is_privileged, c.force_pull_image, c.preemptible) == (False, True, False)
    assert (c.instances, c.default_health_check, c.minimum_capacity) == (1, False, 0)
    assert (c.retries, c.repeats, c.start_time, c.interval) == (1, 1, "", "2M")


def test_absent_fields_take_the_formats_defaults() -> None:
    c = _container({"id": "j", "type": "job", "image": "busybox:1.36"})
    assert (c.args, c.env, c.ports, c.volumes, c.dependencies, c.placement) == (
        [], {}, [], [], [], {},
    )  # fmt: skip
    assert (c.network_mode, c.network_mode_explicit, c.force_pull_image) == ("HOST", False, True)
    assert (c.retries, c.repeats, c.start_time, c.interval, c.instances) == (1, 1, "", "2M", 1)
    hinted = _container({"id": "j", "schedule_hints": {"placement": "rack=r1"}, "start_time": ""})
    assert (hinted.placement, hinted.preemptible, hinted.start_time) == ({}, False, "")
    empty_interval = _container({"id": "j", "interval": ""})
    assert empty_interval.interval == "2M"
