"""`applc build` on the bundled examples for every target, checked by each platform's own
validator, and what each target makes of the appliance format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.conftest import EXAMPLES, run_cli
from tests.support.validators import (
    skip_unless_available,
    validate_chronos_jobs,
    validate_compose,
    validate_kubernetes_yaml,
    validate_marathon_group,
)

GOOD = sorted(p for p in EXAMPLES.glob("*.json") if p.name != "broken.appliance.json")
TARGETS = ("marathon", "compose", "kubernetes")


def build(
    tmp_path: Path, target: str, *files: Path | str, extra: tuple[str, ...] = ()
) -> tuple[Path, object]:
    out = tmp_path / target
    run = run_cli(["build", *map(str, files), "--target", target, "-o", str(out), *extra])
    return out, run


def validate(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    if path.name.endswith(".marathon.json"):
        return validate_marathon_group(json.loads(text))
    if path.name.endswith(".chronos.json"):
        return validate_chronos_jobs(json.loads(text))
    if path.name.endswith(".compose.yaml"):
        return validate_compose(text)
    assert path.name.endswith(".k8s.yaml"), path
    return validate_kubernetes_yaml(text)


@pytest.mark.parametrize("target", TARGETS)
def test_every_example_builds_and_validates(tmp_path, target):
    skip_unless_available(target)
    out, run = build(tmp_path, target, *GOOD)
    assert run.code == 0, run.stderr
    written = sorted(p.name for p in out.iterdir() if p.name != ".applc-manifest.json")
    suffix = {"marathon": "marathon.json", "compose": "compose.yaml", "kubernetes": "k8s.yaml"}
    assert {n for n in written if n.endswith(suffix[target])} == {
        f"{json.loads(p.read_text())['id']}.{suffix[target]}" for p in GOOD
    }
    for name in written:
        assert validate(out / name) == [], name
    if target == "marathon":
        # Only the workflow has jobs, so only it gets a Chronos file.
        assert [n for n in written if n.endswith(".chronos.json")] == ["workflow.chronos.json"]


@pytest.mark.parametrize("target", TARGETS)
def test_the_broken_example_is_refused(tmp_path, target):
    out, run = build(tmp_path, target, EXAMPLES / "broken.appliance.json")
    assert run.code == 1
    assert "error[APL201]" in run.stderr and "build refused" in run.stderr
    assert not out.exists()


@pytest.mark.parametrize("target", TARGETS)
def test_output_is_deterministic_byte_for_byte(tmp_path, target, monkeypatch):
    first, _ = build(tmp_path / "a", target, *GOOD)
    monkeypatch.chdir(EXAMPLES)
    second, _ = build(tmp_path / "b", target, *(p.name for p in GOOD))
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    for n in names:
        assert (first / n).read_bytes() == (second / n).read_bytes()


# --------------------------------------------------------------------------- Marathon

# What PIVOT HEAD itself POSTs for the mesos example (each body separately to /v2/apps),
# as its own code builds it. The agent's legacy volume is given in PIVOT HEAD's form.
_PIVOT_ZK = {
    "id": "/mesos/zookeeper",
    "instances": 1,
    "cpus": 1,
    "mem": 1024,
    "disk": 4096,
    "gpu": 0,
    "env": {"PIVOT_URL": "pivot-sys.marathon.containerip.dcos.thisdcos.directory"},
    "requirePorts": True,
    "acceptedResourceRoles": ["slave_public", "*"],
    "container": {
        "type": "DOCKER",
        "volumes": [],
        "docker": {
            "image": "heliumdatacommons/zookeeper",
            "privileged": True,
            "forcePullImage": True,
            "parameters": [
                {"key": "hostname", "value": "zookeeper"},
                {"key": "rm", "value": "true"},
                {"key": "oom-kill-disable", "value": "true"},
            ],
            "portMappings": [{"protocol": "tcp", "hostPort": 0, "containerPort": 2181}],
        },
    },
    "healthChecks": [],
    "upgradeStrategy": {"minimumHealthCapacity": 0, "maximumOverCapacity": 1.0},
    "networks": [{"mode": "container", "name": "dcos"}],
    "constraints": [["preemptible", "CLUSTER", "false"]],
}
_ZK_URL = "zookeeper-mesos.marathon.containerip.dcos.thisdcos.directory"


def _pivot_body(
    cid: str, image: str, cpus: int, mem: int, ports: list, args: list, volumes: list
) -> dict:
    body = json.loads(json.dumps(_PIVOT_ZK))
    body.update(id=f"/mesos/{cid}", cpus=cpus, mem=mem, disk=0, args=args, requirePorts=bool(ports))
    body["container"]["volumes"] = volumes
    docker = body["container"]["docker"]
    docker["image"] = image
    docker["parameters"][0]["value"] = cid
    docker["portMappings"] = ports
    return body


PIVOT_MESOS = [
    _PIVOT_ZK,
    _pivot_body(
        "mesos-master",
        "heliumdatacommons/mesos-master",
        1,
        1024,
        [{"protocol": "tcp", "hostPort": 0, "containerPort": 5050}],
        [
            "--ip=0.0.0.0",
            f"--zk=zk://{_ZK_URL}:2181/mesos",
            "--quorum=1",
            "--work_dir=/var/lib/mesos",
        ],
        [],
    ),
    _pivot_body(
        "mesos-agent",
        "heliumdatacommons/mesos-agent",
        4,
        4096,
        [],
        [f"--master=zk://{_ZK_URL}:2181/mesos", "--work_dir=/var/lib/mesos"],
        [
            {
                "hostPath": "/var/run/docker.sock",
                "containerPath": "/var/run/docker.sock",
                "mode": "RW",
            }
        ],
    ),
]


def _as_pivot_would(app: dict) -> dict:
    """applc's app with its documented differences from PIVOT undone."""
    app = json.loads(json.dumps(app))
    app["gpu"] = app.pop("gpus")  # Marathon's key; PIVOT's `gpu` fails Marathon's schema
    app["container"]["docker"]["portMappings"] = app["container"].pop("portMappings")
    app.pop("dependencies", None)  # PIVOT orders the starts itself
    return app


