"""`applc graph`: the dependency graph of an appliance, as Graphviz dot or Mermaid.

Dependency edges are solid arrows, `@` reference edges dashed ones labelled `@`; edges
and containers on a dependency cycle are red and bold; jobs are drawn as ellipses
(Mermaid: stadiums), services as boxes; a dependency or reference to a container that
does not exist points at a dashed node marked `missing`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

import click

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


def _dot_id(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def render_dot(view: GraphView) -> str:
    lines = [
        f"digraph {_dot_id(view.name)} {{",
        "  rankdir=LR;",
        '  node [shape=box, style=rounded, fontname="Helvetica"];',
        '  edge [fontname="Helvetica"];',
    ]
    for nid, kind in view.nodes:
        attrs = []
        if kind == "job":
            attrs.append("shape=ellipse")
        if kind == "missing":
            attrs += ["style=dashed", f"label={_dot_id(nid + ' (missing)')}"]
        if nid in view.cyclic_nodes:
            attrs += ["color=red", "penwidth=2"]
        lines.append(f"  {_dot_id(nid)}" + (f" [{', '.join(attrs)}]" if attrs else "") + ";")
    for a, b, kind in view.edges:
        attrs = []
        if kind == "reference":
            attrs += ["style=dashed", 'label="@"']
        elif (a, b) in view.cyclic_edges:
            attrs += ["color=red", "penwidth=2"]
        lines.append(
            f"  {_dot_id(a)} -> {_dot_id(b)}" + (f" [{', '.join(attrs)}]" if attrs else "") + ";"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_label(text: str) -> str:
    return (
        '"'
        + text.replace("&", "#amp;")
        .replace('"', "#quot;")
        .replace("<", "#lt;")
        .replace(">", "#gt;")
        .replace("\n", " ")
        + '"'
    )


def render_mermaid(view: GraphView) -> str:
    ids = {nid: f"n{i}" for i, (nid, _) in enumerate(view.nodes)}
    lines = ["flowchart LR"]
    for nid, kind in view.nodes:
        label = _mermaid_label(nid + (" (missing)" if kind == "missing" else ""))
        shape = f"([{label}])" if kind == "job" else f"[{label}]"
        lines.append(f"  {ids[nid]}{shape}")
    cyclic_links = []
    for i, (a, b, kind) in enumerate(view.edges):
        arrow = "-. @ .->" if kind == "reference" else "-->"
        lines.append(f"  {ids[a]} {arrow} {ids[b]}")
        if kind == "dependency" and (a, b) in view.cyclic_edges:
            cyclic_links.append(str(i))
    lines.append("  classDef cycle stroke:#d00,stroke-width:3px,color:#d00")
    lines.append("  classDef missing stroke-dasharray:5 5")
    if view.cyclic_nodes:
        members = [ids[n] for n, _ in view.nodes if n in view.cyclic_nodes]
        lines.append(f"  class {','.join(members)} cycle")
    missing = [ids[n] for n, k in view.nodes if k == "missing"]
    if missing:
        lines.append(f"  class {','.join(missing)} missing")
    if cyclic_links:
        lines.append(f"  linkStyle {','.join(cyclic_links)} stroke:#d00,stroke-width:3px")
    return "\n".join(lines) + "\n"


@click.command("graph")
@click.argument("file", type=click.Path(allow_dash=True))
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["dot", "mermaid"]),
    default="dot",
    show_default=True,
    help="Graphviz dot or a Mermaid flowchart.",
)
@click.option("--stdin-filename", metavar="PATH", help="The name of the file read from `-`.")
def graph_command(file: str, fmt: str, stdin_filename: str | None) -> None:
    """Draw the dependency graph of an appliance.

    Solid arrows are dependencies (`a -> b`: a starts after b), dashed arrows labelled
    `@` are references; a dependency cycle is drawn in red. Exit 1 when the file cannot
    be read as an appliance.
    """
    from applc.formatters import Report, renderer
    from applc.inputs import parse_document, read_document

    if file == "-":
        doc = parse_document(stdin_filename or "<stdin>", sys.stdin.buffer.read())
    else:
        doc = read_document(file)
    if doc.value is None or not isinstance(doc.value, dict):
        from applc.diagnostics import resolve
        from applc.rules.registry import RULES, load_rules

        load_rules()
        diags = [
            resolve(f, doc.source, RULES[f.code].name, RULES[f.code].severity) for f in doc.findings
        ]
        if diags:
            sys.stderr.write(
                renderer("full")(Report(diags, {doc.source.path: doc.source}, 1), False)
            )
        else:
            click.echo(f"applc: {doc.source.path} is not an appliance (a JSON object)", err=True)
        sys.exit(1)
    view = graph_view(doc.appliance)
    sys.stdout.write(render_dot(view) if fmt == "dot" else render_mermaid(view))
