"""Properties of reference resolution and of the dependency graph, over generated
strings, appliances and graphs."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from applc.model.build import build_appliance
from applc.resolve.graph import DependencyGraph
from applc.resolve.references import Escape, Reference, StrayAt, tokenize, unescape
from applc.source import Source
from applc.targets.base import TargetOptions, resolve_container, resolve_text
from applc.targets.registry import BUILTIN, load_target

IDS = st.from_regex(r"[a-z]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True)
# Plain text: anything but `@` and `\` next to the pieces that carry meaning; it starts
# with a character that cannot continue an id, so it never lengthens a reference before it.
SEPARATORS = st.sampled_from(list(" :/.,;=?&()[]{}'\"$#\n\t_é☃"))
BODY = st.text(st.characters(blacklist_characters="@\\", blacklist_categories=("Cs",)), max_size=12)
INNER_BACKSLASH = st.builds(lambda a, b: a + "\\" + b, BODY, st.sampled_from(list("ab$ n")))


@dataclass(frozen=True)
class Piece:
    kind: str  # plain, ref, escape, stray
    text: str


def _plain() -> st.SearchStrategy[Piece]:
    body = st.one_of(BODY, INNER_BACKSLASH)
    return st.builds(lambda s, b: Piece("plain", s + b), SEPARATORS, body)


def _pieces(ids: list[str]) -> st.SearchStrategy[list[Piece]]:
    ref = st.sampled_from(ids + ["unknown-id"]).map(lambda i: Piece("ref", i))
    escape = st.just(Piece("escape", ""))
    stray = SEPARATORS.filter(lambda ch: ch not in "@\\").map(lambda ch: Piece("stray", ch))
    return st.lists(st.one_of(_plain(), ref, escape, stray), max_size=8)


def _source(pieces: list[Piece]) -> str:
    out = []
    for p in pieces:
        out.append(
            {"plain": p.text, "ref": "@" + p.text, "escape": "\\@", "stray": "@" + p.text}[p.kind]
        )
    return "".join(out)


def _expected(pieces: list[Piece], known: set[str], name_of) -> str:
    out = []
    for p in pieces:
        if p.kind == "plain":
            out.append(p.text)
        elif p.kind == "ref":
            out.append(name_of(p.text) if p.text in known else "@" + p.text)
        elif p.kind == "escape":
            out.append("@")
        else:
            out.append("@" + p.text)
    return "".join(out)


@st.composite
def texts_with_ids(draw):
    ids = draw(st.lists(IDS, min_size=1, max_size=5, unique=True))
    pieces = draw(_pieces(ids))
    return ids, pieces


def _namings(ids: list[str]):
    """The naming function of each built-in target for an appliance with these ids."""
    value = {
        "id": "app",
        "containers": [
            {
                "id": i,
                "type": "service",
                "image": "x:1",
                "resources": {"cpus": 1, "mem": 128},
                "network_mode": "HOST" if n % 3 == 2 else "BRIDGE",
            }
            for n, i in enumerate(ids)
        ],
    }
    app = build_appliance(Source("app.json", ""), value)
    return {t: load_target(t).naming(app, TargetOptions()) for t in BUILTIN}


@given(texts_with_ids())
def test_references_are_replaced_escapes_unescaped_and_the_rest_kept(case):
    ids, pieces = case
    text = _source(pieces)
    for target, name_of in _namings(ids).items():
        got = resolve_text(text, name_of, set(ids))
        assert got == _expected(pieces, set(ids), name_of), target


@given(texts_with_ids())
def test_no_reference_to_a_known_id_survives(case):
    ids, pieces = case
    text = _source(pieces)
    tokens = list(tokenize(text))
    kept_at = sum(1 for t in tokens if isinstance(t, Escape | StrayAt)) + sum(
        1 for t in tokens if isinstance(t, Reference) and t.id not in ids
    )
    for name_of in _namings(ids).values():
        got = resolve_text(text, name_of, set(ids))
        # Every `@` left is an escape's, a stray one or an unknown reference's: each
        # reference to a known id was replaced by a name (names have no `@`).
        assert got.count("@") == kept_at
        if not any(p.kind in ("escape", "stray") for p in pieces):
            assert all(r.id not in ids for r in tokenize(got) if isinstance(r, Reference))


@given(st.text(max_size=60), st.lists(IDS, max_size=4))
def test_identity_naming_gives_the_text_without_escapes(text, ids):
    # The expected value is str.replace's, not the tokenizer's: the two must agree.
    assert resolve_text(text, lambda i: "@" + i, set(ids)) == text.replace("\\@", "@")
    assert unescape(text) == text.replace("\\@", "@")


@st.composite
def appliances(draw):
    """An appliance whose strings refer to its containers, with what each target should
    make of them."""
    ids = draw(st.lists(IDS, min_size=1, max_size=4, unique=True))
    containers = []
    expected = []
    for cid in ids:
        env_pieces = draw(
            st.dictionaries(
                st.from_regex(r"[A-Z][A-Z0-9_]{0,5}", fullmatch=True), _pieces(ids), max_size=3
            )
        )
        arg_pieces = draw(st.lists(_pieces(ids), max_size=3))
        containers.append(
            {
                "id": cid,
                "type": draw(st.sampled_from(["service", "job"])),
                "image": "x:1",
                "resources": {"cpus": 1, "mem": 128},
                "network_mode": draw(st.sampled_from(["HOST", "BRIDGE", "CONTAINER"])),
                "env": {k: _source(v) for k, v in env_pieces.items()},
                "args": [_source(a) for a in arg_pieces],
            }
        )
        expected.append((env_pieces, arg_pieces))
    return {"id": draw(IDS), "containers": containers}, expected


@settings(max_examples=60)
@given(appliances())
def test_every_target_resolves_every_string_of_an_appliance(case):
    value, expected = case
    app = build_appliance(Source("app.json", ""), value)
    known = set(app.by_id)
    for name in BUILTIN:
        name_of = load_target(name).naming(app, TargetOptions())
        for c, (env_pieces, arg_pieces) in zip(app.containers, expected, strict=True):
            r = resolve_container(c, name_of, known)
            assert r.env == {k: _expected(v, known, name_of) for k, v in env_pieces.items()}
            assert r.args == [_expected(a, known, name_of) for a in arg_pieces]


def test_target_names_follow_their_contracts():
    value = {
        "id": "shop",
        "containers": [
            {
                "id": "db",
                "type": "service",
                "image": "x:1",
                "resources": {"cpus": 1, "mem": 128},
                "network_mode": "BRIDGE",
            },
            {
                "id": "agent",
                "type": "service",
                "image": "x:1",
                "resources": {"cpus": 1, "mem": 128},
            },
        ],
    }
    app = build_appliance(Source("app.json", ""), value)
    text = "postgres://@db:5432 @agent mail\\@example.com"
    got = {
        t: resolve_text(text, load_target(t).naming(app, TargetOptions()), app.by_id)
        for t in BUILTIN
    }
    assert got["marathon"] == (
        "postgres://db-shop.marathon.containerip.dcos.thisdcos.directory"
        ":5432 agent-shop.marathon.containerip.dcos.thisdcos.directory "
        "mail@example.com"
    )
    assert got["compose"] == "postgres://db:5432 host.docker.internal mail@example.com"
    assert got["kubernetes"] == (
        "postgres://db.shop.svc.cluster.local:5432 agent.shop.svc.cluster.local mail@example.com"
    )
    k8s = load_target("kubernetes").naming(app, TargetOptions(namespace="prod"))
    assert k8s("db") == "db.prod.svc.cluster.local"


# --------------------------------------------------------------------------- graphs


@st.composite
def dags(draw):
    """A DAG (edges only from later to earlier nodes), its nodes in a shuffled order."""
    n = draw(st.integers(1, 9))
    nodes = [f"c{i}" for i in range(n)]
    edges = [(nodes[a], nodes[b]) for a in range(n) for b in range(a) if draw(st.booleans())]
    order = draw(st.permutations(nodes))
    return order, edges


@given(dags())
def test_topological_order_respects_every_edge(case):
    nodes, edges = case
    g = DependencyGraph.from_pairs(nodes, edges)
    order = g.topological_order()
    assert sorted(order) == sorted(nodes)
    pos = {n: i for i, n in enumerate(order)}
    for a, b in edges:  # a depends on b: b comes first
        assert pos[b] < pos[a]
    assert g.cycles() == []
    assert DependencyGraph.from_pairs(nodes, edges).topological_order() == order


@st.composite
def small_graphs(draw):
    """Random edges, and in half the graphs a planted cycle through three or more
    containers (random edges alone made one in 6% of graphs)."""
    n = draw(st.integers(1, 6))
    nodes = [f"c{i}" for i in range(n)]
    edges = draw(st.lists(st.tuples(st.sampled_from(nodes), st.sampled_from(nodes)), max_size=10))
    if n >= 3 and draw(st.booleans()):
        ring = draw(st.permutations(nodes))[: draw(st.integers(3, n))]
        edges += list(zip(ring, ring[1:] + ring[:1], strict=True))
        edges = draw(st.permutations(edges))
    return nodes, edges


def _longest_cycle_possible(nodes: list[str], edges: list[tuple[str, str]]) -> int:
    """Size of the largest strongly connected component with a cycle (brute force)."""
    on = _on_a_cycle(nodes, edges)
    reach = {n: {b for a, b in edges if a == n} for n in nodes}
    for _ in nodes:
        for n in nodes:
            reach[n] |= {c for m in reach[n] for c in reach[m]}
    return max((sum(1 for m in on if m in reach[n] and n in reach[m]) for n in on), default=0)


def test_graphs_often_have_long_cycles():
    long = seen = 0

    @settings(max_examples=200, database=None, derandomize=True)
    @given(small_graphs())
    def sample(case):
        nonlocal long, seen
        seen += 1
        long += _longest_cycle_possible(*case) >= 3

    sample()
    assert long / seen >= 0.3, (long, seen)


def _has_cycle_brute_force(nodes: list[str], edges: list[tuple[str, str]]) -> bool:
    """A graph is acyclic exactly when some order of its nodes puts every dependency
    first; try them all."""
    for perm in itertools.permutations(nodes):
        pos = {n: i for i, n in enumerate(perm)}
        if all(pos[b] < pos[a] for a, b in edges):
            return False
    return True


def _on_a_cycle(nodes: list[str], edges: list[tuple[str, str]]) -> set[str]:
    reach = {n: {b for a, b in edges if a == n} for n in nodes}
    for _ in nodes:
        for n in nodes:
            reach[n] |= {c for m in reach[n] for c in reach[m]}
    return {n for n in nodes if n in reach[n]}


@settings(max_examples=200)
@given(small_graphs())
def test_cycle_detection_agrees_with_brute_force(case):
    nodes, edges = case
    g = DependencyGraph.from_pairs(nodes, edges)
    cycles = g.cycles()
    assert bool(cycles) == _has_cycle_brute_force(nodes, edges)
    on_cycle = _on_a_cycle(nodes, edges)
    edge_set = set(edges)
    for cycle in cycles:
        # A whole cycle: a closed walk along real edges through distinct containers.
        assert cycle[0] == cycle[-1] and len(cycle) >= 2
        assert len(set(cycle[:-1])) == len(cycle) - 1
        assert all((a, b) in edge_set for a, b in itertools.pairwise(cycle))
        assert set(cycle) <= on_cycle
    # Every container on a cycle is in a reported cycle's strongly connected component.
    components = [set(c) for c in g.strongly_connected()]
    reported = (
        set().union(*(next(comp for comp in components if cycle[0] in comp) for cycle in cycles))
        if cycles
        else set()
    )
    assert on_cycle == reported
    order = g.topological_order()
    assert sorted(order) == sorted(nodes)
    # One cycle per cyclic component, starting at its first container in document
    # order (the components found by brute force: containers that reach each other).
    reach = _closure(nodes, edges)
    classes = {frozenset(m for m in on_cycle if m in reach[n] and n in reach[m]) for n in on_cycle}
    assert len(cycles) == len(classes)
    assert sorted(c[0] for c in cycles) == sorted(min(k, key=nodes.index) for k in classes)


def _closure(nodes: list[str], edges: list[tuple[str, str]]) -> dict[str, set[str]]:
    reach = {n: {b for a, b in edges if a == n} for n in nodes}
    for _ in nodes:
        for n in nodes:
            reach[n] |= {c for m in reach[n] for c in reach[m]}
    return reach


@given(small_graphs())
def test_reaches_is_the_transitive_closure(case):
    nodes, edges = case
    g = DependencyGraph.from_pairs(nodes, edges)
    reach = _closure(nodes, edges)
    for a in [*nodes, "missing"]:
        for b in [*nodes, "missing"]:
            assert g.reaches(a, b) == (b in reach.get(a, set())), (a, b)