def test_marathon_apps_match_what_pivot_submits(tmp_path):
    out, run = build(tmp_path, "marathon", EXAMPLES / "mesos.appliance.json")
    assert run.code == 0, run.stderr
    group = json.loads((out / "mesos.marathon.json").read_text())
    assert group["id"] == "/mesos"
    assert [_as_pivot_would(a) for a in group["apps"]] == PIVOT_MESOS
    deps = {a["id"]: a.get("dependencies") for a in group["apps"]}
    assert deps == {
        "/mesos/zookeeper": None,
        "/mesos/mesos-master": ["/mesos/zookeeper"],
        "/mesos/mesos-agent": ["/mesos/mesos-master"],
    }


def _appliance(tmp_path: Path, *containers: dict, name: str = "shop", **top) -> Path:
    path = tmp_path / f"{name}.appliance.json"
    path.write_text(
        json.dumps({"id": name, **top, "containers": list(containers)}), encoding="utf-8"
    )
    return path


def _c(cid: str, **fields) -> dict:
    base = {
        "id": cid,
        "type": "service",
        "image": f"shop/{cid}:1.0",
        "resources": {"cpus": 1, "mem": 256},
        "network_mode": "BRIDGE",
    }
    base.update(fields)
    return base


def test_marathon_keeps_values_pivot_would_mangle(tmp_path):
    src = _appliance(
        tmp_path,
        _c("db", ports=[{"container_port": 5432}]),
        _c(
            "api",
            cmd="  run --db @db\tand\n  more  ",
            env={"E": "", "N": 5, "B": True},
            dependencies=["db"],
        ),
        _c("worker", args=["", "  x  "], ports=[{"container_port": 80, "name": "Web UI"}]),
    )
    out, run = build(tmp_path, "marathon", src)
    assert run.code == 0, run.stderr
    apps = {a["id"]: a for a in json.loads((out / "shop.marathon.json").read_text())["apps"]}
    api = apps["/shop/api"]
    assert api["cmd"] == (
        "  run --db db-shop.marathon.containerip.dcos.thisdcos.directory\tand\n  more  "
    )
    assert api["env"] == {
        "PIVOT_URL": "pivot-sys.marathon.containerip.dcos.thisdcos.directory",
        "E": "",
        "N": "5",
        "B": "true",
    }
    assert "args" not in api
    worker = apps["/shop/worker"]
    assert worker["args"] == ["", "  x  "]
    assert worker["container"]["portMappings"] == [
        {"containerPort": 80, "hostPort": 0, "protocol": "tcp", "name": "web-ui"}
    ]
    assert "APL403" in run.stderr  # the port name was rewritten, and said so


