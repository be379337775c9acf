"""What the engine applies: CPU and memory limits, `instances`, privileged, HOST network
mode, fixed and random host ports reached from the host, bind and named volumes that
survive a restart."""

from __future__ import annotations

import socket
import time
import urllib.request
import uuid
from typing import Any

import pytest

from tests.support.engine import privileged_unavailable_reason

pytestmark = pytest.mark.engine

BASE: dict[str, Any] = {
    "type": "service",
    "image": "applc-test/busybox:1",
    "force_pull_image": False,
    "network_mode": "container",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(port: int, path: str = "/id", timeout: float = 30) -> str:
    """GET from the host, retrying while the server comes up."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
                return r.read().decode().strip()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def web(cid: str, port: int, **extra: Any) -> dict[str, Any]:
    return {
        **BASE,
        "id": cid,
        "resources": {"cpus": 0.1, "mem": 32},
        "cmd": f"mkdir -p /www && echo {cid} > /www/id && exec httpd -f -p {port} -h /www",
        **extra,
    }


def cgroup_value(p, service: str, v1: str, v2: str) -> str:
    out = p.exec(service, "sh", "-c", f"cat /sys/fs/cgroup/{v2} 2>/dev/null || cat {v1}")
    return out.stdout.strip()


def test_resources_and_instances_as_the_engine_applies_them(project):
    p = project(
        {
            "id": "resources",
            "containers": [
                {
                    **BASE,
                    "id": "small",
                    "resources": {"cpus": 0.5, "mem": 96},
                    "cmd": "exec sleep 600",
                },
                {
                    **BASE,
                    "id": "many",
                    "instances": 3,
                    "resources": {"cpus": 0.25, "mem": 48},
                    "cmd": "exec sleep 600",
                },
            ],
        }
    )
    p.up_wait()
    small = p.container("small")
    assert small["HostConfig"]["NanoCpus"] == 500_000_000
    assert small["HostConfig"]["Memory"] == 96 * 1024 * 1024
    # What the kernel enforces inside the container (cgroup v2, else v1).
    limit = cgroup_value(p, "small", "/sys/fs/cgroup/memory/memory.limit_in_bytes", "memory.max")
    assert int(limit) == 96 * 1024 * 1024
    quota = cgroup_value(p, "small", "/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "cpu.max")
    if " " in quota:  # v2: "quota period"
        q, period = quota.split()
        assert int(q) / int(period) == 0.5
    else:
        period = cgroup_value(p, "small", "/sys/fs/cgroup/cpu/cpu.cfs_period_us", "x")
        assert int(quota) / int(period) == 0.5
    many = p.containers("many")
    assert len(many) == 3
    assert all(c["State"]["Status"] == "running" for c in many)
    assert {c["HostConfig"]["Memory"] for c in many} == {48 * 1024 * 1024}
    assert {c["HostConfig"]["NanoCpus"] for c in many} == {250_000_000}


def test_privileged_is_what_the_engine_is_asked_for(project):
    p = project(
        {
            "id": "privileged",
            "containers": [
                {
                    **BASE,
                    "id": "root",
                    "is_privileged": True,
                    "resources": {"cpus": 0.1, "mem": 32},
                    "cmd": "exec sleep 600",
                },
                {
                    **BASE,
                    "id": "plain",
                    "resources": {"cpus": 0.1, "mem": 32},
                    "cmd": "exec sleep 600",
                },
            ],
        }
    )
    reason = privileged_unavailable_reason()
    if reason is not None:
        # This engine cannot start any privileged container (its capability bounding
        # set is short). Check what it was asked for on the created container.
        p.compose("create", timeout=120, check=True)
        assert p.container("root")["HostConfig"]["Privileged"] is True
        assert p.container("plain")["HostConfig"]["Privileged"] is False
        pytest.xfail(f"this engine cannot run privileged containers: {reason}")
    p.up_wait()
    assert p.container("root")["HostConfig"]["Privileged"] is True
    assert p.container("plain")["HostConfig"]["Privileged"] is False

    def caps(service: str) -> int:
        status = p.exec(service, "cat", "/proc/self/status").stdout
        line = next(ln for ln in status.splitlines() if ln.startswith("CapEff:"))
        return int(line.split()[1], 16)

    # A privileged container has every capability the engine has; a plain one ~14.
    assert bin(caps("root")).count("1") > bin(caps("plain")).count("1") + 10


def test_host_network_and_published_ports_are_reachable_from_the_host(project):
    fixed, on_host = free_port(), free_port()
    p = project(
        {
            "id": "ports",
            "containers": [
                web(
                    "fixed",
                    8080,
                    ports=[{"container_port": 8080, "host_port": fixed, "protocol": "tcp"}],
                ),
                web(
                    "random",
                    8080,
                    ports=[{"container_port": 8080, "host_port": 0, "protocol": "tcp"}],
                ),
                web(
                    "hostnet",
                    on_host,
                    network_mode="host",
                    ports=[{"container_port": on_host, "host_port": on_host, "protocol": "tcp"}],
                ),
            ],
        }
    )
    p.up_wait()
    assert fetch(fixed) == "fixed"
    published = p.compose("port", "random", "8080", check=True).stdout.strip()
    random_port = int(published.rsplit(":", 1)[1])
    assert random_port != 8080
    assert fetch(random_port) == "random"
    hostnet = p.container("hostnet")
    assert hostnet["HostConfig"]["NetworkMode"] == "host"
    assert fetch(on_host) == "hostnet"


def test_a_reference_to_a_host_mode_container_reaches_it_through_the_host_gateway(project):
    on_host = free_port()
    p = project(
        {
            "id": "hostref",
            "containers": [
                web(
                    "hostnet",
                    on_host,
                    network_mode="host",
                    ports=[{"container_port": on_host, "host_port": on_host, "protocol": "tcp"}],
                ),
                {
                    **BASE,
                    "id": "client",
                    "type": "job",
                    "network_mode": "bridge",
                    "resources": {"cpus": 0.1, "mem": 32},
                    # The server may still be starting: retry for a while.
                    "cmd": f"for i in $(seq 1 40); do "
                    f"wget -q -O - http://@hostnet:{on_host}/id && exit 0; sleep 0.5; "
                    "done; exit 1",
                    "dependencies": ["hostnet"],
                },
            ],
        }
    )
    result = p.compose("up", "--abort-on-container-exit", "--exit-code-from", "client", timeout=180)
    assert result.code == 0, result.stdout + result.stderr + p.logs()
    assert p.logs("client").strip() == "hostnet"
    client = p.container("client")
    assert client["HostConfig"]["ExtraHosts"] == ["host.docker.internal:host-gateway"]


def test_bind_and_named_volumes_survive_a_restart(project, tmp_path):
    host_dir = tmp_path / "bound"
    host_dir.mkdir()
    app_id = f"vols-{uuid.uuid4().hex[:8]}"  # the named volume is <appliance>-<id>
    writer = (
        "n=$(cat /bind/count 2>/dev/null || echo 0); echo $((n + 1)) > /bind/count; "
        "m=$(cat /named/count 2>/dev/null || echo 0); echo $((m + 1)) > /named/count; "
        "exec sleep 600"
    )
    p = project(
        {
            "id": app_id,
            "data_persistence": {"volume_type": "cephfs", "volumes": [{"id": "data"}]},
            "containers": [
                {
                    **BASE,
                    "id": "keeper",
                    "resources": {"cpus": 0.1, "mem": 32},
                    "cmd": writer,
                    "volumes": [
                        {"src": str(host_dir), "dest": "/bind", "type": "HOST"},
                        {"src": "data", "dest": "/named", "type": "PERSISTENT"},
                    ],
                }
            ],
        }
    )
    p.up_wait()
    assert (host_dir / "count").read_text().strip() == "1"
    volume = f"{app_id}-data"
    mounts = {m["Destination"]: m for m in p.container("keeper")["Mounts"]}
    assert mounts["/bind"]["Type"] == "bind" and mounts["/bind"]["Source"] == str(host_dir)
    assert mounts["/named"]["Type"] == "volume" and mounts["/named"]["Name"] == volume
    first = p.container("keeper")["Id"]

    # A restart of the container, then a new container (down without --volumes, up).
    p.compose("restart", "--timeout", "1", timeout=120, check=True)
    p.up_wait()
    assert (host_dir / "count").read_text().strip() == "2"
    p.compose("down", "--timeout", "1", timeout=120, check=True)
    p.up_wait()
    assert p.container("keeper")["Id"] != first
    assert (host_dir / "count").read_text().strip() == "3"
    assert p.exec("keeper", "cat", "/named/count").stdout.strip() == "3"
