"""`applc graph --format svg|html`: a picture read back with an XML parser.

The expected nodes, edges and legend are written out by hand for a small appliance
with every kind of thing the picture distinguishes (service, job, missing container,
dependency, reference, both between one pair, a cycle) and hostile ids.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

from tests.conftest import EXAMPLES, run_cli

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "</text><script>alert(1)</script>&amp;\"'"
CONTROL = "a\x1b[2J\u202eb\nc"


def container(cid: str, **extra: object) -> dict[str, object]:
    return {"id": cid, "type": "service", "image": "busybox:1.36", **extra}


APPLIANCE = {
    "id": "shop <&>",
    "containers": [
        container(
            "web",
            dependencies=["db", "ghost", HOSTILE],
            env={"DATABASE": "@db:5432", "CACHE": "@cache:6379"},
        ),
        container("db"),
        container("cache"),
        {**container("migrate", dependencies=["db"]), "type": "job"},
        container("api", dependencies=["worker"]),
        container("worker", dependencies=["api"]),
        container(HOSTILE),
        container(CONTROL),
    ],
}

SHOWN_CONTROL = "a\\x1b[2J\\u202eb\nc"  # what cannot be shown is escaped, \n stays
NODES = {
    "web": ("service", False),
    "db": ("service", False),
    "cache": ("service", False),
    "migrate": ("job", False),
    "api": ("service", True),
    "worker": ("service", True),
    HOSTILE: ("service", False),
    SHOWN_CONTROL: ("service", False),
    "ghost": ("missing", False),
}
EDGES = {
    ("web", "db"): {"dependency", "reference"},  # one arrow, both meanings
    ("web", "ghost"): {"dependency"},
    ("web", HOSTILE): {"dependency"},
    ("web", "cache"): {"reference"},
    ("migrate", "db"): {"dependency"},
    ("api", "worker"): {"dependency", "cycle"},
    ("worker", "api"): {"dependency", "cycle"},
}
LEGEND = {
    "service": "service",
    "job": "job",
    "missing": "not defined (missing)",
    "dependency": "dependency: starts after",
    "reference": "reference: @id",
    "dependency reference": "dependency and reference",
    "cycle": "dependency cycle",
}


def draw(tmp_path: Path, fmt: str, appliance: dict[str, object] = APPLIANCE) -> str:
    src = tmp_path / "shop.appliance.json"
    src.write_text(json.dumps(appliance), encoding="utf-8")
    run = run_cli(["graph", "--format", fmt, str(src)])
    assert run.code == 0, run.stderr
    return run.stdout


def classes(el: ET.Element) -> list[str]:
    return el.get("class", "").split()


def groups(root: ET.Element, kind: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if kind in classes(g)]


def shape(g: ET.Element) -> ET.Element:
    return next(el for el in g if el.tag in (f"{SVG}rect", f"{SVG}ellipse"))


def bounds(g: ET.Element) -> tuple[float, float, float, float]:
    el = shape(g)
    if el.tag == f"{SVG}ellipse":
        cx, cy, rx, ry = (float(el.get(k, "0")) for k in ("cx", "cy", "rx", "ry"))
        return cx - rx, cy - ry, cx + rx, cy + ry
    x, y, w, h = (float(el.get(k, "0")) for k in ("x", "y", "width", "height"))
    return x, y, x + w, y + h


def test_nodes_edges_and_legend_are_what_the_appliance_says(tmp_path):
    svg = draw(tmp_path, "svg")
    assert svg.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<svg ')
    root = ET.fromstring(svg.encode("utf-8"))
    assert root.tag == f"{SVG}svg"

    nodes = {}
    for g in groups(root, "node"):
        kind = next(k for k in ("service", "job", "missing") if k in classes(g))
        nodes[g.get("data-id")] = (kind, "cycle" in classes(g))
        assert g.findtext(f"{SVG}title") == g.get("data-id")  # the whole id, as a tooltip
    assert nodes == NODES

    edges: dict[tuple[str | None, str | None], set[str]] = {}
    for g in groups(root, "edge"):
        pair = (g.get("data-from"), g.get("data-to"))
        assert pair not in edges, f"{pair} drawn twice"
        edges[pair] = set(classes(g)) - {"edge"}
        path = g.find(f"{SVG}path")
        assert path is not None and path.get("marker-end", "").startswith("url(#arrow")
        dashed = path.get("stroke-dasharray") is not None
        assert dashed == (edges[pair] == {"reference"})  # only a reference alone is dashed
        at = [t.text for t in g.iter(f"{SVG}text")]
        assert at == (["@"] if "reference" in edges[pair] else [])
        red = path.get("stroke") == "#c62828"
        assert red == ("cycle" in edges[pair])
    assert edges == EDGES

    legend = {
        g.get("data-kind"): "".join(g.itertext()).replace("@", "", 1).strip()
        if "reference" in (g.get("data-kind") or "")
        else "".join(g.itertext()).strip()
        for g in root.iter(f"{SVG}g")
        if "legend-item" in classes(g)
    }
    assert legend == LEGEND
    assert not list(root.iter(f"{SVG}script")) and not list(root.iter("script"))


def test_the_layout_reads_left_to_right_without_overlaps(tmp_path):
    root = ET.fromstring(draw(tmp_path, "svg").encode("utf-8"))
    boxes = {g.get("data-id"): bounds(g) for g in groups(root, "node")}
    # A container stands left of what it depends on or refers to, off a cycle.
    for a, b in [("web", "db"), ("web", "cache"), ("migrate", "db"), ("web", "ghost")]:
        assert boxes[a][2] < boxes[b][0], (a, b)
    names = list(boxes)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            ax0, ay0, ax1, ay1 = boxes[a]
            bx0, by0, bx1, by1 = boxes[b]
            assert ax1 <= bx0 or bx1 <= ax0 or ay1 <= by0 or by1 <= ay0, (a, b)
    width, height = float(root.get("width", "0")), float(root.get("height", "0"))
    for x0, y0, x1, y1 in boxes.values():
        assert 0 <= x0 <= x1 <= width and 0 <= y0 <= y1 <= height


def test_hostile_ids_stay_text(tmp_path):
    svg = draw(tmp_path, "svg")
    assert "<script" not in svg and "\x1b" not in svg and "\u202e" not in svg
    root = ET.fromstring(svg.encode("utf-8"))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert HOSTILE in texts
    assert root.findtext(f"{SVG}title") == "applc graph: shop <&>"


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.csp: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += attrs
        found = dict(attrs)
        if found.get("http-equiv") == "Content-Security-Policy":
            self.csp = found.get("content")


def test_the_html_page_is_standalone_and_holds_the_same_picture(tmp_path):
    page = draw(tmp_path, "html")
    assert page.startswith("<!DOCTYPE html>\n")
    parsed = Page()
    parsed.feed(page)
    assert parsed.csp is not None and "default-src 'none'" in parsed.csp
    assert not {"script", "link", "iframe", "img", "object", "embed"} & set(parsed.tags)
    for name, value in parsed.attrs:
        assert name not in ("src", "href", "xlink:href"), (name, value)
        assert not re.search(r"(https?:)?//", value or "") or name == "xmlns", (name, value)
    svg = page[page.index("<svg ") : page.index("</svg>") + len("</svg>")]
    root = ET.fromstring(svg.encode("utf-8"))
    assert {g.get("data-id") for g in groups(root, "node")} == set(NODES)
    assert len(groups(root, "edge")) == len(EDGES)


def test_an_appliance_without_containers_is_a_legend(tmp_path):
    svg = draw(tmp_path, "svg", {"id": "empty", "containers": []})
    root = ET.fromstring(svg.encode("utf-8"))
    assert groups(root, "node") == [] and groups(root, "edge") == []
    assert len(groups(root, "legend-item")) == len(LEGEND)


def test_every_example_draws(tmp_path):
    for example in sorted(EXAMPLES.glob("*.appliance.json")):
        run = run_cli(["graph", "-f", "svg", str(example)])
        assert run.code == 0
        root = ET.fromstring(run.stdout.encode("utf-8"))
        ids = {g.get("data-id") for g in groups(root, "node")}
        for g in groups(root, "edge"):
            assert g.get("data-from") in ids and g.get("data-to") in ids


def test_a_long_chain_and_a_cycle_take_one_column_each(tmp_path):
    chain = [container("c0")] + [
        container(f"c{i}", dependencies=[f"c{i - 1}"]) for i in range(1, 300)
    ]
    ring = [container(f"r{i}", dependencies=[f"r{(i + 1) % 4}"]) for i in range(4)]
    root = ET.fromstring(draw(tmp_path, "svg", {"id": "long", "containers": chain + ring}).encode())
    boxes = {g.get("data-id"): bounds(g) for g in groups(root, "node")}
    lefts = [boxes[f"c{i}"][0] for i in range(300)]
    assert lefts == sorted(lefts, reverse=True) and len(set(lefts)) == 300  # c299 ... c0
    ring_lefts = sorted(boxes[f"r{i}"][0] for i in range(4))
    assert len(set(ring_lefts)) == 4  # a cycle's members side by side
    cyclic = {
        (g.get("data-from"), g.get("data-to"))
        for g in groups(root, "cycle")
        if "edge" in classes(g)
    }
    assert cyclic == {(f"r{i}", f"r{(i + 1) % 4}") for i in range(4)}
