"""JSON value -> typed model, leniently: wrong types read as absent (rules report them)."""

from __future__ import annotations

from typing import Any

from applc.model.nodes import (
    Appliance,
    Container,
    DataPersistence,
    HealthCheck,
    PersistentVolume,
    Port,
    Resources,
    Volume,
)
from applc.source import Source, join_pointer


def _num(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return None
    return v


def _int(v: Any, default: int) -> int:
    if isinstance(v, bool):
        return default
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return default


def _opt_int(v: Any) -> int | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return None


def _str(v: Any, default: str | None = None) -> str | None:
    return v if isinstance(v, str) else default


def _bool(v: Any, default: bool) -> bool:
    return v if isinstance(v, bool) else default


def _dict(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


def _list(v: Any) -> list[Any]:
    return v if isinstance(v, list) else []


def build_appliance(source: Source, value: Any) -> Appliance:
    raw = _dict(value)
    app = Appliance(source, "", id=_str(raw.get("id")), raw=raw)
    containers = _list(raw.get("containers"))
    app.containers = [
        build_container(source, join_pointer("/containers", i), c)
        for i, c in enumerate(containers)
        if isinstance(c, dict)
    ]
    dp = raw.get("data_persistence")
    if isinstance(dp, dict):
        dptr = "/data_persistence"
        app.data_persistence = DataPersistence(
            source,
            dptr,
            volume_type=_str(dp.get("volume_type"), "cephfs") or "cephfs",
            volumes=[
                PersistentVolume(
                    source,
                    join_pointer(dptr, "volumes", i),
                    id=_str(v.get("id")),
                    scope=(_str(v.get("scope"), "local") or "local").upper(),
                )
                for i, v in enumerate(_list(dp.get("volumes")))
                if isinstance(v, dict)
            ],
        )
    sched = raw.get("scheduler")
    app.scheduler = sched if isinstance(sched, dict) else None
    return app


_TAILS: dict[tuple[str, int], str] = {}


def _tail(name: str, i: int) -> str:
    """`/name/i`, one string for all containers."""
    t = _TAILS.get((name, i))
    if t is None:
        t = _TAILS[name, i] = f"/{name}/{i}"
    return t


def build_container(source: Source, pointer: str, raw: dict[str, Any]) -> Container:
    c = Container(source, pointer, raw=raw)
    c.id = _str(raw.get("id"))
    c.type = _str(raw.get("type"))
    c.image = _str(raw.get("image"))
    res = raw.get("resources")
    if isinstance(res, dict):
        c.resources = Resources(
            source,
            pointer,
            tail="/resources",
            cpus=_num(res.get("cpus")),
            mem=_num(res.get("mem")),
            disk=_num(res.get("disk")) or 0,
            gpu=_num(res.get("gpu")) or 0,
        )
    c.cmd = _str(raw.get("cmd"))
    # The model shares the document's lists and dicts where it keeps them whole: a big
    # appliance would otherwise hold each of them twice.
    c.args = _list(raw.get("args"))
    c.env = _dict(raw.get("env"))
    nm = raw.get("network_mode")
    if isinstance(nm, str):
        c.network_mode = nm.upper()
        c.network_mode_explicit = True
    c.ports = [
        Port(
            source,
            pointer,
            tail=_tail("ports", i),
            container_port=_opt_int(p.get("container_port")),
            host_port=_int(p.get("host_port"), 0),
            protocol=_str(p.get("protocol"), "tcp") or "tcp",
            name=_str(p.get("name")),
        )
        for i, p in enumerate(_list(raw.get("ports")))
        if isinstance(p, dict)
    ]
    c.volumes = [
        _volume(source, pointer, _tail("volumes", i), v)
        for i, v in enumerate(_list(raw.get("volumes")))
        if isinstance(v, dict)
    ]
    c.is_privileged = _bool(raw.get("is_privileged"), False)
    c.force_pull_image = _bool(raw.get("force_pull_image"), True)
    deps = _list(raw.get("dependencies"))
    c.dependencies = (
        deps if all(isinstance(d, str) for d in deps) else [d for d in deps if isinstance(d, str)]
    )
    hints = _dict(raw.get("schedule_hints"))
    c.preemptible = _bool(hints.get("preemptible"), False)
    placement = _dict(hints.get("placement"))
    c.placement = (
        placement
        if all(isinstance(v, str) for v in placement.values())
        else {k: v for k, v in placement.items() if isinstance(v, str)}
    )
    c.instances = _int(raw.get("instances"), 1)
    hc = raw.get("health_check")
    if isinstance(hc, dict):
        c.health_check = HealthCheck(
            source,
            pointer,
            tail="/health_check",
            protocol=_str(hc.get("protocol"), "MESOS_TCP") or "MESOS_TCP",
            path=_str(hc.get("path"), "/") or "/",
            port_index=_int(hc.get("port_index"), 0),
            max_consecutive_failures=_int(hc.get("max_consecutive_failures"), 3),
            grace_period_seconds=_int(hc.get("grace_period_seconds"), 300),
            interval_seconds=_int(hc.get("interval_seconds"), 60),
            timeout_seconds=_int(hc.get("timeout_seconds"), 20),
            command=_str(hc.get("command")),
        )
    c.default_health_check = _bool(raw.get("default_health_check"), False)
    mc = _num(raw.get("minimum_capacity"))
    c.minimum_capacity = mc if mc is not None else 0
    c.retries = _int(raw.get("retries"), 1)
    c.repeats = _int(raw.get("repeats"), 1)
    c.start_time = _str(raw.get("start_time"), "") or ""
    c.interval = _str(raw.get("interval"), "2M") or "2M"
    return c


def _volume(source: Source, pointer: str, tail: str, raw: dict[str, Any]) -> Volume:
    if "container_path" in raw or "host_path" in raw or "mode" in raw:
        return Volume(
            source,
            pointer,
            tail=tail,
            legacy=True,
            source_path=_str(raw.get("host_path")),
            container_path=_str(raw.get("container_path")),
            kind="HOST",
            mode=(_str(raw.get("mode"), "RW") or "RW"),
        )
    return Volume(
        source,
        pointer,
        tail=tail,
        legacy=False,
        source_path=_str(raw.get("src")),
        container_path=_str(raw.get("dest")),
        kind=(_str(raw.get("type"), "PERSISTENT") or "PERSISTENT").upper(),
        mode="RW",
    )