def test_marathon_host_mode_uses_port_definitions_and_jobs_go_to_chronos(tmp_path):
    src = _appliance(
        tmp_path,
        _c(
            "dns",
            network_mode="HOST",
            ports=[{"container_port": 53, "protocol": "udp"}],
            health_check={"protocol": "COMMAND", "command": "dig @dns"},
        ),
        _c(
            "report",
            type="job",
            cmd="report --to @dns",
            repeats=3,
            interval="T1H",
            start_time="2024-01-01T00:00:00Z",
            dependencies=["dns"],
            ports=[{"container_port": 8080, "host_port": 0, "protocol": "udp,tcp"}],
        ),
    )
    out, run = build(tmp_path, "marathon", src)
    assert run.code == 0, run.stderr
    group = json.loads((out / "shop.marathon.json").read_text())
    jobs = json.loads((out / "shop.chronos.json").read_text())
    assert validate_marathon_group(group) == [] and validate_chronos_jobs(jobs) == []
    (dns,) = group["apps"]
    assert dns["networks"] == [{"mode": "host"}]
    assert dns["portDefinitions"] == [{"port": 53, "protocol": "udp"}]
    assert "portMappings" not in dns["container"]
    assert dns["healthChecks"][0]["command"] == {
        "value": "dig dns-shop.marathon.containerip.dcos.thisdcos.directory"
    }
    (job,) = jobs
    assert job["name"] == "shop.report"
    assert job["schedule"] == "R3/2024-01-01T00:00:00Z/PT1H"
    assert job["shell"] is True and job["command"].startswith("report --to dns-shop.")
    assert {"key": "publish", "value": "0:8080/udp"} in job["container"]["parameters"]
    assert {"key": "publish", "value": "0:8080/tcp"} in job["container"]["parameters"]
    assert job["environmentVariables"][-1]["name"] == "PIVOT_URL"
    assert "APL402" in run.stderr  # a Chronos job cannot wait for a Marathon app


def test_marathon_gpu_apps_run_under_the_mesos_containerizer(tmp_path):
    src = _appliance(tmp_path, _c("train", resources={"cpus": 1, "mem": 256, "gpu": 2}))
    out, run = build(tmp_path, "marathon", src)
    assert run.code == 0 and "warning[APL401]" in run.stderr
    (app,) = json.loads((out / "shop.marathon.json").read_text())["apps"]
    assert app["gpus"] == 2 and app["container"]["type"] == "MESOS"
    assert validate_marathon_group({"id": "/shop", "apps": [app]}) == []
    priv = _appliance(
        tmp_path, _c("train", is_privileged=True, resources={"cpus": 1, "mem": 256, "gpu": 2})
    )
    out, run = build(tmp_path / "p", "marathon", priv)
    assert run.code == 1 and "error[APL401]" in run.stderr


def test_marathon_refuses_a_schedule_chronos_rejects(tmp_path):
    src = _appliance(tmp_path, _c("j", type="job", interval="PT10M"))
    _, run = build(tmp_path, "marathon", src)
    assert run.code == 1 and "error[APL404]" in run.stderr and "PPT10M" in run.stderr


