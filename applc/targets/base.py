"""What every target shares: the adapter interface, reference resolution and start order.

A target is an adapter (a `Target` subclass in `applc/targets/<name>/`, or a third-party
object behind an `applc.targets` entry point) plus a folder of Jinja templates. The
adapter turns the model into the view its templates render; it never writes text itself.
Reference resolution is the same for every target (the one tokenizer of
`applc.resolve.references`); only the naming function differs.

Nothing here imports Jinja or YAML: `applc lint --target` uses these helpers too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from applc.model.fields import IGNORE_KEY, SCHEMA_KEY
from applc.model.nodes import Appliance, Container, PersistentVolume, Port
from applc.resolve.graph import DependencyGraph
from applc.resolve.references import rewrite

if TYPE_CHECKING:
    from applc.rules.registry import Check

# container id -> the name that reaches it on the target
Naming = Callable[[str], str]


@dataclass(frozen=True)
class TargetOptions:
    """What a build may choose beyond the appliance (Kubernetes: the namespace)."""

    namespace: str | None = None


@dataclass(frozen=True)
class OutputFile:
    """One file a target writes for an appliance: `<appliance>.<suffix>`, rendered from
    `template` (a file of the target's template folder) with `context`."""

    suffix: str
    template: str
    context: dict[str, Any]


class Target:
    """The adapter of one target. Subclasses set the class attributes and implement
    `naming` and `outputs`; `template_dir` defaults to the packaged `targets/<name>/`,
    and `checks` to the checks registered with `@check(..., target=name)`."""

    name: ClassVar[str]
    summary: ClassVar[str] = ""
    # Every suffix the target may write for one appliance (a stale file with one of
    # these names is removed when the build no longer produces it).
    suffixes: ClassVar[tuple[str, ...]] = ()

    def template_dir(self) -> Path:
        from applc.targets.registry import templates_root

        return templates_root() / self.name

    def checks(self) -> Sequence[Check]:
        """What this target cannot express, as checks: `applc lint --target NAME` and
        `applc build` run them with the rest. The default is every check registered with
        `@check(codes..., target=self.name)` (for the built-in targets, in
        `applc/targets/<name>/checks.py`)."""
        from applc.rules.registry import checks_for, load_rules

        load_rules()
        return checks_for(self.name)

    def naming(self, app: Appliance, options: TargetOptions) -> Naming:
        raise NotImplementedError

    def outputs(self, app: Appliance, options: TargetOptions) -> list[OutputFile]:
        raise NotImplementedError


# --------------------------------------------------------------------------- resolution


def resolve_text(text: str, naming: Naming, known: Iterable[str]) -> str:
    """`text` with each `@id` of a known container replaced by `naming(id)` and each
    `\\@` replaced by `@`. A reference to an unknown id (which lint reports as an error)
    is left as written."""
    ids = known if isinstance(known, set | frozenset | dict) else set(known)
    return rewrite(text, lambda cid: naming(cid) if cid in ids else "@" + cid)


def value_text(value: Any) -> str:
    """A scalar as the string a container sees. Strings are kept exactly; PIVOT turns
    anything else into JSON text (`1247` -> `"1247"`, `true` -> `"true"`), and so does
    applc."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


@dataclass
class Resolved:
    """The strings of one container in which references are rewritten, resolved for a
    target: `cmd`, `args`, `env` (values as strings, applc's own keys left out) and the
    command of a COMMAND health check."""

    cmd: str | None
    args: list[str]
    env: dict[str, str]
    health_command: str | None


def resolve_container(c: Container, naming: Naming, known: Iterable[str]) -> Resolved:
    # Callers pass the appliance's by_id: copying it for each container was quadratic.
    ids = known if isinstance(known, set | frozenset | dict) else set(known)
    cmd = resolve_text(c.cmd, naming, ids) if isinstance(c.cmd, str) else None
    args = [resolve_text(value_text(a), naming, ids) for a in c.args]
    env = {
        k: resolve_text(value_text(v), naming, ids)
        for k, v in c.env.items()
        if k not in (IGNORE_KEY, SCHEMA_KEY)
    }
    hc = c.health_check
    health = None
    if hc is not None and hc.protocol == "COMMAND" and isinstance(hc.command, str):
        health = resolve_text(hc.command, naming, ids)
    return Resolved(cmd, args, env, health)


def referenced_ids(c: Container) -> list[str]:
    """The ids `c` refers to with `@id`, each once, in order of appearance."""
    from applc.resolve.references import references

    out: dict[str, None] = {}
    for _, text in c.referencing_strings():
        if "@" in text:
            for ref in references(text):
                out.setdefault(ref.id)
    return list(out)


def mounted_volumes(app: Appliance) -> dict[str, PersistentVolume]:
    """The declared persistent volumes some container mounts, by id, in the order they
    are first mounted."""
    dp = app.data_persistence
    if dp is None:
        return {}
    declared = dp.by_id
    used: dict[str, PersistentVolume] = {}
    for c in app.containers:
        for v in c.volumes:
            if not v.legacy and v.kind == "PERSISTENT" and v.source_path in declared:
                used.setdefault(v.source_path, declared[v.source_path])
    return used


# --------------------------------------------------------------------------- order


def start_order(app: Appliance) -> list[Container]:
    """The appliance's containers, dependencies before dependents (ties keep document
    order). Lint refuses cycles and duplicate ids before a build gets here."""
    by_id = app.by_id
    return [by_id[i] for i in DependencyGraph.of_appliance(app).topological_order()]


def reachable_through(
    app: Appliance, start: Container, through: Callable[[Container], bool]
) -> list[str]:
    """Ids `start` depends on, following dependencies across containers for which
    `through` holds (and stopping at the others), in a deterministic order."""
    by_id = app.by_id
    out: list[str] = []
    seen: set[str] = set()
    todo = list(start.dependencies)
    while todo:
        d = todo.pop(0)
        if d in seen or d not in by_id or d == start.id:
            continue
        seen.add(d)
        dep = by_id[d]
        if through(dep):
            todo.extend(dep.dependencies)
        else:
            out.append(d)
    return out


# --------------------------------------------------------------------------- ports


def port_protocols(port: Port) -> list[str]:
    """`tcp`, `udp`, or both for `udp,tcp` (in that order)."""
    proto = port.protocol.lower().replace(" ", "")
    if proto in ("udp,tcp", "tcp,udp"):
        return ["udp", "tcp"]
    return [proto]


_NON_NAME = re.compile(r"[^a-z0-9]+")


def derive_name(text: str, max_len: int | None = None) -> str:
    """A lower-case `[a-z0-9-]` slug of free text: `HDFS Namenode UI` -> `hdfs-namenode-ui`."""
    slug = _NON_NAME.sub("-", text.lower()).strip("-")
    if max_len is not None and len(slug) > max_len:
        slug = slug[:max_len].rstrip("-")
    return slug


def assign_names(names: list[str | None], derive: Callable[[str], str | None]) -> list[str | None]:
    """For each port name (None when the port has none), the name the target can carry:
    `derive(name)` (None when no valid name can be derived), unique within the list
    (a later duplicate gets None)."""
    out: list[str | None] = []
    taken: set[str] = set()
    for n in names:
        got = derive(n) if n is not None else None
        if got is not None and got in taken:
            got = None
        if got is not None:
            taken.add(got)
        out.append(got)
    return out


# --------------------------------------------------------------------------- numbers


def decimal_text(x: float | int) -> str:
    """A number in plain decimal notation, never in exponent form: 0.00001 -> `0.00001`."""
    if isinstance(x, bool):
        return str(int(x))
    if isinstance(x, int) or float(x).is_integer():
        return str(int(x))
    from decimal import Decimal

    text = format(Decimal(repr(float(x))), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def is_whole(x: float | int | None) -> bool:
    return x is not None and not isinstance(x, bool) and float(x).is_integer()


# --------------------------------------------------------------------------- schedules

_DURATION = re.compile(
    r"P(?=[0-9T])(?:(?P<Y>[0-9]+)Y)?(?:(?P<Mo>[0-9]+)M)?(?:(?P<W>[0-9]+)W)?(?:(?P<D>[0-9]+)D)?"
    r"(?:T(?=[0-9])(?:(?P<H>[0-9]+)H)?(?:(?P<Mi>[0-9]+)M)?(?:(?P<S>[0-9]+(?:\.[0-9]+)?)S)?)?"
)
_START = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?"
    r"(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)?"
)


def iso_duration(interval: str) -> dict[str, float] | None:
    """The parts of PIVOT's interval (written without its leading `P`, which PIVOT adds),
    or None when `P<interval>` is not an ISO 8601 duration Chronos accepts."""
    m = _DURATION.fullmatch("P" + interval)
    if m is None:
        return None
    return {k: float(v) for k, v in m.groupdict().items() if v is not None}


def valid_start_time(text: str) -> bool:
    return text == "" or _START.fullmatch(text) is not None


def chronos_schedule(c: Container) -> str:
    """PIVOT's Chronos schedule: `R<repeats>/<start_time>/P<interval>`."""
    return f"R{c.repeats}/{c.start_time}/P{c.interval}"


def schedule_problem(c: Container) -> str | None:
    """Why Chronos would reject the job's schedule, or None."""
    if c.repeats < 0:
        return f"`repeats` is {c.repeats}; it must be 0 or more"
    if not valid_start_time(c.start_time):
        return f"`start_time` `{c.start_time}` is not an ISO 8601 date and time"
    if iso_duration(c.interval) is None:
        return f"`P{c.interval}` is not an ISO 8601 duration"
    return None


def placement_choice(c: Container) -> tuple[str, str] | None:
    """PIVOT's placement: the most specific of host > zone > region > cloud."""
    for key in ("host", "zone", "region", "cloud"):
        v = c.placement.get(key)
        if isinstance(v, str) and v:
            return key, v
    return None
