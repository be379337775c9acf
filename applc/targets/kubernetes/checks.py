"""The Kubernetes target's checks: what Kubernetes objects cannot express (APL407,
APL411 and APL413 here; the shared APL402-APL405 and APL410 in `applc.targets.checks`)."""

from __future__ import annotations

import json
from collections.abc import Iterator

from applc.diagnostics import Finding, Loc
from applc.patterns import lazy
from applc.rules.context import LintContext
from applc.rules.registry import check, rule
from applc.targets.checks import (
    INFO,
    E,
    W,
    fractional_gpus,
    named,
    renamed_ports,
)
from applc.targets.checks import example_app as _app
from applc.targets.checks import example_container as _c

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

rule(
    "APL413",
    "env-name-unsupported",
    E,
    "an environment variable name Kubernetes refuses",
    """
    The Kubernetes API server accepts environment variable names of printable ASCII
    characters other than `=` (since 1.32; RelaxedEnvironmentVariableValidation), so a
    name with a control character or a non-ASCII letter is refused: an error. Clusters
    before 1.32 accept only names like C identifiers (letters, digits, `_`, `-` and `.`,
    not starting with a digit): a name beyond that, such as one with a space, is a
    warning.
    """,
    fails=_app(_c("web", ', "env": {"CAF\u00c9": "x"}')),
    passes=_app(_c("web", ', "env": {"CAFE": "x"}')),
    example_target="kubernetes",
)

# Compiled when a Kubernetes build first checks a name, not when a lint imports the rules.
_PRINTABLE_ASCII = lazy(r"[\x20-\x7e]+")
_C_IDENTIFIER = lazy(r"[-._a-zA-Z][-._a-zA-Z0-9]*")


# Each check is registered by a call after its definition, not with `@check`:
# mutmut does not mutate decorated functions (docs/testing.md).
def env_names(ctx: LintContext) -> Iterator[Finding]:
    from applc.model.fields import IGNORE_KEY, SCHEMA_KEY

    for c in named(ctx):
        for k in c.env:
            if k in (IGNORE_KEY, SCHEMA_KEY) or not k or "=" in k:
                continue  # APL114 has the empty name and `=` for every target
            if _PRINTABLE_ASCII.fullmatch(k) is None:
                yield Finding(
                    "APL413",
                    Loc(c.at("env", k), "key"),
                    f"Kubernetes refuses the environment variable name {json.dumps(k)}: "
                    "only printable ASCII characters",
                    help="name variables with letters, digits and `_`",
                    target="kubernetes",
                )
            elif _C_IDENTIFIER.fullmatch(k) is None:
                yield Finding(
                    "APL413",
                    Loc(c.at("env", k), "key"),
                    f"clusters before Kubernetes 1.32 refuse the environment variable name "
                    f"{json.dumps(k)}",
                    help="name variables with letters, digits and `_`",
                    target="kubernetes",
                    severity=W,
                )


check("APL413", target="kubernetes")(env_names)


def dependencies(ctx: LintContext) -> Iterator[Finding]:
    by_id = ctx.appliance.by_id
    for c in named(ctx):
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


check("APL402", target="kubernetes")(dependencies)


def port_names(ctx: LintContext) -> Iterator[Finding]:
    from applc.targets.kubernetes.naming import port_names

    yield from renamed_ports(
        ctx, "kubernetes", port_names, "a Kubernetes container port", " (at most 15)"
    )


check("APL403", target="kubernetes")(port_names)


def schedules(ctx: LintContext) -> Iterator[Finding]:
    from applc.targets.kubernetes.adapter import cron_schedule

    for c in named(ctx):
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


check("APL404", target="kubernetes")(schedules)


def placement(ctx: LintContext) -> Iterator[Finding]:
    from applc.targets.base import placement_choice
    from applc.targets.kubernetes.adapter import node_selector

    for c in named(ctx):
        _, why = node_selector(c)
        choice = placement_choice(c)
        if why is not None and choice is not None:
            yield Finding(
                "APL405",
                Loc(c.at("schedule_hints", "placement", choice[0])),
                why,
                target="kubernetes",
            )


check("APL405", target="kubernetes")(placement)


def names(ctx: LintContext) -> Iterator[Finding]:
    from applc.targets.kubernetes.adapter import job_kind, name_problem

    for c in named(ctx):
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


check("APL407", target="kubernetes")(names)


def resources(ctx: LintContext) -> Iterator[Finding]:
    yield from fractional_gpus(ctx, "kubernetes")


check("APL410", target="kubernetes")(resources)


def volumes(ctx: LintContext) -> Iterator[Finding]:
    from applc.targets.kubernetes.adapter import CLAIM_SIZE, DNS1123, persistent_claims

    claims = dict(persistent_claims(ctx.appliance))
    reported: set[str] = set()
    for c in named(ctx):
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


check("APL411", target="kubernetes")(volumes)