def test_persistent_volumes_on_every_target(tmp_path):
    src = _appliance(
        tmp_path,
        _c(
            "db",
            volumes=[
                {"src": "pgdata", "dest": "/data"},
                {"src": "/srv/x", "dest": "/x", "type": "HOST"},
                {"host_path": "/srv/ro", "container_path": "/ro", "mode": "RO"},
            ],
        ),
        data_persistence={"volumes": [{"id": "pgdata"}]},
    )
    out, run = build(tmp_path, "marathon", src)
    (app,) = json.loads((out / "shop.marathon.json").read_text())["apps"]
    params = app["container"]["docker"]["parameters"]
    assert {"key": "volume-driver", "value": "heliumdatacommons/cephfs"} in params
    assert {"key": "volume", "value": "shop-pgdata:/data"} in params
    assert app["container"]["volumes"] == [
        {"containerPath": "/x", "hostPath": "/srv/x", "mode": "RW"},
        {"containerPath": "/ro", "hostPath": "/srv/ro", "mode": "RO"},
    ]
    out, run = build(tmp_path, "compose", src)
    doc = yaml.safe_load((out / "shop.compose.yaml").read_text())
    assert doc["services"]["db"]["volumes"] == [
        {"type": "volume", "source": "pgdata", "target": "/data"},
        {"type": "bind", "source": "/srv/x", "target": "/x"},
        {"type": "bind", "source": "/srv/ro", "target": "/ro", "read_only": True},
    ]
    assert doc["volumes"] == {"pgdata": {"name": "shop-pgdata"}}
    out, run = build(tmp_path, "kubernetes", src)
    assert "info[APL411]" in run.stderr
    docs = list(yaml.safe_load_all((out / "shop.k8s.yaml").read_text()))
    claim = next(d for d in docs if d["kind"] == "PersistentVolumeClaim")
    assert claim["metadata"]["name"] == "pgdata"
    pod = next(d for d in docs if d["kind"] == "Deployment")["spec"]["template"]["spec"]
    assert pod["volumes"][0] == {"name": "data-0", "persistentVolumeClaim": {"claimName": "pgdata"}}
    assert pod["containers"][0]["volumeMounts"][2] == {
        "name": "host-2",
        "mountPath": "/ro",
        "readOnly": True,
    }


# --------------------------------------------------------------------------- compose


def test_compose_maps_resources_ports_networks_and_start_order(tmp_path):
    skip_unless_available("compose")
    src = _appliance(
        tmp_path,
        _c(
            "db",
            ports=[
                {"container_port": 5432},
                {"container_port": 53, "host_port": 5353, "protocol": "udp,tcp"},
            ],
            health_check={"protocol": "MESOS_TCP", "port_index": 0},
            resources={"cpus": 0.5, "mem": 512, "gpu": 1},
            is_privileged=True,
        ),
        _c("migrate", type="job", cmd="migrate --db @db", dependencies=["db"]),
        _c(
            "api",
            env={"DB": "@db:5432", "PRICE": "$5 and ${HOME}"},
            instances=2,
            dependencies=["migrate", "db"],
        ),
        _c("agent", network_mode="HOST", ports=[{"container_port": 9100}], force_pull_image=False),
        _c("ui", env={"AGENT": "http://@agent:9100"}),
    )
    out, run = build(tmp_path, "compose", src)
    assert run.code == 0, run.stderr
    text = (out / "shop.compose.yaml").read_text()
    assert validate_compose(text) == []
    s = yaml.safe_load(text)["services"]
    assert list(s) == ["db", "migrate", "api", "agent", "ui"]
    assert s["db"]["ports"] == [
        {"target": 5432, "protocol": "tcp"},
        {"target": 53, "published": "5353", "protocol": "udp"},
        {"target": 53, "published": "5353", "protocol": "tcp"},
    ]
    assert s["db"]["privileged"] is True
    assert s["db"]["deploy"]["resources"] == {
        "limits": {"cpus": 0.5, "memory": "512M"},
        "reservations": {
            "cpus": 0.5,
            "memory": "512M",
            "devices": [{"capabilities": ["gpu"], "count": 1}],
        },
    }
    assert s["migrate"]["restart"] == "no"
    assert s["migrate"]["entrypoint"] == ["/bin/sh", "-c"]
    assert s["migrate"]["command"] == ["migrate --db db"]
    assert s["api"]["depends_on"] == {
        "migrate": {"condition": "service_completed_successfully"},
        "db": {"condition": "service_healthy"},
    }
    assert s["api"]["environment"] == {"DB": "db:5432", "PRICE": "$$5 and $${HOME}"}
    assert s["api"]["deploy"]["replicas"] == 2
    assert s["agent"]["network_mode"] == "host" and "ports" not in s["agent"]
    assert s["agent"]["pull_policy"] == "missing"
    assert s["ui"]["environment"] == {"AGENT": "http://host.docker.internal:9100"}
    assert s["ui"]["extra_hosts"] == ["host.docker.internal:host-gateway"]
    assert "warning[APL406]" in run.stderr


