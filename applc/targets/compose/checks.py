"""The compose target's checks: what a compose project cannot express (APL406 and APL412
here; the shared APL404, APL405 and APL410 in `applc.targets.checks`)."""

from __future__ import annotations

from collections.abc import Iterator

from applc.diagnostics import Finding, Loc
from applc.rules.context import LintContext
from applc.rules.registry import check, rule
from applc.targets.checks import INFO, W, fractional_gpus, named
from applc.targets.checks import example_app as _app
from applc.targets.checks import example_container as _c

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
    passes=_app(
        _c("db"),
        _c("api", ', "env": {"DB": "@db:5432"}, "dependencies": ["db"]'),
    ),
    example_target="compose",
)


rule(
    "APL412",
    "health-check-needs-tool",
    INFO,
    "a compose health check that needs a tool in the image",
    """
    Compose runs a health check inside the container (Marathon and Kubernetes probe from
    outside and need nothing in the image). applc writes TCP checks with shell built-ins
    only (any image with `/bin/sh`), and HTTP checks with the first of `curl`, `wget` or
    bash's `/dev/tcp` the image has. An HTTPS check needs `curl` or `wget`: in an image
    with neither, the check fails, the container never turns healthy and the containers
    that depend on it never start. applc cannot see into the image, so it says so for
    every HTTPS check; the health log (`docker inspect`) names the missing tool.
    """,
    fails=_app(
        _c(
            "web",
            ', "ports": [{"container_port": 8443}], '
            '"health_check": {"protocol": "MESOS_HTTPS", "path": "/"}',
        )
    ),
    passes=_app(
        _c(
            "web",
            ', "ports": [{"container_port": 8443}], "health_check": {"protocol": "MESOS_TCP"}',
        )
    ),
    example_target="compose",
)


# Each check is registered by a call after its definition, not with `@check`:
# mutmut does not mutate decorated functions (docs/testing.md).
def https_checks(ctx: LintContext) -> Iterator[Finding]:
    for c in named(ctx):
        hc = c.health_check
        if hc is None or not c.is_service or not hc.protocol.upper().endswith("HTTPS"):
            continue
        image = c.image if isinstance(c.image, str) else "its image"
        yield Finding(
            "APL412",
            Loc(hc.at("protocol")),
            f"compose runs the {hc.protocol} health check of `{c.id}` inside the container, "
            f"with curl or wget: `{image}` needs one of them",
            help="use a TCP check, or an image with curl or wget",
            target="compose",
        )


check("APL412", target="compose")(https_checks)


def schedules(ctx: LintContext) -> Iterator[Finding]:
    for c in named(ctx):
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


check("APL404", target="compose")(schedules)


def placement(ctx: LintContext) -> Iterator[Finding]:
    from applc.targets.base import placement_choice

    for c in named(ctx):
        choice = placement_choice(c)
        if choice is not None:
            yield Finding(
                "APL405",
                Loc(c.at("schedule_hints", "placement", choice[0])),
                f"compose cannot place `{c.id}` by `{choice[0]}`; the placement is left out",
                target="compose",
            )


check("APL405", target="compose")(placement)


def host_references(ctx: LintContext) -> Iterator[Finding]:
    from applc.targets.compose.naming import HOST_GATEWAY_NAME

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


check("APL406", target="compose")(host_references)


def resources(ctx: LintContext) -> Iterator[Finding]:
    for c in named(ctx):
        res = c.resources
        if res is not None and res.disk > 0:
            yield Finding(
                "APL410",
                Loc(res.at("disk")),
                f"compose has no disk reservation; `disk` of `{c.id}` is left out",
                target="compose",
            )
    yield from fractional_gpus(ctx, "compose")


check("APL410", target="compose")(resources)
