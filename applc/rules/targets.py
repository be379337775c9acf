"""Target compatibility (APL401-APL411): what a build target cannot express.

These checks run only when a target is named (`applc lint --target NAME`, `applc build`),
and each finding names its target. The decisions come from the target adapters
themselves (`applc.targets.<name>.adapter`), imported when a check runs, so lint and build never
disagree and a plain `applc lint` loads none of it.
"""

from __future__ import annotations

from collections.abc import Iterator

from applc.diagnostics import Finding, Loc, Severity
from applc.model.nodes import Container
from applc.rules.context import LintContext
from applc.rules.registry import check, rule

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


def _app(*containers: str, top: str = "") -> str:
    return '{"id": "shop", ' + top + '"containers": [\n  ' + ",\n  ".join(containers) + "\n]}"


def _c(cid: str, extra: str = "", ctype: str = "service", res: str = "") -> str:
    return (
        f'{{"id": "{cid}", "type": "{ctype}", "image": "shop/{cid}:1.0", '
        f'"resources": {{"cpus": 1, "mem": 256{res}}}, "network_mode": "bridge"{extra}}}'
    )


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
    fails=_app(_c("migrate", ctype="job"), _c("api", ', "dependencies": ["migrate"]')),
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
    "APL406",
    "host-network-reference",
    W,
    "a compose reference across the host network",
    """
    On compose, containers reach each other by service name on the project network. A
    HOST-mode container is not on that network: a reference to it is written
    `host.docker.internal` (the Docker host, added to the referrer's `extra_hosts` as
    `host-gateway`), which reaches the container only on the ports it binds on the
    host. A HOST-mode container cannot resolve service names at all, so its references
    to other containers do not resolve.
    """,
    fails=_app(
        _c("db", ', "ports": [{"container_port": 5432}]').replace(', "network_mode": "bridge"', ""),
        _c("api", ', "env": {"DB": "@db:5432"}, "dependencies": ["db"]'),
    ),
    passes=_app(_c("db"), _c("api", ', "env": {"DB": "@db:5432"}, "dependencies": ["db"]')),
    example_target="compose",
)

