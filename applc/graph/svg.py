"""The dependency graph as SVG, and as a standalone HTML page around it.

What is drawn, and the legend that says so:
- services are rounded boxes, jobs ellipses, containers named but not defined dashed
  boxes marked "missing";
- a dependency (`a` starts after `b`) is a solid arrow, a reference (`@b` in `a`'s
  cmd, args or env) a dashed arrow marked `@`; when `a` both depends on and refers
  to `b` the two are one solid arrow marked `@`;
- containers and dependencies on a cycle are red and bold.

Every element carries its meaning in `class` and its ids in `data-from`/`data-to`/
`data-id`, so tools (and tests) can read the picture back. All text comes from the
appliance and is hostile: it is XML-escaped, and what XML 1.0 cannot carry (control
characters, lone surrogates) or what would reorder the text around it (bidirectional
controls) is shown as a `\\uXXXX` escape. The HTML page loads nothing: no scripts, no
fonts, no links, and a Content-Security-Policy that forbids them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from applc.graph.layout import layered
from applc.graph.view import GraphView

FONT = 13  # px, monospace: 0.6 em a character, so widths can be known without a font
CHAR = FONT * 0.6
NODE_H = 34
PAD_X = 14
COL_GAP = 90
ROW_GAP = 26
MARGIN = 24
MAX_LABEL = 48  # characters shown in a box; the whole id is in its tooltip
RED = "#c62828"
INK = "#263238"

_NOT_SHOWN = re.compile(
    "[^\t\n\r\x20-\x7e\xa0-\u061b\u061d-\u200d\u2010-\u2029\u202f-\u2065\u206a-\ud7ff"
    "\ue000-\ufeff\uff00-\ufffd\U00010000-\U0010ffff]"
)


def visible(text: str) -> str:
    """Text safe to put in XML and to show: what cannot be shown becomes an escape."""

    def esc(m: re.Match[str]) -> str:
        c = ord(m.group())
        return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"

    return _NOT_SHOWN.sub(esc, text)


def xml(text: str) -> str:
    """Escaped for XML text and attribute values (either quote)."""
    return (
        visible(text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
        .replace("\t", "&#9;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
    )


def _label(text: str) -> str:
    shown = visible(text).replace("\n", " ").replace("\r", " ").replace("\t", " ")
    return shown if len(shown) <= MAX_LABEL else shown[: MAX_LABEL - 1] + "\u2026"


@dataclass
class _Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


@dataclass(frozen=True)
class Edge:
    """One arrow: a dependency, a reference, or both."""

    source: str
    target: str
    dependency: bool
    reference: bool
    cycle: bool

    @property
    def classes(self) -> str:
        kinds = ["edge"]
        if self.dependency:
            kinds.append("dependency")
        if self.reference:
            kinds.append("reference")
        if self.cycle:
            kinds.append("cycle")
        return " ".join(kinds)


def merged_edges(view: GraphView) -> list[Edge]:
    """One edge per ordered pair, carrying every meaning it has, in document order."""
    kinds: dict[tuple[str, str], set[str]] = {}
    for a, b, kind in view.edges:
        kinds.setdefault((a, b), set()).add(kind)
    return [
        Edge(
            a,
            b,
            "dependency" in k,
            "reference" in k,
            "dependency" in k and (a, b) in view.cyclic_edges,
        )
        for (a, b), k in kinds.items()
    ]


def render_svg(view: GraphView, standalone: bool = True) -> str:
    """The picture; `standalone` adds the XML declaration a `.svg` file starts with."""
    edges = merged_edges(view)
    kinds = dict(view.nodes)
    layout = layered([n for n, _ in view.nodes], [(e.source, e.target) for e in edges])
    boxes: dict[str, _Box] = {}
    x = float(MARGIN)
    tallest = 0
    for col in layout.columns:
        width = max(_node_width(n, kinds[n]) for n in col)
        for r, n in enumerate(col):
            w = _node_width(n, kinds[n])
            boxes[n] = _Box(x + (width - w) / 2, 0.0, w, NODE_H)
            boxes[n].y = r * (NODE_H + ROW_GAP)
        x += width + COL_GAP
        tallest = max(tallest, len(col))
    graph_h = max(0, tallest * (NODE_H + ROW_GAP) - ROW_GAP)
    for col in layout.columns:  # centre each column vertically
        col_h = len(col) * (NODE_H + ROW_GAP) - ROW_GAP
        for n in col:
            boxes[n].y += MARGIN + (graph_h - col_h) / 2
    graph_w = max(x - COL_GAP, float(MARGIN)) + MARGIN
    legend_x = graph_w + (0 if view.nodes else MARGIN)
    legend_h = LEGEND_H
    width = math.ceil(legend_x + LEGEND_W + MARGIN)
    # Room under the columns for edges that run backwards (round a cycle).
    place = layout.place()
    backwards = any(place[e.target][0] <= place[e.source][0] for e in edges)
    below = 2 * ROW_GAP + NODE_H if backwards else 0
    height = math.ceil(max(graph_h + 2 * MARGIN + below, legend_h + 2 * MARGIN))

    out = [
        '<?xml version="1.0" encoding="UTF-8"?>' if standalone else "",
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{xml("dependency graph of " + view.name)}" class="applc-graph">',
        f"<title>{xml('applc graph: ' + view.name)}</title>",
        _defs(),
        f'<rect class="background" width="{width}" height="{height}" fill="#ffffff"/>',
        '<g class="edges">',
    ]
    # An edge that runs backwards (round a cycle) passes under the columns it spans.
    lowest = _RangeMax([max(boxes[n].y + boxes[n].h for n in col) for col in layout.columns])
    for e in edges:
        lo, hi = sorted((place[e.source][0], place[e.target][0]))
        out.append(_edge(e, boxes[e.source], boxes[e.target], lowest.query(lo, hi)))
    out.append("</g>")
    out.append('<g class="nodes">')
    out += [_node(n, kind, boxes[n], n in view.cyclic_nodes) for n, kind in view.nodes]
    out.append("</g>")
    out.append(_legend(legend_x, MARGIN))
    out.append("</svg>")
    return "\n".join(line for line in out if line) + "\n"


def render_html(view: GraphView) -> str:
    title = xml(f"applc graph: {view.name}")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n"
        "<style>\n"
        "body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #263238; }\n"
        "h1 { font-size: 1.2rem; font-weight: 600; }\n"
        ".picture { overflow: auto; border: 1px solid #cfd8dc; }\n"
        "</style>\n</head>\n<body>\n"
        f"<h1>{title}</h1>\n"
        '<div class="picture">\n'
        f"{render_svg(view, standalone=False)}"
        "</div>\n</body>\n</html>\n"
    )


class _RangeMax:
    """The maximum of values[lo..hi] in constant time (a sparse table), so drawing every
    back edge of a long cycle stays linear."""

    def __init__(self, values: list[float]) -> None:
        self.table = [values]
        width = 1
        while 2 * width <= len(values):
            prev = self.table[-1]
            self.table.append([max(prev[i], prev[i + width]) for i in range(len(prev) - width)])
            width *= 2

    def query(self, lo: int, hi: int) -> float:
        k = (hi - lo + 1).bit_length() - 1
        row = self.table[k]
        return max(row[lo], row[hi - (1 << k) + 1])


# --- pieces ------------------------------------------------------------------------------


def _node_width(n: str, kind: str) -> float:
    text = _label(n) + (" (missing)" if kind == "missing" else "")
    extra = 1.3 if kind == "job" else 1.0  # an ellipse needs room at its ends
    return max(60.0, (len(text) * CHAR + 2 * PAD_X) * extra)


def _defs() -> str:
    def marker(name: str, colour: str) -> str:
        return (
            f'<marker id="{name}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="10" '
            f'markerHeight="10" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
            f'<path d="M 0 0 L 10 5 L 0 10 z" fill="{colour}"/></marker>'
        )

    return (
        "<defs>"
        + marker("arrow", INK)
        + marker("arrow-cycle", RED)
        + "<style>"
        + f"text {{ font-family: monospace; font-size: {FONT}px; fill: {INK}; }}"
        + ".edge path { fill: none; stroke-width: 1.4; }"
        + ".edge.cycle path { stroke-width: 2.6; }"
        + ".at { font-weight: bold; }"
        + "</style></defs>"
    )


def _shape(kind: str, box: _Box, cycle: bool) -> str:
    stroke = RED if cycle else INK
    width = 2.6 if cycle else 1.4
    paint = f'fill="#ffffff" stroke="{stroke}" stroke-width="{width}"'
    if kind == "job":
        return (
            f'<ellipse cx="{box.cx:.1f}" cy="{box.cy:.1f}" rx="{box.w / 2:.1f}" '
            f'ry="{box.h / 2:.1f}" {paint}/>'
        )
    dash = ' stroke-dasharray="5 4"' if kind == "missing" else ""
    radius = 8 if kind == "service" else 0
    return (
        f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.w:.1f}" height="{box.h:.1f}" '
        f'rx="{radius}" {paint}{dash}/>'
    )


def _node(n: str, kind: str, box: _Box, cycle: bool) -> str:
    classes = f"node {kind}" + (" cycle" if cycle else "")
    text = xml(_label(n)) + (" (missing)" if kind == "missing" else "")
    return (
        f'<g class="{classes}" data-id="{xml(n)}"><title>{xml(n)}</title>'
        f"{_shape(kind, box, cycle)}"
        f'<text x="{box.cx:.1f}" y="{box.cy + FONT * 0.35:.1f}" text-anchor="middle">'
        f"{text}</text></g>"
    )


def _edge(e: Edge, a: _Box, b: _Box, floor: float) -> str:
    if b.x > a.x + a.w:  # forward: right side to left side
        x1, y1, x2, y2 = a.x + a.w, a.cy, b.x, b.cy
        bend = max(30.0, (x2 - x1) / 2)
        d = (
            f"M {x1:.1f} {y1:.1f} C {x1 + bend:.1f} {y1:.1f}, "
            f"{x2 - bend:.1f} {y2:.1f}, {x2:.1f} {y2:.1f}"
        )
        mid = ((x1 + x2) / 2, (y1 + y2) / 2)
    else:  # backwards or in the same column: round below both
        x1, y1, x2, y2 = a.cx, a.y + a.h, b.cx, b.y + b.h
        dip = floor + ROW_GAP + (floor - min(y1, y2)) / 3
        d = f"M {x1:.1f} {y1:.1f} C {x1:.1f} {dip:.1f}, {x2:.1f} {dip:.1f}, {x2:.1f} {y2:.1f}"
        mid = ((x1 + x2) / 2, y1 / 8 + y2 / 8 + dip * 3 / 4)
    colour = RED if e.cycle else INK
    dash = "" if e.dependency else ' stroke-dasharray="6 4"'
    marker = "arrow-cycle" if e.cycle else "arrow"
    title = _edge_title(e)
    parts = [
        f'<g class="{e.classes}" data-from="{xml(e.source)}" data-to="{xml(e.target)}">',
        f"<title>{xml(title)}</title>",
        f'<path d="{d}" stroke="{colour}"{dash} marker-end="url(#{marker})"/>',
    ]
    if e.reference:
        parts.append(
            f'<text class="at" x="{mid[0]:.1f}" y="{mid[1] - 4:.1f}" text-anchor="middle">@</text>'
        )
    parts.append("</g>")
    return "".join(parts)


def _edge_title(e: Edge) -> str:
    said = []
    if e.dependency:
        said.append(f"{e.source} depends on {e.target}")
    if e.reference:
        said.append(f"{e.source} refers to @{e.target}")
    text = " and ".join(said)
    return text + (" (on a dependency cycle)" if e.cycle else "")


LEGEND = [
    ("service", "service"),
    ("job", "job"),
    ("missing", "not defined (missing)"),
    ("dependency", "dependency: starts after"),
    ("reference", "reference: @id"),
    ("dependency reference", "dependency and reference"),
    ("cycle", "dependency cycle"),
]


LEGEND_TEXT_X = 86
LEGEND_W = LEGEND_TEXT_X + max(len(words) for _, words in LEGEND) * CHAR + 16
LEGEND_H = len(LEGEND) * 26 + 34


def _legend(x: float, y: float) -> str:
    out = [
        f'<g class="legend" transform="translate({x:.1f} {y:.1f})">',
        f'<rect width="{LEGEND_W:.1f}" height="{LEGEND_H}" rx="6" fill="#fafafa" '
        'stroke="#cfd8dc"/>',
        '<text x="12" y="20" font-weight="bold">Legend</text>',
    ]
    for i, (kind, words) in enumerate(LEGEND):
        top = 32 + i * 26
        sample = _legend_sample(kind, top)
        out.append(
            f'<g class="legend-item" data-kind="{kind}">{sample}'
            f'<text x="{LEGEND_TEXT_X}" y="{top + 13}">{xml(words)}</text></g>'
        )
    out.append("</g>")
    return "".join(out)


def _legend_sample(kind: str, top: float) -> str:
    if kind in ("service", "job", "missing"):
        return _shape(kind, _Box(12, top, 60, 18), False)
    cycle = kind == "cycle"
    colour = RED if cycle else INK
    dash = ' stroke-dasharray="6 4"' if kind == "reference" else ""
    width = 2.6 if cycle else 1.4
    marker = "arrow-cycle" if cycle else "arrow"
    line = (
        f'<path d="M 12 {top + 9} L 72 {top + 9}" stroke="{colour}" stroke-width="{width}"'
        f'{dash} fill="none" marker-end="url(#{marker})"/>'
    )
    if "reference" in kind:
        line += f'<text class="at" x="42" y="{top + 5}" text-anchor="middle">@</text>'
    return line
