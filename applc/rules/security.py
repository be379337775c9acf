"""Security and best practice (APL301-APL305)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from applc.diagnostics import Finding, Loc, Severity
from applc.patterns import lazy
from applc.rules.context import LintContext
from applc.rules.registry import Security, check, rule

W = Severity.WARNING


def _app(extra: str, image: str = "nginx:1.25") -> str:
    return (
        '{"id": "shop", "containers": [{"id": "web", "type": "service", '
        f'"image": "{image}", "resources": {{"cpus": 1, "mem": 256}}{extra}}}]}}'
    )


rule(
    "APL301",
    "privileged",
    W,
    "a privileged container",
    """
    `is_privileged: true` gives the container every capability of the host's root.
    Needed for some system containers (a Mesos agent), otherwise a risk.
    """,
    fails=_app(', "is_privileged": true'),
    passes=_app(', "is_privileged": false'),
    # Root on the host from inside the container: a full escape.
    security=Security(8.8, 250),
)

rule(
    "APL302",
    "docker-socket-mount",
    W,
    "the Docker socket is mounted",
    """
    Mounting `/var/run/docker.sock` lets the container control the host's Docker, and
    so the host. A containerized Mesos agent needs it; anything else should not. A
    persistent volume whose id is the socket's path mounts it too: Docker reads a volume
    name with a `/` as a host path.
    """,
    fails=_app(
        ', "volumes": [{"src": "/var/run/docker.sock", '
        '"dest": "/var/run/docker.sock", "type": "HOST"}]'
    ),
    passes=_app(
        ', "volumes": [{"src": "/srv/www", "dest": "/usr/share/nginx/html", "type": "HOST"}]'
    ),
    # Whoever reaches the socket starts privileged containers: root on the host.
    security=Security(8.8, 250),
)

rule(
    "APL303",
    "host-network",
    W,
    "an explicit `network_mode: host`",
    """
    HOST networking shares the agent's network stack: ports clash with everything else
    on the agent, and the container can reach every local service. Only an explicit
    `network_mode: host` is reported, not PIVOT's implicit default.
    """,
    fails=_app(', "network_mode": "host"'),
    passes=_app(', "network_mode": "container"'),
    # No network isolation: the container reaches every service bound on the agent.
    security=Security(5.3, 653),
)

rule(
    "APL304",
    "unpinned-image",
    W,
    "an image with no tag or the `latest` tag",
    """
    An image without a tag, or tagged `latest`, changes under you: two deploys of the
    same appliance run different software. Pin a version tag or a digest.
    """,
    fails=_app("", image="nginx"),
    passes=_app(""),
    # Whatever the registry serves next runs: a supply-chain risk, not an exploit.
    security=Security(3.1, 829),
)

rule(
    "APL305",
    "secret-in-env",
    W,
    "a literal secret in `env`",
    """
    A literal value under a key that names a password, token, secret or key is stored
    in the appliance, in PIVOT's database and in Marathon. Pass a reference or a
    placeholder (`${DB_PASSWORD}`) instead. Empty values, placeholders such as
    `<redacted>`, `${VAR}` and public keys are not reported.
    """,
    fails=_app(', "env": {"DB_PASSWORD": "hunter2"}'),
    passes=_app(', "env": {"DB_PASSWORD": "${DB_PASSWORD}"}'),
    # A credential readable by anyone who reads the file, PIVOT or Marathon.
    security=Security(7.5, 798),
)

DOCKER_SOCKETS = ("/var/run/docker.sock", "/run/docker.sock")


@check("APL301", "APL302", "APL303", "APL304")
def check_container_security(ctx: LintContext) -> Iterator[Finding]:
    dp = ctx.appliance.data_persistence
    declared = dp.by_id if dp is not None else {}
    for c in ctx.appliance.containers:
        if c.raw.get("is_privileged") is True:
            yield Finding(
                "APL301",
                Loc(c.at("is_privileged")),
                f"`{c.id}` runs privileged",
                help="remove `is_privileged` unless the container needs the host",
            )
        for v in c.volumes:
            if v.source_path not in DOCKER_SOCKETS:
                continue
            if v.kind == "HOST":
                ptr = v.at("host_path" if v.legacy else "src")
                yield Finding(
                    "APL302",
                    Loc(ptr),
                    f"`{c.id}` mounts the Docker socket `{v.source_path}`",
                    help="only containers that must run containers need this",
                )
            elif v.source_path in declared:
                # Docker reads a volume "name" with a `/` as a host path: the persistent
                # volume is a bind mount of the socket on Marathon (and APL111 says so).
                yield Finding(
                    "APL302",
                    Loc(v.at("src")),
                    f"`{c.id}` mounts the Docker socket `{v.source_path}` through a "
                    "persistent volume of that id, which Docker binds from the host",
                    help="only containers that must run containers need this",
                )
        nm = c.raw.get("network_mode")
        if isinstance(nm, str) and nm.upper() == "HOST":
            yield Finding(
                "APL303",
                Loc(c.at("network_mode")),
                f"`{c.id}` uses the host network",
                help='use "container" or "bridge" networking',
            )
        if c.image is not None:
            problem = image_problem(c.image)
            if problem is not None:
                yield Finding(
                    "APL304",
                    Loc(c.at("image")),
                    f"image `{c.image}` {problem}",
                    help="pin a version tag such as `name:1.2.3`, or a digest",
                )


def image_problem(image: str) -> str | None:
    if "@" in image:
        return None  # pinned by digest
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return "has no tag, so it means `latest`"
    if last.rsplit(":", 1)[1] == "latest":
        return "uses the `latest` tag"
    return None


_SECRET_WORDS = {
    "PASSWORD",
    "PASSWD",
    "PASS",
    "PWD",
    "TOKEN",
    "SECRET",
    "SECRETS",
    "APIKEY",
    "CREDENTIAL",
    "CREDENTIALS",
    "PRIVATEKEY",
    "AUTH",
}
_NOT_SECRET_TAIL = {
    "FILE",
    "PATH",
    "DIR",
    "USER",
    "USERNAME",
    "NAME",
    "HOST",
    "PORT",
    "URL",
    "ADDR",
    "ENABLED",
    "ID",
    "TYPE",
    "LENGTH",
    "POLICY",
}
_PLACEHOLDER = lazy(
    r"<[^>]*>|\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\*+|x+|\.\.\.|"
    r"changeme-placeholder|none|null|redacted",
    re.IGNORECASE,
)


@lru_cache(maxsize=4096)  # big appliances repeat the same env keys thousands of times
def is_secret_key(key: str) -> bool:
    words = [w for w in re.split(r"[_\-.]+", key.upper()) if w]
    if not words or words[-1] in _NOT_SECRET_TAIL:
        return False
    if any(w in ("PUBKEY", "PUBLIC") for w in words):
        return False
    if any(w in _SECRET_WORDS for w in words):
        return True
    return words[-1] == "KEY" or key.upper().endswith(("_KEY", "APIKEY", "SECRETKEY"))


def looks_secret(value: str) -> bool:
    v = value.strip()
    if not v or _PLACEHOLDER.fullmatch(v):
        return False
    if v.startswith(("ssh-rsa ", "ssh-ed25519 ", "ecdsa-sha2-", "-----BEGIN PUBLIC")):
        return False
    return not re.fullmatch(r"@[A-Za-z0-9-]+", v)


@check("APL305")
def check_env_secrets(ctx: LintContext) -> Iterator[Finding]:
    for c in ctx.appliance.containers:
        for k, v in c.env.items():
            if isinstance(v, str) and is_secret_key(k) and looks_secret(v):
                yield Finding(
                    "APL305",
                    Loc(c.at("env", k)),
                    f"env `{k}` of `{c.id}` holds a literal secret",
                    help=f'pass it in at deploy time, e.g. "${{{k}}}"',
                )
