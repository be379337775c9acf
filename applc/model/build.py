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


# The container fields `build_container` reads as they are, in the order it names them.
_READ = (
    "id", "type", "image", "cmd", "args", "env", "network_mode", "ports", "volumes",
    "is_privileged", "force_pull_image", "dependencies", "schedule_hints", "health_check",
    "default_health_check", "start_time", "interval",
)  # fmt: skip


def build_container(source: Source, pointer: str, raw: dict[str, Any]) -> Container:
    # Every field is read first and the node made once, in the order of its fields: a
    # node made with defaults and then filled in did its work twice. The common
    # fields' checks are written inline (`_str` and the others, as expressions): a
    # call per field was a fifth of the model's cost on a big appliance.
    get = raw.get
    res = get("resources")
    resources = (
        Resources(
            source,
            pointer,
            _num(res.get("cpus")),
            _num(res.get("mem")),
            _num(res.get("disk")) or 0,
            _num(res.get("gpu")) or 0,
            tail="/resources",
        )
        if isinstance(res, dict)
        else None
    )
    (
        cid, ctype, image, cmd, args, env, nm, ports, volumes, privileged, force_pull, deps,
        hints, hc, default_hc, start_time, interval,
    ) = map(get, _READ)  # fmt: skip
    if isinstance(hints, dict):
        placement = _dict(hints.get("placement"))
        preemptible = _bool(hints.get("preemptible"), False)
    else:
        placement = {}
        preemptible = False
    mc = _num(get("minimum_capacity"))
    return Container(
        source,
        pointer,
        cid if isinstance(cid, str) else None,
        ctype if isinstance(ctype, str) else None,
        image if isinstance(image, str) else None,
        resources,
        cmd if isinstance(cmd, str) else None,
        # The model shares the document's lists and dicts where it keeps them whole: a
        # big appliance would otherwise hold each of them twice.
        args if isinstance(args, list) else [],
        env if isinstance(env, dict) else {},
        [
            _volume(source, pointer, _tail("volumes", i), v)
            for i, v in enumerate(volumes)
            if isinstance(v, dict)
        ]
        if isinstance(volumes, list) and volumes
        else [],
        nm.upper() if isinstance(nm, str) else "HOST",
        isinstance(nm, str),
        [
            Port(
                source,
                pointer,
                _opt_int(p.get("container_port")),
                _int(p.get("host_port"), 0),
                _str(p.get("protocol"), "tcp") or "tcp",
                _str(p.get("name")),
                tail=_tail("ports", i),
            )
            for i, p in enumerate(ports)
            if isinstance(p, dict)
        ]
        if isinstance(ports, list) and ports
        else [],
        privileged if isinstance(privileged, bool) else False,
        force_pull if isinstance(force_pull, bool) else True,
        (deps if all(isinstance(d, str) for d in deps) else [d for d in deps if isinstance(d, str)])
        if isinstance(deps, list)
        else [],
        placement
        if all(isinstance(v, str) for v in placement.values())
        else {k: v for k, v in placement.items() if isinstance(v, str)},
        preemptible,
        _int(get("instances"), 1),
        HealthCheck(
            source,
            pointer,
            _str(hc.get("protocol"), "MESOS_TCP") or "MESOS_TCP",
            _str(hc.get("path"), "/") or "/",
            _int(hc.get("port_index"), 0),
            _int(hc.get("max_consecutive_failures"), 3),
            _int(hc.get("grace_period_seconds"), 300),
            _int(hc.get("interval_seconds"), 60),
            _int(hc.get("timeout_seconds"), 20),
            _str(hc.get("command")),
            tail="/health_check",
        )
        if isinstance(hc, dict)
        else None,
        default_hc if isinstance(default_hc, bool) else False,
        mc if mc is not None else 0,
        _int(get("retries"), 1),
        _int(get("repeats"), 1),
        (start_time or "") if isinstance(start_time, str) else "",
        (interval or "2M") if isinstance(interval, str) else "2M",
        raw,
    )


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
