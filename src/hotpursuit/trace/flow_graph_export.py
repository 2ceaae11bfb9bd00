"""The flow graph written out: graphology's serialised form (what the page's sigma.js draws), GraphML
(for Gephi, yEd, networkx) and a standalone SVG. Pure; amounts are exact decimal strings of base units
plus the human form; the same graph gives the same bytes."""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree as ET

from hotpursuit.trace.flow_graph import FlowGraph, GraphNode

Reading = Callable[[int, str, str], str]  # (amount, chain, asset) -> "1,234.5 ETH"

COLUMN_GAP, ROW_GAP = 400.0, 60.0
ROLE_COLOURS = {"source": "#c1121f", "endpoint": "#2a9d3f", "holder": "#e07a00", "frontier": "#7b2cbf",
                "venue": "#0077b6", "pass": "#5c677d", "flagged": "#9d9d9d"}
FLAG_COLOUR = "#c9a227"
MIN_ROWS = 60  # a hop with fewer nodes stays one column


class Layout:
    """Where each node is drawn: hops left to right; a hop with more nodes than fit one column is folded
    into side-by-side sub-columns (in the order reached), so that a 10,000-node graph fills a page about
    twice as wide as high instead of ten thin columns."""

    def __init__(self, graph: FlowGraph) -> None:
        heights: dict[int, int] = {}
        for n in graph.nodes:
            heights[n.column] = max(heights.get(n.column, 0), n.row + 1)
        columns, tallest = max(len(heights), 1), max(heights.values(), default=1)
        a = COLUMN_GAP / (2 * ROW_GAP) * columns  # rows * gap = columns * (tallest / rows * gap + gap_between) / 2
        self.rows = max(MIN_ROWS, math.ceil((a + math.sqrt(a * a + 2 * columns * tallest)) / 2))
        self.heights = heights
        self.start: dict[int, float] = {}
        x = 0.0
        for c in sorted(heights):
            self.start[c] = x
            x += math.ceil(heights[c] / self.rows) * ROW_GAP + COLUMN_GAP

    def position(self, node: GraphNode) -> tuple[float, float]:
        """(x, y) of a node, y growing downward, each (sub-)column centred on the middle."""
        sub, row = divmod(node.row, self.rows)
        shown = min(self.heights.get(node.column, 1), self.rows)
        return self.start.get(node.column, 0.0) + sub * ROW_GAP, (row - (shown - 1) / 2) * ROW_GAP


def _edge_label(graph_edges: list[Any], chain: str, read: Reading) -> str:
    return " + ".join(read(e.amount, chain, e.asset) for e in graph_edges)


def graphology_json(graph: FlowGraph, read: Reading) -> dict[str, Any]:
    """The graph in graphology's serialised form, one drawn edge per pair (its assets summed apart and
    listed in the label), with the per-asset figures as attributes."""
    layout = Layout(graph)
    chains = {n.id: n.chain for n in graph.nodes}
    degree: dict[str, int] = {}
    for e in graph.edges:
        degree[e.source] = degree.get(e.source, 0) + 1
        degree[e.target] = degree.get(e.target, 0) + 1
    nodes = []
    for n in graph.nodes:
        x, y = layout.position(n)
        size = 3 + min(6, degree.get(n.id, 0) // 2) + (3 if n.members > 1 else 0)
        nodes.append({"key": n.id, "attributes": {
            "x": x, "y": -y, "size": size, "label": n.label, "color": ROLE_COLOURS.get(n.role, "#5c677d"),
            "kind": n.kind, "role": n.role, "chain": n.chain, "address": n.address, "group": n.group,
            "members": n.members}})
    pairs: dict[tuple[str, str, str | None], list[Any]] = {}
    for e in graph.edges:
        pairs.setdefault((e.source, e.target, e.flag), []).append(e)
    edges = []
    ordered = sorted(pairs.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2] or ""))
    for i, ((a, b, flag), group) in enumerate(ordered):
        label = _edge_label(group, chains.get(a, ""), read) + (f" ({flag})" if flag else "")
        edges.append({"key": f"e{i}", "source": a, "target": b, "attributes": {
            "label": label, "size": 1.5 if flag else 2.0, "type": "arrow",
            "color": FLAG_COLOUR if flag else "#8d99ae", "flag": flag,
            "assets": [{"asset": e.asset, "amount": str(e.amount), "transfers": e.transfers} for e in group]}})
    return {"attributes": {"hiddenEdges": graph.hidden_edges}, "options": {"type": "directed", "multi": False,
                                                                          "allowSelfLoops": False},
            "nodes": nodes, "edges": edges}