def test_compose_reports_what_it_cannot_express(tmp_path):
    src = _appliance(
        tmp_path,
        _c(
            "web",
            schedule_hints={"placement": {"zone": "eu-1"}},
            resources={"cpus": 1, "mem": 256, "disk": 100},
        ),
        _c("nightly", type="job", repeats=5, interval="1D", start_time="2024-01-01T03:00:00Z"),
    )
    lint = run_cli(["lint", str(src), "--target", "compose", "-f", "json"])
    found = {(d["code"], d["severity"], d.get("target")) for d in lint.json()["diagnostics"]}
    assert {
        ("APL405", "warning", "compose"),
        ("APL410", "info", "compose"),
        ("APL404", "warning", "compose"),
    } <= found
    assert lint.code == 0
    _, run = build(tmp_path, "compose", src)
    assert run.code == 0


# --------------------------------------------------------------------------- Kubernetes


def _k8s(tmp_path: Path, src: Path, *extra: str) -> tuple[list[dict], object]:
    out, run = build(tmp_path, "kubernetes", src, extra=extra)
    assert run.code == 0, run.stderr
    text = (out / f"{src.name.split('.')[0]}.k8s.yaml").read_text()
    assert validate_kubernetes_yaml(text) == []
    return [d for d in yaml.safe_load_all(text) if d is not None], run


