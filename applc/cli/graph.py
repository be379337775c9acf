"""`applc graph`: the dependency graph of an appliance, as Graphviz dot, Mermaid, or a
picture (SVG, or an HTML page around it) laid out by applc itself.

Dependency edges are solid arrows, `@` reference edges dashed ones labelled `@`; edges
and containers on a dependency cycle are red and bold; jobs are drawn as ellipses
(Mermaid: stadiums), services as boxes; a dependency or reference to a container that
does not exist points at a dashed node marked `missing`.
"""

from __future__ import annotations

import sys

import click

from applc.cli.common import stdin_filename_option
from applc.graph.view import GraphView, graph_view


def _dot_id(text: str) -> str:
    from applc.formatters.text import escape_controls

    escaped = escape_controls(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
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
    from applc.formatters.text import escape_controls

    return (
        '"'
        + escape_controls(text)
        .replace("&", "#amp;")
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
    type=click.Choice(["dot", "mermaid", "svg", "html"]),
    default="dot",
    show_default=True,
    help="Graphviz dot, a Mermaid flowchart, or a picture with a legend that needs no "
    "Graphviz: SVG, or a standalone HTML page around it.",
)
@stdin_filename_option
def graph_command(file: str, fmt: str, stdin_filename: str | None) -> None:
    """Draw the dependency graph of an appliance.

    Solid arrows are dependencies (`a -> b`: a starts after b), dashed arrows labelled
    `@` are references; a dependency cycle is drawn in red. `--format svg` and `html`
    draw a picture with a legend that opens in a browser, no Graphviz needed:
    `applc graph -f html app.json > graph.html`. Exit 1 when the file cannot be read as
    an appliance.
    """
    from applc.cli.common import check_stdin_filename
    from applc.formatters import Report, renderer
    from applc.formatters.text import escape_controls
    from applc.inputs import parse_document, read_document

    check_stdin_filename(stdin_filename, [file])
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
            shown = escape_controls(doc.source.path)
            click.echo(f"applc: {shown} is not an appliance (a JSON object)", err=True)
        sys.exit(1)
    view = graph_view(doc.appliance)
    if fmt in ("svg", "html"):
        from applc.graph.svg import render_html, render_svg

        text = render_svg(view) if fmt == "svg" else render_html(view)
    else:
        text = render_dot(view) if fmt == "dot" else render_mermaid(view)
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.flush()