rule(
    "APL407",
    "invalid-service-name",
    E,
    "a container id that cannot name a Kubernetes Service",
    """
    A Kubernetes Service name must be a DNS-1035 label: it starts with a lower-case
    letter. A container id that starts with a digit is a valid Marathon and compose name
    but cannot name the Service through which other containers reach it. A CronJob name
    is also limited to 52 characters.
    """,
    fails=_app(_c("1web")),
    passes=_app(_c("web1")),
    example_target="kubernetes",
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
    passes=_app(_c("db"), _c("api", ', "env": {"M": "@db"}, "dependencies": ["db"]')),
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

rule(
    "APL411",
    "persistent-volume-claim",
    INFO,
    "a persistent volume on Kubernetes",
    """
    A cephfs persistent volume from `data_persistence` becomes a PersistentVolumeClaim
    (ReadWriteMany, the cluster's default storage class) of 1Gi, since PIVOT's volumes
    have no size: check the size and class (info). A `global` volume is shared by all
    appliances, but a claim belongs to one namespace (warning). The volume id names the
    claim, so it must be a DNS-1123 label (error).
    """,
    fails=_app(
        _c("db", ', "volumes": [{"src": "pgdata", "dest": "/data"}]'),
        top='"data_persistence": {"volumes": [{"id": "pgdata"}]}, ',
    ),
    passes=_app(_c("db", ', "volumes": [{"src": "/srv/db", "dest": "/data", "type": "HOST"}]')),
    example_target="kubernetes",
)


def _named(ctx: LintContext) -> list[Container]:
    return [c for c in ctx.appliance.containers if isinstance(c.id, str)]


# --------------------------------------------------------------------------- shared


@check("APL402", target="kubernetes")
def k8s_dependencies(ctx: LintContext) -> Iterator[Finding]:
    by_id = ctx.appliance.by_id
    for c in _named(ctx):
        for i, d in enumerate(c.dependencies):
            dep = by_id.get(d)
            if dep is not None and dep.is_job and d != c.id:
                yield Finding(
                    "APL402",
                    Loc(c.at("dependencies", i)),
                    f"Kubernetes cannot make `{c.id}` wait for Job `{d}` to complete",
                    help="start it after the Job yourself, or make it retry until the "
                    "Job's work is done",
                    target="kubernetes",
                )


@check("APL402", target="marathon")
def marathon_dependencies(ctx: LintContext) -> Iterator[Finding]:
    from applc.targets.marathon.adapter import job_dependency_gaps

    for c in _named(ctx):
        for i, _d, why in job_dependency_gaps(ctx.appliance, c):
            yield Finding(
                "APL402",
                Loc(c.at("dependencies", i)),
                why,
                help="PIVOT orders these starts itself; on plain Marathon and "
                "Chronos, start them in order yourself",
                target="marathon",
            )


def _port_names(ctx: LintContext, target: str) -> Iterator[Finding]:
    if target == "marathon":
        from applc.targets.marathon.adapter import port_names
    else:
        from applc.targets.kubernetes.adapter import port_names
    for c in _named(ctx):
        for p, got in zip(c.ports, port_names(c), strict=True):
            if p.name is None or got == p.name:
                continue
            where = "Marathon" if target == "marathon" else "a Kubernetes container port"
            msg = (
                f"port name `{p.name}` is written `{got}` for {where}"
                if got
                else f"port name `{p.name}` is left out: no valid name for {where} derives from it"
            )
            yield Finding(
                "APL403",
                Loc(p.at("name")),
                msg,
                help="name the port with lower-case letters, digits and `-`"
                + (" (at most 15)" if target == "kubernetes" else ""),
                target=target,
            )


@check("APL403", target="marathon")
def marathon_port_names(ctx: LintContext) -> Iterator[Finding]:
    yield from _port_names(ctx, "marathon")


@check("APL403", target="kubernetes")
def k8s_port_names(ctx: LintContext) -> Iterator[Finding]:
    yield from _port_names(ctx, "kubernetes")


def _gpus(ctx: LintContext, target: str) -> Iterator[Finding]:
    for c in _named(ctx):
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


# --------------------------------------------------------------------------- marathon


@check("APL401", target="marathon")
def marathon_gpus(ctx: LintContext) -> Iterator[Finding]:
    from applc.targets.marathon.adapter import docker_only, gpu_count

    for c in _named(ctx):
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


@check("APL404", target="marathon")
def marathon_schedules(ctx: LintContext) -> Iterator[Finding]:
    from applc.targets.base import chronos_schedule, schedule_problem

    for c in _named(ctx):
        if not c.is_job:
            continue
        why = schedule_problem(c)
        if why is None:
            continue
        field = (
            "repeats" if "repeats" in why else "start_time" if "start_time" in why else "interval"
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


@check("APL408", target="marathon")
def marathon_job_references(ctx: LintContext) -> Iterator[Finding]:
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


@check("APL409", target="marathon")
def marathon_host_protocols(ctx: LintContext) -> Iterator[Finding]:
    from applc.targets.base import port_protocols

    for c in _named(ctx):
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


@check("APL410", target="marathon")
def marathon_resources(ctx: LintContext) -> Iterator[Finding]:
    yield from _gpus(ctx, "marathon")


# --------------------------------------------------------------------------- compose


@check("APL404", target="compose")
def compose_schedules(ctx: LintContext) -> Iterator[Finding]:
    for c in _named(ctx):
        if not c.is_job:
            continue
        if c.repeats != 1:
            loc = Loc(c.at("repeats")) if "repeats" in c.raw else Loc(c.at("id"))
            yield Finding(
                "APL404",
                loc,
                f"compose runs job `{c.id}` once, not {c.repeats} times every `P{c.interval}`",
                help="run it again with `docker compose run`",
                target="compose",
            )
        if c.start_time:
            yield Finding(
                "APL404",
                Loc(c.at("start_time")),
                f"compose starts job `{c.id}` with the project, not at `{c.start_time}`",
                target="compose",
            )


@check("APL405", target="compose")
def compose_placement(ctx: LintContext) -> Iterator[Finding]:
    from applc.targets.base import placement_choice

    for c in _named(ctx):
        choice = placement_choice(c)
        if choice is not None:
            yield Finding(
                "APL405",
                Loc(c.at("schedule_hints", "placement", choice[0])),
                f"compose cannot place `{c.id}` by `{choice[0]}`; the placement is left out",
                target="compose",
            )


@check("APL406", target="compose")
def compose_host_references(ctx: LintContext) -> Iterator[Finding]:
    from applc.targets.compose.adapter import HOST_GATEWAY_NAME

    by_id = ctx.appliance.by_id
    for occ in ctx.occurrences:
        c, other = occ.container, by_id.get(occ.ref.id)
        if other is None or c.id is None:
            continue
        loc = Loc(occ.pointer, "value", (occ.ref.start, occ.ref.end))
        if other.network_mode == "HOST":
            yield Finding(
                "APL406",
                loc,
                f"`@{other.id}` runs on the host network, so compose has no "
                f"service name for it; it is written `{HOST_GATEWAY_NAME}`",
                notes=(
                    f"`{c.id}` reaches it through the Docker host, on the ports it binds there",
                ),
                target="compose",
            )
        elif c.network_mode == "HOST":
            yield Finding(
                "APL406",
                loc,
                f"`{c.id}` runs on the host network, where the service name "
                f"`{other.id}` does not resolve",
                help=f'run `{c.id}` in "bridge" mode, or publish a fixed host '
                f"port on `{other.id}` and use the host's address",
                target="compose",
            )


@check("APL410", target="compose")
def compose_resources(ctx: LintContext) -> Iterator[Finding]:
    for c in _named(ctx):
        res = c.resources
        if res is not None and res.disk > 0:
            yield Finding(
                "APL410",
                Loc(res.at("disk")),
                f"compose has no disk reservation; `disk` of `{c.id}` is left out",
                target="compose",
            )
    yield from _gpus(ctx, "compose")


# --------------------------------------------------------------------------- kubernetes


@check("APL404", target="kubernetes")
def k8s_schedules(ctx: LintContext) -> Iterator[Finding]:
    from applc.targets.kubernetes.adapter import cron_schedule

    for c in _named(ctx):
        if not c.is_job:
            continue
        if c.repeats == 1:
            if c.start_time:
                yield Finding(
                    "APL404",
                    Loc(c.at("start_time")),
                    f"a Kubernetes Job starts at once: `{c.id}` does not wait for `{c.start_time}`",
                    target="kubernetes",
                )
            continue
        cron, why = cron_schedule(c)
        loc = Loc(c.at("interval")) if "interval" in c.raw else Loc(c.at("id"))
        if cron is None:
            yield Finding(
                "APL404",
                loc,
                f"{why}, so `{c.id}` runs once, as a Job",
                help="use an interval cron can express: minutes or hours that "
                "divide an hour or a day, a day, a week, a month, a year",
                target="kubernetes",
            )
        elif c.repeats > 1:
            yield Finding(
                "APL404",
                Loc(c.at("repeats")) if "repeats" in c.raw else loc,
                f"CronJob `{c.id}` runs at `{cron}` without stopping after {c.repeats} runs",
                help="delete the CronJob when it is done",
                target="kubernetes",
            )


@check("APL405", target="kubernetes")
def k8s_placement(ctx: LintContext) -> Iterator[Finding]:
    from applc.targets.base import placement_choice
    from applc.targets.kubernetes.adapter import node_selector

    for c in _named(ctx):
        _, why = node_selector(c)
        choice = placement_choice(c)
        if why is not None and choice is not None:
            yield Finding(
                "APL405",
                Loc(c.at("schedule_hints", "placement", choice[0])),
                why,
                target="kubernetes",
            )


@check("APL407", target="kubernetes")
def k8s_names(ctx: LintContext) -> Iterator[Finding]:
    from applc.targets.kubernetes.adapter import job_kind, name_problem

    for c in _named(ctx):
        kind = "Deployment" if c.is_service else job_kind(c)
        why = name_problem(c, kind)
        if why is not None:
            yield Finding(
                "APL407",
                Loc(c.at("id")),
                why,
                help="start the id with a letter" if "DNS-1035" in why else "shorten the id",
                target="kubernetes",
            )


@check("APL410", target="kubernetes")
def k8s_resources(ctx: LintContext) -> Iterator[Finding]:
    yield from _gpus(ctx, "kubernetes")


@check("APL411", target="kubernetes")
def k8s_volumes(ctx: LintContext) -> Iterator[Finding]:
    from applc.targets.kubernetes.adapter import CLAIM_SIZE, DNS1123, persistent_claims

    claims = dict(persistent_claims(ctx.appliance))
    reported: set[str] = set()
    for c in _named(ctx):
        for v in c.volumes:
            vid = v.source_path
            if v.legacy or v.kind != "PERSISTENT" or vid not in claims or vid in reported:
                continue
            reported.add(vid)
            loc = Loc(v.at("src"))
            if DNS1123.fullmatch(vid) is None or len(vid) > 63:
                yield Finding(
                    "APL411",
                    loc,
                    f"volume id `{vid}` cannot name a PersistentVolumeClaim (a "
                    "DNS-1123 label: lower-case letters, digits and `-`)",
                    target="kubernetes",
                    severity=E,
                )
            elif claims[vid] == "GLOBAL":
                yield Finding(
                    "APL411",
                    loc,
                    f"global volume `{vid}` becomes a claim of this appliance's "
                    "namespace only; other appliances do not share it",
                    target="kubernetes",
                    severity=W,
                )
            else:
                yield Finding(
                    "APL411",
                    loc,
                    f"volume `{vid}` becomes a {CLAIM_SIZE} ReadWriteMany "
                    "PersistentVolumeClaim of the default storage class",
                    help="check the size and storage class before deploying",
                    target="kubernetes",
                )
