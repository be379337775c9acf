"""The dependency graph of an appliance: edges, a deterministic start order, cycles."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from applc.records import Value

if TYPE_CHECKING:
    from applc.model.nodes import Appliance


class DependencyGraph(Value):
    """Nodes in document order; `edges[a]` are the nodes `a` depends on, in order."""

    FIELDS = ("nodes", "edges")
    __hash__ = None  # type: ignore[assignment]  # mutable, as the dataclass was

    def __init__(self, nodes: list[str], edges: dict[str, list[str]] | None = None) -> None:
        self.nodes = nodes
        self.edges = {} if edges is None else edges

    @classmethod
    def of_appliance(cls, app: Appliance) -> DependencyGraph:
        """The graph of the appliance's `dependencies`: one node per container id (the
        first container with each id), edges to the ids it depends on that exist. Lint,
        the targets' start order and `applc graph` all use this one."""
        return cls.from_pairs(
            list(app.by_id),
            ((c.id, d) for c in app.containers if c.id is not None for d in c.dependencies),
        )

    @classmethod
    def from_pairs(cls, nodes: Sequence[str], pairs: Iterable[tuple[str, str]]) -> DependencyGraph:
        g = cls(list(dict.fromkeys(nodes)))
        for n in g.nodes:
            g.edges[n] = []
        for a, b in pairs:
            if a in g.edges and b in g.edges and b not in g.edges[a]:
                g.edges[a].append(b)
        return g

    def topological_order(self) -> list[str]:
        """Dependencies before dependents; ties keep document order. Nodes on a cycle
        (and what depends on them) come last, in document order."""
        import heapq  # only builds order containers; a lint does not import it

        index = {n: i for i, n in enumerate(self.nodes)}
        remaining = {n: len(self.edges[n]) for n in self.nodes}
        dependents: dict[str, list[str]] = {n: [] for n in self.nodes}
        for a in self.nodes:
            for b in self.edges[a]:
                dependents[b].append(a)
        ready = [index[n] for n in self.nodes if remaining[n] == 0]
        heapq.heapify(ready)
        order: list[str] = []
        while ready:
            n = self.nodes[heapq.heappop(ready)]
            order.append(n)
            for d in dependents[n]:
                remaining[d] -= 1
                if remaining[d] == 0:
                    heapq.heappush(ready, index[d])
        if len(order) < len(self.nodes):
            placed = set(order)
            order.extend(n for n in self.nodes if n not in placed)
        return order

    def strongly_connected(self) -> list[list[str]]:
        """Tarjan's components, iteratively (no recursion limit), in document order."""
        index_of: dict[str, int] = {}
        low: dict[str, int] = {}
        on_stack: set[str] = set()
        stack: list[str] = []
        result: list[list[str]] = []
        counter = 0
        for root in self.nodes:
            if root in index_of:
                continue
            work: list[tuple[str, int]] = [(root, 0)]
            while work:
                v, i = work.pop()
                if i == 0:
                    index_of[v] = low[v] = counter
                    counter += 1
                    stack.append(v)
                    on_stack.add(v)
                succ = self.edges[v]
                if i < len(succ):
                    work.append((v, i + 1))
                    w = succ[i]
                    if w not in index_of:
                        work.append((w, 0))
                    elif w in on_stack:
                        low[v] = min(low[v], index_of[w])
                    continue
                if low[v] == index_of[v]:
                    comp: list[str] = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    result.append(comp)
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[v])
        order = {n: i for i, n in enumerate(self.nodes)}
        for comp in result:
            comp.sort(key=order.__getitem__)
        result.sort(key=lambda c: order[c[0]])
        return result

    def cycles(self) -> list[list[str]]:
        """One cycle per cyclic component, as `[a, b, ..., a]`, starting at the
        component's first node in document order."""
        out: list[list[str]] = []
        for comp in self.strongly_connected():
            start = comp[0]
            if len(comp) == 1:
                if start in self.edges[start]:
                    out.append([start, start])
                continue
            members = set(comp)
            # Shortest path back to `start` inside the component (BFS).
            prev: dict[str, str] = {}
            frontier = [start]
            found = False
            while frontier and not found:
                nxt: list[str] = []
                for v in frontier:
                    for w in self.edges[v]:
                        if w not in members:
                            continue
                        if w == start:
                            path = [v]
                            while path[-1] != start:
                                path.append(prev[path[-1]])
                            path.reverse()
                            out.append(path + [start])
                            found = True
                            break
                        if w not in prev:
                            prev[w] = v
                            nxt.append(w)
                    if found:
                        break
                frontier = nxt
        return out

    def reaches(self, a: str, b: str) -> bool:
        """Whether `a` depends on `b`, directly or transitively (early-exit search)."""
        edges = self.edges
        if a not in edges:
            return False
        if b in edges[a]:
            return True
        # `a` is not marked seen at the start: on a cycle, `a` depends on itself.
        seen: set[str] = set()
        todo = list(edges[a])
        while todo:
            v = todo.pop()
            if v == b:
                return True
            if v in seen:
                continue
            seen.add(v)
            todo.extend(w for w in edges[v] if w not in seen)
        return False
