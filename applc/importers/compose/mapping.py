"""A compose project into an appliance: the mapping docs/import.md tabulates."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

from applc.importers import Reporter
from applc.importers.compose.hosts import ADDRESS_KEY, Rewrite, rewrite_hosts, rewrite_words
from applc.importers.compose.project import (
    MAX_DOTENV_BYTES,
    Project,
    keyed,
    load_dotenv,
    read_named,
    resolve_path,
)
from applc.importers.compose.units import (
    cpus_value,
    duration_seconds,
    parse_port,
    parse_volume,
    size_mib,
    split_command,
)
from applc.importers.yamlnodes import YNode

DEFAULT_CPUS = 1
DEFAULT_MEM = 512

# Service keys the mapping reads.
_HANDLED = frozenset(
    {
        "image",
        "build",
        "command",
        "entrypoint",
        "environment",
        "env_file",
        "ports",
        "expose",
        "depends_on",
        "healthcheck",
        "deploy",
        "cpus",
        "mem_limit",
        "mem_reservation",
        "scale",
        "privileged",
        "network_mode",
        "restart",
        "volumes",
        "profiles",
        "extends",
        "container_name",
        "links",
        "networks",
        "pull_policy",
        "gpus",
        "version",
    }
)

# What to do instead, for the features an appliance has no place for.
_UNSUPPORTED_HELP = {
    "build": "build the image and push it where the cluster can pull it; the build "
    "details are not part of an appliance",
    "labels": "PIVOT has no container labels (the legacy `labels` went to Marathon only)",
    "logging": "logging is the cluster's: configure it on the agents",
    "ulimits": "set the limits in the image or on the agents",
    "cap_add": "PIVOT can only run a container privileged (`is_privileged`), or not",
    "cap_drop": "PIVOT cannot drop capabilities",
    "secrets": "pass secrets through the cluster's secret store; PIVOT has none",
    "configs": "bake the configuration into the image, or mount it from a HOST volume",
    "working_dir": "set WORKDIR in the image, or `cd` in a `cmd`",
    "user": "set USER in the image",
    "networks": "every container of an appliance shares one network; other networks are dropped",
    "network_mode": "only `host` and the default network can be expressed",
    "hostname": "PIVOT names each container by its id",
    "extra_hosts": "PIVOT has no host entries: use `@` references or real DNS names",
    "dns": "the cluster's DNS is used",
    "dns_search": "the cluster's DNS is used",
    "devices": "PIVOT cannot pass devices (GPUs aside, through `resources.gpu`)",
    "tmpfs": "PIVOT has no tmpfs mounts",
    "shm_size": "PIVOT cannot size /dev/shm",
    "stop_grace_period": "the cluster decides how long a stopping container gets",
    "stop_signal": "set STOPSIGNAL in the image",
    "sysctls": "PIVOT cannot set sysctls",
    "security_opt": "PIVOT cannot set security options",
    "init": "use an image with an init process (tini)",
    "tty": "containers run without a terminal",
    "stdin_open": "containers run without standard input",
    "read_only": "PIVOT cannot make the root file system read-only",
    "ipc": "PIVOT cannot share IPC namespaces",
    "pid": "PIVOT cannot share PID namespaces",
    "platform": "the agents' platform is used",
    "volumes_from": "mount the same HOST or persistent volume in both containers",
    "external_links": "use `@` references to containers of the same appliance",
    "cpu_shares": "PIVOT gives `resources.cpus`; shares are not expressed",
}

_VOLUME_ID = re.compile(r"[^a-zA-Z0-9-]+")


def dns_label(name: str) -> str:
    """A service name as a container id: lower case, `_` and `.` become `-`."""
    label = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")
    return label[:63].rstrip("-") or "container"


class Mapper:
    def __init__(self, project: Project, reporter: Reporter) -> None:
        self.p = project
        self.r = reporter
        self.ids: dict[str, str] = {}
        self.hosts: dict[str, str] = {}
        self.volumes: dict[str, dict[str, Any]] = {}
        self.containers: list[dict[str, Any]] = []
        self.origins: list[YNode] = []
        self._env_file_cache: dict[str, dict[str, str]] = {}

    # ------------------------------------------------------------------ helpers

    def add(
        self, code: str, node: YNode, message: str, help: str | None = None, key: bool = False
    ) -> None:
        self.r.add(
            code,
            node.source,
            node.key_span if key else node.span,
            message,
            pointer=node.pointer,
            help=help,
        )

    def unsupported(self, svc: str, node: YNode, feature: str, help: str | None = None) -> None:
        self.add(
            "APL507",
            node,
            f"service `{svc}`: `{feature}` is not carried into the appliance",
            help or _UNSUPPORTED_HELP.get(feature.split(".")[0], "it has no PIVOT equivalent"),
            key=True,
        )

    # ------------------------------------------------------------------ project

    def run(self, appliance_id: str) -> dict[str, Any]:
        services = self.p.services
        taken: set[str] = set()
        for name, node in services.items():
            cid = dns_label(name)
            base, k = cid, 2
            while cid in taken:
                cid = f"{base[:60]}-{k}"
                k += 1
            taken.add(cid)
            self.ids[name] = cid
            if cid != name:
                self.add(
                    "APL505",
                    node,
                    f"service `{name}` becomes container `{cid}` (ids are DNS labels)",
                    key=True,
                )
        for name, node in services.items():
            cid = self.ids[name]
            self.hosts[name] = cid
            for alias in self._aliases(node):
                self.hosts.setdefault(alias, cid)
        completed = self._run_once_targets()
        for name, node in services.items():
            c = self.container(name, node, name in completed)
            if c is not None:
                self.containers.append(c)
                self.origins.append(node)
        out: dict[str, Any] = {"id": appliance_id, "containers": self.containers}
        if self.volumes:
            out["data_persistence"] = {
                "volume_type": "cephfs",
                "volumes": list(self.volumes.values()),
            }
        return out

    def _aliases(self, node: YNode) -> list[str]:
        out = []
        cn = node.get("container_name")
        if cn is not None and isinstance(cn.value, str):
            out.append(cn.value)
        nets = node.get("networks")
        if nets is not None:
            for net in (
                keyed(nets, "networks").value.values()
                if isinstance(keyed(nets, "networks").value, dict)
                else []
            ):
                al = net.get("aliases")
                if al is not None and isinstance(al.value, list):
                    out.extend(a.value for a in al.value if isinstance(a.value, str))
        return out

    def _run_once_targets(self) -> set[str]:
        """Services another one waits for with `service_completed_successfully`."""
        out: set[str] = set()
        for node in self.p.services.values():
            dep = node.get("depends_on")
            if dep is None:
                continue
            for name, cond in _items(keyed(dep, "depends_on")):
                c = cond.get("condition")
                if c is not None and c.value == "service_completed_successfully":
                    out.add(name)
        return out

    # ------------------------------------------------------------------ container

    def container(self, name: str, node: YNode, run_once: bool) -> dict[str, Any] | None:
        cid = self.ids[name]
        c: dict[str, Any] = {"id": cid, "type": "service"}
        image = self._image(name, node)
        if image is None:
            return None
        c["image"] = image
        c["resources"] = self._resources(name, node)
        is_job = self._is_job(name, node, run_once)
        if is_job:
            c["type"] = "job"
        c["network_mode"] = self._network_mode(name, node, is_job)
        priv = node.get("privileged")
        if priv is not None and priv.value is True:
            c["is_privileged"] = True
        pull = node.get("pull_policy")
        if pull is not None and isinstance(pull.value, str):
            c["force_pull_image"] = pull.value == "always"
        instances = self._instances(name, node)
        if instances is not None and not is_job:
            c["instances"] = instances
        self._command(name, node, c)
        env = self._environment(name, node)
        if env:
            c["env"] = env
        ports = self._ports(name, node)
        if ports:
            c["ports"] = ports
        vols = self._volumes(name, node, is_job)
        if vols:
            c["volumes"] = vols
        hc = self._healthcheck(name, node)
        if hc is not None:
            if is_job:
                self.unsupported(name, node.value["healthcheck"], "healthcheck", "jobs have none")
            else:
                c["health_check"] = hc
        deps = self._dependencies(name, node)
        if deps:
            c["dependencies"] = deps
        if is_job:
            retries = self._retries(node)
            if retries is not None:
                c["retries"] = retries
        self._report_rest(name, node)
        return c

    def _image(self, name: str, node: YNode) -> str | None:
        img = node.get("image")
        if img is not None and isinstance(img.value, str) and img.value:
            return str(img.value)
        if node.get("build") is not None:
            image = f"{self.p.name}-{name}"
            self.add(
                "APL508",
                node.value["build"],
                f"service `{name}` is only built here; the appliance uses image `{image}`",
                help=f"build it and push `{image}` (or a name of your choice) where the "
                "cluster can pull it",
                key=True,
            )
            return image
        self.add(
            "APL502",
            node,
            f"service `{name}` has neither `image` nor `build`; it is left out",
            key=True,
        )
        return None

    def _value(self, node: YNode | None, parse: Callable[[Any], Any], what: str) -> Any:
        if node is None or node.value is None:
            return None
        try:
            return parse(node.value)
        except ValueError as exc:
            self.add("APL502", node, f"{what}: {exc}")
            return None

    def _resources(self, name: str, node: YNode) -> dict[str, Any]:
        deploy = node.get("deploy")
        res = deploy.get("resources") if deploy is not None else None
        limits = res.get("limits") if res is not None else None
        reserv = res.get("reservations") if res is not None else None

        def pick(*candidates: tuple[YNode | None, str]) -> YNode | None:
            for parent, key in candidates:
                if parent is not None:
                    got = parent.get(key)
                    if got is not None and got.value not in (None, 0, "0"):
                        return got
            return None

        cpus_node = pick((limits, "cpus"), (node, "cpus"), (reserv, "cpus"))
        mem_node = pick(
            (limits, "memory"), (node, "mem_limit"), (reserv, "memory"), (node, "mem_reservation")
        )
        cpus = self._value(cpus_node, cpus_value, "cpus")
        mem = self._value(mem_node, size_mib, "memory")
        out: dict[str, Any] = {
            "cpus": cpus if cpus else DEFAULT_CPUS,
            "mem": mem if mem else DEFAULT_MEM,
        }
        missing = [k for k, v in (("cpus", cpus), ("mem", mem)) if not v]
        if missing:
            given = {"cpus": f"{DEFAULT_CPUS} cpu", "mem": f"{DEFAULT_MEM} MiB"}
            words = {"cpus": "cpus", "mem": "memory"}
            self.add(
                "APL509",
                node,
                f"service `{name}` sets no {' or '.join(words[m] for m in missing)} limit; "
                f"the appliance gives {' and '.join(given[m] for m in missing)}",
                help="set `deploy.resources.limits` to what the service needs",
                key=True,
            )
        gpus = self._gpus(name, node, reserv)
        if gpus:
            out["gpu"] = gpus
        return out

    def _gpus(self, name: str, node: YNode, reserv: YNode | None) -> int:
        total = 0
        devices = reserv.get("devices") if reserv is not None else None
        if devices is not None and isinstance(devices.value, list):
            for d in devices.value:
                caps = d.get("capabilities")
                if caps is None or not isinstance(caps.value, list):
                    continue
                if "gpu" not in {x.value for x in caps.value}:
                    self.unsupported(name, d, "deploy.resources.reservations.devices")
                    continue
                total += self._gpu_count(name, d.get("count") or d.get("device_ids"))
        g = node.get("gpus")
        if g is not None:
            total += self._gpu_count(name, g)
        return total

    def _gpu_count(self, name: str, node: YNode | None) -> int:
        if node is None:
            return 1
        if isinstance(node.value, int) and not isinstance(node.value, bool):
            return max(node.value, 0)
        if isinstance(node.value, list):
            return len(node.value)
        if node.value == "all":
            self.add(
                "APL507",
                node,
                f"service `{name}`: `all` GPUs cannot be asked of PIVOT; the appliance asks for 1",
                help="set the number of GPUs the service needs",
            )
            return 1
        try:
            return max(int(str(node.value)), 0)
        except ValueError:
            self.add("APL502", node, f"`{node.value}` is not a number of GPUs")
            return 0

    def _instances(self, name: str, node: YNode) -> int | None:
        deploy = node.get("deploy")
        rep = deploy.get("replicas") if deploy is not None else None
        rep = rep or node.get("scale")
        if rep is None or rep.value is None:
            return None
        if isinstance(rep.value, bool) or not isinstance(rep.value, int) or rep.value < 0:
            self.add("APL502", rep, f"service `{name}`: replicas must be a whole number >= 0")
            return None
        return int(rep.value)

    def _restart(self, node: YNode) -> str | None:
        r = node.get("restart")
        if r is not None and isinstance(r.value, str | bool):
            return "no" if r.value is False else str(r.value)
        deploy = node.get("deploy")
        pol = deploy.get("restart_policy") if deploy is not None else None
        cond = pol.get("condition") if pol is not None else None
        if cond is not None and isinstance(cond.value, str):
            return {"none": "no", "any": "always"}.get(cond.value, cond.value)
        return None

    def _retries(self, node: YNode) -> int | None:
        restart = self._restart(node) or ""
        if restart.startswith("on-failure:"):
            try:
                return int(restart.split(":", 1)[1])
            except ValueError:
                return None
        deploy = node.get("deploy")
        pol = deploy.get("restart_policy") if deploy is not None else None
        att = pol.get("max_attempts") if pol is not None else None
        if att is not None and isinstance(att.value, int) and not isinstance(att.value, bool):
            return att.value
        return None

    def _has_binds(self, node: YNode) -> bool:
        vols = node.get("volumes")
        if vols is None or not isinstance(vols.value, list):
            return False
        for v in vols.value:
            if isinstance(v.value, str):
                try:
                    if parse_volume(v.value).kind == "bind":
                        return True
                except ValueError:
                    continue
            elif isinstance(v.value, dict) and getattr(v.get("type"), "value", None) == "bind":
                return True
        return False

    def _is_job(self, name: str, node: YNode, run_once: bool) -> bool:
        restart = self._restart(node) or ""
        one_shot = restart == "no" or restart.startswith("on-failure")
        serves = any(node.get(k) is not None for k in ("ports", "expose", "healthcheck"))
        why = None
        if run_once:
            why = "another service waits for it to complete (`service_completed_successfully`)"
        elif one_shot and not serves and self._instances(name, node) in (None, 1):
            why = f"it has `restart: {restart}` and serves no ports"
        if why is None:
            return False
        if self._has_binds(node):
            self.add(
                "APL510",
                node,
                f"service `{name}` runs once ({why}), but stays a service: PIVOT jobs "
                "cannot mount host folders",
                key=True,
            )
            return False
        self.add("APL510", node, f"service `{name}` becomes a job: {why}", key=True)
        return True

    def _network_mode(self, name: str, node: YNode, is_job: bool) -> str:
        nm = node.get("network_mode")
        if nm is not None and isinstance(nm.value, str):
            if nm.value == "host":
                return "HOST"
            if nm.value == "bridge":
                return "BRIDGE"
            self.unsupported(
                name,
                nm,
                "network_mode",
                f"`network_mode: {nm.value}` cannot be "
                "expressed; the container joins the appliance's network",
            )
        nets = node.get("networks")
        if nets is not None:
            names = [n for n in _keys(keyed(nets, "networks")) if n != "default"]
            if names:
                self.unsupported(name, nets, "networks")
        # The compose default network lets every service reach every port of the others:
        # PIVOT's CONTAINER mode. Jobs cannot use it; BRIDGE is the nearest.
        return "BRIDGE" if is_job else "CONTAINER"

    # ------------------------------------------------------------------ command

    def _words(self, node: YNode, what: str) -> list[str] | None:
        v = node.value
        if v is None:
            return None
        if isinstance(v, str):
            try:
                return split_command(v)
            except ValueError as exc:
                self.add("APL502", node, f"{what}: {exc}")
                return None
        if isinstance(v, list):
            out = []
            for item in v:
                if isinstance(item.value, dict | list) or item.value is None:
                    self.add("APL502", item, f"{what}: each word must be a string")
                    return None
                out.append(_scalar_text(item))
            return out
        self.add("APL502", node, f"{what} must be a string or a list of strings")
        return None

    def _command(self, name: str, node: YNode, c: dict[str, Any]) -> None:
        cmd_node = node.get("command")
        ep_node = node.get("entrypoint")
        command = self._words(cmd_node, "command") if cmd_node is not None else None
        entry = self._words(ep_node, "entrypoint") if ep_node is not None else None
        if ep_node is not None and entry is not None:
            argv = entry + (command or [])
            if not argv:
                self.unsupported(
                    name,
                    ep_node,
                    "entrypoint",
                    "an empty entrypoint with no command runs the image's CMD as the "
                    "program, which PIVOT cannot say: write the program as a command",
                )
                return
            words, found = rewrite_words(argv, self.hosts)
            self._report_rewrites(name, ep_node if entry else cmd_node or ep_node, found, argv)
            # Marathon runs `cmd` with `sh -c`: quoting each word gives the same argv.
            c["cmd"] = shlex.join(words)
            return
        if cmd_node is not None and command:
            words, found = rewrite_words(command, self.hosts)
            self._report_rewrites(name, cmd_node, found, command)
            c["args"] = words

    def _report_rewrites(
        self, name: str, node: YNode, found: list[list[Rewrite]], words: list[str]
    ) -> None:
        for i, rws in enumerate(found):
            item = node
            if isinstance(node.value, list) and i < len(node.value):
                item = node.value[i]
            for r in rws:
                self._rewrite_finding(name, item, r, words[i])

    def _rewrite_finding(self, name: str, node: YNode, r: Rewrite, text: str) -> None:
        span_node = node
        start = _substring_offset(node, text, r.start)
        if start is not None:
            span = node.source.span(start, start + (r.end - r.start))
        else:
            span = span_node.span
        self.r.add(
            "APL506",
            node.source,
            span,
            f"service `{name}`: host `{r.host}` becomes the reference `@{r.ref}`",
            pointer=node.pointer,
            help="PIVOT rewrites `@id` into the container's DNS name; if this was not a "
            "host name, write it back",
        )

    # ------------------------------------------------------------------ environment

    def _environment(self, name: str, node: YNode) -> dict[str, str]:
        entries: list[tuple[str, str | None, YNode | None, Any]] = []
        ef = node.get("env_file")
        if ef is not None:
            entries.extend(self._env_files(name, ef))
        env = node.get("environment")
        if env is not None:
            k = keyed(env, "environment")
            if not isinstance(k.value, dict):
                self.add("APL502", env, "`environment` must be a mapping or a list of K=V")
            else:
                for key, v in k.value.items():
                    if isinstance(v.value, dict | list):
                        self.add("APL502", v, f"environment `{key}` must be a single value")
                        continue
                    val = None if v.value is None else _scalar_text(v)
                    entries.append((key, val, v, None))
        out: dict[str, str] = {}
        for key, val, vnode, _ in entries:
            if val is None:
                got = self.p.env.get(key)
                if got is None:
                    if vnode is not None:
                        self.add(
                            "APL503",
                            vnode,
                            f"service `{name}`: `{key}` takes its value from the environment, "
                            "where it is not set; it is left out",
                        )
                    out.pop(key, None)
                    continue
                val = got
            bare = bool(ADDRESS_KEY.search(key)) or "=" in val
            new, found = rewrite_hosts(val, self.hosts, bare=bare)
            for r in found:
                if vnode is not None:
                    self._rewrite_finding(name, vnode, r, val)
            out[key] = new
        return out

    def _env_files(self, name: str, ef: YNode) -> list[tuple[str, str | None, YNode | None, Any]]:
        items = ef.value if isinstance(ef.value, list) else [ef]
        out: list[tuple[str, str | None, YNode | None, Any]] = []
        for item in items:
            path_node, required = item, True
            if isinstance(item.value, dict):
                path_node = item.get("path") or item
                req = item.get("required")
                required = not (req is not None and req.value is False)
            if not isinstance(path_node.value, str):
                self.add("APL502", item, "`env_file` entries are paths")
                continue
            base = self.p.base_dirs.get(path_node.source.path, self.p.project_dir)
            path = Path(resolve_path(base, path_node.value))
            values = self._env_file(name, path, path_node, required)
            for k, v in values.items():
                out.append((k, v, path_node, None))
        return out

    def _env_file(self, name: str, path: Path, path_node: YNode, required: bool) -> dict[str, str]:
        """The variables of one env_file, read through the project's gate (each file is
        read once, however many services name it)."""
        key = str(path)
        got = self._env_file_cache.get(key)
        if got is not None:
            return got
        assert self.p.gate is not None
        try:
            src = read_named(
                self.p.gate,
                path,
                self.r,
                MAX_DOTENV_BYTES,
                path_node,
                f"service `{name}`: env_file",
            )
        except (FileNotFoundError, NotADirectoryError):
            if required:
                self.add(
                    "APL502",
                    path_node,
                    f"service `{name}`: env_file `{path_node.value}` does not exist",
                )
            return {}
        if src is None:
            return {}
        values = self._env_file_cache[key] = load_dotenv(src, dict(self.p.env), self.r)
        return values

    # ------------------------------------------------------------------ ports

    def _ports(self, name: str, node: YNode) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        seen: set[tuple[int, str]] = set()
        reported: set[str] = set()

        def once(feature: str, at: YNode, help: str) -> None:
            if feature not in reported:
                reported.add(feature)
                self.unsupported(name, at, feature, help)

        def add(cport: int, hport: int, proto: str, pname: str | None) -> None:
            if (cport, proto) in seen:
                return
            seen.add((cport, proto))
            p: dict[str, Any] = {"container_port": cport, "host_port": hport, "protocol": proto}
            if pname:
                p["name"] = pname
            out.append(p)

        ports = node.get("ports")
        for item in ports.value if ports is not None and isinstance(ports.value, list) else []:
            v = item.value
            if isinstance(v, dict):
                self._long_port(name, item, add, once)
                continue
            if isinstance(v, bool) or not isinstance(v, str | int):
                self.add("APL502", item, "a port is a string such as `8080:80` or a mapping")
                continue
            try:
                specs = parse_port(str(v))
            except ValueError as exc:
                self.add("APL502", item, f"service `{name}`: {exc}")
                continue
            for s in specs:
                if s.protocol == "sctp":
                    once("ports.sctp", item, "PIVOT ports are tcp or udp")
                    continue
                if s.host_ip:
                    once("ports.host_ip", item, "PIVOT publishes on every address of the agent")
                if s.host_range:
                    once(
                        "ports.host_range",
                        item,
                        "the port is published on any free host port instead of the range",
                    )
                add(s.container_port, s.host_port, s.protocol, None)
        exp = node.get("expose")
        for item in exp.value if exp is not None and isinstance(exp.value, list) else []:
            try:
                specs = parse_port(str(item.value))
            except ValueError as exc:
                self.add("APL502", item, f"service `{name}`: {exc}")
                continue
            for s in specs:
                if s.protocol != "sctp":
                    add(s.container_port, 0, s.protocol, None)
        return out

    def _long_port(
        self,
        name: str,
        item: YNode,
        add: Callable[[int, int, str, str | None], None],
        once: Callable[[str, YNode, str], None],
    ) -> None:
        target = item.get("target")
        if (
            target is None
            or isinstance(target.value, bool)
            or not isinstance(target.value, int | str)
        ):
            self.add("APL502", item, f"service `{name}`: a long-form port needs a `target`")
            return
        proto_node = item.get("protocol")
        proto = str(proto_node.value).lower() if proto_node is not None else "tcp"
        if proto not in ("tcp", "udp"):
            once("ports.protocol", item, "PIVOT ports are tcp or udp")
            return
        try:
            cport = int(str(target.value))
            pub = item.get("published")
            host = 0
            host_range = False
            if pub is not None and pub.value not in (None, ""):
                text = str(pub.value)
                if "-" in text:
                    host_range = True
                else:
                    host = int(text)
            if not (0 < cport <= 65535 and 0 <= host <= 65535):
                raise ValueError
        except ValueError:
            self.add("APL502", item, f"service `{name}`: the port numbers are not 0-65535")
            return
        if item.get("host_ip") is not None:
            once("ports.host_ip", item, "PIVOT publishes on every address of the agent")
        if host_range:
            once("ports.host_range", item, "the port is published on any free host port")
        nm = item.get("name")
        add(cport, host, proto, str(nm.value) if nm is not None and nm.value else None)

    # ------------------------------------------------------------------ volumes

    def _volumes(self, name: str, node: YNode, is_job: bool) -> list[dict[str, Any]]:
        vols = node.get("volumes")
        if vols is None or not isinstance(vols.value, list):
            return []
        out: list[dict[str, Any]] = []
        reported: set[str] = set()

        def once(feature: str, at: YNode, help: str) -> None:
            if feature not in reported:
                reported.add(feature)
                self.unsupported(name, at, feature, help)

        for item in vols.value:
            v = item.value
            if isinstance(v, str):
                try:
                    spec = parse_volume(v)
                except ValueError as exc:
                    self.add("APL502", item, f"service `{name}`: {exc}")
                    continue
                kind, src, target, ro = spec.kind, spec.source, spec.target, spec.read_only
            elif isinstance(v, dict):
                t = item.get("type")
                kind = str(t.value) if t is not None else "volume"
                s = item.get("source")
                src = str(s.value) if s is not None and s.value is not None else None
                tg = item.get("target")
                target = str(tg.value) if tg is not None else ""
                rn = item.get("read_only")
                ro = rn is not None and rn.value is True
                if kind == "volume" and src is None:
                    kind = "anonymous"
            else:
                self.add("APL502", item, "a volume is a string or a mapping")
                continue
            if not target:
                self.add("APL502", item, f"service `{name}`: the volume has no target")
                continue
            if ro:
                once(
                    "volumes.read_only",
                    item,
                    "PIVOT mounts volumes read-write; the mount is kept without `:ro`",
                )
            if kind == "bind" and src is not None:
                base = self.p.base_dirs.get(item.source.path, self.p.project_dir)
                path = resolve_path(base, src)
                self.add(
                    "APL511",
                    item,
                    f"service `{name}`: host folder `{path}` is mounted at `{target}`"
                    + (f" (`{src}` resolved against {base})" if path != src else ""),
                    help="the folder must exist on every agent that may run the container",
                )
                out.append({"src": path, "dest": target, "type": "HOST"})
            elif kind == "volume" and src is not None:
                vid = self._volume(name, item, src)
                if vid is not None:
                    out.append({"src": vid, "dest": target, "type": "PERSISTENT"})
            elif kind == "anonymous":
                once(
                    "volumes.anonymous",
                    item,
                    "an anonymous volume lives as long as the container: the container's "
                    "own file system does the same; name the volume to keep the data",
                )
            else:
                once(f"volumes.{kind}", item, "PIVOT mounts host folders and named volumes only")
        return out

    def _volume(self, name: str, item: YNode, src: str) -> str | None:
        decl = self.p.volumes.get(src)
        if decl is None:
            self.add(
                "APL502",
                item,
                f"service `{name}` mounts volume `{src}`, which the top-level `volumes` "
                "does not declare",
            )
            return None
        scope = "local"
        vname = src
        ext = decl.get("external")
        if ext is not None and ext.value not in (None, False):
            scope = "global"
            n = decl.get("name")
            if isinstance(ext.value, dict) and ext.get("name") is not None:
                n = ext.get("name")
            if n is not None and isinstance(n.value, str):
                vname = n.value
        for key in ("driver", "driver_opts"):
            d = decl.get(key)
            if d is not None and d.value is not None:
                self.add(
                    "APL507",
                    d,
                    f"volume `{src}`: `{key}` is not carried; PIVOT volumes are cephfs",
                    key=True,
                )
        vid = _VOLUME_ID.sub("-", vname).strip("-") or "volume"
        self.volumes.setdefault(vid, {"id": vid, "scope": scope})
        return vid

    # ------------------------------------------------------------------ health check

    def _healthcheck(self, name: str, node: YNode) -> dict[str, Any] | None:
        hc = node.get("healthcheck")
        if hc is None or not isinstance(hc.value, dict):
            return None
        dis = hc.get("disable")
        if dis is not None and dis.value is True:
            return None
        test = hc.get("test")
        if test is None:
            return None
        command: str | None = None
        if isinstance(test.value, str):
            command = test.value
        elif isinstance(test.value, list) and test.value:
            words = [_scalar_text(w) for w in test.value]
            head, rest = words[0], words[1:]
            if head == "NONE":
                return None
            if head == "CMD-SHELL":
                command = " ".join(rest)
            elif head == "CMD":
                command = shlex.join(rest)
            else:
                self.add("APL502", test, "a health-check test starts with CMD, CMD-SHELL or NONE")
                return None
        if not command:
            return None
        new, found = rewrite_hosts(command, self.hosts, bare=False)
        for r in found:
            self._rewrite_finding(name, test, r, command)
        out: dict[str, Any] = {"protocol": "COMMAND", "command": new}
        for key, field, default in (
            ("interval", "interval_seconds", 30),
            ("timeout", "timeout_seconds", 30),
            ("start_period", "grace_period_seconds", 0),
        ):
            got = self._value(hc.get(key), duration_seconds, f"healthcheck {key}")
            out[field] = got if got else default
        retries = hc.get("retries")
        if retries is not None and isinstance(retries.value, int) and retries.value > 0:
            out["max_consecutive_failures"] = retries.value
        else:
            out["max_consecutive_failures"] = 3
        return out

    # ------------------------------------------------------------------ dependencies

    def _dependencies(self, name: str, node: YNode) -> list[str]:
        out: list[str] = []
        for key in ("depends_on", "links"):
            dep = node.get(key)
            if dep is None:
                continue
            for other, at in _items(keyed(dep, key)):
                if other == name:
                    continue
                cid = self.ids.get(other)
                if cid is None:
                    why = (
                        "is not active (its profile is not selected; see --profile)"
                        if other in self.p.disabled
                        else "is not defined"
                    )
                    self.add(
                        "APL512",
                        at,
                        f"service `{name}` depends on `{other}`, which {why}; "
                        "the dependency is dropped",
                    )
                    continue
                if cid not in out:
                    out.append(cid)
        return out

    # ------------------------------------------------------------------ the rest

    def _report_rest(self, name: str, node: YNode) -> None:
        for key, child in node.value.items():
            if key.startswith("x-") or key in _HANDLED:
                continue
            if key in _UNSUPPORTED_HELP:
                self.unsupported(name, child, key)
            else:
                self.add(
                    "APL507",
                    child,
                    f"service `{name}`: `{key}` is not carried into the appliance",
                    help="applc does not know this compose key; check its spelling",
                    key=True,
                )
        build = node.get("build")
        if build is not None and node.get("image") is not None:
            self.unsupported(name, build, "build")
        deploy = node.get("deploy")
        if deploy is not None and isinstance(deploy.value, dict):
            for key, child in deploy.value.items():
                if key in ("resources", "replicas", "restart_policy"):
                    continue
                self.unsupported(
                    name, child, f"deploy.{key}", "swarm deployment settings have no PIVOT form"
                )
        nm = node.get("networks")
        if nm is not None:
            for net in _keys(keyed(nm, "networks")):
                decl = self.p.networks.get(net)
                if decl is not None and net != "default" and decl.get("external") is not None:
                    self.unsupported(name, nm, "networks")
                    break


def _keys(node: YNode) -> list[str]:
    return list(node.value) if isinstance(node.value, dict) else []


def _items(node: YNode) -> list[tuple[str, YNode]]:
    return list(node.value.items()) if isinstance(node.value, dict) else []


def _scalar_text(node: YNode) -> str:
    v = node.value
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float) and node.text is not None and not node.interpolated:
        return node.text
    if v is None:
        return ""
    return str(v)


def _substring_offset(node: YNode, text: str, index: int) -> int | None:
    """Where character `index` of a value's `text` sits in the source, when the value is
    written plainly there (no quoting escapes, no interpolation)."""
    if node.interpolated or node.start >= node.end:
        return None
    raw = node.source.text[node.start : node.end]
    at = raw.find(text)
    if at < 0 or "\\" in raw[: at + index]:
        return None
    return node.start + at + index
