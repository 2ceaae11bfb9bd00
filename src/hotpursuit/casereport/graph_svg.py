"""The case report's flow graph drawn as inline SVG for an A4 page. Pure.

Each box receives its edges at its own ports on its left side, one per incoming edge, and each edge's label
(the amount, rounded down, and "via N addresses" when a pass-through chain was shortened) sits just left of
its port: labels of one box are stacked and the gap between two columns holds only the labels of the next
column's boxes, so no two labels overlap. Edges are drawn first, labels on a white ground above them, boxes
last. Nothing in the drawing depends on anything but its inputs (the same graph gives the same bytes).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field

from hotpursuit.casereport.amounts import AssetBook
from hotpursuit.casereport.flow_layout import CROSSING, Box, FlowLayout, Link
from hotpursuit.casereport.graph_model import ReportGraph
from hotpursuit.trace.flow_graph import GraphNode

BOX_W, GAP, MARGIN = 96, 66, 6
FONT, SMALL, LINE = 9.0, 7.5, 11
ROW_GAP, LEGEND_H = 10, 22
FILL = {"source": "#f4c7c3", "endpoint": "#ffd28a", "holder": "#d9e7f5", "frontier": "#e4d7f2", "pass": "#eef2f6",
        "group": "#ffffff"}
STROKE = {"flow": "#8a2f2f", CROSSING: "#5b3f8c"}


@dataclass(frozen=True)
class GraphWords:
    """The drawing's words in the report's language."""

    other_addresses: Callable[[int], str]  # "12 other addresses"
    addresses: Callable[[int], str]  # "7 addresses"
    via: Callable[[int], str]  # "via 3" (addresses that only passed the funds on)
    holds: str  # "holds {amount}"
    swapped: str  # "swapped {paid}"
    swapped_for: str  # "for {gained}"
    more_swaps: Callable[[int], str]  # "other swaps: 2"
    crossed: str  # "to Bitcoin"
    cluster: str  # "cluster {id}"
    kinds: dict[str, str] = field(default_factory=dict)  # endpoint kind -> its word
    legend: tuple[tuple[str, str], ...] = ()  # (role, caption)
    title: str = ""


def _em(ch: str) -> float:
    if ord(ch) >= 0x2E80 or ch == "…":
        return 1.0
    if ch in ",.:;'| ":
        return 0.3
    if ch.isdigit():
        return 0.58
    return 0.68 if ch.isupper() else 0.57


def text_width(text: str, size: float) -> float:
    """A generous estimate of the text's width in Noto Sans CJK (a Hangul syllable is one em wide)."""
    return sum(_em(ch) for ch in text) * size


def _clip(text: str, size: float, width: float) -> str:
    if text_width(text, size) <= width:
        return text
    while text and text_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


@dataclass
class _Placed:
    box: Box
    lines: list[tuple[str, bool]]  # (text, bold)
    role: str
    x: float = 0
    y: float = 0
    h: float = 0
    ins: list[Link] = field(default_factory=list)
    outs: list[Link] = field(default_factory=list)


def _box_lines(box: Box, node: GraphNode | None, drawing: ReportGraph, book: AssetBook,
               words: GraphWords) -> tuple[list[tuple[str, bool]], str]:
    if node is None:
        return [(words.other_addresses(box.members), True)], "group"
    name = drawing.names.get(node.id)
    short = _short(node.address or node.id)
    if name is None and node.kind == "cluster" and node.group:
        name = words.cluster.format(id=node.group.rsplit(":", 1)[-1])
    lines = [(name or short, True)]
    notes = drawing.notes.get(node.id)
    if notes is not None and notes.endpoint_kind:
        lines.append((words.kinds.get(notes.endpoint_kind, notes.endpoint_kind), False))
    if node.id.startswith("group:"):
        lines.append((words.addresses(node.members), False))
    elif name is not None:
        lines.append((short, False))
    if notes is not None:
        lines += [(_amount(book, v, a), False) for a, v in sorted(notes.received.items())][:2]
        lines += [(words.holds.format(amount=_amount(book, v, a)), False) for a, v in sorted(notes.held.items())][:2]
        for note in notes.swaps[:1]:
            lines.append((words.swapped.format(paid=", ".join(_amount(book, v, a) for a, v in note.paid)), False))
            lines.append((words.swapped_for.format(gained=", ".join(_amount(book, v, a) for a, v in note.gained)),
                          False))
        if len(notes.swaps) > 1:
            lines.append((words.more_swaps(len(notes.swaps) - 1), False))
    role = node.role if node.role in FILL else "pass"
    return lines, role


def _short(address: str) -> str:
    return address if len(address) <= 11 else f"{address[:6]}…{address[-4:]}"


def _label_lines(link: Link, book: AssetBook, words: GraphWords) -> list[tuple[str, float]]:
    """(text, size) of an edge's label: the amount on one line if it fits the gap, else the number over the
    unit; then "via N" for a shortened chain, or the crossing's words."""
    if link.kind == CROSSING and not link.amount:
        return [(words.crossed, SMALL)]
    number, unit = book.brief(link.amount, link.asset)
    whole = f"{number} {unit}"
    extra = words.crossed if link.kind == CROSSING else words.via(link.via) if link.via else ""
    if text_width(whole, FONT) <= GAP - 12:
        return [(whole, FONT)] + ([(extra, SMALL)] if extra else [])
    return [(number, FONT), (f"{unit}, {extra}" if extra else unit, SMALL)]


def _amount(book: AssetBook, amount: int, asset: str) -> str:
    return " ".join(book.brief(amount, asset))


