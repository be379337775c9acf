"""Independent references for what applc must produce, written for the tests.

Nothing here imports applc: a bug in applc's tokenizer or naming cannot hide in its own
expected values.

`rewrite` is PIVOT's documented rule (docs/targets.md, PIVOT's `container/__init__.py`):
a reference is `@` followed by a run of `[a-zA-Z0-9-]`, not preceded by a backslash;
references are rewritten, then every `\\@` becomes `@`. PIVOT needs a character other
than `@` or `\\` before each reference (`([^@\\]+)@(id)`, after prepending a space), so
it misses a reference right after another one; applc's documented differences are that
it finds every reference, leaves a reference to an unknown id as written (lint reports
it, APL201), and keeps whitespace exactly (no split, join or strip).

`name_of` is the table of docs/targets.md: what `@id` becomes for each target.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection

# PIVOT's detection pattern with the character before the `@` as a look-behind (so a
# reference right after another is found, applc's difference) instead of a group.
_REFERENCE = re.compile(r"(?<!\\)@([A-Za-z0-9-]+)")


def rewrite(text: str, known: Collection[str] | None, name: Callable[[str], str]) -> str:
    """`known=None`: every id is known (the tokenizer's own view, before any appliance)."""
    replaced = _REFERENCE.sub(
        lambda m: name(m.group(1)) if known is None or m.group(1) in known else m.group(0),
        text,
    )
    return replaced.replace("\\@", "@")


def name_of(
    target: str, appliance: str, namespace: str | None = None, host_mode: Collection[str] = ()
) -> Callable[[str], str]:
    """docs/targets.md, "References: one resolver, one naming function per target"."""
    if target == "marathon":
        # DC/OS's name for app /<appliance>/<id> on its container network.
        return lambda cid: f"{cid}-{appliance}.marathon.containerip.dcos.thisdcos.directory"
    if target == "compose":
        # The service name; a host-network container is reached through the host.
        return lambda cid: "host.docker.internal" if cid in host_mode else cid
    if target == "kubernetes":
        ns = namespace or appliance
        return lambda cid: f"{cid}.{ns}.svc.cluster.local"
    raise KeyError(target)


def host_mode(containers: list[dict]) -> set[str]:
    """Containers on the host's network: PIVOT's default network mode is HOST
    (pivot-appliance-format.md), so a container without one is too."""
    return {c["id"] for c in containers if str(c.get("network_mode", "HOST")).upper() == "HOST"}
