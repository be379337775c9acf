"""Generate realistic PIVOT appliances of any size, for the benchmarks.

An appliance is built from *stacks*, each a small system of the kind real appliances
hold, repeated with their own ids until the appliance has the number of containers
asked for:

- `web`: PostgreSQL on a host volume (current volume form), Redis, an API with
  references to both, a front end with an HTTP health check, a migration job and a
  nightly backup job that depends on it (a chain), and a persistent volume declared in
  `data_persistence`;
- `kafka`: ZooKeeper and three brokers that all depend on it (fan-in) and reference it;
- `spark`: a master, workers in the legacy volume form (`container_path`/`host_path`),
  a history server and a chain of three ETL jobs;
- `shared`, once per appliance: an `auth` service that every API depends on and refers
  to (fan-in across the whole appliance) and a metrics service.

Every stack's first job also depends on the previous stack's migration, so the
dependency graph has one long chain through the whole appliance as well as short local
ones. The result lints clean at the error level: the only findings are the info for the
legacy volume form (APL245). `--findings` makes a variant where about one container in
fifty carries a mistake (misspelt key, unknown or undeclared reference, string where a
number belongs, duplicate port, duplicate key, unpinned image, ...), so that lint has to
compute positions.

    python benchmarks/generate.py 10000 -o /tmp/bench-10000.json
    python benchmarks/generate.py 10000 --findings -o /tmp/bench-10000-findings.json
    python benchmarks/generate.py 10000 --dsl -o /tmp/bench-10000.appl

Output is deterministic for a given size and options. The DSL form is produced by
`applc convert --to dsl` from the JSON form, so both hold the same appliance.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

APPLIANCE_ID = "bench"
Container = dict[str, Any]
FINDING_EVERY = 50  # one container in this many carries a mistake in the findings variant


def _res(cpus: float, mem: int, disk: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"cpus": cpus, "mem": mem}
    if disk is not None:
        out["disk"] = disk
    return out


def _port(port: int, name: str, bridge: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"container_port": port}
    if bridge:
        out["host_port"] = 0
    out["protocol"] = "tcp"
    out["name"] = name
    return out


def shared_stack() -> list[Container]:
    return [
        {
            "id": "auth",
            "type": "service",
            "image": "quay.io/keycloak/keycloak:22.0.5",
            "instances": 2,
            "resources": _res(2, 2048),
            "network_mode": "CONTAINER",
            "ports": [_port(8443, "https")],
            "args": ["start", "--https-port=8443", "--hostname-strict=false"],
            "env": {
                "KEYCLOAK_ADMIN": "admin",
                "KEYCLOAK_ADMIN_PASSWORD": "${KEYCLOAK_ADMIN_PASSWORD}",
                "KC_HEALTH_ENABLED": True,
            },
            "health_check": {
                "protocol": "MESOS_HTTPS",
                "path": "/health/ready",
                "port_index": 0,
                "grace_period_seconds": 180,
            },
            "minimum_capacity": 0.5,
        },
        {
            "id": "metrics",
            "type": "service",
            "image": "prom/prometheus:v2.47.2",
            "resources": _res(1, 2048, 20480),
            "network_mode": "CONTAINER",
            "ports": [_port(9090, "web")],
            "args": [
                "--config.file=/etc/prometheus/prometheus.yml",
                "--storage.tsdb.retention.time=15d",
            ],
            "volumes": [{"src": "/srv/prometheus", "dest": "/prometheus", "type": "HOST"}],
            "schedule_hints": {"preemptible": False, "placement": {"zone": "zone-a"}},
        },
    ]


def web_stack(p: str, prev_chain: str | None) -> tuple[list[Container], list[dict[str, Any]]]:
    db, cache, api, front = f"{p}-db", f"{p}-cache", f"{p}-api", f"{p}-web"
    migrate, backup = f"{p}-migrate", f"{p}-backup"
    volume = f"{p}-pgdata"
    containers: list[Container] = [
        {
            "id": db,
            "type": "service",
            "image": "postgres:15.4",
            "resources": _res(2, 4096, 10240),
            "network_mode": "BRIDGE",
            "ports": [_port(5432, "postgres", bridge=True)],
            "env": {
                "POSTGRES_USER": "app",
                "POSTGRES_DB": "app",
                "POSTGRES_PASSWORD": "${DB_PASSWORD}",
                "PGDATA": "/var/lib/postgresql/data/pgdata",
            },
            "volumes": [
                {"src": volume, "dest": "/var/lib/postgresql/data"},
                {"src": f"/srv/{p}/backups", "dest": "/backups", "type": "HOST"},
            ],
            "health_check": {"protocol": "MESOS_TCP", "port_index": 0, "grace_period_seconds": 60},
            "force_pull_image": False,
        },
        {
            "id": cache,
            "type": "service",
            "image": "redis:7.2.3-alpine",
            "resources": _res(1, 512),
            "network_mode": "CONTAINER",
            "ports": [_port(6379, "redis")],
            "cmd": "redis-server --appendonly yes --maxmemory 400mb",
        },
        {
            "id": api,
            "type": "service",
            "image": "ghcr.io/example/shop-api:3.12.1",
            "instances": 3,
            "resources": _res(1, 1024),
            "network_mode": "CONTAINER",
            "ports": [_port(8000, "http")],
            "args": [
                "serve",
                "--port=8000",
                "--db=postgresql://@" + db + ":5432/app",
                "--cache=redis://@" + cache + ":6379/0",
            ],
            "env": {
                "AUTH_URL": "https://@auth:8443/realms/shop",
                "DB_PASSWORD": "${DB_PASSWORD}",
                "LOG_LEVEL": "info",
                "WORKERS": 4,
                "SUPPORT_EMAIL": "support\\@example.com",
            },
            "health_check": {
                "protocol": "MESOS_HTTP",
                "path": "/healthz",
                "port_index": 0,
                "grace_period_seconds": 60,
                "interval_seconds": 15,
                "timeout_seconds": 5,
            },
            "minimum_capacity": 0.67,
            "dependencies": [db, cache, "auth"],
        },
        {
            "id": front,
            "type": "service",
            "image": "nginx:1.25.3",
            "instances": 2,
            "resources": _res(1, 256),
            "network_mode": "BRIDGE",
            "ports": [_port(80, "http", bridge=True), _port(443, "https", bridge=True)],
            "env": {"UPSTREAM": "@" + api + ":8000", "METRICS": "@metrics:9090"},
            "health_check": {"protocol": "MESOS_HTTP", "path": "/", "port_index": 0},
            "dependencies": [api, "metrics"],
        },
        {
            "id": migrate,
            "type": "job",
            "image": "ghcr.io/example/shop-api:3.12.1",
            "resources": _res(1, 512),
            "network_mode": "BRIDGE",
            "cmd": f"shop-api migrate --db=postgresql://@{db}:5432/app",
            "env": {"DB_PASSWORD": "${DB_PASSWORD}"},
            "retries": 3,
            "dependencies": [db] + ([prev_chain] if prev_chain else []),
        },
        {
            "id": backup,
            "type": "job",
            "image": "postgres:15.4",
            "resources": _res(1, 256),
            "network_mode": "BRIDGE",
            "cmd": f"pg_dump --host=@{db} --port=5432 --username=app app "
            f"| gzip > /backups/app-$(date +%F).sql.gz",
            "env": {"PGPASSWORD": "${DB_PASSWORD}"},
            "repeats": 0,
            "interval": "T24H",
            "start_time": "2024-01-01T02:00:00Z",
            "dependencies": [migrate],
        },
    ]
    return containers, [{"id": volume, "scope": "local"}]


def kafka_stack(p: str) -> list[Container]:
    zk = f"{p}-zk"
    out: list[Container] = [
        {
            "id": zk,
            "type": "service",
            "image": "zookeeper:3.8.3",
            "resources": _res(1, 1024, 2048),
            "network_mode": "CONTAINER",
            "ports": [_port(2181, "client")],
            "health_check": {"protocol": "MESOS_TCP", "port_index": 0},
        }
    ]
    for b in range(3):
        out.append(
            {
                "id": f"{p}-broker-{b}",
                "type": "service",
                "image": "confluentinc/cp-kafka:7.5.1",
                "resources": _res(2, 4096, 51200),
                "network_mode": "CONTAINER",
                "ports": [_port(9092, "kafka")],
                "env": {
                    "KAFKA_BROKER_ID": str(b),
                    "KAFKA_ZOOKEEPER_CONNECT": f"@{zk}:2181",
                    "KAFKA_ADVERTISED_LISTENERS": f"PLAINTEXT://@{p}-broker-{b}:9092",
                    "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR": 3,
                },
                "dependencies": [zk],
                "schedule_hints": {"preemptible": False, "placement": {"region": "region-1"}},
            }
        )
    return out


def spark_stack(p: str, prev_chain: str | None) -> list[Container]:
    master = f"{p}-master"
    out: list[Container] = [
        {
            "id": master,
            "type": "service",
            "image": "bitnami/spark:3.4.1",
            "resources": _res(1, 2048),
            "network_mode": "CONTAINER",
            "ports": [_port(7077, "cluster"), _port(8080, "web-ui")],
            "env": {"SPARK_MODE": "master", "SPARK_MASTER_PORT": "7077"},
            "health_check": {
                "protocol": "MESOS_HTTP",
                "path": "/",
                "port_index": 1,
                "grace_period_seconds": 120,
            },
        }
    ]
    for w in range(2):
        out.append(
            {
                "id": f"{p}-worker-{w}",
                "type": "service",
                "image": "bitnami/spark:3.4.1",
                "instances": 2,
                "resources": _res(2, 4096),
                "network_mode": "CONTAINER",
                "ports": [_port(8081, "web-ui")],
                "env": {
                    "SPARK_MODE": "worker",
                    "SPARK_MASTER_URL": f"spark://@{master}:7077",
                    "SPARK_WORKER_CORES": "2",
                    "SPARK_WORKER_MEMORY": "3g",
                },
                "volumes": [
                    {"container_path": "/tmp/spark", "host_path": f"/scratch/{p}", "mode": "RW"}
                ],
                "dependencies": [master],
            }
        )
    out.append(
        {
            "id": f"{p}-history",
            "type": "service",
            "image": "bitnami/spark:3.4.1",
            "resources": _res(1, 1024),
            "network_mode": "CONTAINER",
            "ports": [_port(18080, "history")],
            "cmd": "/opt/bitnami/spark/sbin/start-history-server.sh",
            "env": {"SPARK_HISTORY_OPTS": "-Dspark.history.fs.logDirectory=/events"},
        }
    )
    previous = prev_chain
    for step in ("extract", "transform", "load"):
        job = f"{p}-{step}"
        deps = [master] + ([previous] if previous else [])
        out.append(
            {
                "id": job,
                "type": "job",
                "image": "bitnami/spark:3.4.1",
                "resources": _res(1, 2048),
                "network_mode": "BRIDGE",
                "args": [
                    "spark-submit",
                    f"--master=spark://@{master}:7077",
                    f"/jobs/{step}.py",
                    "--date=${RUN_DATE}",
                ],
                "retries": 2,
                "interval": "T6H",
                "dependencies": deps,
            }
        )
        previous = job
    return out


def _stacks() -> Iterator[tuple[str, Callable[..., Any]]]:
    i = 0
    while True:
        yield f"w{i}", web_stack
        yield f"k{i}", kafka_stack
        yield f"s{i}", spark_stack
        i += 1


def generate(n: int) -> dict[str, Any]:
    """An appliance of exactly `n` containers (at least 1)."""
    if n < 1:
        raise ValueError("an appliance needs at least one container")
    containers: list[Container] = []
    volumes: list[dict[str, Any]] = []
    shared = shared_stack()
    containers.extend(shared[:n])
    chain: str | None = None  # the long cross-stack dependency chain
    for prefix, make in _stacks():
        if len(containers) >= n:
            break
        new_volumes: list[dict[str, Any]] = []
        if make is web_stack:
            stack, new_volumes = web_stack(prefix, chain)
            chain = f"{prefix}-migrate"
        elif make is spark_stack:
            stack = spark_stack(prefix, chain)
            chain = f"{prefix}-load"
        else:
            stack = kafka_stack(prefix)
        # Dependencies and references only point backwards, so a prefix of a stack
        # is still a valid appliance (the last stack may be cut short).
        stack = stack[: n - len(containers)]
        containers.extend(stack)
        if new_volumes and stack:  # the database that mounts the volume comes first
            volumes.extend(new_volumes)
    app: dict[str, Any] = {"id": APPLIANCE_ID}
    if volumes:
        app["data_persistence"] = {"volume_type": "cephfs", "volumes": volumes}
    app["containers"] = containers
    return app


# --- the variant with findings ------------------------------------------------------


def _mistakes() -> list[Callable[[Container, list[Container]], None]]:
    def misspelt_key(c: Container, _: list[Container]) -> None:
        c["imgae"] = c.pop("image")  # APL102 + APL101

    def wrong_type(c: Container, _: list[Container]) -> None:
        c["resources"]["cpus"] = str(c["resources"]["cpus"])  # APL103

    def unknown_reference(c: Container, _: list[Container]) -> None:
        c.setdefault("env", {})["UPSTREAM_URL"] = "http://@no-such-service:8080"  # APL201

    def undeclared_reference(c: Container, all_: list[Container]) -> None:
        # APL202: refers to a container it does not depend on (the last one).
        c.setdefault("env", {})["PEER"] = "@" + all_[-1]["id"]

    def unpinned(c: Container, _: list[Container]) -> None:
        c["image"] = c["image"].split(":")[0]  # APL304

    def duplicate_port(c: Container, _: list[Container]) -> None:
        c.setdefault("ports", []).append({"container_port": 9999})
        c["ports"].append({"container_port": 9999})  # APL222

    def bad_network(c: Container, _: list[Container]) -> None:
        c["network_mode"] = "overlay"  # APL104

    def secret(c: Container, _: list[Container]) -> None:
        c.setdefault("env", {})["API_TOKEN"] = "s3cr3t-t0ken-value"  # APL305

    def legacy_field(c: Container, _: list[Container]) -> None:
        c["cloud"] = "aws"  # APL246

    def duplicate_key(c: Container, _: list[Container]) -> None:
        c["resources"]["__DUPLICATE_MEM__"] = True  # APL002, written by _dump

    return [
        misspelt_key,
        wrong_type,
        unknown_reference,
        undeclared_reference,
        unpinned,
        duplicate_port,
        bad_network,
        secret,
        legacy_field,
        duplicate_key,
    ]


def add_findings(app: dict[str, Any], every: int = FINDING_EVERY) -> int:
    """Put a mistake into one container in `every`; returns how many."""
    containers = app["containers"]
    kinds = _mistakes()
    count = 0
    for i in range(every // 2, len(containers), every):
        kinds[count % len(kinds)](containers[i], containers)
        count += 1
    return count


def dump_json(app: dict[str, Any]) -> str:
    text = json.dumps(app, indent=2, ensure_ascii=False) + "\n"
    # JSON objects cannot hold a duplicate key, so the marker becomes one in the text.
    return text.replace('"__DUPLICATE_MEM__": true', '"mem": 512')


def to_dsl(json_text: str) -> str:
    """The DSL form of a JSON appliance, by `applc convert --to dsl`."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "bench.appliance.json"
        src.write_text(json_text, encoding="utf-8")
        proc = subprocess.run(
            [sys.executable, "-m", "applc", "convert", str(src), "--to", "dsl"],
            capture_output=True,
            text=True,
            check=False,
        )
    if proc.returncode != 0 or not proc.stdout.strip():
        raise RuntimeError(
            f"applc convert --to dsl failed (exit {proc.returncode}): {proc.stderr.strip()[:500]}"
        )
    return proc.stdout


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("containers", type=int, help="how many containers")
    ap.add_argument("-o", "--output", help="output file (default: standard output)")
    ap.add_argument(
        "--findings", action="store_true", help=f"put a mistake in one container in {FINDING_EVERY}"
    )
    ap.add_argument("--dsl", action="store_true", help="write the DSL form")
    args = ap.parse_args(argv)
    app = generate(args.containers)
    if args.findings:
        add_findings(app)
    text = dump_json(app)
    if args.dsl:
        text = to_dsl(text)
    if args.output:
        write_atomic(Path(args.output), text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