def graphml(graph: FlowGraph, read: Reading) -> bytes:
    """GraphML, one edge per (pair, asset): amount in base units (string: integers beyond 64 bits) and
    in human units."""
    ns = "http://graphml.graphdrawing.org/xmlns"
    ET.register_namespace("", ns)
    root = ET.Element(f"{{{ns}}}graphml")
    keys = [("label", "node", "string"), ("kind", "node", "string"), ("role", "node", "string"),
            ("chain", "node", "string"), ("address", "node", "string"), ("members", "node", "int"),
            ("column", "node", "int"), ("first_block", "node", "long"), ("x", "node", "double"),
            ("y", "node", "double"),
            ("asset", "edge", "string"), ("amount", "edge", "string"), ("amount_human", "edge", "string"),
            ("transfers", "edge", "int"), ("txs", "edge", "string"), ("flag", "edge", "string")]
    for name, domain, kind in keys:
        ET.SubElement(root, f"{{{ns}}}key", {"id": f"{domain[0]}_{name}", "for": domain, "attr.name": name,
                                              "attr.type": kind})
    g = ET.SubElement(root, f"{{{ns}}}graph", {"id": "flow", "edgedefault": "directed"})
    layout = Layout(graph)
    chains = {}
    for n in graph.nodes:
        chains[n.id] = n.chain
        x, y = layout.position(n)
        node = ET.SubElement(g, f"{{{ns}}}node", {"id": n.id})
        values: list[tuple[str, object]] = [("label", n.label), ("kind", n.kind), ("role", n.role),
                                            ("chain", n.chain), ("address", n.address or ""),
                                            ("members", n.members), ("column", n.column),
                                            ("first_block", n.first_block if n.first_block is not None else ""),
                                            ("x", x), ("y", y)]
        for name, value in values:
            if value != "":
                ET.SubElement(node, f"{{{ns}}}data", {"key": f"n_{name}"}).text = str(value)
    for i, e in enumerate(graph.edges):
        edge = ET.SubElement(g, f"{{{ns}}}edge", {"id": f"e{i}", "source": e.source, "target": e.target})
        for name, value in [("asset", e.asset), ("amount", str(e.amount)),
                            ("amount_human", read(e.amount, chains.get(e.source, ""), e.asset)),
                            ("transfers", e.transfers), ("txs", " ".join(e.txs)), ("flag", e.flag or "")]:
            if value != "":
                ET.SubElement(edge, f"{{{ns}}}data", {"key": f"e_{name}"}).text = str(value)
    ET.indent(root)
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body + b"\n"


def svg(graph: FlowGraph, read: Reading, title: str) -> str:
    """A standalone SVG of the graph as laid out: boxes with labels, straight arrows with amounts."""
    layout = Layout(graph)
    placed = {n.id: layout.position(n) for n in graph.nodes}
    xs = [p[0] for p in placed.values()] or [0.0]
    ys = [p[1] for p in placed.values()] or [0.0]
    pad, box_w, box_h = 40.0, 260.0, 26.0
    left, top = min(xs) - pad, min(ys) - pad - box_h
    width, height = max(xs) - left + box_w + pad, max(ys) - top + box_h + pad
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{left:.0f} {top:.0f} {width:.0f} {height:.0f}" '
           f'width="{width:.0f}" height="{height:.0f}" font-family="sans-serif" font-size="11">',
           f"<title>{html.escape(title)}</title>",
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" '
           'orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#8d99ae"/></marker></defs>']
    chains = {n.id: n.chain for n in graph.nodes}
    for e in graph.edges:
        (x1, y1), (x2, y2) = placed[e.source], placed[e.target]
        colour = FLAG_COLOUR if e.flag else "#8d99ae"
        label = read(e.amount, chains.get(e.source, ""), e.asset) + (f" ({e.flag})" if e.flag else "")
        out.append(f'<line x1="{x1 + box_w:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}" '
                   f'stroke-width="1" marker-end="url(#arrow)"><title>{html.escape(label)}</title></line>')
    for n in graph.nodes:
        x, y = placed[n.id]
        out.append(f'<g><rect x="{x:.1f}" y="{y - box_h / 2:.1f}" width="{box_w:.0f}" height="{box_h:.0f}" rx="4" '
                   f'fill="#fff" stroke="{ROLE_COLOURS.get(n.role, "#5c677d")}" stroke-width="2"/>'
                   f'<text x="{x + 6:.1f}" y="{y + 4:.1f}">{html.escape(n.label)}</text>'
                   f"<title>{html.escape(n.address or n.label)} ({n.role})</title></g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"
