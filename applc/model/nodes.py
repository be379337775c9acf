"""The typed appliance model that every front end produces and every later stage reads.

Nodes are built leniently from a document's JSON value: a field of the wrong type reads
as absent here (the structure rules report it), so semantic rules and targets can trust
the types they see. Every node knows its source (file and text), its JSON pointer, and
so its span.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from applc.source import Source, Span, join_pointer


@dataclass(eq=False, slots=True)
class Node:
    """`base` + `tail` is the node's JSON pointer. A node inside a container keeps its
    container's pointer as `base` and a tail such as `/ports/0` that every container
    shares, so a big appliance does not hold a new pointer string for each node."""

    source: Source
    base: str
    tail: str = field(default="", kw_only=True)

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


@dataclass(eq=False, slots=True)
class Resources(Node):
    cpus: float | None = None
    mem: float | None = None
    disk: float = 0
    gpu: float = 0


@dataclass(eq=False, slots=True)
class Port(Node):
    container_port: int | None = None
    host_port: int = 0
    protocol: str = "tcp"
    name: str | None = None


@dataclass(eq=False, slots=True)
class Volume(Node):
    """Both forms, normalised: `legacy` says which one the file used."""

    legacy: bool = False
    source_path: str | None = None  # src / host_path
    container_path: str | None = None  # dest / container_path
    kind: str = "PERSISTENT"  # HOST or PERSISTENT; legacy volumes are HOST
    mode: str = "RW"


@dataclass(eq=False, slots=True)
class HealthCheck(Node):
    protocol: str = "MESOS_TCP"
    path: str = "/"
    port_index: int = 0
    max_consecutive_failures: int = 3
    grace_period_seconds: int = 300
    interval_seconds: int = 60
    timeout_seconds: int = 20
    command: str | None = None


@dataclass(eq=False, slots=True)
class PersistentVolume(Node):
    id: str | None = None
    scope: str = "LOCAL"


@dataclass(eq=False, slots=True)
class DataPersistence(Node):
    volume_type: str = "cephfs"
    volumes: list[PersistentVolume] = field(default_factory=list)
    _by_id: dict[str, PersistentVolume] | None = field(default=None, init=False, repr=False)

    @property
    def by_id(self) -> dict[str, PersistentVolume]:
        """The first declared volume with each id."""
        if self._by_id is None:
            self._by_id = first_by_id(self.volumes)
        return self._by_id


@dataclass(eq=False, slots=True)
class Container(Node):
    id: str | None = None
    type: str | None = None
    image: str | None = None
    resources: Resources | None = None
    cmd: str | None = None
    args: list[Any] = field(default_factory=list)
    env: dict[str, Any] = field(default_factory=dict)
    volumes: list[Volume] = field(default_factory=list)
    network_mode: str = "HOST"
    network_mode_explicit: bool = False
    ports: list[Port] = field(default_factory=list)
    is_privileged: bool = False
    force_pull_image: bool = True
    dependencies: list[str] = field(default_factory=list)
    placement: dict[str, str] = field(default_factory=dict)
    preemptible: bool = False
    # service fields
    instances: int = 1
    health_check: HealthCheck | None = None
    default_health_check: bool = False
    minimum_capacity: float = 0
    # job fields
    retries: int = 1
    repeats: int = 1
    start_time: str = ""
    interval: str = "2M"
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def is_job(self) -> bool:
        return self.type == "job"

    @property
    def is_service(self) -> bool:
        return self.type == "service"

    def referencing_strings(self) -> list[tuple[str, str]]:
        """(pointer, text) of every string in which PIVOT rewrites `@id` references:
        `cmd`, each `args` element, each `env` value, and a COMMAND health check."""
        out: list[tuple[str, str]] = []
        if isinstance(self.cmd, str):
            out.append((self.at("cmd"), self.cmd))
        for i, a in enumerate(self.args):
            if isinstance(a, str):
                out.append((self.at("args", i), a))
        for k, v in self.env.items():
            if isinstance(v, str):
                out.append((self.at("env", k), v))
        hc = self.health_check
        if hc is not None and hc.protocol == "COMMAND" and isinstance(hc.command, str):
            out.append((hc.at("command"), hc.command))
        return out


@dataclass(eq=False, slots=True)
class Appliance(Node):
    id: str | None = None
    containers: list[Container] = field(default_factory=list)
    data_persistence: DataPersistence | None = None
    scheduler: dict[str, Any] | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    _by_id: dict[str, Container] | None = field(default=None, init=False, repr=False)

    def container(self, cid: str) -> Container | None:
        return self.by_id.get(cid)

    @property
    def by_id(self) -> dict[str, Container]:
        """The first container with each id (a duplicate is reported, not kept)."""
        if self._by_id is None:
            self._by_id = first_by_id(self.containers)
        return self._by_id
