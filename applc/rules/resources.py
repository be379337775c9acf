"""Resources (APL231-APL234)."""

from __future__ import annotations

from collections.abc import Iterator

from applc.diagnostics import Finding, Loc, Severity
from applc.rules.context import LintContext
from applc.rules.registry import check, rule

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


def _app(resources: str, extra: str = "") -> str:
    return (
        '{"id": "shop", "containers": [{"id": "web", "type": "service", '
        f'"image": "nginx:1.25", "resources": {resources}{extra}}}]}}'
    )


rule(
    "APL231",
    "invalid-resources",
    E,
    "a resource that is not a positive amount",
    """
    `cpus` and `mem` must be greater than 0; `disk` and `gpu` must not be negative, and
    `gpu` must be a whole number. Marathon rejects anything else.
    """,
    fails=_app('{"cpus": 0, "mem": 256}'),
    passes=_app('{"cpus": 1, "mem": 256}'),
)

rule(
    "APL232",
    "low-resources",
    W,
    "resources below what Marathon or PIVOT expect",
    """
    Below Marathon's floor (`cpus` under 0.01, `mem` under 32 MiB) the task cannot start:
    a warning. Below PIVOT's documented minimums (`cpus` 1, `mem` 128 MiB) it may run,
    but PIVOT's documentation asks for more: reported as info.
    """,
    fails=_app('{"cpus": 1, "mem": 16}'),
    passes=_app('{"cpus": 1, "mem": 256}'),
)

rule(
    "APL233",
    "budget-exceeded",
    E,
    "the appliance needs more than its budget",
    """
    The reason to run a containerized cluster inside an appliance is to reserve
    resources in advance. Set a budget in the configuration (`budget = {cpus = 8,
    mem = 16384}`) or with `--budget cpus=8,mem=16384`, and applc adds up `cpus`, `mem`
    (MiB), `disk` (MiB) and `gpu` over every container, counting each service's
    `instances` (jobs count once), and reports each total over the budget.
    """,
    fails=_app('{"cpus": 4, "mem": 256}', ', "instances": 3'),
    passes=_app('{"cpus": 1, "mem": 256}'),
    example_budget={"cpus": 8},
)

rule(
    "APL234",
    "minimum-capacity-out-of-range",
    E,
    "`minimum_capacity` outside 0 to 1",
    """
    `minimum_capacity` becomes Marathon's `upgradeStrategy.minimumHealthCapacity`, a
    share between 0 and 1.
    """,
    fails=_app('{"cpus": 1, "mem": 256}', ', "minimum_capacity": 2'),
    passes=_app('{"cpus": 1, "mem": 256}', ', "minimum_capacity": 0.5'),
)


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


@check("APL231", "APL232", "APL234")
def check_resources(ctx: LintContext) -> Iterator[Finding]:
    for c in ctx.appliance.containers:
        r = c.resources
        if c.raw.get("minimum_capacity") is not None and not 0 <= c.minimum_capacity <= 1:
            yield Finding(
                "APL234",
                Loc(c.at("minimum_capacity")),
                f"minimum_capacity {_fmt(c.minimum_capacity)} is outside 0 to 1",
                help="use a share such as 0.5 or 1",
            )
        if r is None:
            continue
        raw = c.raw["resources"]
        for name, value in (("cpus", r.cpus), ("mem", r.mem)):
            if value is not None and value <= 0:
                yield Finding(
                    "APL231", Loc(r.at(name)), f"{name} must be greater than 0, found {_fmt(value)}"
                )
        for name in ("disk", "gpu"):
            value = raw.get(name)
            if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
                yield Finding(
                    "APL231", Loc(r.at(name)), f"{name} must not be negative, found {_fmt(value)}"
                )
        gpu = raw.get("gpu")
        if isinstance(gpu, float) and not gpu.is_integer() and gpu > 0:
            yield Finding(
                "APL231", Loc(r.at("gpu")), f"gpu must be a whole number of GPUs, found {gpu}"
            )
        if r.cpus is not None and 0 < r.cpus < 0.01:
            yield Finding(
                "APL232",
                Loc(r.at("cpus")),
                f"cpus {_fmt(r.cpus)} is below Marathon's minimum of 0.01",
            )
        elif r.cpus is not None and 0.01 <= r.cpus < 1:
            yield Finding(
                "APL232",
                Loc(r.at("cpus")),
                f"cpus {_fmt(r.cpus)} is below PIVOT's documented minimum of 1",
                severity=INFO,
            )
        if r.mem is not None and 0 < r.mem < 32:
            yield Finding(
                "APL232",
                Loc(r.at("mem")),
                f"mem {_fmt(r.mem)} MiB is below Marathon's minimum of 32 MiB",
            )
        elif r.mem is not None and 32 <= r.mem < 128:
            yield Finding(
                "APL232",
                Loc(r.at("mem")),
                f"mem {_fmt(r.mem)} MiB is below PIVOT's documented minimum of 128 MiB",
                severity=INFO,
            )


@check("APL233")
def check_budget(ctx: LintContext) -> Iterator[Finding]:
    budget = ctx.options.budget.items()
    if not budget:
        return
    totals = {"cpus": 0.0, "mem": 0.0, "disk": 0.0, "gpus": 0.0}
    shares: dict[str, list[tuple[float, str]]] = {k: [] for k in totals}
    for c in ctx.appliance.containers:
        r = c.resources
        if r is None:
            continue
        n = c.instances if c.is_service else 1
        for key, value in (("cpus", r.cpus), ("mem", r.mem), ("disk", r.disk), ("gpus", r.gpu)):
            if value is not None and value > 0:
                totals[key] += value * n
                shares[key].append(
                    (
                        value * n,
                        f"{c.id} {_fmt(value * n)}" + (f" ({n} x {_fmt(value)})" if n != 1 else ""),
                    )
                )
    unit = {"mem": " MiB", "disk": " MiB"}
    loc = Loc("/containers", "key")
    for key, limit in budget:
        if totals[key] > limit:
            top = sorted(shares[key], key=lambda s: -s[0])[:5]
            yield Finding(
                "APL233",
                loc,
                f"the appliance needs {_fmt(totals[key])}{unit.get(key, '')} {key}, over the "
                f"budget of {_fmt(limit)}{unit.get(key, '')}",
                help="lower the resources or instances, or raise the budget",
                notes=("largest: " + ", ".join(s[1] for s in top),),
            )
