"""How the compose target names a container: by its service name, on the project
network."""

from __future__ import annotations

from applc.model.nodes import Appliance
from applc.targets.base import Naming

# A HOST-mode container is not on the project network, so its service name does not
# resolve; the host that runs it is reached through the Docker host gateway.
HOST_GATEWAY_NAME = "host.docker.internal"


def naming_for(app: Appliance) -> Naming:
    """Container id -> the name that reaches it: the service name, which is the id; a
    HOST-mode container is reached through the Docker host."""
    by_id = app.by_id

    def name_of(cid: str) -> str:
        other = by_id.get(cid)
        if other is not None and other.network_mode == "HOST":
            return HOST_GATEWAY_NAME
        return cid

    return name_of
