"""Ports (APL221-APL224)."""

from __future__ import annotations

from collections.abc import Iterator

from applc.diagnostics import Finding, Label, Loc, Severity
from applc.model.nodes import Container, Port
from applc.rules.context import LintContext
from applc.rules.registry import check, rule

E, W = Severity.ERROR, Severity.WARNING


def _app(ports: str, second: str = "") -> str:
    web = (
        '{"id": "web", "type": "service", "image": "nginx:1.25", '
        '"resources": {"cpus": 1, "mem": 256}, "network_mode": "bridge", '
        f'"ports": {ports}}}'
    )
    return '{"id": "shop", "containers": [' + web + second + "]}"


_API = (
    ', {"id": "api", "type": "service", "image": "api:2.1", '
    '"resources": {"cpus": 1, "mem": 256}, "network_mode": "bridge", '
    '"ports": [{"container_port": 9000, "host_port": 8080}]}'
)

rule(
    "APL221",
    "port-out-of-range",
    E,
    "a port number outside its range",
    """
    `container_port` must be 1 to 65535 and `host_port` 0 to 65535 (0 picks a random
    host port). PIVOT does not check; Marathon rejects the app.
    """,
    fails=_app('[{"container_port": 70000}]'),
    passes=_app('[{"container_port": 80}]'),
)

rule(
    "APL222",
    "duplicate-port",
    E,
    "the same container port and protocol twice",
    """
    A container lists the same `container_port` with the same protocol twice; Marathon
    rejects duplicate port mappings.
    """,
    fails=_app('[{"container_port": 80}, {"container_port": 80}]'),
    passes=_app('[{"container_port": 80}, {"container_port": 80, "protocol": "udp"}]'),
)

rule(
    "APL223",
    "host-port-conflict",
    W,
    "two containers bind the same fixed host port",
    """
    A fixed host port (a non-zero `host_port`, or `container_port` in HOST mode, where it
    is bound on the host) can be bound once per agent. Two containers, or two instances
    of one service, with the same fixed host port can never share an agent, which limits
    placement and fails outright on a one-agent cluster. Use `host_port: 0` unless a
    fixed port is really needed.
    """,
    fails=_app('[{"container_port": 80, "host_port": 8080}]', _API),
    passes=_app('[{"container_port": 80, "host_port": 0}]', _API),
)

rule(
    "APL224",
    "port-index-out-of-range",
    E,
    "a health check's `port_index` has no port",
    """
    A health check probes `ports[port_index]`; an index beyond the container's ports
    makes Marathon reject the app.
    """,
    fails=_app('[{"container_port": 80}]').replace(
        '"ports"', '"health_check": {"protocol": "MESOS_HTTP", "port_index": 1}, "ports"'
    ),
    passes=_app('[{"container_port": 80}]').replace(
        '"ports"', '"health_check": {"protocol": "MESOS_HTTP", "port_index": 0}, "ports"'
    ),
)


def _protocols(p: str) -> set[str]:
    return {x.strip() for x in p.split(",")}


def fixed_host_ports(c: Container) -> list[tuple[int, str, Port, str]]:
    """(port, protocol, the port entry, its field) of each host port this container
    binds by number (the pointer, `entry.at(field)`, is made when a finding needs it)."""
    out = []
    for p in c.ports:
        if c.network_mode == "HOST":
            if p.container_port:
                out.append((p.container_port, p.protocol, p, "container_port"))
        elif p.host_port:
            out.append((p.host_port, p.protocol, p, "host_port"))
    return out


@check("APL221", "APL222", "APL223", "APL224")
def check_ports(ctx: LintContext) -> Iterator[Finding]:
    bound: dict[tuple[int, str], tuple[Container, Port, str]] = {}
    protocols: dict[str, list[str]] = {}  # each protocol text split once

    def split(text: str) -> list[str]:
        found = protocols.get(text)
        if found is None:
            found = protocols[text] = sorted(_protocols(text))
        return found

    for c in ctx.appliance.containers:
        seen: dict[tuple[int, str], Port] = {}
        for p in c.ports:
            cp = p.container_port
            if cp is not None and not 1 <= cp <= 65535:
                yield Finding(
                    "APL221",
                    Loc(p.at("container_port")),
                    f"container_port {cp} is out of range 1-65535",
                )
            if not 0 <= p.host_port <= 65535:
                yield Finding(
                    "APL221",
                    Loc(p.at("host_port")),
                    f"host_port {p.host_port} is out of range 0-65535",
                    help="use 0 for a random host port",
                )
            if cp is None:
                continue
            told = False  # one finding per entry; its other protocols still count
            for proto in split(p.protocol):
                key = (cp, proto)
                if key not in seen:
                    seen[key] = p
                elif not told:
                    told = True
                    yield Finding(
                        "APL222",
                        Loc(p.at("container_port")),
                        f"container port {cp}/{proto} is listed twice in `{c.id}`",
                        help="remove one of the two entries",
                        labels=(Label(Loc(seen[key].at("container_port")), "first listed here"),),
                    )
        for port, proto, entry, field in fixed_host_ports(c):
            told = False
            for pr in split(proto):
                key = (port, pr)
                first = bound.setdefault(key, (c, entry, field))
                if first[0] is not c and not told:
                    told = True
                    other, oentry, ofield = first
                    yield Finding(
                        "APL223",
                        Loc(entry.at(field)),
                        f"host port {port}/{pr} is also bound by `{other.id}`",
                        help="use host_port 0 for a random port, or a different port",
                        labels=(Label(Loc(oentry.at(ofield)), f"`{other.id}` binds it here"),),
                        notes=("two containers with one fixed host port never share an agent",),
                    )
            if c.is_service and c.instances > 1:
                yield Finding(
                    "APL223",
                    Loc(entry.at(field)),
                    f"{c.instances} instances of `{c.id}` all bind host port {port}",
                    help="use host_port 0 for a random port",
                    notes=("each instance needs an agent of its own",),
                )
        hc = c.health_check
        if (
            hc is not None
            and hc.protocol != "COMMAND"
            and "port_index" in c.raw.get("health_check", {})
            and not 0 <= hc.port_index < len(c.ports)
        ):
            yield Finding(
                "APL224",
                Loc(hc.at("port_index")),
                f"health check port_index {hc.port_index} has no port: `{c.id}` has "
                f"{len(c.ports)} port{'s' if len(c.ports) != 1 else ''}",
                help="use an index into `ports`, starting at 0",
            )
        elif (
            hc is not None
            and hc.protocol in ("HTTP", "HTTPS", "TCP", "MESOS_HTTP", "MESOS_HTTPS", "MESOS_TCP")
            and not c.ports
        ):
            yield Finding(
                "APL224",
                Loc(hc.pointer, "key"),
                f"`{c.id}` has a {hc.protocol} health check but no ports to probe",
                help="add the port to `ports`, or use a COMMAND check",
            )
