"""The Kubernetes target: one multi-document manifest per appliance (`kubectl apply -f`).

A Namespace per appliance; for each service a Service (headless when it has no ports)
and a Deployment; for each job a Job, or a CronJob when it repeats on an interval cron
can express. Start order: each pod waits in init containers until the Services of its
dependencies answer. This module builds the view; `targets/kubernetes/*.j2` decide the
YAML shape.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from applc.model.nodes import Appliance, Container
from applc.targets.base import (
    Naming,
    OutputFile,
    Target,
    TargetOptions,
    decimal_text,
    iso_duration,
    mounted_volumes,
    placement_choice,
    port_protocols,
    referenced_ids,
    resolve_container,
    start_order,
)
from applc.targets.kubernetes.naming import namespace_of, naming_for, port_names

# The image of the init containers that wait for a dependency (pinned; it has nc and
# nslookup).
WAIT_IMAGE = "busybox:1.36.1"
# PIVOT's cephfs volumes have no size; a PersistentVolumeClaim needs one.
CLAIM_SIZE = "1Gi"
MAX_CRONJOB_NAME = 52  # Kubernetes appends 11 characters to name the Jobs

DNS1035 = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
DNS1123 = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_LABEL_VALUE = re.compile(r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?")
NODE_LABELS = {
    "host": "kubernetes.io/hostname",
    "zone": "topology.kubernetes.io/zone",
    "region": "topology.kubernetes.io/region",
}


def escape(text: str) -> str:
    """Kubernetes expands `$(VAR)` in command, args, env values and exec probe commands,
    and reads `$$` as `$`: double each `$` that a `(` or another `$` follows, so the text
    comes back as written."""
    return re.sub(r"\$(?=[$(])", "$$", text) if "$" in text else text


def name_problem(c: Container, kind: str) -> str | None:
    """Why the container id cannot name its Service (or CronJob), or None."""
    cid = c.id or ""
    if DNS1123.fullmatch(cid) is None:
        return None  # not a DNS label at all: APL105 says so
    if DNS1035.fullmatch(cid) is None or len(cid) > 63:
        return (
            f"`{cid}` is not a DNS-1035 label (a lower-case letter, then letters, digits "
            "and `-`, at most 63 characters), so it cannot name a Kubernetes Service"
        )
    if kind == "CronJob" and len(cid) > MAX_CRONJOB_NAME:
        return f"`{cid}` is longer than {MAX_CRONJOB_NAME} characters, the limit for a CronJob name"
    return None


def node_selector(c: Container) -> tuple[dict[str, str] | None, str | None]:
    """(nodeSelector, None), or (None, why the placement cannot be expressed); (None,
    None) when the container has no placement."""
    choice = placement_choice(c)
    if choice is None:
        return None, None
    key, value = choice
    label = NODE_LABELS.get(key)
    if label is None:
        return None, (
            f"placement `{key}: {value}` has no Kubernetes node label; the placement is left out"
        )
    if len(value) > 63 or _LABEL_VALUE.fullmatch(value) is None:
        return None, (
            f"placement `{key}: {value}` is not a valid label value for "
            f"`{label}`; the placement is left out"
        )
    return {label: value}, None


def _start(c: Container) -> datetime | None:
    if not c.start_time:
        return None
    try:
        t = datetime.fromisoformat(c.start_time)
    except ValueError:
        return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    return t.astimezone(UTC)


def _normalise(unit: str, n: int) -> tuple[str, int]:
    """Express an amount in the largest unit that divides it: 120 S -> 2 Mi, 7 D -> 1 W."""
    steps = (("S", 60, "Mi"), ("Mi", 60, "H"), ("H", 24, "D"), ("D", 7, "W"))
    for small, factor, big in steps:
        if unit == small and n % factor == 0 and n > 0:
            unit, n = big, n // factor
    return unit, n


def cron_schedule(c: Container) -> tuple[str | None, str | None]:
    """(cron schedule in UTC, None) for a job's interval, or (None, why cron cannot
    express it). The phase comes from `start_time` (midnight, minute 0 without one)."""
    parts = iso_duration(c.interval)
    if parts is None:
        return None, f"`P{c.interval}` is not an ISO 8601 duration"
    nonzero = [(k, v) for k, v in parts.items() if v]
    if len(nonzero) != 1:
        return None, f"cron cannot repeat every `P{c.interval}`"
    unit, amount = nonzero[0]
    if not float(amount).is_integer():
        return None, f"cron cannot repeat every `P{c.interval}`"
    unit, n = _normalise(unit, int(amount))
    start = _start(c)
    minute = start.minute if start else 0
    hour = start.hour if start else 0
    day = start.day if start else 1
    month = start.month if start else 1
    weekday = start.isoweekday() % 7 if start else 0
    if start is not None and (start.second or start.microsecond) and unit != "S":
        return None, f"cron cannot start at the second given by `{c.start_time}`"

    def step(n: int, first: int, offset: int, last: int) -> str:
        if n == 1:
            return "*"
        phase = offset % n
        return f"*/{n}" if phase == first else f"{phase}-{last}/{n}"

    cron: str | None = None
    if unit == "Mi" and 60 % n == 0:
        cron = f"{step(n, 0, minute, 59)} * * * *"
    elif unit == "H" and 24 % n == 0:
        cron = f"{minute} {step(n, 0, hour, 23)} * * *"
    elif unit == "D" and n == 1:
        cron = f"{minute} {hour} * * *"
    elif unit == "W" and n == 1:
        cron = f"{minute} {hour} * * {weekday}"
    elif unit == "Mo" and 12 % n == 0 and day <= 28:
        months = "*" if n == 1 else f"{(month - 1) % n + 1}-12/{n}"
        cron = f"{minute} {hour} {day} {months} *"
    elif unit == "Y" and n == 1 and not (month == 2 and day == 29):
        cron = f"{minute} {hour} {day} {month} *"
    if cron is None:
        return None, f"cron cannot repeat every `P{c.interval}`"
    return cron, None


def job_kind(c: Container) -> str:
    """`Job` for a job that runs once (or whose interval cron cannot express), else
    `CronJob`."""
    if c.repeats == 1:
        return "Job"
    return "CronJob" if cron_schedule(c)[0] is not None else "Job"


def cpu_quantity(cpus: float) -> str:
    d = Decimal(repr(cpus)) if isinstance(cpus, float) else Decimal(cpus)
    if d == d.to_integral_value():
        return str(int(d))
    milli = d * 1000
    if milli == milli.to_integral_value():
        return f"{int(milli)}m"
    return decimal_text(cpus)


def mib_quantity(mib: float) -> str:
    return f"{decimal_text(mib)}Mi"


def persistent_claims(app: Appliance) -> list[tuple[str, str]]:
    """(volume id, scope) of each declared persistent volume some container mounts."""
    return [(vid, v.scope) for vid, v in mounted_volumes(app).items()]


class KubernetesTarget(Target):
    name = "kubernetes"
    summary = "Kubernetes manifests (a Namespace, Services, Deployments, Jobs, CronJobs)"
    suffixes = ("k8s.yaml",)

    def namespace(self, app: Appliance, options: TargetOptions) -> str:
        return namespace_of(app, options)

    def naming(self, app: Appliance, options: TargetOptions) -> Naming:
        return naming_for(app, options)

    def outputs(self, app: Appliance, options: TargetOptions) -> list[OutputFile]:
        ns = self.namespace(app, options)
        naming = self.naming(app, options)
        referenced = {rid for c in app.containers for rid in referenced_ids(c)}
        used = dict(persistent_claims(app))
        # Made as the template writes them: a big appliance's views are never all held.
        workloads = (self._workload(app, c, naming, referenced, used) for c in start_order(app))
        claims = [{"name": vid, "storage": CLAIM_SIZE} for vid in used]
        return [
            OutputFile(
                "k8s.yaml",
                "manifests.yaml.j2",
                {
                    "namespace": ns,
                    "appliance": app.id,
                    "wait_image": WAIT_IMAGE,
                    "claims": claims,
                    "workloads": workloads,
                },
            )
        ]

    def _workload(
        self,
        app: Appliance,
        c: Container,
        naming: Naming,
        referenced: set[str],
        claims: dict[str, str],
    ) -> dict[str, Any]:
        r = resolve_container(c, naming, app.by_id)
        host = c.network_mode == "HOST"
        kind = "Deployment" if c.is_service else job_kind(c)
        labels = {
            "app.kubernetes.io/name": c.id,
            "app.kubernetes.io/part-of": app.id,
            "app.kubernetes.io/component": "job" if c.is_job else "service",
            "app.kubernetes.io/managed-by": "applc",
        }
        selector = {"app.kubernetes.io/name": c.id, "app.kubernetes.io/part-of": app.id}
        names = port_names(c)
        container_ports = []
        service_ports = []
        taken: set[str] = set()
        for p, pname in zip(c.ports, names, strict=True):
            for i, proto in enumerate(port_protocols(p)):
                container_ports.append(
                    {
                        "container_port": p.container_port,
                        "protocol": proto.upper(),
                        "name": pname if i == 0 else None,
                        "host_port": p.host_port if p.host_port and not host else None,
                    }
                )
                sname = pname if i == 0 and pname is not None else f"{proto}-{p.container_port}"
                while sname in taken:
                    sname = f"{sname}-{len(taken)}"
                taken.add(sname)
                service_ports.append(
                    {"name": sname, "port": p.container_port, "protocol": proto.upper()}
                )
        service = None
        if c.is_service or c.id in referenced:
            service = {"headless": not service_ports, "ports": service_ports}
        res = c.resources
        amounts: dict[str, str] = {}
        if res is not None:
            if res.cpus is not None and res.cpus > 0:
                amounts["cpu"] = cpu_quantity(res.cpus)
            if res.mem is not None and res.mem > 0:
                amounts["memory"] = mib_quantity(res.mem)
            if res.disk > 0:
                amounts["ephemeral-storage"] = mib_quantity(res.disk)
        limits = dict(amounts)
        if res is not None and res.gpu > 0:
            limits["nvidia.com/gpu"] = str(int(res.gpu))
        selector_nodes, _ = node_selector(c)
        cron = cron_schedule(c)[0] if kind == "CronJob" else None
        mc = min(max(c.minimum_capacity, 0), 1)
        return {
            "kind": kind,
            "name": c.id,
            "labels": labels,
            "selector": selector,
            "service": service,
            "replicas": c.instances if c.is_service else None,
            "max_unavailable": f"{round((1 - mc) * 100)}%",
            "image": c.image,
            "pull_policy": "Always" if c.force_pull_image else "IfNotPresent",
            "command": ["/bin/sh", "-c", escape(r.cmd)] if r.cmd else None,
            "args": [escape(a) for a in r.args] if r.args and not r.cmd else None,
            "env": [{"name": k, "value": escape(v)} for k, v in r.env.items()] or None,
            "ports": container_ports or None,
            "resources": {"requests": amounts or None, "limits": limits or None}
            if limits
            else None,
            "privileged": True if c.is_privileged else None,
            "volumes": _volumes(c, claims),
            "host_network": True if host else None,
            "dns_policy": "ClusterFirstWithHostNet" if host else None,
            "node_selector": selector_nodes,
            "probe": _probe(c, r.health_command) if c.is_service else None,
            "waits": _waits(app, c, naming),
            "backoff_limit": max(c.retries, 0) if c.is_job else None,
            "schedule": cron,
        }


def _volumes(c: Container, claims: dict[str, str]) -> list[dict[str, Any]]:
    """Each mount with the pod volume behind it; `claims` are the appliance's
    persistent_claims, computed once (per container, that walk was quadratic)."""
    out: list[dict[str, Any]] = []
    for i, v in enumerate(c.volumes):
        if v.source_path is None or v.container_path is None:
            continue
        read_only = True if v.legacy and v.mode.upper() == "RO" else None
        if v.legacy or v.kind == "HOST":
            out.append(
                {
                    "name": f"host-{i}",
                    "mount_path": v.container_path,
                    "read_only": read_only,
                    "host_path": v.source_path,
                    "claim": None,
                }
            )
        elif v.source_path in claims:
            out.append(
                {
                    "name": f"data-{i}",
                    "mount_path": v.container_path,
                    "read_only": None,
                    "host_path": None,
                    "claim": v.source_path,
                }
            )
    return out


def _probe(c: Container, command: str | None) -> dict[str, Any] | None:
    hc = c.health_check
    if hc is None:
        return None
    probe: dict[str, Any] = {
        "initial_delay": max(hc.grace_period_seconds, 0),
        "period": max(hc.interval_seconds, 1),
        "timeout": max(hc.timeout_seconds, 1),
        "failures": max(hc.max_consecutive_failures, 1),
        "http": None,
        "tcp": None,
        "exec": None,
    }
    if hc.protocol == "COMMAND":
        if not command:
            return None
        # The kubelet expands `$(VAR)` in an exec probe's command too.
        probe["exec"] = ["/bin/sh", "-c", escape(command)]
        return probe
    if not 0 <= hc.port_index < len(c.ports):
        return None
    port = c.ports[hc.port_index].container_port
    if hc.protocol in ("HTTP", "HTTPS", "MESOS_HTTP", "MESOS_HTTPS"):
        probe["http"] = {
            "path": hc.path if hc.path.startswith("/") else "/" + hc.path,
            "port": port,
            "scheme": "HTTPS" if hc.protocol.endswith("HTTPS") else "HTTP",
        }
    else:
        probe["tcp"] = {"port": port}
    return probe


def _waits(app: Appliance, c: Container, naming: Naming) -> list[dict[str, Any]]:
    """An init container per service `c` depends on: it waits until the dependency's
    Service accepts a TCP connection (on its first TCP port), or, for a headless one,
    until its name resolves (a headless name resolves once a pod is ready). Jobs cannot
    be waited for (APL402)."""
    by_id = app.by_id
    out: list[dict[str, Any]] = []
    for d in c.dependencies:
        dep = by_id.get(d)
        if dep is None or d == c.id or dep.is_job:
            continue
        tcp = [p.container_port for p in dep.ports if "tcp" in port_protocols(p)]
        name = f"wait-for-{d}"
        taken = {c.id} | {w["name"] for w in out}
        if len(name) > 63 or name in taken:
            i = len(out)
            while f"wait-{i}" in taken:
                i += 1
            name = f"wait-{i}"
        out.append({"name": name, "host": naming(d), "port": str(tcp[0]) if tcp else None})
    return out


TARGET = KubernetesTarget()
