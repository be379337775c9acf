"""How the Marathon target names things: a container by the DC/OS DNS name PIVOT gives
it, a port by a name Marathon accepts."""

from __future__ import annotations

import re

from applc.model.nodes import Appliance, Container
from applc.targets.base import Naming, assign_names, derive_name

DNS_SUFFIX = "marathon.containerip.dcos.thisdcos.directory"
_PORT_NAME = re.compile(r"[a-z][a-z0-9-]*")


def dns_name(appliance_id: str, container_id: str) -> str:
    """PIVOT's contract: `<container>-<appliance>.marathon.containerip.dcos.thisdcos.directory`."""
    return f"{container_id}-{appliance_id}.{DNS_SUFFIX}"


def naming_for(app: Appliance) -> Naming:
    """Container id -> the name that reaches it: its DC/OS DNS name."""
    aid = app.id or ""
    return lambda cid: dns_name(aid, cid)


def port_name(name: str) -> str | None:
    """A Marathon port name (`^[a-z][a-z0-9-]*$`) for PIVOT's free-text one, or None."""
    derived = derive_name(name)
    return derived if _PORT_NAME.fullmatch(derived) else None


def port_names(c: Container) -> list[str | None]:
    return assign_names([p.name for p in c.ports], port_name)
