"""The Marathon target's checks: what a Marathon group and Chronos jobs cannot express
(APL401, APL408, APL409 here; the shared APL402-APL404 and APL410 in
`applc.targets.checks`)."""

from __future__ import annotations

from collections.abc import Iterator

from applc.diagnostics import Finding, Loc
from applc.rules.context import LintContext
from applc.rules.registry import check, rule
from applc.targets.checks import (
    E,
    W,
    fractional_gpus,
    named,
    renamed_ports,
)
from applc.targets.checks import example_app as _app
from applc.targets.checks import example_container as _c

rule(
    "APL401",
    "gpu-on-docker-app",
    W,
    "a GPU on a Marathon app",
    """
    Marathon gives GPUs only to apps on the Mesos containerizer (`container.type:
    MESOS`), not to the Docker containerizer PIVOT uses. applc runs such an app under
    the Mesos containerizer, which cannot pass PIVOT's `docker run` options (`hostname`,
    `rm`, `oom-kill-disable`): a warning. When the app needs the Docker containerizer
    (it is privileged, or mounts cephfs persistent volumes), it cannot have the GPU at
    all: an error.
    """,
    fails=_app(_c("train", res=', "gpu": 1')),
    passes=_app(_c("train")),
    example_target="marathon",
)

rule(
    "APL408",
    "reference-to-job",
    W,
    "a reference to a job on Marathon",
    """
    On Marathon, `@id` becomes the DC/OS name of the Marathon app `/<appliance>/<id>`. A
    job runs under Chronos, not Marathon, so that name never resolves.
    """,
    fails=_app(
        _c("migrate", ctype="job"),
        _c("api", ', "env": {"M": "@migrate"}, "dependencies": ["migrate"]'),
    ),
    passes=_app(
        _c("db"),
        _c("api", ', "env": {"M": "@db"}, "dependencies": ["db"]'),
    ),
    example_target="marathon",
)

rule(
    "APL409",
    "port-protocol-unsupported",
    E,
    "`udp,tcp` on a HOST-mode Marathon app",
    """
    In HOST mode a port becomes a Marathon `portDefinitions` entry, whose protocol is
    `tcp` or `udp`, never both; Marathon refuses `udp,tcp` there. Declare the port twice
    on different numbers, or use BRIDGE or CONTAINER mode, where `udp,tcp` works.
    """,
    fails=_app(
        _c("dns", ', "ports": [{"container_port": 53, "protocol": "udp,tcp"}]').replace(
            ', "network_mode": "bridge"', ""
        )
    ),
    passes=_app(_c("dns", ', "ports": [{"container_port": 53, "protocol": "udp,tcp"}]')),
    example_target="marathon",
)


# Each check is registered by a call after its definition, not with `@check`:
# mutmut does not mutate decorated functions (docs/testing.md).
def gpus(ctx: LintContext) -> Iterator[Finding]:
    from applc.targets.marathon.adapter import docker_only, gpu_count

    for c in named(ctx):
        if not c.is_service or gpu_count(c) == 0 or c.resources is None:
            continue
        loc = Loc(c.resources.at("gpu"))
        why = docker_only(ctx.appliance, c)
        if why:
            yield Finding(
                "APL401",
                loc,
                f"`{c.id}` cannot have its GPU on Marathon: {' and '.join(why)}, "
                "which needs the Docker containerizer, and Marathon gives GPUs "
                "only to Mesos-containerizer apps",
                help="drop what needs Docker, or run the GPU work in another container",
                target="marathon",
                severity=E,
            )
        else:
            yield Finding(
                "APL401",
                loc,
                f"`{c.id}` asks for a GPU, so it runs under the Mesos "
                "containerizer, without PIVOT's `docker run` options (hostname, "
                "rm, oom-kill-disable)",
                notes=("Marathon honours `gpus` only with the Mesos containerizer",),
                target="marathon",
            )


check("APL401", target="marathon")(gpus)


def dependencies(ctx: LintContext) -> Iterator[Finding]:
    from applc.targets.marathon.adapter import job_dependency_gaps

    for c in named(ctx):
        for i, _d, why in job_dependency_gaps(ctx.appliance, c):
            yield Finding(
                "APL402",
                Loc(c.at("dependencies", i)),
                why,
                help="PIVOT orders these starts itself; on plain Marathon and "
                "Chronos, start them in order yourself",
                target="marathon",
            )


check("APL402", target="marathon")(dependencies)


def port_names(ctx: LintContext) -> Iterator[Finding]:
    from applc.targets.marathon.naming import port_names

    yield from renamed_ports(ctx, "marathon", port_names, "Marathon")


check("APL403", target="marathon")(port_names)


def schedules(ctx: LintContext) -> Iterator[Finding]:
    from applc.targets.base import chronos_schedule, schedule_problem, valid_start_time

    for c in named(ctx):
        if not c.is_job:
            continue
        why = schedule_problem(c)
        if why is None:
            continue
        # The field schedule_problem found wrong, by its own tests in its order: the
        # message quotes the value, which may spell another field's name.
        field = (
            "repeats"
            if c.repeats < 0
            else "start_time"
            if not valid_start_time(c.start_time)
            else "interval"
        )
        loc = Loc(c.at(field)) if field in c.raw else Loc(c.at("id"))
        yield Finding(
            "APL404",
            loc,
            f"Chronos refuses the schedule `{chronos_schedule(c)}` of `{c.id}`: {why}",
            help="write the interval without its leading `P`, e.g. `T10M` for ten minutes",
            target="marathon",
            severity=E,
        )


check("APL404", target="marathon")(schedules)


def job_references(ctx: LintContext) -> Iterator[Finding]:
    by_id = ctx.appliance.by_id
    for occ in ctx.occurrences:
        target = by_id.get(occ.ref.id)
        if target is not None and target.is_job:
            yield Finding(
                "APL408",
                Loc(occ.pointer, "value", (occ.ref.start, occ.ref.end)),
                f"`@{occ.ref.id}` names a Chronos job, which has no Marathon DNS name",
                help="refer to a service instead",
                target="marathon",
            )


check("APL408", target="marathon")(job_references)


def host_protocols(ctx: LintContext) -> Iterator[Finding]:
    from applc.targets.base import port_protocols

    for c in named(ctx):
        if c.network_mode != "HOST" or not c.is_service:
            continue
        for p in c.ports:
            if len(port_protocols(p)) > 1:
                yield Finding(
                    "APL409",
                    Loc(p.at("protocol")),
                    f"`{c.id}` runs in HOST mode, where a Marathon port is `tcp` "
                    "or `udp`, not both",
                    help="declare a tcp and a udp port on different numbers, or use BRIDGE mode",
                    target="marathon",
                )


check("APL409", target="marathon")(host_protocols)


def resources(ctx: LintContext) -> Iterator[Finding]:
    yield from fractional_gpus(ctx, "marathon")


check("APL410", target="marathon")(resources)
