"""The seed's containerized Mesos cluster (examples/mesos.appliance.json) on a real engine.

The images are stand-ins (tests/support/standins/): ZooKeeper listens on 2181, the master
and the agent print the arguments they are given and connect to the ZooKeeper their
`zk://` URL names, so the logs show that `@zookeeper` became a name the engine's DNS
resolves, and the start times show the order the dependencies ask for.
"""

from __future__ import annotations

import json
import socket
from datetime import datetime

import pytest

from tests.conftest import EXAMPLES
from tests.support.engine import engine_cpus, privileged_unavailable_reason

pytestmark = pytest.mark.engine


def started(container: dict) -> datetime:
    head, _, frac = container["State"]["StartedAt"].rstrip("Z").partition(".")
    return datetime.fromisoformat(f"{head}.{(frac + '000000')[:6]}")


def test_the_seed_cluster_starts_in_order_and_reaches_zookeeper_by_its_rewritten_name(
    project, tmp_path
):
    doc = json.loads((EXAMPLES / "mesos.appliance.json").read_text(encoding="utf-8"))
    agent = doc["containers"][2]
    # The agent mounts the host's Docker socket. The test gives it a socket of its own
    # instead: binding a missing /var/run/docker.sock would make the engine create a
    # directory there on the host.
    sock_path = tmp_path / "docker.sock"
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(sock_path))
    agent["volumes"][0]["host_path"] = str(sock_path)
    # The engine refuses a CPU limit above the CPUs it has (the seed's agent asks 4).
    for c in doc["containers"]:
        c["resources"]["cpus"] = min(c["resources"]["cpus"], engine_cpus())
    # In a sandbox whose capability bounding set is short, no privileged container can
    # start (see test_engine_runtime.py); the rest of the seed still runs.
    privileged = privileged_unavailable_reason() is None
    if not privileged:
        for c in doc["containers"]:
            c["is_privileged"] = False

    p = project(doc)
    try:
        p.compose("up", "--detach", "--pull", "never", timeout=180, check=True)
        p.wait_for_log("mesos-agent", "mesos-agent: zookeeper answers", timeout=60)
        master_log = p.logs("mesos-master")
        agent_log = p.logs("mesos-agent")
    finally:
        listener.close()

    assert [line for line in master_log.splitlines() if line.startswith("mesos-master: arg")] == [
        "mesos-master: arg --ip=0.0.0.0",
        "mesos-master: arg --zk=zk://zookeeper:2181/mesos",
        "mesos-master: arg --quorum=1",
        "mesos-master: arg --work_dir=/var/lib/mesos",
    ]
    assert "mesos-master: zookeeper answers at zookeeper:2181" in master_log
    assert [line for line in agent_log.splitlines() if line.startswith("mesos-agent: arg")] == [
        "mesos-agent: arg --master=zk://zookeeper:2181/mesos",
        "mesos-agent: arg --work_dir=/var/lib/mesos",
    ]
    assert "mesos-agent: zookeeper answers at zookeeper:2181" in agent_log
    assert "mesos-agent: docker socket mounted" in agent_log

    zk, master, agent_c = (p.container(n) for n in ("zookeeper", "mesos-master", "mesos-agent"))
    for c in (zk, master, agent_c):
        assert c["State"]["Status"] == "running", c["Name"]
        assert c["HostConfig"]["Privileged"] is privileged
        assert (
            c["HostConfig"]["Memory"]
            == {
                zk["Id"]: 1024,
                master["Id"]: 1024,
                agent_c["Id"]: 4096,
            }[c["Id"]]
            * 1024
            * 1024
        )
    # The order the dependencies ask for: zookeeper, then the master, then the agent.
    assert started(zk) < started(master) < started(agent_c)
    # The master is reachable where the agent would look for it, on the project network.
    fetched = p.exec("mesos-agent", "wget", "-q", "-O", "-", "http://mesos-master:5050/")
    assert fetched.stdout.strip() == "mesos-master stand-in"
