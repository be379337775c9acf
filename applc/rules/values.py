"""Values no target accepts (APL111-APL114, and health-check paths under APL104).

What lint lets through, every target must accept: these are the values the targets'
own validators refuse (Marathon's and Chronos' schemas, compose-go, the Kubernetes API
server, Docker itself) that the field table alone does not catch. Each is an error with
the value's position, so a build stops before it writes a file the platform rejects.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from applc.diagnostics import Finding, Loc, Severity
from applc.patterns import lazy
from applc.rules.context import LintContext
from applc.rules.registry import check, rule
from applc.source import has_u_escape, join_pointer

E = Severity.ERROR


def _app(extra: str = "", image: str = "nginx:1.25", top: str = "") -> str:
    return (
        '{"id": "shop", ' + top + '"containers": [{"id": "web", "type": "service", '
        f'"image": "{image}", "resources": {{"cpus": 1, "mem": 256}}, '
        f'"network_mode": "BRIDGE"{extra}}}]}}'
    )


rule(
    "APL111",
    "invalid-volume-id",
    E,
    "a persistent volume id that cannot name a Docker volume",
    """
    A persistent volume's id names its Docker volume (`<appliance>-<id>`, or `<id>` for
    a global volume), so it must be a Docker volume name: letters, digits, `_`, `.` and
    `-`, starting with a letter or digit. Compose refuses anything else. Worse, Docker
    reads a name with a `/` as a host path: a global volume with the id
    `/var/run/docker.sock` becomes a bind mount of the host's Docker socket on Marathon.
    """,
    fails=_app(
        ', "volumes": [{"src": "/var/run/docker.sock", "dest": "/sock"}]',
        top='"data_persistence": {"volumes": [{"id": "/var/run/docker.sock", '
        '"scope": "GLOBAL"}]}, ',
    ),
    passes=_app(
        ', "volumes": [{"src": "pgdata", "dest": "/data"}]',
        top='"data_persistence": {"volumes": [{"id": "pgdata"}]}, ',
    ),
)

rule(
    "APL112",
    "unusable-string",
    E,
    "a string no target can carry",
    """
    A `\\ud800`-style escape that is half of a surrogate pair is valid JSON but not a
    Unicode character: compose and Kubernetes files (YAML) cannot hold it, anywhere. A
    NUL character cannot be part of a command, an argument or an environment variable
    on Linux: the container cannot start.
    """,
    fails=_app(', "env": {"A": "\\ud800"}'),
    passes=_app(', "env": {"A": "\\u00e9"}'),
)

rule(
    "APL113",
    "invalid-image",
    E,
    "an image that is not a Docker image reference",
    """
    `image` must be a Docker image reference: `[registry[:port]/]name[:tag][@digest]`,
    the name in lower case (letters, digits, and `.`, `_`, `__` or `-` between them,
    in `/`-separated parts), a tag of at most 128 letters, digits, `_`, `.` and `-`.
    An empty image, spaces, or upper case in the name are refused by every target (or
    by Docker when it pulls).
    """,
    fails=_app(image="Nginx:1.25"),
    passes=_app(image="registry.example.com:5000/team/nginx:1.25"),
)

rule(
    "APL114",
    "invalid-env-name",
    E,
    "an environment variable name no container can have",
    """
    An environment variable name must not be empty and must not contain `=`: a
    container's environment is a list of `NAME=value` strings, so Marathon and compose
    refuse an empty name, and a name with `=` comes out as another name with another
    value.
    """,
    fails=_app(', "env": {"": "x"}'),
    passes=_app(', "env": {"MODE": "x"}'),
)

# --------------------------------------------------------------------------- volumes

VOLUME_NAME = lazy(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


@check("APL111")
def check_volume_ids(ctx: LintContext) -> Iterator[Finding]:
    dp = ctx.appliance.data_persistence
    if dp is None:
        return
    for pv in dp.volumes:
        if not isinstance(pv.id, str) or VOLUME_NAME.fullmatch(pv.id):
            continue
        if "/" in pv.id:
            why = "it contains `/`, so Docker would read it as a host path and bind-mount it"
        elif not pv.id:
            why = "it is empty"
        else:
            why = (
                "Docker volume names are letters, digits, `_`, `.` and `-`, starting with "
                "a letter or digit"
            )
        yield Finding(
            "APL111",
            Loc(pv.at("id")),
            f"volume id {_shown(pv.id)} cannot name a Docker volume: {why}",
            help="name the volume with letters, digits, `_`, `.` and `-`; for a host path, "
            'mount it with `"type": "HOST"` instead',
        )


# --------------------------------------------------------------------------- strings

# The JSON (and DSL) escape of a surrogate: the only way one gets into a string, since
# the file itself is valid UTF-8. Looked for in the text first, so a clean file (almost
# every file) costs one scan.
_SURROGATE_ESCAPE = lazy(r"\\u[dD][89a-fA-F]")
_SURROGATE = lazy("[\ud800-\udfff]")


def _shown(text: str) -> str:
    """A value quoted with every control character and surrogate escaped."""
    import json

    return json.dumps(text[:80] + ("..." if len(text) > 80 else ""), ensure_ascii=True)


@check("APL112")
def check_strings(ctx: LintContext) -> Iterator[Finding]:
    text = ctx.source.text
    if not has_u_escape(text):
        return  # both get into a string only by a `\\u` escape
    if _SURROGATE_ESCAPE.search(text) is not None:
        yield from _surrogates(ctx.value, "")
    if "\\u0000" not in text:
        return  # a NUL gets into a string only by its escape
    for c in ctx.appliance.containers:
        if not isinstance(c.id, str):
            continue
        for ptr, text in c.referencing_strings():
            if "\0" in text:
                yield Finding(
                    "APL112",
                    Loc(ptr),
                    f"{_shown(text)} contains a NUL character, which a command, an argument "
                    "or an environment variable cannot hold",
                    help="remove the `\\u0000`",
                )
        for k in c.env:
            if "\0" in k:
                yield Finding(
                    "APL112",
                    Loc(c.at("env", k), "key"),
                    f"environment variable name {_shown(k)} contains a NUL character",
                    help="remove the `\\u0000`",
                )


def _surrogates(value: Any, ptr: str) -> Iterator[Finding]:
    if isinstance(value, str):
        if _SURROGATE.search(value):
            yield _surrogate_finding(value, Loc(ptr))
    elif isinstance(value, dict):
        for k, v in value.items():
            sub = join_pointer(ptr, k)
            if _SURROGATE.search(k):
                yield _surrogate_finding(k, Loc(sub, "key"))
            yield from _surrogates(v, sub)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _surrogates(v, join_pointer(ptr, i))


def _surrogate_finding(text: str, loc: Loc) -> Finding:
    return Finding(
        "APL112",
        loc,
        f"{_shown(text)} contains half of a surrogate pair, which is not a Unicode "
        "character; compose and Kubernetes files cannot hold it",
        help="write the character itself, or both halves of the pair (`\\ud83d\\ude00`)",
    )


# --------------------------------------------------------------------------- images

# The grammar of a Docker image reference (distribution's `reference` package):
# [domain[:port]/]path[:tag][@digest], the path in lower case.
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[0-9a-fA-F:.]+\])(?::[0-9]+)?"
_PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REFERENCE = re.compile(
    rf"(?:{_DOMAIN}/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
    r"(?::[\w][\w.-]{0,127})?"
    r"(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?",
    re.ASCII,
)
MAX_NAME = 255


def image_reference_problem(image: str) -> str | None:
    """Why `image` is not a Docker image reference, or None."""
    if not image:
        return "it is empty"
    if image != image.strip():
        return "it has spaces around it"
    if _REFERENCE.fullmatch(image) is None:
        name = image.split("@", 1)[0]
        if name.lower() != name and _REFERENCE.fullmatch(image.lower()) is not None:
            return "repository names must be lower case"
        return "it does not have the form `[registry/]name[:tag][@digest]`"
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        name = name[: len(name) - len(last)] + last.split(":", 1)[0]
    if len(name) > MAX_NAME:
        return f"its name is {len(name)} characters, over {MAX_NAME}"
    return None


@check("APL113")
def check_images(ctx: LintContext) -> Iterator[Finding]:
    # A big appliance runs a few images in thousands of containers: each is checked once.
    problems: dict[str, str | None] = {}
    for c in ctx.appliance.containers:
        if not isinstance(c.image, str):
            continue
        if c.image in problems:
            why = problems[c.image]
        else:
            why = problems[c.image] = image_reference_problem(c.image)
        if why is not None:
            yield Finding(
                "APL113",
                Loc(c.at("image")),
                f"image {_shown(c.image)} is not a Docker image reference: {why}",
                help="write it as `name:tag`, such as `postgres:15.4`",
            )


# --------------------------------------------------------------------------- env names


@check("APL114")
def check_env_names(ctx: LintContext) -> Iterator[Finding]:
    from applc.model.fields import IGNORE_KEY, SCHEMA_KEY

    for c in ctx.appliance.containers:
        env = c.env
        # Looked at as a whole first (in C): nearly every container's names are fine.
        if not env or ("" not in env and "=" not in "".join(env)):
            continue
        for k in env:
            if k in (IGNORE_KEY, SCHEMA_KEY):
                continue
            if not k:
                why = "it is empty"
            elif "=" in k:
                why = "it contains `=`, which ends a name in the container's environment"
            else:
                continue
            yield Finding(
                "APL114",
                Loc(c.at("env", k), "key"),
                f"environment variable name {_shown(k)} is invalid: {why}",
                help="name variables with letters, digits and `_`",
            )


# --------------------------------------------------------------------------- health checks

HTTP_PROTOCOLS = ("HTTP", "HTTPS", "MESOS_HTTP", "MESOS_HTTPS")


@check("APL104")
def check_health_check_paths(ctx: LintContext) -> Iterator[Finding]:
    for c in ctx.appliance.containers:
        hc = c.health_check
        raw = c.raw.get("health_check")
        if hc is None or hc.protocol not in HTTP_PROTOCOLS or not isinstance(raw, dict):
            continue
        path = raw.get("path")
        # An empty path means the default, `/`.
        if isinstance(path, str) and path and not path.startswith("/"):
            yield Finding(
                "APL104",
                Loc(hc.at("path")),
                f"health check path {_shown(path)} must start with `/`; Marathon refuses the app",
                help=f"write `/{path.strip()}`" if path.strip() else "write `/`",
            )