def test_kubernetes_objects_names_probes_and_start_order(tmp_path):
    skip_unless_available("kubernetes")
    src = _appliance(
        tmp_path,
        _c(
            "db",
            ports=[{"container_port": 5432, "name": "PostgreSQL Server Port"}],
            health_check={"protocol": "MESOS_TCP", "port_index": 0},
            resources={"cpus": 0.25, "mem": 512, "disk": 1024, "gpu": 1},
        ),
        _c("cache"),
        _c(
            "api",
            cmd="serve --db @db --cache @cache $(pwd)",
            instances=3,
            minimum_capacity=0.5,
            network_mode="HOST",
            is_privileged=True,
            env={"DB": "@db", "HOME_DIR": "$(HOME)"},
            dependencies=["db", "cache"],
            volumes=[{"src": "/srv/api", "dest": "/data", "type": "HOST"}],
            schedule_hints={"placement": {"zone": "eu-west-1a"}},
            health_check={"protocol": "MESOS_HTTP", "path": "/healthz", "port_index": 0},
            ports=[{"container_port": 8080}],
        ),
        _c(
            "backup",
            type="job",
            args=["--to", "@db"],
            repeats=10,
            interval="T15M",
            start_time="2024-01-01T02:05:00Z",
            dependencies=["db"],
        ),
    )
    docs, run = _k8s(tmp_path, src)
    kinds = [(d["kind"], d["metadata"]["name"]) for d in docs]
    assert kinds == [
        ("Namespace", "shop"),
        ("Service", "db"),
        ("Deployment", "db"),
        ("Service", "cache"),
        ("Deployment", "cache"),
        ("Service", "api"),
        ("Deployment", "api"),
        ("CronJob", "backup"),
    ]
    by = {(d["kind"], d["metadata"]["name"]): d for d in docs}
    assert by["Service", "cache"]["spec"]["clusterIP"] == "None"  # no ports: headless
    assert by["Service", "db"]["spec"]["ports"] == [
        {"name": "postgresql", "port": 5432, "targetPort": 5432, "protocol": "TCP"}
    ]
    db = by["Deployment", "db"]["spec"]["template"]["spec"]["containers"][0]
    assert db["resources"] == {
        "requests": {"cpu": "250m", "memory": "512Mi", "ephemeral-storage": "1024Mi"},
        "limits": {
            "cpu": "250m",
            "memory": "512Mi",
            "ephemeral-storage": "1024Mi",
            "nvidia.com/gpu": "1",
        },
    }
    assert db["livenessProbe"]["tcpSocket"] == {"port": 5432}
    api = by["Deployment", "api"]
    assert api["spec"]["replicas"] == 3
    assert api["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == "50%"
    pod = api["spec"]["template"]["spec"]
    assert pod["hostNetwork"] is True and pod["dnsPolicy"] == "ClusterFirstWithHostNet"
    assert pod["nodeSelector"] == {"topology.kubernetes.io/zone": "eu-west-1a"}
    assert [(i["name"], i["env"]) for i in pod["initContainers"]] == [
        (
            "wait-for-db",
            [
                {"name": "WAIT_HOST", "value": "db.shop.svc.cluster.local"},
                {"name": "WAIT_PORT", "value": "5432"},
            ],
        ),
        ("wait-for-cache", [{"name": "WAIT_HOST", "value": "cache.shop.svc.cluster.local"}]),
    ]
    (main,) = pod["containers"]
    assert main["command"] == [
        "/bin/sh",
        "-c",
        "serve --db db.shop.svc.cluster.local --cache cache.shop.svc.cluster.local $$(pwd)",
    ]
    assert main["env"] == [
        {"name": "DB", "value": "db.shop.svc.cluster.local"},
        {"name": "HOME_DIR", "value": "$$(HOME)"},
    ]
    assert main["securityContext"] == {"privileged": True}
    assert main["readinessProbe"]["httpGet"] == {"path": "/healthz", "port": 8080, "scheme": "HTTP"}
    assert pod["volumes"] == [{"name": "host-0", "hostPath": {"path": "/srv/api"}}]
    cron = by["CronJob", "backup"]["spec"]
    assert cron["schedule"] == "5-59/15 * * * *" and cron["timeZone"] == "Etc/UTC"
    job_pod = cron["jobTemplate"]["spec"]["template"]["spec"]
    assert job_pod["restartPolicy"] == "Never"
    assert job_pod["containers"][0]["args"] == ["--to", "db.shop.svc.cluster.local"]
    assert "info[APL403]" in run.stderr  # the port name was shortened
    assert "warning[APL404]" in run.stderr  # the CronJob does not stop after 10 runs


def test_kubernetes_namespace_option_and_job_dependencies(tmp_path):
    src = _appliance(
        tmp_path,
        _c("migrate", type="job", cmd="migrate"),
        _c("api", env={"M": "@migrate"}, dependencies=["migrate"]),
        _c("once", type="job", cmd="x", repeats=4, interval="T7M"),
    )
    docs, run = _k8s(tmp_path, src, "--namespace", "prod")
    assert {d["metadata"].get("namespace") for d in docs[1:]} == {"prod"}
    assert docs[0] == {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": "prod",
            "labels": {
                "app.kubernetes.io/part-of": "shop",
                "app.kubernetes.io/managed-by": "applc",
            },
        },
    }
    kinds = [(d["kind"], d["metadata"]["name"]) for d in docs]
    # A referenced job gets a (headless) Service so its name resolves while it runs;
    # an interval cron cannot express runs once, as a Job.
    assert ("Service", "migrate") in kinds and ("Job", "once") in kinds
    assert "warning[APL402]" in run.stderr and "warning[APL404]" in run.stderr
    api = next(d for d in docs if d["kind"] == "Deployment")
    assert api["spec"]["template"]["spec"]["containers"][0]["env"] == [
        {"name": "M", "value": "migrate.prod.svc.cluster.local"}
    ]


