"""The typed appliance model that every front end produces and every later stage reads.

Nodes are built leniently from a document's JSON value: a field of the wrong type reads
as absent here (the structure rules report it), so semantic rules and targets can trust
the types they see. Every node knows its source (file and text), its JSON pointer, and
so its span.
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol, TypeVar

from applc.records import Record
from applc.source import Source, Span, join_pointer


class Node(Record):
    """`base` + `tail` is the node's JSON pointer. A node inside a container keeps its
    container's pointer as `base` and a tail such as `/ports/0` that every container
    shares, so a big appliance does not hold a new pointer string for each node.

    Nodes compare by identity. Each kind lists its fields after `source` and `base`
    (`tail`, keyword-only, comes last), and in `FIELDS` for `repr`."""

    __slots__ = ("source", "base", "tail")
    FIELDS: ClassVar[tuple[str, ...]] = ("source", "base", "tail")

    def __init__(self, source: Source, base: str, *, tail: str = "") -> None:
        self.source = source
        self.base = base
        self.tail = tail

    @property
    def pointer(self) -> str:
        return self.base + self.tail if self.tail else self.base

    @property
    def file(self) -> str:
        return self.source.path

    @property
    def span(self) -> Span:
        return self.source.locate(self.pointer)

    def at(self, *tokens: str | int) -> str:
        """The pointer of something inside this node."""
        return join_pointer(self.pointer, *tokens)


class _HasId(Protocol):
    id: str | None


_T = TypeVar("_T", bound=_HasId)


def first_by_id(nodes: list[_T]) -> dict[str, _T]:
    """The first of `nodes` with each id (lint reports the duplicates)."""
    out: dict[str, _T] = {}
    for n in nodes:
        if isinstance(n.id, str) and n.id not in out:
            out[n.id] = n
    return out


class Resources(Node):
    __slots__ = ("cpus", "mem", "disk", "gpu")
    FIELDS = ("source", "base", "tail", *__slots__)

    def __init__(
        self,
        source: Source,
        base: str,
        cpus: float | None = None,
        mem: float | None = None,
        disk: float = 0,
        gpu: float = 0,
        *,
        tail: str = "",
    ) -> None:
        self.source = source
        self.base = base
        self.tail = tail
        self.cpus = cpus
        self.mem = mem
        self.disk = disk
        self.gpu = gpu


class Port(Node):
    __slots__ = ("container_port", "host_port", "protocol", "name")
    FIELDS = ("source", "base", "tail", *__slots__)

    def __init__(
        self,
        source: Source,
        base: str,
        container_port: int | None = None,
        host_port: int = 0,
        protocol: str = "tcp",
        name: str | None = None,
        *,
        tail: str = "",
    ) -> None:
        self.source = source
        self.base = base
        self.tail = tail
        self.container_port = container_port
        self.host_port = host_port
        self.protocol = protocol
        self.name = name


class Volume(Node):
    """Both forms, normalised: `legacy` says which one the file used."""

    __slots__ = ("legacy", "source_path", "container_path", "kind", "mode")
    FIELDS = ("source", "base", "tail", *__slots__)

    def __init__(
        self,
        source: Source,
        base: str,
        legacy: bool = False,
        source_path: str | None = None,  # src / host_path
        container_path: str | None = None,  # dest / container_path
        kind: str = "PERSISTENT",  # HOST or PERSISTENT; legacy volumes are HOST
        mode: str = "RW",
        *,
        tail: str = "",
    ) -> None:
        self.source = source
        self.base = base
        self.tail = tail
        self.legacy = legacy
        self.source_path = source_path
        self.container_path = container_path
        self.kind = kind
        self.mode = mode


class HealthCheck(Node):
    __slots__ = (
        "protocol",
        "path",
        "port_index",
        "max_consecutive_failures",
        "grace_period_seconds",
        "interval_seconds",
        "timeout_seconds",
        "command",
    )
    FIELDS = ("source", "base", "tail", *__slots__)

    def __init__(
        self,
        source: Source,
        base: str,
        protocol: str = "MESOS_TCP",
        path: str = "/",
        port_index: int = 0,
        max_consecutive_failures: int = 3,
        grace_period_seconds: int = 300,
        interval_seconds: int = 60,
        timeout_seconds: int = 20,
        command: str | None = None,
        *,
        tail: str = "",
    ) -> None:
        self.source = source
        self.base = base
        self.tail = tail
        self.protocol = protocol
        self.path = path
        self.port_index = port_index
        self.max_consecutive_failures = max_consecutive_failures
        self.grace_period_seconds = grace_period_seconds
        self.interval_seconds = interval_seconds
        self.timeout_seconds = timeout_seconds
        self.command = command


class PersistentVolume(Node):
    __slots__ = ("id", "scope")
    FIELDS = ("source", "base", "tail", *__slots__)

    def __init__(
        self,
        source: Source,
        base: str,
        id: str | None = None,
        scope: str = "LOCAL",
        *,
        tail: str = "",
    ) -> None:
        self.source = source
        self.base = base
        self.tail = tail
        self.id = id
        self.scope = scope


class DataPersistence(Node):
    __slots__ = ("volume_type", "volumes", "_by_id")
    FIELDS = ("source", "base", "tail", "volume_type", "volumes")

    def __init__(
        self,
        source: Source,
        base: str,
        volume_type: str = "cephfs",
        volumes: list[PersistentVolume] | None = None,
        *,
        tail: str = "",
    ) -> None:
        self.source = source
        self.base = base
        self.tail = tail
        self.volume_type = volume_type
        self.volumes = [] if volumes is None else volumes
        self._by_id: dict[str, PersistentVolume] | None = None

    @property
    def by_id(self) -> dict[str, PersistentVolume]:
        """The first declared volume with each id."""
        if self._by_id is None:
            self._by_id = first_by_id(self.volumes)
        return self._by_id


class Container(Node):
    __slots__ = (
        "id",
        "type",
        "image",
        "resources",
        "cmd",
        "args",
        "env",
        "volumes",
        "network_mode",
        "network_mode_explicit",
        "ports",
        "is_privileged",
        "force_pull_image",
        "dependencies",
        "placement",
        "preemptible",
        "instances",
        "health_check",
        "default_health_check",
        "minimum_capacity",
        "retries",
        "repeats",
        "start_time",
        "interval",
        "raw",
    )
    FIELDS = ("source", "base", "tail", *__slots__)

    def __init__(
        self,
        source: Source,
        base: str,
        id: str | None = None,
        type: str | None = None,
        image: str | None = None,
        resources: Resources | None = None,
        cmd: str | None = None,
        args: list[Any] | None = None,
        env: dict[str, Any] | None = None,
        volumes: list[Volume] | None = None,
        network_mode: str = "HOST",
        network_mode_explicit: bool = False,
        ports: list[Port] | None = None,
        is_privileged: bool = False,
        force_pull_image: bool = True,
        dependencies: list[str] | None = None,
        placement: dict[str, str] | None = None,
        preemptible: bool = False,
        # service fields
        instances: int = 1,
        health_check: HealthCheck | None = None,
        default_health_check: bool = False,
        minimum_capacity: float = 0,
        # job fields
        retries: int = 1,
        repeats: int = 1,
        start_time: str = "",
        interval: str = "2M",
        raw: dict[str, Any] | None = None,
        *,
        tail: str = "",
    ) -> None:
        self.source = source
        self.base = base
        self.tail = tail
        self.id = id
        self.type = type
        self.image = image
        self.resources = resources
        self.cmd = cmd
        self.args = [] if args is None else args
        self.env = {} if env is None else env
        self.volumes = [] if volumes is None else volumes
        self.network_mode = network_mode
        self.network_mode_explicit = network_mode_explicit
        self.ports = [] if ports is None else ports
        self.is_privileged = is_privileged
        self.force_pull_image = force_pull_image
        self.dependencies = [] if dependencies is None else dependencies
        self.placement = {} if placement is None else placement
        self.preemptible = preemptible
        self.instances = instances
        self.health_check = health_check
        self.default_health_check = default_health_check
        self.minimum_capacity = minimum_capacity
        self.retries = retries
        self.repeats = repeats
        self.start_time = start_time
        self.interval = interval
        self.raw = {} if raw is None else raw

    @property
    def is_job(self) -> bool:
        return self.type == "job"

    @property
    def is_service(self) -> bool:
        return self.type == "service"

    def referencing_strings(self, containing: str = "") -> list[tuple[str, str]]:
        """(pointer, text) of every string in which PIVOT rewrites `@id` references:
        `cmd`, each `args` element, each `env` value, and a COMMAND health check. With
        `containing`, only the strings that contain it, and only their pointers are made
        (lint looks at the strings with an `@`: a few of a big appliance's thousands)."""
        out: list[tuple[str, str]] = []
        cmd = self.cmd
        if isinstance(cmd, str) and containing in cmd:
            out.append((self.at("cmd"), cmd))
        for i, a in enumerate(self.args):
            if isinstance(a, str) and containing in a:
                out.append((self.at("args", i), a))
        for k, v in self.env.items():
            if isinstance(v, str) and containing in v:
                out.append((self.at("env", k), v))
        hc = self.health_check
        if (
            hc is not None
            and hc.protocol == "COMMAND"
            and isinstance(hc.command, str)
            and containing in hc.command
        ):
            out.append((hc.at("command"), hc.command))
        return out


class Appliance(Node):
    __slots__ = ("id", "containers", "data_persistence", "scheduler", "raw", "_by_id")
    FIELDS = ("source", "base", "tail", "id", "containers", "data_persistence", "scheduler", "raw")

    def __init__(
        self,
        source: Source,
        base: str,
        id: str | None = None,
        containers: list[Container] | None = None,
        data_persistence: DataPersistence | None = None,
        scheduler: dict[str, Any] | None = None,
        raw: dict[str, Any] | None = None,
        *,
        tail: str = "",
    ) -> None:
        self.source = source
        self.base = base
        self.tail = tail
        self.id = id
        self.containers = [] if containers is None else containers
        self.data_persistence = data_persistence
        self.scheduler = scheduler
        self.raw = {} if raw is None else raw
        self._by_id: dict[str, Container] | None = None

    def container(self, cid: str) -> Container | None:
        return self.by_id.get(cid)

    @property
    def by_id(self) -> dict[str, Container]:
        """The first container with each id (a duplicate is reported, not kept)."""
        if self._by_id is None:
            self._by_id = first_by_id(self.containers)
        return self._by_id
