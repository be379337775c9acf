"""The compose target: one compose file per appliance (`docker compose up`).

Service names are the container ids; services and jobs share the project's default
network, where each service name resolves; HOST-mode containers use `network_mode: host`.
Jobs become run-once services. Every string value is written with `$` doubled, so
compose interpolates nothing. This module builds the view; `targets/compose/*.j2` decide
the YAML shape.
"""

from __future__ import annotations

import shlex
from typing import Any

from applc.model.nodes import Appliance, Container, PersistentVolume
from applc.targets.base import (
    Naming,
    OutputFile,
    Target,
    TargetOptions,
    decimal_text,
    mounted_volumes,
    port_protocols,
    referenced_ids,
    resolve_container,
    start_order,
)
from applc.targets.compose.naming import HOST_GATEWAY_NAME, naming_for

HOST_GATEWAY = f"{HOST_GATEWAY_NAME}:host-gateway"


def escape(value: Any) -> Any:
    """Every string value (not mapping keys, which compose does not interpolate) with
    `$` written `$$`."""
    if isinstance(value, str):
        return value.replace("$", "$$")
    if isinstance(value, dict):
        return {k: escape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [escape(v) for v in value]
    return value


def cpus(value: float) -> float:
    """Compose reads `cpus` as a float, but an integer beyond int64 as uint64, which it
    refuses: write such a (silly, but valid) count as a float."""
    if isinstance(value, int) and not -(2**63) <= value < 2**63:
        return float(value)
    return value


def memory(mib: float) -> str:
    """Compose's byte value for MiB (compose's `M` is binary): 256 -> `256M`."""
    return f"{decimal_text(mib)}M"


def host_network_references(app: Appliance, c: Container) -> list[tuple[str, str]]:
    """(id, problem) for each container `c` refers to that compose cannot name by
    service: the referenced container runs on the host network ("target"), or `c`
    itself does and the other does not ("source")."""
    by_id = app.by_id
    out = []
    for rid in referenced_ids(c):
        other = by_id.get(rid)
        if other is None:
            continue
        if other.network_mode == "HOST":
            out.append((rid, "target"))
        elif c.network_mode == "HOST":
            out.append((rid, "source"))
    return out


class ComposeTarget(Target):
    name = "compose"
    summary = "a compose file for `docker compose up`"
    suffixes = ("compose.yaml",)

    def naming(self, app: Appliance, options: TargetOptions) -> Naming:
        return naming_for(app)

    def outputs(self, app: Appliance, options: TargetOptions) -> list[OutputFile]:
        naming = self.naming(app, options)
        # Views are made as the template reaches them, not all held at once.
        services = (escape(self._service(app, c, naming)) for c in start_order(app))
        volumes = _named_volumes(app)
        return [
            OutputFile(
                "compose.yaml",
                "compose.yaml.j2",
                {"project": app.id, "services": services, "volumes": volumes},
            )
        ]

    def _service(self, app: Appliance, c: Container, naming: Naming) -> dict[str, Any]:
        r = resolve_container(c, naming, app.by_id)
        host = c.network_mode == "HOST"
        res = c.resources
        by_id = app.by_id
        depends = {}
        for d in c.dependencies:
            dep = by_id.get(d)
            if dep is None or d == c.id:
                continue
            if dep.is_job:
                cond = "service_completed_successfully"
            elif dep.health_check is not None and _healthcheck(dep, None) is not None:
                cond = "service_healthy"
            else:
                cond = "service_started"
            depends[d] = cond
        ports = []
        if not host:
            for p in c.ports:
                for proto in port_protocols(p):
                    ports.append(
                        {
                            "target": p.container_port,
                            "published": str(p.host_port) if p.host_port else None,
                            "protocol": proto,
                            "name": p.name or None,
                        }
                    )
        gpus = int(res.gpu) if res is not None and res.gpu > 0 else 0
        return {
            "name": c.id,
            "image": c.image,
            "hostname": None if host else c.id,
            "entrypoint": ["/bin/sh", "-c"] if r.cmd else None,
            "command": [r.cmd] if r.cmd else (r.args or None),
            "environment": r.env or None,
            "ports": ports or None,
            "volumes": _volumes(app, c) or None,
            "network_mode": "host" if host else None,
            "extra_hosts": [HOST_GATEWAY]
            if any(w == "target" for _, w in host_network_references(app, c))
            else None,
            "privileged": True if c.is_privileged else None,
            "pull_policy": "always" if c.force_pull_image else "missing",
            "restart": "no" if c.is_job else "unless-stopped",
            "depends_on": depends or None,
            "healthcheck": _healthcheck(c, r.health_command) if c.is_service else None,
            "replicas": c.instances if c.is_service and c.instances != 1 else None,
            "cpus": cpus(res.cpus) if res is not None and res.cpus is not None else None,
            "memory": memory(res.mem) if res is not None and res.mem is not None else None,
            "gpus": gpus or None,
        }


def _volumes(app: Appliance, c: Container) -> list[dict[str, Any]]:
    declared = _declared(app)
    out: list[dict[str, Any]] = []
    for v in c.volumes:
        if v.source_path is None or v.container_path is None:
            continue
        if v.legacy or v.kind == "HOST":
            out.append(
                {
                    "type": "bind",
                    "source": v.source_path,
                    "target": v.container_path,
                    "read_only": True if v.legacy and v.mode.upper() == "RO" else None,
                }
            )
        elif v.source_path in declared:
            out.append(
                {
                    "type": "volume",
                    "source": v.source_path,
                    "target": v.container_path,
                    "read_only": None,
                }
            )
    return out


def _declared(app: Appliance) -> dict[str, PersistentVolume]:
    """The declared persistent volumes by id (built once per appliance: a copy for each
    container was quadratic)."""
    dp = app.data_persistence
    return {} if dp is None else dp.by_id


def _named_volumes(app: Appliance) -> list[dict[str, str]]:
    """The declared volumes some container mounts, with PIVOT's Docker volume names:
    `<appliance>-<id>` for local ones, `<id>` for global ones."""
    return [
        {"key": vid, "name": vid if v.scope == "GLOBAL" else f"{app.id}-{vid}"}
        for vid, v in mounted_volumes(app).items()
    ]


def _healthcheck(c: Container, command: str | None) -> dict[str, Any] | None:
    """Compose runs a health check inside the container (Marathon and Kubernetes probe
    from outside and need nothing in the image): a COMMAND check as it is, and the
    others as a small `/bin/sh` script on the container port (`tcp_check`,
    `http_check`)."""
    hc = c.health_check
    if hc is None:
        return None
    if hc.protocol == "COMMAND":
        if command is None:
            command = hc.command
        if not command:
            return None
        test = command
    else:
        if not 0 <= hc.port_index < len(c.ports):
            return None
        port = c.ports[hc.port_index].container_port
        if port is None:
            return None
        if hc.protocol in ("HTTP", "HTTPS", "MESOS_HTTP", "MESOS_HTTPS"):
            path = hc.path if hc.path.startswith("/") else "/" + hc.path
            test = http_check(port, path, https=hc.protocol.endswith("HTTPS"))
        else:
            test = tcp_check(port)
    return {
        "test": ["CMD-SHELL", test],
        "interval": f"{max(hc.interval_seconds, 1)}s",
        "timeout": f"{max(hc.timeout_seconds, 1)}s",
        "retries": max(hc.max_consecutive_failures, 1),
        "start_period": f"{max(hc.grace_period_seconds, 0)}s",
    }


def tcp_check(port: int) -> str:
    """Healthy when a socket listens on TCP `port` in the container's network namespace.

    It reads `/proc/net/tcp` and `/proc/net/tcp6` (state `0A` is LISTEN) with nothing but
    shell built-ins, so it works in any image with a `/bin/sh`. Tools do not: Debian's
    busybox `nc` has no `-z`, and a plain `nc` connect waits for a server that says
    nothing (a database, ZooKeeper) until the check times out.
    """
    return (
        f"p=$(printf %04X {int(port)}); "
        "for f in /proc/net/tcp /proc/net/tcp6; do "
        '[ -r "$f" ] || continue; '
        'while read -r _ a _ s _; do [ "$s" = 0A ] && case "$a" in *:"$p") exit 0;; esac; '
        'done < "$f"; done; '
        f"echo 'nothing listens on TCP port {int(port)}' >&2; exit 1"
    )


def http_check(port: int, path: str, *, https: bool) -> str:
    """Healthy when `GET <path>` on the port answers 2xx or 3xx (Marathon's rule), with
    the first of curl, wget (busybox's too) or, for plain HTTP, bash's `/dev/tcp` that the
    image has; when it has none, the check says so in the container's health log."""
    scheme = "https" if https else "http"
    url = shlex.quote(f"{scheme}://127.0.0.1:{int(port)}{path}")
    tools = [
        f"if command -v curl >/dev/null 2>&1; then exec curl -fsSk -o /dev/null {url}; fi",
        "if command -v wget >/dev/null 2>&1; then "
        f"exec wget -q --no-check-certificate -O /dev/null {url}; fi",
    ]
    needs = "curl or wget"
    if not https:
        request = (
            f"exec 3<>/dev/tcp/127.0.0.1/{int(port)} || exit 1; "
            'printf "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" "$1" >&3; '
            "read -r _ c _ <&3; "
            'case "$c" in [23][0-9][0-9]*) exit 0;; esac; '
            'echo "HTTP status $c" >&2; exit 1'
        )
        tools.append(
            "if command -v bash >/dev/null 2>&1; then "
            f"exec bash -c {shlex.quote(request)} check {shlex.quote(path)}; fi"
        )
        needs = "curl, wget or bash"
    message = shlex.quote(f"the {scheme.upper()} health check needs {needs} in the image")
    return "; ".join([*tools, f"echo {message} >&2; exit 1"])


TARGET = ComposeTarget()
