"""What `applc graph` draws: containers, dependency and reference edges, cycles.

Every renderer (dot, Mermaid, SVG, HTML) draws this one view, so they agree on what
the graph is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from applc.model.nodes import Appliance


@dataclass
class GraphView:
    name: str
    nodes: list[tuple[str, str]] = field(default_factory=list)  # (id, "service"|"job"|...)
    edges: list[tuple[str, str, str]] = field(default_factory=list)  # (from, to, kind)
    cyclic_nodes: set[str] = field(default_factory=set)
    cyclic_edges: set[tuple[str, str]] = field(default_factory=set)


def graph_view(app: Appliance) -> GraphView:
    from applc.resolve.graph import DependencyGraph
    from applc.targets.base import referenced_ids

    view = GraphView(app.id if isinstance(app.id, str) else "appliance")
    by_id = app.by_id
    for cid, c in by_id.items():
        view.nodes.append((cid, "job" if c.is_job else "service"))
    missing: dict[str, None] = {}
    for cid, c in by_id.items():
        for d in dict.fromkeys(c.dependencies):
            view.edges.append((cid, d, "dependency"))
            if d not in by_id:
                missing.setdefault(d)
        for r in referenced_ids(c):
            if r == cid:
                continue  # a container naming itself says nothing about the graph
            view.edges.append((cid, r, "reference"))
            if r not in by_id:
                missing.setdefault(r)
    view.nodes += [(m, "missing") for m in missing]
    graph = DependencyGraph.of_appliance(app)
    for comp in graph.strongly_connected():
        members = set(comp)
        if len(comp) == 1 and comp[0] not in graph.edges[comp[0]]:
            continue
        view.cyclic_nodes |= members
        for a in comp:
            for b in graph.edges[a]:
                if b in members:
                    view.cyclic_edges.add((a, b))
    return view
