"""What more than one target cannot express: the shared target compatibility rules
(APL402-APL405, APL410), the checks' common steps, and the small appliances the rule
examples are written in.

Every target's own checks live in its package (`applc/targets/<name>/checks.py`), declared
with the same `rule(...)` and `@check(..., target=NAME)` as the rule families of
`applc/rules/`. They run only when their target is named (`applc lint --target NAME`,
`applc build`), and each finding names its target. A check asks the target's adapter or
the shared knowledge of `applc.targets.base`, so lint and build never disagree; the
adapters are imported when a check runs, so a plain `applc lint` loads none of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from applc.diagnostics import Finding, Loc, Severity
from applc.model.nodes import Container
from applc.rules.context import LintContext
from applc.rules.registry import rule

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


def example_app(*containers: str, top: str = "") -> str:
    """The JSON text of a rule example: appliance `shop` with `containers`."""
    return '{"id": "shop", ' + top + '"containers": [\n  ' + ",\n  ".join(containers) + "\n]}"


def example_container(cid: str, extra: str = "", ctype: str = "service", res: str = "") -> str:
    return (
        f'{{"id": "{cid}", "type": "{ctype}", "image": "shop/{cid}:1.0", '
        f'"resources": {{"cpus": 1, "mem": 256{res}}}, "network_mode": "bridge"{extra}}}'
    )


_app, _c = example_app, example_container


rule(
    "APL402",
    "unsupported-dependency",
    W,
    "a dependency the target cannot wait for",
    """
    Marathon apps can wait for other apps, but not for Chronos jobs, and a Chronos job
    runs on its schedule without waiting for anything (PIVOT orders these starts
    itself). On Kubernetes, a pod can wait for a Service to answer but not for a Job to
    complete. The dependency is left out of the output, so nothing orders that start.
    Compose expresses every dependency.
    """,
    fails=_app(
        _c("migrate", ctype="job"),
        _c("api", ', "dependencies": ["migrate"]'),
    ),
    passes=_app(_c("db"), _c("api", ', "dependencies": ["db"]')),
    example_target="marathon",
)

rule(
    "APL403",
    "port-name-rewritten",
    INFO,
    "a port name the target does not accept",
    """
    PIVOT's port `name` is free text and PIVOT never sends it to Marathon. Marathon port
    names must match `^[a-z][a-z0-9-]*$`; Kubernetes container port names must be IANA
    service names (at most 15 lower-case letters, digits and `-`, with a letter). applc
    derives a valid name (`HDFS Namenode UI` becomes `hdfs-namenode-ui`), or leaves the
    name out when none can be derived or it would repeat another.
    """,
    fails=_app(_c("web", ', "ports": [{"container_port": 80, "name": "Web UI"}]')),
    passes=_app(_c("web", ', "ports": [{"container_port": 80, "name": "web-ui"}]')),
    example_target="marathon",
)

rule(
    "APL404",
    "job-schedule-unsupported",
    W,
    "a job schedule the target cannot express",
    """
    Chronos runs a job `repeats` times every `interval` from `start_time`
    (`R<repeats>/<start_time>/P<interval>`). Marathon: a schedule that is not valid ISO
    8601 is refused by Chronos (an error). Kubernetes: a job that repeats becomes a
    CronJob, which cron must be able to express (every n minutes or hours dividing an
    hour or a day, daily, weekly, monthly, yearly) and which does not stop after
    `repeats` runs; otherwise it runs once as a Job. A one-off job with a `start_time`
    starts at once. Compose runs every job once, when the project starts.
    """,
    fails=_app(_c("report", ', "repeats": 10, "interval": "T7M"', ctype="job")),
    passes=_app(_c("report", ', "repeats": 1', ctype="job")),
    example_target="kubernetes",
)

rule(
    "APL405",
    "placement-unsupported",
    W,
    "placement the target cannot express",
    """
    `schedule_hints.placement` (the most specific of `host`, `zone`, `region`, `cloud`)
    becomes a Marathon constraint and a Kubernetes node selector on the well-known node
    labels. Compose has no placement at all, and Kubernetes has no label for a cloud:
    the placement is left out.
    """,
    fails=_app(_c("web", ', "schedule_hints": {"placement": {"host": "node-1"}}')),
    passes=_app(_c("web")),
    example_target="compose",
)

rule(
    "APL410",
    "resource-unsupported",
    INFO,
    "a resource the target cannot reserve",
    """
    Compose has no disk reservation, so `disk` is left out (info). Every target counts
    GPUs in whole devices: a fractional `gpu` cannot be expressed (error).
    """,
    fails=_app(_c("db", res=', "disk": 1024')),
    passes=_app(_c("db")),
    example_target="compose",
)


def named(ctx: LintContext) -> list[Container]:
    """The containers with an id: what a target can name."""
    return [c for c in ctx.appliance.containers if isinstance(c.id, str)]


def fractional_gpus(ctx: LintContext, target: str) -> Iterator[Finding]:
    """APL410: every target counts GPUs in whole devices."""
    for c in named(ctx):
        res = c.resources
        if res is not None and res.gpu > 0 and not float(res.gpu).is_integer():
            yield Finding(
                "APL410",
                Loc(res.at("gpu")),
                f"`{c.id}` asks for {res.gpu} GPUs; {target} counts whole GPUs",
                help="ask for a whole number of GPUs",
                target=target,
                severity=E,
            )


def renamed_ports(
    ctx: LintContext,
    target: str,
    port_names: Callable[[Container], list[str | None]],
    where: str,
    limit: str = "",
) -> Iterator[Finding]:
    """APL403: each port name the target writes otherwise (`port_names` says how), or
    leaves out. `where` names what carries the name; `limit` adds to the help."""
    for c in named(ctx):
        for p, got in zip(c.ports, port_names(c), strict=True):
            if p.name is None or got == p.name:
                continue
            msg = (
                f"port name `{p.name}` is written `{got}` for {where}"
                if got
                else f"port name `{p.name}` is left out: no valid name for {where} derives from it"
            )
            yield Finding(
                "APL403",
                Loc(p.at("name")),
                msg,
                help="name the port with lower-case letters, digits and `-`" + limit,
                target=target,
            )
