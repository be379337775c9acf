"""The Marathon target: one Marathon group of apps (the services) and Chronos jobs.

The mapping follows PIVOT's own (`Service.to_request`, `Job.to_request`) in Marathon's
canonical 1.5+ form; docs/targets.md lists every difference. This module builds the view;
`targets/marathon/*.j2` decide the JSON shape.
"""

from __future__ import annotations

from typing import Any

from applc.model.nodes import Appliance, Container, Port
from applc.targets.base import (
    Naming,
    OutputFile,
    Target,
    TargetOptions,
    chronos_schedule,
    placement_choice,
    port_protocols,
    reachable_through,
    resolve_container,
    start_order,
)
from applc.targets.marathon.naming import DNS_SUFFIX, naming_for, port_names

# Every container PIVOT deploys learns where PIVOT is (`@pivot` of appliance `sys`).
PIVOT_URL = f"pivot-sys.{DNS_SUFFIX}"
CEPHFS_DRIVER = "heliumdatacommons/cephfs"
NETWORKS = {"HOST": "host", "BRIDGE": "container/bridge", "CONTAINER": "container"}
CONTAINER_NETWORK = "dcos"
PLACEMENT_ATTRIBUTE = {"host": "hostname", "zone": "zone", "region": "region", "cloud": "cloud"}


def persistent_mounts(app: Appliance, c: Container) -> list[tuple[str, str]]:
    """(docker volume name, mount point) of each declared persistent volume `c` mounts,
    as PIVOT names them: `<appliance>-<volume>` (local) or `<volume>` (global). Without
    `data_persistence` PIVOT drops these mounts (APL244)."""
    dp = app.data_persistence
    if dp is None:
        return []
    declared = dp.by_id
    out = []
    for v in c.volumes:
        if v.legacy or v.kind != "PERSISTENT" or v.container_path is None:
            continue
        pv = declared.get(v.source_path or "")
        if pv is None:
            continue
        name = pv.id if pv.scope == "GLOBAL" else f"{app.id}-{pv.id}"
        out.append((f"{name}", v.container_path))
    return out


def gpu_count(c: Container) -> int:
    return int(c.resources.gpu) if c.resources is not None and c.resources.gpu > 0 else 0


def docker_only(app: Appliance, c: Container) -> list[str]:
    """What keeps `c` on the Docker containerizer (which cannot give it GPUs)."""
    why = []
    if c.is_privileged:
        why.append("it runs privileged")
    if persistent_mounts(app, c):
        why.append("it mounts cephfs persistent volumes through `docker run` options")
    return why


def job_dependency_gaps(app: Appliance, c: Container) -> list[tuple[int, str, str]]:
    """(index, dependency id, why) of each dependency of `c` that Marathon and Chronos
    cannot enforce: an app waiting for a Chronos job, a job waiting for anything."""
    by_id = app.by_id
    out = []
    for i, d in enumerate(c.dependencies):
        dep = by_id.get(d)
        if dep is None or d == c.id:
            continue
        if c.is_job:
            kind = "Chronos job" if dep.is_job else "Marathon app"
            out.append(
                (
                    i,
                    d,
                    f"Chronos job `{c.id}` cannot wait for {kind} `{d}`: it runs on its schedule",
                )
            )
        elif dep.is_job:
            out.append((i, d, f"Marathon app `{c.id}` cannot depend on Chronos job `{d}`"))
    return out


