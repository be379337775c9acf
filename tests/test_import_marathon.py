"""`applc import --from marathon`, and the round trip through the Marathon target.

The round trip: for an appliance applc builds, `build --target marathon` then `import
--from marathon` of the files it wrote gives back the same appliance on every field
PIVOT carries (ids, types, images, resources, ports, env, cmd, args, the dependencies
of services, health checks, network mode, privileged, instances). The comparison reads
both appliances through applc's model, so defaults count as written (an absent `disk` is
0), and references compare as references (a `\\@` and a stray `@` are the same literal).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from applc.build import compile_paths
from applc.config import ConfigCache
from applc.importers import run_import
from applc.model.build import build_appliance
from applc.resolve.references import rewrite
from applc.source import Source
from applc.targets.base import reachable_through, value_text
from tests.conftest import EXAMPLES, position_of

HTTP_KINDS = ("HTTP", "HTTPS", "MESOS_HTTP", "MESOS_HTTPS")


def canonical_text(text: str) -> str:
    """References marked, escapes resolved: `\\@x` and `@x` differ, `\\@ ` and `@ ` not."""
    return rewrite(text, lambda cid: "\x00" + cid + "\x00")


def carried(value: dict[str, Any]) -> dict[str, Any]:
    """What PIVOT carries of an appliance, read through applc's model."""
    app = build_appliance(Source("x.json", json.dumps(value)), value)
    out: dict[str, Any] = {"id": app.id}
    for c in app.containers:
        res = c.resources
        hc = c.health_check if c.is_service else None
        health = None
        if hc is not None and not (hc.protocol == "COMMAND" and not hc.command):
            health = (
                hc.protocol,
                hc.path if hc.protocol in HTTP_KINDS else None,
                None if hc.protocol == "COMMAND" else hc.port_index,
                canonical_text(hc.command) if hc.protocol == "COMMAND" and hc.command else None,
                hc.grace_period_seconds,
                hc.interval_seconds,
                hc.timeout_seconds,
                hc.max_consecutive_failures,
            )
        out[c.id or ""] = {
            "type": c.type,
            "image": c.image,
            "resources": (res.cpus, res.mem, res.disk, res.gpu if c.is_service else 0)
            if res
            else None,
            # PIVOT ignores host_port in HOST mode (the host binds the container port).
            "ports": [
                (
                    p.container_port,
                    None if c.network_mode == "HOST" else p.host_port,
                    p.protocol,
                )
                for p in c.ports
            ],
            "env": {k: canonical_text(value_text(v)) for k, v in c.env.items()},
            "cmd": canonical_text(c.cmd) if isinstance(c.cmd, str) else None,
            "args": [canonical_text(value_text(a)) for a in c.args],
            "network_mode": c.network_mode,
            "privileged": c.is_privileged,
            "instances": c.instances if c.is_service else None,
            "health": health,
        }
        if c.is_service:
            # Marathon orders apps only after apps: a dependency on a job is followed
            # through to the services the job waits for, as the target writes it.
            out[c.id or ""]["dependencies"] = sorted(reachable_through(app, c, lambda d: d.is_job))
    return out


def built_and_imported(value: dict[str, Any], folder: Path) -> tuple[dict | None, list[str]]:
    src = folder / "app.appliance.json"
    src.write_text(json.dumps(value), encoding="utf-8")
    result = compile_paths([str(src)], ConfigCache(None, {}), "marathon")
    if result.refused:
        return None, []
    files = []
    for out in result.outputs:
        path = folder / out.name
        path.write_text(out.text, encoding="utf-8")
        files.append(str(path))
    imported = run_import(files, "marathon")
    errors = [
        f"{d.code} {d.message}"
        for d in imported.reporter.diagnostics()
        if d.severity.label == "error"
    ]
    return imported.value, errors


def assert_round_trip(value: dict[str, Any], folder: Path) -> None:
    back, errors = built_and_imported(value, folder)
    assert back is not None, "the appliance did not build"
    assert errors == []
    expected = carried(value)
    got = carried(back)
    # Dependencies of services only; a service's own list may come back sorted.
    for cid, c in expected.items():
        if cid == "id":
            continue
        if "dependencies" in c:
            c["dependencies"] = sorted(c["dependencies"])
    assert got == expected


# ---------------------------------------------------------------------------- examples


@pytest.mark.parametrize(
    "example",
    sorted(p for p in EXAMPLES.glob("*.appliance.json") if not p.name.startswith("broken")),
    ids=lambda p: p.name,
)
def test_every_example_survives_build_then_import(example, tmp_path):
    assert_round_trip(json.loads(example.read_text()), tmp_path)


