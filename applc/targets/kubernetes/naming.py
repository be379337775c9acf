"""How the Kubernetes target names things: a container by its Service's DNS name in the
appliance's namespace, a port by an IANA service name."""

from __future__ import annotations

from applc.model.nodes import Appliance, Container
from applc.targets.base import Naming, TargetOptions, assign_names, derive_name

CLUSTER_DOMAIN = "cluster.local"


def namespace_of(app: Appliance, options: TargetOptions) -> str:
    """The namespace of the appliance's objects: `--namespace`, else the appliance id."""
    return options.namespace or app.id or "default"


def dns_name(container_id: str, namespace: str) -> str:
    """The Service's fully qualified name: `<container>.<namespace>.svc.cluster.local`."""
    return f"{container_id}.{namespace}.svc.{CLUSTER_DOMAIN}"


def naming_for(app: Appliance, options: TargetOptions) -> Naming:
    """Container id -> the name that reaches it: its Service's fully qualified name."""
    ns = namespace_of(app, options)
    return lambda cid: dns_name(cid, ns)


def port_name(name: str) -> str | None:
    """An IANA service name (what a container port's name must be) for PIVOT's free-text
    port name, or None: at most 15 of `[a-z0-9-]`, a letter, no `--`, no `-` at the ends."""
    full = derive_name(name)
    derived = full[:15].rstrip("-")
    if len(full) > 15 and full[15] != "-" and "-" in derived:
        # Cut at a word boundary rather than inside a word: `hdfs-namenode-ui` -> `hdfs-namenode`.
        shorter = derived.rsplit("-", 1)[0]
        if any(ch.isalpha() for ch in shorter):
            derived = shorter
    if not derived or not any(ch.isalpha() for ch in derived):
        return None
    return derived


def port_names(c: Container) -> list[str | None]:
    return assign_names([p.name for p in c.ports], port_name)