class MarathonTarget(Target):
    name = "marathon"
    summary = "a Marathon group (POST /v2/groups) and Chronos jobs, as PIVOT deploys them"
    suffixes = ("marathon.json", "chronos.json")

    def naming(self, app: Appliance, options: TargetOptions) -> Naming:
        return naming_for(app)

    def outputs(self, app: Appliance, options: TargetOptions) -> list[OutputFile]:
        naming = self.naming(app, options)
        order = start_order(app)
        # Views are made as the templates reach them, not all held at once.
        services = (self._app(app, c, naming) for c in order if c.is_service)
        jobs = (self._job(app, c, naming) for c in order if c.is_job)
        files = [
            OutputFile(
                "marathon.json", "group.json.j2", {"group_id": f"/{app.id}", "services": services}
            )
        ]
        if any(c.is_job for c in order):
            files.append(OutputFile("chronos.json", "jobs.json.j2", {"jobs": jobs}))
        return files

    # ------------------------------------------------------------------ services

    def _app(self, app: Appliance, c: Container, naming: Naming) -> dict[str, Any]:
        r = resolve_container(c, naming, app.by_id)
        res = c.resources
        gpus = gpu_count(c)
        mesos = gpus > 0 and not docker_only(app, c)
        if gpus and not mesos:
            gpus = 0  # APL401: the Docker containerizer cannot give GPUs
        network = NETWORKS.get(c.network_mode, "host")
        names = port_names(c)
        deps = reachable_through(app, c, lambda d: d.is_job)
        parameters = [
            {"key": "hostname", "value": c.id},
            {"key": "rm", "value": "true"},
            {"key": "oom-kill-disable", "value": "true"},
        ]
        mounts = persistent_mounts(app, c)
        if mounts:
            parameters.append({"key": "volume-driver", "value": CEPHFS_DRIVER})
            parameters += [{"key": "volume", "value": f"{n}:{dest}"} for n, dest in mounts]
        return {
            "app_id": f"/{app.id}/{c.id}",
            "instances": c.instances,
            "cpus": res.cpus if res else None,
            "mem": res.mem if res else None,
            "disk": res.disk if res else None,
            "gpus": gpus,
            "cmd": r.cmd or None,
            "args": r.args if r.args and not r.cmd else None,
            "env": {"PIVOT_URL": PIVOT_URL, **r.env},
            "require_ports": bool(c.ports),
            "container_type": "MESOS" if mesos else "DOCKER",
            "image": c.image,
            "privileged": None if mesos else c.is_privileged,
            "force_pull_image": c.force_pull_image,
            "parameters": None if mesos else parameters,
            "host_volumes": _host_volumes(c),
            "network": network,
            "network_name": CONTAINER_NETWORK if network == "container" else None,
            "ports": [_port(p, n) for p, n in zip(c.ports, names, strict=True)],
            "health_checks": _health_checks(c, r.health_command),
            "minimum_capacity": c.minimum_capacity,
            "constraints": _constraints(c, "CLUSTER"),
            "dependencies": [f"/{app.id}/{d}" for d in deps] or None,
        }

    # ------------------------------------------------------------------ jobs

    def _job(self, app: Appliance, c: Container, naming: Naming) -> dict[str, Any]:
        r = resolve_container(c, naming, app.by_id)
        res = c.resources
        env = [{"name": k, "value": v} for k, v in r.env.items()]
        if "PIVOT_URL" not in r.env:
            env.append({"name": "PIVOT_URL", "value": PIVOT_URL})
        parameters = [
            {"key": "privileged", "value": "true" if c.is_privileged else "false"},
            {"key": "rm", "value": "true"},
        ]
        for p in c.ports:
            for proto in port_protocols(p):
                parameters.append(
                    {"key": "publish", "value": f"{p.host_port}:{p.container_port}/{proto}"}
                )
        mounts = persistent_mounts(app, c)
        if mounts:
            parameters.append({"key": "volume-driver", "value": CEPHFS_DRIVER})
            parameters += [{"key": "volume", "value": f"{n}:{dest}"} for n, dest in mounts]
        shell = r.cmd is not None
        return {
            "name": f"{app.id}.{c.id}",
            "schedule": chronos_schedule(c),
            "cpus": res.cpus if res else None,
            "mem": res.mem if res else None,
            "disk": res.disk if res else None,
            "shell": shell,
            "command": r.cmd if r.cmd is not None else "",
            "arguments": r.args if r.args and not shell else None,
            "retries": c.retries,
            "env": env,
            "image": c.image,
            "network": "HOST" if c.network_mode == "HOST" else "BRIDGE",
            "force_pull_image": c.force_pull_image,
            "host_volumes": _host_volumes(c),
            "parameters": parameters,
            "constraints": _constraints(c, "EQUALS"),
        }


def _port(p: Port, name: str | None) -> dict[str, Any]:
    return {
        "container_port": p.container_port,
        "host_port": p.host_port,
        "protocol": p.protocol,
        "name": name,
    }


def _host_volumes(c: Container) -> list[dict[str, Any]]:
    out = []
    for v in c.volumes:
        if v.source_path is None or v.container_path is None:
            continue
        if v.legacy:
            out.append(
                {
                    "container_path": v.container_path,
                    "host_path": v.source_path,
                    "mode": v.mode.upper(),
                }
            )
        elif v.kind == "HOST":
            out.append(
                {"container_path": v.container_path, "host_path": v.source_path, "mode": "RW"}
            )
    return out


def _health_checks(c: Container, command: str | None) -> list[dict[str, Any]]:
    hc = c.health_check
    if hc is None or not c.is_service:
        return []
    is_command = hc.protocol == "COMMAND"
    if is_command and not command:
        return []
    return [
        {
            "protocol": hc.protocol,
            "path": hc.path
            if hc.protocol in ("HTTP", "HTTPS", "MESOS_HTTP", "MESOS_HTTPS")
            else None,
            "port_index": None if is_command else hc.port_index,
            "command": command if is_command else None,
            "grace_period_seconds": hc.grace_period_seconds,
            "interval_seconds": hc.interval_seconds,
            "timeout_seconds": hc.timeout_seconds,
            "max_consecutive_failures": hc.max_consecutive_failures,
        }
    ]


def _constraints(c: Container, operator: str) -> list[list[str]]:
    out = [["preemptible", operator, "true" if c.preemptible else "false"]]
    choice = placement_choice(c)
    if choice is not None:
        out.append([PLACEMENT_ATTRIBUTE[choice[0]], operator, choice[1]])
    return out


TARGET = MarathonTarget()