def test_the_cli_imports_what_build_wrote(cli, tmp_path):
    out = tmp_path / "build"
    assert (
        cli(
            ["build", str(EXAMPLES / "mesos.appliance.json"), "-t", "marathon", "-o", str(out)]
        ).code
        == 0
    )
    run = cli(["import", "--color", "never", str(out / "mesos.marathon.json")])
    assert run.code == 0, run.stderr
    app = json.loads(run.stdout)
    assert app["id"] == "mesos"
    master = next(c for c in app["containers"] if c["id"] == "mesos-master")
    assert master["args"][1] == "--zk=zk://@zookeeper:2181/mesos"
    assert master["dependencies"] == ["zookeeper"]
    assert master["network_mode"] == "CONTAINER"


# ---------------------------------------------------------------------------- property

LABEL = st.from_regex(r"[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,4})?", fullmatch=True)
WORD = st.text(alphabet=st.sampled_from(list("abcxyz019 -_=:/.,'\"$%\\@")), min_size=0, max_size=12)


@st.composite
def buildable_appliances(draw):
    ids = draw(st.lists(LABEL, min_size=1, max_size=5, unique=True))
    containers = []
    for i, cid in enumerate(ids):
        is_job = i > 0 and draw(st.booleans())
        earlier = ids[:i]
        deps = draw(st.lists(st.sampled_from(earlier), unique=True, max_size=2)) if earlier else []

        def text() -> str:
            parts = draw(
                st.lists(st.one_of(WORD, st.sampled_from([f"@{d}" for d in ids])), max_size=3)
            )
            # A reference must not run into the next id character, and a bare `@` before
            # an id character would be a reference to that text.
            return "".join(p if not p.startswith("@") else p + ":1" for p in parts)

        mode = draw(
            st.sampled_from(["HOST", "BRIDGE"] if is_job else ["HOST", "BRIDGE", "CONTAINER"])
        )
        privileged = draw(st.booleans())
        c: dict[str, Any] = {
            "id": cid,
            "type": "job" if is_job else "service",
            "image": f"registry.example/{cid}:{draw(st.integers(1, 9))}",
            "resources": {
                "cpus": draw(st.sampled_from([0.5, 1, 2])),
                "mem": draw(st.integers(128, 4096)),
                "disk": draw(st.sampled_from([0, 100])),
            },
            "network_mode": mode,
            "is_privileged": privileged,
            "dependencies": deps,
        }
        if not is_job and not privileged and draw(st.booleans()):
            c["resources"]["gpu"] = 1
        if draw(st.booleans()):
            c["cmd"] = text() or "run"
        else:
            c["args"] = [text() for _ in range(draw(st.integers(0, 3)))]
        c["env"] = {f"V{k}": text() for k in range(draw(st.integers(0, 3)))}
        ports = draw(st.lists(st.integers(1, 65535), unique=True, max_size=2))
        c["ports"] = [
            {"container_port": p, "host_port": draw(st.sampled_from([0, p])), "protocol": "tcp"}
            for p in ports
        ]
        if not is_job:
            c["instances"] = draw(st.integers(1, 3))
            kind = draw(st.sampled_from([None, "COMMAND", "MESOS_HTTP", "TCP"]))
            if kind == "COMMAND":
                c["health_check"] = {"protocol": kind, "command": text() or "true"}
            elif kind is not None and ports:
                c["health_check"] = {
                    "protocol": kind,
                    "path": "/health",
                    "port_index": 0,
                    "interval_seconds": draw(st.integers(1, 120)),
                }
        containers.append(c)
    return {"id": draw(LABEL), "containers": containers}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(buildable_appliances())
def test_round_trip_over_generated_appliances(value):
    with tempfile.TemporaryDirectory() as d:
        back, errors = built_and_imported(value, Path(d))
        assume(back is not None)  # only what applc builds
        assert errors == []
        expected, got = carried(value), carried(back)
        assert got == expected


# ---------------------------------------------------------------------------- Marathon's own files


GROUP = """\
{
  "id": "/shop",
  "apps": [
    {
      "id": "db",
      "cpus": 1, "mem": 1024,
      "container": {"type": "DOCKER", "docker": {"image": "postgres:16", "network": "BRIDGE",
        "portMappings": [{"containerPort": 5432, "hostPort": 0, "protocol": "tcp"}]}},
      "healthChecks": [{"protocol": "TCP", "portIndex": 0}]
    },
    {
      "id": "/shop/web",
      "cpus": 0.5, "mem": 256, "instances": 2,
      "container": {"type": "DOCKER", "docker": {"image": "web:1"},
        "portMappings": [{"containerPort": 80, "hostPort": 8080}]},
      "networks": [{"mode": "container/bridge"}],
      "env": {"DB": "db-shop.marathon.mesos:5432", "ALT": "db.shop.marathon.mesos",
              "OTHER": "db-shop.marathon.mesos.example.org", "MAIL": "ops@example.org"},
      "dependencies": ["db"],
      "labels": {"HAPROXY_GROUP": "external"},
      "constraints": [["hostname", "UNIQUE"]]
    }
  ],
  "groups": [{"id": "jobs", "apps": [{"id": "tick", "cmd": "sleep 1", "cpus": 0.1, "mem": 32}]}]
}
"""


