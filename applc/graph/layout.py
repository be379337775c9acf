"""A layered layout, made here so a picture needs no Graphviz.

Columns follow the edges: a container stands left of everything it depends on or
refers to (as `dot -Grankdir=LR` draws `a -> b`). A dependency cycle cannot be ordered,
so its members share the column range their component would take, one column each, in
document order; the edge that closes the cycle runs backwards. Within a column,
containers are ordered by the mean row of their neighbours (the barycentre heuristic)
to keep crossings few.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

from applc.resolve.graph import DependencyGraph

SWEEPS = 4


@dataclass(frozen=True)
class Layout:
    columns: list[list[str]]  # left to right; each top to bottom

    def place(self) -> dict[str, tuple[int, int]]:
        """Each node's (column, row)."""
        return {n: (c, r) for c, col in enumerate(self.columns) for r, n in enumerate(col)}


def layered(nodes: Sequence[str], edges: Sequence[tuple[str, str]]) -> Layout:
    graph = DependencyGraph.from_pairs(nodes, edges)
    comps = graph.strongly_connected()
    comp_of = {n: i for i, comp in enumerate(comps) for n in comp}
    succ: dict[int, set[int]] = {i: set() for i in range(len(comps))}
    for a in graph.nodes:
        for b in graph.edges[a]:
            if comp_of[a] != comp_of[b]:
                succ[comp_of[a]].add(comp_of[b])
    indegree = {i: 0 for i in succ}
    for targets in succ.values():
        for t in targets:
            indegree[t] += 1
    base = dict.fromkeys(succ, 0)
    ready = [i for i, d in indegree.items() if d == 0]
    heapq.heapify(ready)
    while ready:  # components in topological order, lowest document index first
        i = heapq.heappop(ready)
        for t in succ[i]:
            base[t] = max(base[t], base[i] + len(comps[i]))
            indegree[t] -= 1
            if indegree[t] == 0:
                heapq.heappush(ready, t)
    rank: dict[str, int] = {}
    seen = dict.fromkeys(base, 0)
    for n in graph.nodes:  # a cycle's members one column each, in document order
        i = comp_of[n]
        rank[n] = base[i] + seen[i]
        seen[i] += 1
    width = max(rank.values(), default=-1) + 1
    columns: list[list[str]] = [[] for _ in range(width)]
    for n in graph.nodes:
        columns[rank[n]].append(n)
    _order(columns, graph)
    return Layout(columns)


def _centre(
    n: str, row: dict[str, int], near: dict[str, list[str]], at: dict[str, int]
) -> tuple[float, int]:
    rows = [row[m] for m in near[n]]
    return (sum(rows) / len(rows) if rows else float(at[n]), at[n])


def _order(columns: list[list[str]], graph: DependencyGraph) -> None:
    preds: dict[str, list[str]] = {n: [] for n in graph.nodes}
    for a in graph.nodes:
        for b in graph.edges[a]:
            preds[b].append(a)
    row = {n: r for col in columns for r, n in enumerate(col)}
    for sweep in range(SWEEPS):
        forward = sweep % 2 == 0
        span = range(1, len(columns)) if forward else range(len(columns) - 2, -1, -1)
        neighbours = preds if forward else graph.edges
        for c in span:
            current = {n: row[n] for n in columns[c]}
            keys = {n: _centre(n, row, neighbours, current) for n in columns[c]}
            columns[c].sort(key=keys.__getitem__)
            for r, n in enumerate(columns[c]):
                row[n] = r
