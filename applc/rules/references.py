"""`@` references (APL201-APL204) and dependencies (APL211, APL212)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import islice

from applc.diagnostics import Edit, Finding, Fix, Label, Loc, Severity
from applc.model.nodes import Container
from applc.rules.context import LintContext
from applc.rules.registry import check, rule
from applc.source import join_pointer

E, W = Severity.ERROR, Severity.WARNING


# The builders of the documented examples below run only while this module is imported,
# before mutmut switches any mutant on: their mutants could change nothing a test sees.
def _app(*containers: str) -> str:  # pragma: no mutate block
    return '{"id": "mesos", "containers": [\n  ' + ",\n  ".join(containers) + "\n]}"


_ZK = (
    '{"id": "zookeeper", "type": "service", "image": "zookeeper:3.9", '
    '"resources": {"cpus": 1, "mem": 1024}, "network_mode": "container", '
    '"ports": [{"container_port": 2181}]}'
)


def _master(
    arg: str, deps: str = '["zookeeper"]', mode: str = "container"
) -> str:  # pragma: no mutate block
    return (
        '{"id": "master", "type": "service", "image": "mesos-master:1.9", '
        f'"resources": {{"cpus": 1, "mem": 1024}}, "network_mode": "{mode}", '
        f'"args": ["{arg}"], "dependencies": {deps}}}'
    )


rule(
    "APL201",
    "unknown-reference",
    E,
    "an `@id` reference names no container",
    """
    PIVOT rewrites `@<id>` in `cmd`, `args`, `env` values and COMMAND health checks into
    the DNS name of container `<id>`. A reference to an id that does not exist is a typo
    (PIVOT answers 400, or, for the references it misses, deploys a name that never
    resolves). An e-mail address such as `user@example.com` reads as a reference to
    `example`: write the at sign as `\\\\@` in JSON (`\\@` in the DSL).
    """,
    fails=_app(_ZK, _master("--zk=zk://@zookeper:2181/mesos")),
    passes=_app(_ZK, _master("--zk=zk://@zookeeper:2181/mesos")),
    fix="safe",
)

rule(
    "APL202",
    "reference-without-dependency",
    W,
    "a container refers to another without depending on it",
    """
    When a container refers to another with `@id` but neither depends on the other
    (directly or transitively), nothing orders their start: the referrer may start
    first and fail to reach a name that does not resolve yet.
    """,
    fails=_app(_ZK, _master("--zk=zk://@zookeeper:2181/mesos", "[]")),
    passes=_app(_ZK, _master("--zk=zk://@zookeeper:2181/mesos")),
)

rule(
    "APL203",
    "ambiguous-at-sign",
    W,
    "an `@` that is probably not a reference",
    """
    An `@` followed by no id character stays a literal `@`, and an `@` inside what looks
    like an e-mail address is read as a reference when its domain happens to be a
    container id. Write a literal at sign as `\\\\@` in JSON (`\\@` in the DSL) so the
    intent is plain.
    """,
    fails=_app(_ZK, _master("--contact=ops @ example")),
    passes=_app(_ZK, _master("--contact=ops\\\\@example.com")),
)

rule(
    "APL204",
    "reference-port-not-exposed",
    W,
    "`@id:port` names a port the container does not expose",
    """
    `@zookeeper:2182` where zookeeper exposes no 2182. Only reported where the port is
    certainly unreachable: the target runs in HOST or BRIDGE mode and does not list the
    port. In CONTAINER mode every container port is reachable.
    """,
    fails=_app(_ZK.replace('container"', 'bridge"'), _master("--zk=zk://@zookeeper:2182/mesos")),
    passes=_app(_ZK.replace('container"', 'bridge"'), _master("--zk=zk://@zookeeper:2181/mesos")),
)

rule(
    "APL211",
    "unknown-dependency",
    E,
    "a dependency names no container",
    """
    Every entry of `dependencies` must be the id of a container of the same appliance;
    PIVOT answers 422.
    """,
    fails=_app(_ZK, _master("--zk=zk://@zookeeper:2181/mesos", '["zookeper"]')),
    passes=_app(_ZK, _master("--zk=zk://@zookeeper:2181/mesos")),
    fix="safe",
)

rule(
    "APL212",
    "dependency-cycle",
    E,
    "containers depend on each other in a cycle",
    """
    Containers on a dependency cycle never start: each waits for the next. PIVOT only
    rejects a self-dependency of the last container and deploys every other cycle,
    which then hangs. The message spells the whole cycle.
    """,
    fails=_app(
        _ZK.replace('"ports"', '"dependencies": ["master"], "ports"'),
        _master("--zk=zk://@zookeeper:2181/mesos"),
    ),
    passes=_app(_ZK, _master("--zk=zk://@zookeeper:2181/mesos")),
)

_PORT_AFTER = re.compile(r":([0-9]{1,5})(?![0-9])")


def _unknown_help(ctx: LintContext, ident: str, email: bool) -> tuple[str | None, str | None]:
    by_id = ctx.appliance.by_id
    guess = ident.lower() if ident.lower() in by_id else ctx.closest_id(ident)
    if email and guess is None:
        return f"if this is an e-mail address, escape the at sign: `{ctx.escape_hint()}`", None
    if guess is not None:
        return f"did you mean `@{guess}`?", guess
    if not by_id:
        return None, None
    return f"containers in this appliance: {', '.join(islice(by_id, 8))}", None


class _DependsOn:
    """Whether container `a` depends on `b`, directly or transitively, for many pairs.

    The search is breadth-first and stops when it meets `b`, so a dependency a few hops
    away costs a few steps however long the chains behind it are (a depth-first search
    may walk a whole chain of the appliance before it tries the short way: quadratic over
    an appliance whose jobs form one long chain). A search that does not find `b` has
    seen everything `a` depends on; that set is kept, so the next question about `a`
    costs one lookup. (`DependencyGraph.reaches` should work this way too.)
    """

    def __init__(self, edges: dict[str, list[str]]) -> None:
        self.edges = edges
        self.closed: dict[str, set[str]] = {}

    def __call__(self, a: str, b: str) -> bool:
        edges = self.edges
        deps = edges.get(a)
        if deps is None:
            return False
        if b in deps:
            return True
        closed = self.closed.get(a)
        if closed is not None:
            return b in closed
        seen: set[str] = set()
        frontier = [a]
        while frontier:
            nxt: list[str] = []
            for v in frontier:
                for w in edges[v]:
                    if w == b:
                        return True
                    if w not in seen:
                        seen.add(w)
                        nxt.append(w)
            frontier = nxt
        self.closed[a] = seen
        return False


def check_references(ctx: LintContext) -> Iterator[Finding]:
    app = ctx.appliance
    ids = app.by_id
    related = _DependsOn(ctx.graph.edges)
    reported_pairs: set[tuple[str, str]] = set()
    exposed: dict[str, set[int | None]] = {}  # by target id: the ports `@id:port` reaches
    for occ in ctx.occurrences:
        ref = occ.ref
        c = occ.container
        target = ids.get(ref.id)
        if target is None:
            loc = Loc(occ.pointer, "value", (ref.start, ref.end))
            help_, guess = _unknown_help(ctx, ref.id, ref.email_like)
            fix = None
            if guess is not None:
                fix = Fix(f"replace with `@{guess}`", (Edit(loc, "@" + guess),))
            yield Finding("APL201", loc, f"unknown reference `@{ref.id}`", help=help_, fix=fix)
            continue
        if ref.email_like:
            yield Finding(
                "APL203",
                Loc(occ.pointer, "value", (ref.start, ref.end)),
                f"`@{ref.id}` in what looks like an e-mail address refers to container `{ref.id}`",
                help=f"if this is an e-mail address, escape the at sign: `{ctx.escape_hint()}`",
            )
        if (
            c.id is not None
            and c.id != ref.id
            and (c.id, ref.id) not in reported_pairs
            and not related(c.id, ref.id)
            and not related(ref.id, c.id)
        ):
            reported_pairs.add((c.id, ref.id))
            deps = c.raw.get("dependencies")
            yield Finding(
                "APL202",
                Loc(occ.pointer, "value", (ref.start, ref.end)),
                f"`{c.id}` refers to `@{ref.id}` but does not depend on it",
                help=f'add "{ref.id}" to the dependencies of `{c.id}`',
                notes=("nothing orders their start, so the name may not resolve yet",),
                labels=(Label(Loc(c.at("dependencies")), "dependencies here"),)
                if isinstance(deps, list)
                else (),
            )
        m = _PORT_AFTER.match(occ.text, ref.end)
        if m is not None and target.network_mode in ("HOST", "BRIDGE"):
            ports = exposed.get(ref.id)
            if ports is None:
                ports = exposed[ref.id] = _exposed(target)
            if int(m.group(1)) not in ports:
                yield _port_finding(
                    target, ports, int(m.group(1)), occ.pointer, (ref.start, m.end()), ref.id
                )
    for pointer, tok in ctx.stray_ats:
        yield Finding(
            "APL203",
            Loc(pointer, "value", (tok.index, tok.index + 1)),
            "`@` is not followed by a container id",
            help=f"write a literal at sign as `{ctx.escape_hint()}`",
        )


# Registered by a call, not with `@check`: mutmut does not mutate a decorated function
# (docs/testing.md), and these two are the reference rules themselves.
check("APL201", "APL202", "APL203", "APL204")(check_references)


def _exposed(target: Container) -> set[int | None]:
    """The ports a reference `@target:port` may name: in HOST and BRIDGE mode, the
    container ports, and in BRIDGE mode the host ports they are published on."""
    return {p.container_port for p in target.ports} | {
        p.host_port for p in target.ports if target.network_mode == "BRIDGE" and p.host_port
    }


def _port_finding(
    target: Container,
    exposed: set[int | None],
    port: int,
    pointer: str,
    sub: tuple[int, int],
    ident: str,
) -> Finding:
    listed = ", ".join(str(p) for p in sorted(x for x in exposed if x is not None)) or "none"
    return Finding(
        "APL204",
        Loc(pointer, "value", sub),
        f"`@{ident}:{port}`: `{ident}` runs in {target.network_mode} mode and does not "
        f"expose port {port}",
        help=f"ports of `{ident}`: {listed}",
        labels=(
            Label(
                Loc(target.at("ports") if target.raw.get("ports") is not None else target.at("id")),
                "ports declared here",
            ),
        ),
    )


def check_dependencies(ctx: LintContext) -> Iterator[Finding]:
    app = ctx.appliance
    ids = app.by_id
    for c in app.containers:
        deps = c.raw.get("dependencies")
        if not isinstance(deps, list):
            continue
        for i, d in enumerate(deps):
            if isinstance(d, str) and d not in ids:
                guess = ctx.closest_id(d)
                loc = Loc(c.at("dependencies", i))
                yield Finding(
                    "APL211",
                    loc,
                    f"unknown dependency `{d}`",
                    help=f"did you mean `{guess}`?" if guess else None,
                    fix=Fix(f"replace with `{guess}`", (Edit(loc, f'"{guess}"'),))
                    if guess
                    else None,
                )
    cycles = ctx.graph.cycles()
    if cycles:
        entries = _dependency_entries(ctx)
        for cycle in cycles:
            yield _cycle_finding(entries, cycle)


check("APL211", "APL212")(check_dependencies)


def _dependency_entries(ctx: LintContext) -> dict[tuple[str, str], Loc]:
    """Where each edge of the graph is written: the first `dependencies` entry naming `b`
    in a container with id `a`. Every container adds its edges to the graph, a second one
    with the same id too, so the entry may be in that one."""
    out: dict[tuple[str, str], Loc] = {}
    for c in ctx.appliance.containers:
        deps = c.raw.get("dependencies")
        if c.id is None or not isinstance(deps, list):
            continue
        for i, d in enumerate(deps):
            if isinstance(d, str):
                out.setdefault((c.id, d), Loc(join_pointer(c.pointer, "dependencies", i)))
    return out


def _cycle_finding(entries: dict[tuple[str, str], Loc], cycle: list[str]) -> Finding:
    edges = list(zip(cycle, cycle[1:], strict=False))
    closing = edges[-1]
    if len(edges) == 1:
        return Finding(
            "APL212",
            entries[closing],
            f"dependency cycle: `{closing[0]}` depends on itself",
            help=f'remove "{closing[0]}" from its own dependencies',
        )
    labels = tuple(Label(entries[a, b], f"`{a}` depends on `{b}`") for a, b in edges[:-1])
    return Finding(
        "APL212",
        entries[closing],
        "dependency cycle: " + " -> ".join(cycle),
        help=f"`{closing[0]}` depends on `{closing[1]}`, which closes the cycle; "
        "remove one of these dependencies",
        labels=labels,
        notes=("containers on a cycle never start",),
    )