def draw_graph(layout: FlowLayout, drawing: ReportGraph, book: AssetBook, words: GraphWords) -> str:
    """The layout as one <svg> element (its size in CSS pixels; the stylesheet scales it to the page)."""
    nodes = {n.id: n for n in drawing.graph.nodes}
    placed = {b.key: _Placed(b, *_box_lines(b, nodes.get(b.key), drawing, book, words)) for b in layout.boxes}
    for link in layout.links:
        placed[link.target].ins.append(link)
        placed[link.source].outs.append(link)

    def order(key: str) -> tuple[int, int]:
        return placed[key].box.column, placed[key].box.row

    for p in placed.values():
        p.ins.sort(key=lambda x: (order(x.source), x.asset))
        p.outs.sort(key=lambda x: (order(x.target), x.asset))
        label_rows = sum(len(_label_lines(x, book, words)) for x in p.ins)
        p.h = max(len(p.lines) * LINE + 6, label_rows * LINE + 2 * len(p.ins) + 6, len(p.outs) * 4 + 6)
    columns: dict[int, list[_Placed]] = {}
    for p in placed.values():
        columns.setdefault(p.box.column, []).append(p)
    height = 0.0
    for c, stack in columns.items():
        bottom = float(MARGIN)
        for p in sorted(stack, key=lambda q: q.box.row):
            p.x, p.y = MARGIN + GAP + c * (BOX_W + GAP), bottom
            bottom += p.h + ROW_GAP
        height = max(height, bottom)
    width = MARGIN * 2 + GAP + max(columns, default=0) * (BOX_W + GAP) + BOX_W
    height += LEGEND_H
    ports: dict[tuple[str, str, str, str], float] = {}
    labels: list[str] = []
    for p in placed.values():  # label blocks stacked down the box's left side, each above its edge's port
        blocks = [_label_lines(x, book, words) for x in p.ins]
        used = sum(len(lines) * LINE + 2 for lines in blocks)
        top = p.y + (p.h - used) / 2
        for link, lines in zip(p.ins, blocks, strict=True):
            port = top + LINE - 1
            ports[(link.source, link.target, link.asset, link.kind)] = port
            for n, (line, size) in enumerate(lines):
                text = _clip(line, size, GAP - 12)
                w = text_width(text, size)
                line_y = port - 1.5 if n == 0 else port + n * LINE - 1.5
                labels.append(f'<rect x="{p.x - 6 - w:.1f}" y="{line_y - size + 0.5:.1f}" width="{w + 2:.1f}" '
                              f'height="{size + 1:.1f}" fill="#ffffff" fill-opacity="0.85"/>'
                              f'<text x="{p.x - 5:.1f}" y="{line_y:.1f}" font-size="{size}" text-anchor="end" '
                              f'fill="#5a1f1f">{_esc(text)}</text>')
            top += len(lines) * LINE + 2
    edges: list[str] = []
    for p in placed.values():
        for i, link in enumerate(p.outs):
            x1, y1 = p.x + BOX_W, p.y + p.h * (i + 0.5) / len(p.outs)
            x2 = placed[link.target].x
            y2 = ports[(link.source, link.target, link.asset, link.kind)]
            bend = max(30.0, (x2 - x1) / 2) if x2 > x1 else 60.0
            dash = ' stroke-dasharray="4 2"' if link.kind == CROSSING else ""
            colour = STROKE.get(link.kind, STROKE["flow"])
            edges.append(f'<path d="M{x1:.1f} {y1:.1f} C{x1 + bend:.1f} {y1:.1f} {x2 - bend:.1f} {y2:.1f} '
                         f'{x2 - 4:.1f} {y2:.1f}" fill="none" stroke="{colour}" stroke-width="0.8"{dash}/>'
                         f'<path d="M{x2 - 5:.1f} {y2 - 2.5:.1f} L{x2:.1f} {y2:.1f} L{x2 - 5:.1f} {y2 + 2.5:.1f} Z" '
                         f'fill="{colour}"/>')
    boxes: list[str] = []
    for p in placed.values():
        dash = ' stroke-dasharray="3 2"' if p.role == "group" else ""
        boxes.append(f'<rect x="{p.x:.1f}" y="{p.y:.1f}" width="{BOX_W}" height="{p.h:.1f}" rx="3" '
                     f'fill="{FILL[p.role]}" stroke="#44546a" stroke-width="0.7"{dash}/>')
        for n, (line, bold) in enumerate(p.lines):
            size = FONT if n == 0 else SMALL
            weight = ' font-weight="bold"' if bold else ""
            boxes.append(f'<text x="{p.x + 4:.1f}" y="{p.y + 4 + size + n * LINE:.1f}" font-size="{size}"'
                         f'{weight}>{_esc(_clip(line, size, BOX_W - 8))}</text>')
    legend = _legend(words, {p.role for p in placed.values()}, MARGIN, height - LEGEND_H + 8)
    title = f"<title>{_esc(words.title)}</title>" if words.title else ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="flow-graph" viewBox="0 0 {width:.0f} {height:.0f}" '
            f'width="{width:.0f}" height="{height:.0f}" font-family="Noto Sans CJK KR, sans-serif" role="img">'
            f"{title}{''.join(edges)}{''.join(labels)}{''.join(boxes)}{legend}</svg>")


def _legend(words: GraphWords, roles: set[str], x: float, y: float) -> str:
    parts = []
    for role, caption in words.legend:
        if role not in roles:
            continue
        dash = ' stroke-dasharray="3 2"' if role == "group" else ""
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="12" height="8" fill="{FILL.get(role, "#fff")}" '
                     f'stroke="#44546a" stroke-width="0.7"{dash}/>'
                     f'<text x="{x + 15:.1f}" y="{y + 7:.1f}" font-size="{SMALL}">{_esc(caption)}</text>')
        x += 24 + text_width(caption, SMALL)
    return "".join(parts)