def test_kubernetes_refuses_a_service_name_starting_with_a_digit(tmp_path):
    src = _appliance(tmp_path, _c("1st"))
    _, run = build(tmp_path, "kubernetes", src)
    assert run.code == 1 and "error[APL407]" in run.stderr
    out, run = build(tmp_path, "compose", src)
    assert run.code == 0


@pytest.mark.parametrize(
    ("interval", "start", "cron"),
    [
        ("T10M", "", "*/10 * * * *"),
        ("T1M", "", "* * * * *"),
        ("T20M", "2024-05-01T10:05:00Z", "5-59/20 * * * *"),
        ("T2H", "2024-05-01T03:30:00+01:00", "30 */2 * * *"),
        ("T3H", "2024-05-01T04:00:00Z", "0 1-23/3 * * *"),
        ("1D", "2024-05-01T03:30:00Z", "30 3 * * *"),
        ("T24H", "", "0 0 * * *"),
        ("1W", "2024-05-01T03:30:00Z", "30 3 * * 3"),
        ("7D", "", "0 0 * * 0"),
        ("1M", "2024-05-15T00:00:00Z", "0 0 15 * *"),
        ("3M", "2024-05-15T00:00:00Z", "0 0 15 2-12/3 *"),
        ("1Y", "2024-05-15T06:00:00Z", "0 6 15 5 *"),
        ("T7M", "", None),
        ("2D", "", None),
        ("T1H30M", "", None),
        ("1M", "2024-01-31T00:00:00Z", None),
        ("T30S", "", None),
    ],
)
def test_cron_schedules(interval, start, cron):
    from applc.model.build import build_container
    from applc.source import Source
    from applc.targets.kubernetes.adapter import cron_schedule

    c = build_container(
        Source("x", ""),
        "/containers/0",
        {"id": "j", "type": "job", "interval": interval, "start_time": start},
    )
    assert cron_schedule(c)[0] == cron


def test_lint_with_a_target_reports_target_findings_before_a_build(tmp_path):
    src = _appliance(tmp_path, _c("1st", resources={"cpus": 1, "mem": 256, "gpu": 0.5}))
    for target, codes in (
        ("kubernetes", {"APL407", "APL410"}),
        ("compose", {"APL410"}),
        ("marathon", {"APL410"}),
    ):
        run = run_cli(["lint", str(src), "--target", target, "-f", "json"])
        diags = run.json()["diagnostics"]
        assert {d["code"] for d in diags if d["code"].startswith("APL4")} == codes, target
        assert all(d["target"] == target for d in diags if d["code"].startswith("APL4"))
        assert run.code == 1
    plain = run_cli(["lint", str(src), "-f", "json"])
    assert not [d for d in plain.json()["diagnostics"] if d["code"].startswith("APL4")]


@pytest.mark.parametrize("target", TARGETS)
def test_dsl_examples_build_to_the_same_bytes_as_their_json(tmp_path, target):
    dsl = sorted(p for p in EXAMPLES.glob("*.appl") if p.name != "broken.appl")
    assert dsl, "the DSL examples are part of the repository"
    json_out, run = build(tmp_path / "json", target, *GOOD)
    assert run.code == 0
    dsl_out, run = build(tmp_path / "dsl", target, *dsl)
    assert run.code == 0, run.stderr
    names = sorted(p.name for p in json_out.iterdir() if p.name != ".applc-manifest.json")
    assert sorted(p.name for p in dsl_out.iterdir() if p.name != ".applc-manifest.json") == names
    for n in names:
        assert (dsl_out / n).read_bytes() == (json_out / n).read_bytes(), n
    if (EXAMPLES / "broken.appl").exists():
        _, run = build(tmp_path / "broken", target, EXAMPLES / "broken.appl")
        assert run.code == 1
