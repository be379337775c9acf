"""DependencyGraph on small hand-drawn graphs, each answer worked out by hand (the
properties in test_resolver_properties.py compare with brute force on random graphs;
these pin the cases a few random graphs may miss: document order, unreached nodes,
components after the first)."""

from __future__ import annotations

import pytest

from applc.resolve.graph import DependencyGraph


def _g(nodes: str, edges: str = "") -> DependencyGraph:
    """`_g("abc", "ab bc")`: nodes a, b, c; a depends on b, b on c."""
    return DependencyGraph.from_pairs(list(nodes), [(e[0], e[1]) for e in edges.split()])


def test_from_pairs_keeps_document_order_and_drops_unknown_and_repeated_edges():
    g = DependencyGraph.from_pairs(
        ["b", "a", "b"], [("b", "a"), ("b", "x"), ("y", "a"), ("b", "a")]
    )
    assert g.nodes == ["b", "a"]
    assert g.edges == {"b": ["a"], "a": []}


def test_a_graph_built_from_its_edges_keeps_them():
    edges = {"web": ["db"], "db": []}
    g = DependencyGraph(["web", "db"], edges)
    assert g.edges is edges
    assert g.topological_order() == ["db", "web"]
    assert DependencyGraph(["a"]).edges == {}


@pytest.mark.parametrize(
    ("nodes", "edges", "components"),
    [
        ("abc", "", [["a"], ["b"], ["c"]]),
        ("zya", "", [["z"], ["y"], ["a"]]),  # document order, not alphabetical
        ("abc", "ab", [["a"], ["b"], ["c"]]),  # `c` is reached by no earlier root
        ("abcd", "ab ba cd dc", [["a", "b"], ["c", "d"]]),
        ("dcba", "ab bc ca", [["d"], ["c", "b", "a"]]),  # members in document order too
        ("abcde", "ab bc cb cd de ed", [["a"], ["b", "c"], ["d", "e"]]),
    ],
)
def test_strongly_connected_components(nodes, edges, components):
    assert _g(nodes, edges).strongly_connected() == [list(c) for c in components]


@pytest.mark.parametrize(
    ("nodes", "edges", "cycles"),
    [
        ("abc", "ab cc", [["c", "c"]]),  # a self-loop after an unrelated component
        ("za", "zz aa", [["z", "z"], ["a", "a"]]),
        ("abc", "ab bc ca", [["a", "b", "c", "a"]]),
        ("cab", "ab bc ca", [["c", "a", "b", "c"]]),  # starts at the first in the document
        # the shortest way back to `a`, not the first one found
        ("abcde", "ab bc cd da ba", [["a", "b", "a"]]),
        ("abcd", "ab ba cd dc", [["a", "b", "a"], ["c", "d", "c"]]),
        ("ab", "ab", []),
    ],
)
def test_one_cycle_per_cyclic_component(nodes, edges, cycles):
    assert _g(nodes, edges).cycles() == [list(c) for c in cycles]


@pytest.mark.parametrize(
    ("nodes", "edges", "order"),
    [
        ("abc", "", "abc"),
        ("abc", "ab", "bac"),  # b before its dependent a; c keeps its place after
        ("abc", "ac bc", "cab"),
        ("dcba", "da", "cbad"),
        ("abcd", "ab ba", "cdab"),  # the cycle comes last, in document order
        ("abcd", "ab ba ca", "dabc"),  # and what depends on it
    ],
)
def test_topological_order(nodes, edges, order):
    assert _g(nodes, edges).topological_order() == list(order)


@pytest.mark.parametrize(
    ("nodes", "edges", "yes", "no"),
    [
        ("abcd", "ab bc", ["ab", "ac", "bc"], ["ba", "ca", "aa", "ad", "da", "xa", "ax"]),
        ("abc", "ab ba", ["ab", "ba", "aa", "bb"], ["ac", "ca", "cc"]),
        ("abcd", "ab bc cb cd", ["ad", "bb", "cc", "bd"], ["aa", "da"]),
        ("abcde", "ab ac cd de", ["ae", "ad"], ["ba", "eb"]),
    ],
)
def test_reaches(nodes, edges, yes, no):
    g = _g(nodes, edges)
    assert [p for p in yes if not g.reaches(p[0], p[1])] == []
    assert [p for p in no if g.reaches(p[0], p[1])] == []
