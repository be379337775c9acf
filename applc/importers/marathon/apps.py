"""Marathon apps and Chronos jobs into containers (docs/import.md tabulates the mapping).

The mapping inverts PIVOT's (`Service.to_request`, `Job.to_request`) and applc's Marathon
target, so that what `applc build --target marathon` writes imports back to the same
appliance; for everything else Marathon can say, the nearest PIVOT form, or a finding.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from applc.importers import Reporter
from applc.importers.marathon.names import PIVOT_URL, Names
from applc.importers.marathon.paths import resolve_id
from applc.source import Source, Span, join_pointer

if TYPE_CHECKING:
    from applc.importers.marathon import Item

NETWORKS = {"host": "HOST", "container/bridge": "BRIDGE", "container": "CONTAINER"}
OLD_NETWORKS = {"HOST": "HOST", "BRIDGE": "BRIDGE", "USER": "CONTAINER"}
PIVOT_PARAMETERS = frozenset({"hostname", "rm", "oom-kill-disable", "volume-driver", "volume"})
PIVOT_ROLES = ["slave_public", "*"]
PLACEMENT = {"hostname": "host", "zone": "zone", "region": "region", "cloud": "cloud"}
HTTP_KINDS = ("HTTP", "HTTPS", "MESOS_HTTP", "MESOS_HTTPS")
# App keys the mapping reads, or that PIVOT sets and carry nothing of the appliance.
_APP_KEYS = frozenset(
    {
        "id",
        "instances",
        "cpus",
        "mem",
        "disk",
        "gpus",
        "gpu",
        "cmd",
        "args",
        "env",
        "container",
        "networks",
        "portDefinitions",
        "ports",
        "requirePorts",
        "acceptedResourceRoles",
        "healthChecks",
        "upgradeStrategy",
        "constraints",
        "dependencies",
        "version",
        "versionInfo",
        "tasksStaged",
        "tasksRunning",
        "tasksHealthy",
        "tasksUnhealthy",
        "deployments",
        "tasks",
        "lastTaskFailure",
        "killSelection",
        "unreachableStrategy",
        "backoffSeconds",
        "backoffFactor",
        "maxLaunchDelaySeconds",
        "role",
        "executor",
        "storeUrls",
        "uris",
        "user",
        "labels",
        "fetch",
        "residency",
        "secrets",
        "readinessChecks",
        "ipAddress",
        "taskKillGracePeriodSeconds",
        "tty",
        "resourceLimits",
        "check",
    }
)
_DROPPED_APP_KEYS = {
    "fetch": "put the files in the image",
    "uris": "put the files in the image",
    "residency": "declare a persistent volume in `data_persistence` instead",
    "secrets": "PIVOT has no secrets: pass them through the environment of the cluster",
    "readinessChecks": "PIVOT has one health check per service",
    "user": "set USER in the image",
    "executor": "PIVOT runs Docker containers",
    "resourceLimits": "PIVOT gives the resources as limits",
    "labels": "PIVOT HEAD has no labels (the legacy `labels` field is ignored)",
    "ipAddress": "PIVOT's CONTAINER network mode joins the `dcos` network",
    "tty": "containers run without a terminal",
    "check": "PIVOT has health checks only",
}


class Mapper:
    def __init__(self, reporter: Reporter, appliance_id: str) -> None:
        self.r = reporter
        self.aid = appliance_id
        self.names: Names | None = None
        self.volumes: dict[str, dict[str, Any]] = {}

    # ------------------------------------------------------------------ helpers

    def add(
        self, code: str, item: Item, pointer: str, message: str, help: str | None = None
    ) -> None:
        src: Source = item.doc.source
        span: Span = src.locate(pointer, "key") if pointer != item.pointer else src.locate(pointer)
        self.r.add(code, src, span, message, pointer=pointer, help=help)

    def text(self, item: Item, pointer: str, value: Any) -> str:
        """A string PIVOT rewrites, with container names back as `@` references."""
        s = value if isinstance(value, str) else _scalar(value)
        assert self.names is not None
        new, found = self.names.rewrite(s)
        src = item.doc.source
        for f in found:
            span = src.locate(pointer, "value", (f.start, f.end))
            self.r.add(
                "APL506",
                src,
                span,
                f"`{f.name}` becomes the reference `@{f.ref}`",
                pointer=pointer,
            )
        return new

    # ------------------------------------------------------------------ appliance

    def run(self, items: list[Item]) -> tuple[dict[str, Any], list[tuple[Source, Span, str]]]:
        ids: dict[int, str] = {}
        paths: dict[str, list[str]] = {}
        for i, it in enumerate(items):
            cid = self._container_id(it)
            k, unique = 2, cid
            while unique in paths:
                unique = f"{cid}-{k}"
                k += 1
            if unique != cid:
                self.add(
                    "APL505",
                    it,
                    it.pointer,
                    f"a second `{cid}` becomes container `{unique}`",
                )
            ids[i] = unique
            paths[unique] = [self.aid, unique] if it.kind == "job" else it.path
        self.names = Names(self.aid, paths)
        by_path = {
            "/" + "/".join(it.path): ids[i] for i, it in enumerate(items) if it.kind == "app"
        }
        containers = []
        origins = []
        for i, it in enumerate(items):
            c = self.app(it, ids[i], by_path) if it.kind == "app" else self.job(it, ids[i])
            containers.append(c)
            src = it.doc.source
            origins.append((src, src.locate(it.pointer, "open"), it.pointer))
        out: dict[str, Any] = {"id": self.aid, "containers": containers}
        if self.volumes:
            out["data_persistence"] = {
                "volume_type": "cephfs",
                "volumes": list(self.volumes.values()),
            }
        return out, origins

    def _container_id(self, it: Item) -> str:
        if it.kind == "job":
            name = it.path[-1]
            return re.sub(r"[^A-Za-z0-9-]+", "-", name) or "job"
        if not it.path:
            return "app"
        segs = it.path
        # An app of the group `/<appliance>` is `<container>`; a deeper one keeps the
        # path below the appliance, joined with `-`.
        if len(segs) >= 2 and "-".join(segs[:-1]) == self.aid:
            return segs[-1]
        if len(segs) >= 2 and segs[0] == self.aid:
            return "-".join(segs[1:])
        return segs[-1]

    # ------------------------------------------------------------------ apps

    def app(self, it: Item, cid: str, by_path: dict[str, str]) -> dict[str, Any]:
        a = it.value
        p = it.pointer
        c: dict[str, Any] = {"id": cid, "type": "service"}
        container = _obj(a.get("container"))
        docker = _obj(container.get("docker"))
        image = docker.get("image")
        if not isinstance(image, str) or not image:
            self.add(
                "APL502",
                it,
                p,
                f"app `{'/'.join(it.path)}` runs no Docker image; PIVOT containers need one",
                help="set `container.docker.image`",
            )
            image = "missing-image"
        c["image"] = image
        c["resources"] = self._resources(a)
        if "instances" in a:
            c["instances"] = a["instances"]
        mode = self._network(it, a, docker)
        c["network_mode"] = mode
        if docker.get("privileged") is True:
            c["is_privileged"] = True
        if docker.get("forcePullImage") is False:
            c["force_pull_image"] = False
        if isinstance(a.get("cmd"), str):
            c["cmd"] = self.text(it, join_pointer(p, "cmd"), a["cmd"])
        if isinstance(a.get("args"), list) and a["args"]:
            c["args"] = [
                self.text(it, join_pointer(p, "args", i), x) for i, x in enumerate(a["args"])
            ]
        env = self._env(it, a.get("env"), join_pointer(p, "env"))
        if env:
            c["env"] = env
        ports = self._ports(it, a, container, docker, mode)
        if ports:
            c["ports"] = ports
        vols = self._volumes(it, container, docker, join_pointer(p, "container"))
        if vols:
            c["volumes"] = vols
        hc = self._health(it, a, ports)
        if hc is not None:
            c["health_check"] = hc
        us = a.get("upgradeStrategy")
        capacity = _obj(us).get("minimumHealthCapacity")
        if isinstance(capacity, int | float) and capacity != 0:
            c["minimum_capacity"] = capacity
        deps = self._dependencies(it, a, by_path)
        if deps:
            c["dependencies"] = deps
        hints = self._constraints(it, a.get("constraints"), join_pointer(p, "constraints"))
        if hints:
            c["schedule_hints"] = hints
        self._report_rest(it, a, docker)
        return c

    def _resources(self, a: dict[str, Any]) -> dict[str, Any]:
        res: dict[str, Any] = {"cpus": _num(a.get("cpus"), 1), "mem": _num(a.get("mem"), 128)}
        disk = _num(a.get("disk"), 0)
        if disk:
            res["disk"] = disk
        gpu = _num(a.get("gpus", a.get("gpu")), 0)
        if gpu:
            res["gpu"] = gpu
        return res

    def _network(self, it: Item, a: dict[str, Any], docker: dict[str, Any]) -> str:
        nets = a.get("networks")
        if isinstance(nets, list) and nets:
            first = nets[0] if isinstance(nets[0], dict) else {}
            mode = NETWORKS.get(str(first.get("mode", "container")))
            if mode is None:
                self.add("APL502", it, join_pointer(it.pointer, "networks"), "unknown network mode")
                return "HOST"
            name = first.get("name")
            if mode == "CONTAINER" and name not in (None, "dcos"):
                self.add(
                    "APL507",
                    it,
                    join_pointer(it.pointer, "networks"),
                    f"container network `{name}` is not carried: PIVOT's CONTAINER mode "
                    "joins the `dcos` network",
                )
            if len(nets) > 1:
                self.add(
                    "APL507",
                    it,
                    join_pointer(it.pointer, "networks"),
                    "only the first network is carried",
                )
            return mode
        old = docker.get("network")
        if isinstance(old, str):
            return OLD_NETWORKS.get(old.upper(), "HOST")
        return "HOST"

    def _env(self, it: Item, env: Any, pointer: str) -> dict[str, str]:
        out: dict[str, str] = {}
        if not isinstance(env, dict):
            return out
        for k, v in env.items():
            vp = join_pointer(pointer, k)
            if k == "PIVOT_URL" and v == PIVOT_URL:
                continue  # PIVOT adds it to every container
            if isinstance(v, dict):
                self.add(
                    "APL507",
                    it,
                    vp,
                    f"environment `{k}` comes from a Marathon secret, which PIVOT cannot pass",
                )
                continue
            out[k] = self.text(it, vp, v)
        return out

    def _ports(
        self,
        it: Item,
        a: dict[str, Any],
        container: dict[str, Any],
        docker: dict[str, Any],
        mode: str,
    ) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        if mode == "HOST":
            defs = a.get("portDefinitions")
            if isinstance(defs, list):
                for d in defs:
                    if isinstance(d, dict) and isinstance(d.get("port"), int):
                        out.append(_port(d.get("port"), 0, d.get("protocol"), d.get("name")))
            elif isinstance(a.get("ports"), list):
                out += [_port(x, 0, "tcp", None) for x in a["ports"] if isinstance(x, int)]
            return out
        maps = container.get("portMappings")
        if not isinstance(maps, list):
            maps = docker.get("portMappings")
        for m in maps if isinstance(maps, list) else []:
            if isinstance(m, dict) and isinstance(m.get("containerPort"), int):
                host = m.get("hostPort")
                out.append(
                    _port(
                        m["containerPort"],
                        host if isinstance(host, int) else 0,
                        m.get("protocol"),
                        m.get("name"),
                    )
                )
        return out

    def _volumes(
        self, it: Item, container: dict[str, Any], docker: dict[str, Any], pointer: str
    ) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        vols = container.get("volumes")
        for i, v in enumerate(vols if isinstance(vols, list) else []):
            if not isinstance(v, dict):
                continue
            vp = join_pointer(pointer, "volumes", i)
            cpath, hpath = v.get("containerPath"), v.get("hostPath")
            if isinstance(hpath, str) and isinstance(cpath, str):
                if str(v.get("mode", "RW")).upper() == "RO":
                    out.append({"container_path": cpath, "host_path": hpath, "mode": "RO"})
                else:
                    out.append({"src": hpath, "dest": cpath, "type": "HOST"})
                continue
            kind = "persistent" if "persistent" in v else "external" if "external" in v else "other"
            self.add(
                "APL507",
                it,
                vp,
                f"a Marathon {kind} volume is not carried",
                help="declare a persistent volume in `data_persistence` and mount it by id",
            )
        params = docker.get("parameters")
        if isinstance(params, list):
            for prm in params:
                if not isinstance(prm, dict) or prm.get("key") != "volume":
                    continue
                name, _, dest = str(prm.get("value", "")).partition(":")
                if not dest:
                    continue
                prefix = f"{self.aid}-"
                if name.startswith(prefix):
                    vid, scope = name[len(prefix) :], "local"
                else:
                    vid, scope = name, "global"
                self.volumes.setdefault(vid, {"id": vid, "scope": scope})
                out.append({"src": vid, "dest": dest, "type": "PERSISTENT"})
        return out

    def _health(
        self, it: Item, a: dict[str, Any], ports: list[dict[str, Any]]
    ) -> dict[str, Any] | None:
        checks = a.get("healthChecks")
        if not isinstance(checks, list) or not checks:
            return None
        hp = join_pointer(it.pointer, "healthChecks")
        if len(checks) > 1:
            self.add("APL507", it, join_pointer(hp, 1), "only the first health check is carried")
        h = checks[0]
        if not isinstance(h, dict):
            return None
        proto = str(h.get("protocol", "HTTP")).upper()
        out: dict[str, Any] = {"protocol": proto}
        if proto in HTTP_KINDS:
            out["path"] = h.get("path", "/")
        if proto == "COMMAND":
            cmd = h.get("command")
            value = cmd.get("value") if isinstance(cmd, dict) else None
            if not isinstance(value, str):
                self.add("APL502", it, join_pointer(hp, 0), "a COMMAND check needs `command.value`")
                return None
            out["command"] = self.text(it, join_pointer(hp, 0, "command", "value"), value)
        else:
            idx = h.get("portIndex")
            if not isinstance(idx, int) and isinstance(h.get("port"), int):
                wanted = h["port"]
                idx = next((i for i, p in enumerate(ports) if p["container_port"] == wanted), None)
                if idx is None:
                    self.add(
                        "APL507",
                        it,
                        join_pointer(hp, 0, "port"),
                        f"the check's port {wanted} is not one of the app's ports",
                    )
                    idx = 0
            out["port_index"] = idx if isinstance(idx, int) else 0
        for key, field, default in (
            ("gracePeriodSeconds", "grace_period_seconds", 300),
            ("intervalSeconds", "interval_seconds", 60),
            ("timeoutSeconds", "timeout_seconds", 20),
            ("maxConsecutiveFailures", "max_consecutive_failures", 3),
        ):
            v = h.get(key)
            out[field] = v if isinstance(v, int) and not isinstance(v, bool) else default
        return out

    def _dependencies(self, it: Item, a: dict[str, Any], by_path: dict[str, str]) -> list[str]:
        deps = a.get("dependencies")
        out: list[str] = []
        parent = it.path[:-1]
        for i, d in enumerate(deps if isinstance(deps, list) else []):
            if not isinstance(d, str):
                continue
            full = "/" + "/".join(resolve_id(parent, d))
            cid = by_path.get(full)
            if cid is None:
                self.add(
                    "APL512",
                    it,
                    join_pointer(it.pointer, "dependencies", i),
                    f"`{d}` is not an app of the imported files; the dependency is dropped",
                )
                continue
            if cid not in out:
                out.append(cid)
        return out

    def _constraints(self, it: Item, cons: Any, pointer: str) -> dict[str, Any]:
        hints: dict[str, Any] = {}
        for i, c in enumerate(cons if isinstance(cons, list) else []):
            if not (isinstance(c, list) and len(c) >= 2):
                continue
            field, op = str(c[0]), str(c[1]).upper()
            value = c[2] if len(c) > 2 else None
            if field == "preemptible" and op in ("CLUSTER", "EQUALS"):
                if value == "true":
                    hints["preemptible"] = True
                continue
            if field in PLACEMENT and op in ("CLUSTER", "EQUALS") and isinstance(value, str):
                hints.setdefault("placement", {})[PLACEMENT[field]] = value
                continue
            self.add(
                "APL507",
                it,
                join_pointer(pointer, i),
                f"constraint `{' '.join(str(x) for x in c)}` is not carried",
                help="PIVOT places containers by cloud, region, zone or host only",
            )
        return hints

    def _report_rest(self, it: Item, a: dict[str, Any], docker: dict[str, Any]) -> None:
        for key, v in a.items():
            if key in _DROPPED_APP_KEYS and v not in (None, [], {}, ""):
                self.add(
                    "APL507",
                    it,
                    join_pointer(it.pointer, key),
                    f"`{key}` is not carried into the appliance",
                    help=_DROPPED_APP_KEYS[key],
                )
            elif key not in _APP_KEYS:
                self.add(
                    "APL507",
                    it,
                    join_pointer(it.pointer, key),
                    f"`{key}` is not carried into the appliance",
                    help="applc does not know this Marathon key",
                )
        roles = a.get("acceptedResourceRoles")
        if roles not in (None, PIVOT_ROLES):
            self.add(
                "APL507",
                it,
                join_pointer(it.pointer, "acceptedResourceRoles"),
                '`acceptedResourceRoles` is not carried: PIVOT always sends ["slave_public", "*"]',
            )
        params = docker.get("parameters")
        for i, prm in enumerate(params if isinstance(params, list) else []):
            if isinstance(prm, dict) and prm.get("key") not in PIVOT_PARAMETERS:
                self.add(
                    "APL507",
                    it,
                    join_pointer(it.pointer, "container", "docker", "parameters", i),
                    f"docker parameter `{prm.get('key')}` is not carried",
                    help="PIVOT sets its own docker parameters",
                )

    # ------------------------------------------------------------------ jobs

    def job(self, it: Item, cid: str) -> dict[str, Any]:
        j = it.value
        p = it.pointer
        c: dict[str, Any] = {"id": cid, "type": "job"}
        container = _obj(j.get("container"))
        image = container.get("image")
        if not isinstance(image, str) or not image:
            self.add("APL502", it, p, f"job `{j.get('name')}` runs no Docker image")
            image = "missing-image"
        c["image"] = image
        c["resources"] = self._resources(j)
        c["resources"].pop("gpu", None)
        network = str(container.get("network", "HOST")).upper()
        c["network_mode"] = "BRIDGE" if network == "BRIDGE" else "HOST"
        params = container.get("parameters")
        params = params if isinstance(params, list) else []
        ports: list[dict[str, Any]] = []
        for prm in params:
            if not isinstance(prm, dict):
                continue
            key, value = prm.get("key"), prm.get("value")
            if key == "privileged" and str(value).lower() == "true":
                c["is_privileged"] = True
            elif key == "publish":
                m = re.fullmatch(r"([0-9]+):([0-9]+)/([a-z]+)", str(value))
                if m is None:
                    continue
                host, cport, proto = int(m.group(1)), int(m.group(2)), m.group(3)
                last = ports[-1] if ports else None
                # applc writes a `udp,tcp` port as a udp then a tcp publish.
                if (
                    last is not None
                    and proto == "tcp"
                    and last["protocol"] == "udp"
                    and (last["container_port"], last["host_port"]) == (cport, host)
                ):
                    last["protocol"] = "udp,tcp"
                else:
                    ports.append(_port(cport, host, proto, None))
        if container.get("forcePullImage") is False:
            c["force_pull_image"] = False
        shell = j.get("shell", True)
        command = j.get("command")
        if shell is not False and isinstance(command, str) and command:
            c["cmd"] = self.text(it, join_pointer(p, "command"), command)
        args = j.get("arguments")
        if isinstance(args, list) and args and "cmd" not in c:
            c["args"] = [
                self.text(it, join_pointer(p, "arguments", i), x) for i, x in enumerate(args)
            ]
        env: dict[str, str] = {}
        ev = j.get("environmentVariables")
        for i, e in enumerate(ev if isinstance(ev, list) else []):
            if not isinstance(e, dict) or not isinstance(e.get("name"), str):
                continue
            if e["name"] == "PIVOT_URL" and e.get("value") == PIVOT_URL:
                continue
            env[e["name"]] = self.text(
                it, join_pointer(p, "environmentVariables", i, "value"), e.get("value", "")
            )
        if env:
            c["env"] = env
        if ports:
            c["ports"] = ports
        vols = self._volumes(it, container, {"parameters": params}, join_pointer(p, "container"))
        if vols:
            c["volumes"] = vols
        if isinstance(j.get("retries"), int) and j["retries"] != 1:
            c["retries"] = j["retries"]
        self._schedule(it, j, c)
        hints = self._constraints(it, j.get("constraints"), join_pointer(p, "constraints"))
        if hints:
            c["schedule_hints"] = hints
        parents = j.get("parents")
        if isinstance(parents, list) and parents:
            self.add(
                "APL507",
                it,
                join_pointer(p, "parents"),
                "Chronos `parents` are not carried: PIVOT jobs run on their schedule",
            )
        return c

    def _schedule(self, it: Item, j: dict[str, Any], c: dict[str, Any]) -> None:
        sched = j.get("schedule")
        if not isinstance(sched, str):
            return
        m = re.fullmatch(r"R([0-9]*)/([^/]*)/P(.*)", sched)
        if m is None:
            self.add(
                "APL502",
                it,
                join_pointer(it.pointer, "schedule"),
                f"`{sched}` is not an ISO 8601 repeating interval (R<n>/<start>/P<interval>)",
            )
            return
        repeats = int(m.group(1)) if m.group(1) else 1
        if repeats != 1:
            c["repeats"] = repeats
        if m.group(2):
            c["start_time"] = m.group(2)
        if m.group(3) != "2M":
            c["interval"] = m.group(3)


def _obj(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


def _num(v: Any, default: float) -> Any:
    if isinstance(v, int | float) and not isinstance(v, bool):
        return v
    return default


def _scalar(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return ""
    return str(v)


def _port(cport: Any, host: int, proto: Any, name: Any) -> dict[str, Any]:
    p: dict[str, Any] = {
        "container_port": cport,
        "host_port": host,
        "protocol": proto if isinstance(proto, str) else "tcp",
    }
    if isinstance(name, str) and name:
        p["name"] = name
    return p