def test_a_marathon_group_with_marathon_dns_names(cli, tmp_path):
    f = tmp_path / "shop.json"
    f.write_text(GROUP)
    run = cli(["import", "--color", "never", str(f), "--output-format", "json"])
    app = json.loads(run.stdout)
    assert app["id"] == "shop"
    web = next(c for c in app["containers"] if c["id"] == "web")
    assert web["env"] == {
        "DB": "@db:5432",
        "ALT": "@db",
        "OTHER": "db-shop.marathon.mesos.example.org",
        "MAIL": "ops\\@example.org",
    }
    assert web["network_mode"] == "BRIDGE"
    assert web["instances"] == 2
    assert web["ports"] == [{"container_port": 80, "host_port": 8080, "protocol": "tcp"}]
    assert web["dependencies"] == ["db"]
    db = next(c for c in app["containers"] if c["id"] == "db")
    assert db["network_mode"] == "BRIDGE"  # the deprecated docker.network
    assert db["health_check"]["protocol"] == "TCP"
    # The nested group's app has no image: an error, and the appliance is still written.
    assert run.code == 1
    diags = json.loads(run.stderr)["diagnostics"]
    codes = [d["code"] for d in diags]
    assert "APL502" in codes
    unsupported = {d["message"] for d in diags if d["code"] == "APL507"}
    assert "`labels` is not carried into the appliance" in unsupported
    assert "constraint `hostname UNIQUE` is not carried" in unsupported
    # Positions are in the JSON file.
    labels = next(d for d in diags if d["message"].startswith("`labels`"))
    line, col, _, _ = position_of(GROUP, '"labels"')
    assert (labels["line"], labels["column"]) == (line, col)


def test_chronos_jobs_become_jobs(cli, tmp_path):
    f = tmp_path / "jobs.json"
    f.write_text(
        json.dumps(
            {
                "name": "etl.load",
                "schedule": "R5/2030-01-01T00:00:00Z/PT10M",
                "cpus": 0.5,
                "mem": 256,
                "shell": True,
                "command": "load --from db-etl.marathon.mesos:5432",
                "retries": 3,
                "environmentVariables": [{"name": "MODE", "value": "full"}],
                "container": {
                    "type": "DOCKER",
                    "image": "etl:2",
                    "network": "BRIDGE",
                    "parameters": [{"key": "publish", "value": "0:9000/tcp"}],
                },
                "parents": ["other"],
            }
        )
    )
    run = cli(["import", "--color", "never", "--from", "marathon", str(f)])
    assert run.code == 0, run.stderr
    app = json.loads(run.stdout)
    assert app["id"] == "etl"
    (job,) = app["containers"]
    assert job == {
        "id": "load",
        "type": "job",
        "image": "etl:2",
        "resources": {"cpus": 0.5, "mem": 256},
        "network_mode": "BRIDGE",
        # `db` is not a container of this appliance: the name stays a name.
        "cmd": "load --from db-etl.marathon.mesos:5432",
        "env": {"MODE": "full"},
        "ports": [{"container_port": 9000, "host_port": 0, "protocol": "tcp"}],
        "retries": 3,
        "repeats": 5,
        "start_time": "2030-01-01T00:00:00Z",
        "interval": "T10M",
    }
    assert "Chronos `parents` are not carried" in run.stderr


def test_a_file_swapped_for_a_fifo_after_the_checks_is_refused_without_waiting(tmp_path):
    # Path.is_file and stat answer as for the regular file that was there when they ran;
    # the read itself must still see the fifo and refuse it rather than wait for a writer.
    import subprocess
    import sys
    import textwrap

    fifo = tmp_path / "group.json"
    os.mkfifo(fifo)
    child = textwrap.dedent(
        f"""
        import os
        from pathlib import Path
        Path.is_file = lambda self: True
        from applc.importers import run_import
        result = run_import([{str(fifo)!r}], "marathon")
        print([(d.code, d.message) for d in result.reporter.diagnostics()])
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", child], capture_output=True, text=True, timeout=60
    )  # the timeout is a hang guard: a plain read blocks forever on a fifo
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        f"[('APL501', 'cannot read {fifo}: {fifo} is a fifo, not a regular file')]"
    )


def test_a_file_past_the_size_cap_is_refused_without_reading_it_whole(cli, tmp_path):
    from applc.importers.marathon import MAX_FILE_BYTES

    big = tmp_path / "group.json"
    with big.open("wb") as fh:
        fh.write(b"[" + b" " * MAX_FILE_BYTES + b"]")
    run = cli(["import", "--from", "marathon", str(big)])
    assert run.code == 1
    assert f"{big} is too large" in run.stdout + run.stderr
