"""Where each box of the case report's flow graph goes: left to right by hops from the source, top to bottom
by the first block taint reached it (as on the web page), a bounded number of boxes, the rest grouped per
column as "N other addresses". Pure.

Three steps keep the drawing legible on an A4 page: pass-through chains (a node that only forwards one
asset from one node to one other) become one edge "via N addresses"; columns are then the hops from a
source in the drawn graph (a shortened chain and a bridge crossing each count as one); each column keeps its
most important nodes and the whole graph at most `max_boxes` boxes (the sources and the endpoints always
stay: they are what the reader acts on). Importance is exact: the largest share of any asset a node
received or sent, as a fraction of the most any node received or sent of that asset (no prices, no floats).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from fractions import Fraction

from hotpursuit.casereport.graph_model import ReportGraph
from hotpursuit.trace.flow_graph import ENDPOINT, FRONTIER, HOLDER, SOURCE

GROUP_PREFIX = "others:"
FLOW, CROSSING = "flow", "crossing"


@dataclass(frozen=True)
class Box:
    """One box: an entity, or (members > 0) the entities of a column grouped into one."""

    key: str
    column: int
    row: int
    members: int = 0


@dataclass(frozen=True)
class Link:
    """One drawn edge: taint of one asset between two boxes, through `via` contracted addresses."""

    source: str
    target: str
    asset: str
    amount: int
    txs: int
    kind: str = FLOW
    via: int = 0


@dataclass(frozen=True)
class FlowLayout:
    """The boxes by column and row, the links between them, and what was simplified to fit."""

    boxes: tuple[Box, ...]
    links: tuple[Link, ...]
    columns: int
    grouped: int  # entities drawn only inside an "N other addresses" box
    contracted: int  # pass-through addresses drawn as "via N" on an edge
    hidden_links: int  # links inside one grouped box (not drawn)


def layout_flows(drawing: ReportGraph, *, max_boxes: int = 30, max_rows: int = 9) -> FlowLayout:
    """Lay the report's graph out; at most `max_boxes` boxes and `max_rows` per column (sources and endpoints
    beyond that still get a box)."""
    nodes_in = drawing.graph.nodes
    role = {n.id: n.role for n in nodes_in}
    first = {n.id: n.first_block for n in nodes_in}
    links = [Link(e.source, e.target, e.asset, e.amount, e.transfers) for e in drawing.graph.edges if e.flag is None]
    links += [Link(c.source, c.target, c.asset, c.amount, 0, CROSSING) for c in drawing.crossings]
    keep = {n for n, r in role.items() if r in (SOURCE, ENDPOINT)} | _roots(set(role), links)
    fixed = keep | {n for n, r in role.items() if r in (HOLDER, FRONTIER)} | {
        k for k, v in drawing.notes.items() if v.swaps}
    links, contracted = _contract(links, fixed)
    nodes = sorted({k for x in links for k in (x.source, x.target)} | keep)
    column = _columns(nodes, links)
    score = _scores(nodes, links)
    group = _groups(nodes, column, score, keep, max_boxes, max_rows)
    drawn, hidden = _regroup(links, group)
    boxes = _rows(nodes, column, first, group)
    return FlowLayout(tuple(boxes), tuple(drawn), 1 + max(column.values(), default=-1),
                      sum(1 for g in group.values() if g != ""), contracted, hidden)


def _roots(nodes: set[str], links: list[Link]) -> set[str]:
    reached = {x.target for x in links}
    return {n for n in nodes if n not in reached and any(x.source == n for x in links)}


def _contract(links: list[Link], fixed: set[str]) -> tuple[list[Link], int]:
    """Replace u -> v -> w by u -> w (what reached w, via v) wherever v only forwards one asset; a chain that
    runs parallel to another through as many addresses joins its edge (the amounts add up)."""
    done = 0
    changed = True
    while changed:
        changed = False
        into: dict[str, list[Link]] = {}
        out: dict[str, list[Link]] = {}
        for x in links:
            into.setdefault(x.target, []).append(x)
            out.setdefault(x.source, []).append(x)
        for v in sorted(into):
            if v in fixed or len(into[v]) != 1 or len(out.get(v, [])) != 1:
                continue
            first, second = into[v][0], out[v][0]
            if ((first.kind, second.kind) != (FLOW, FLOW) or first.asset != second.asset
                    or first.source == second.target):
                continue
            via = first.via + second.via + 1
            joined = Link(first.source, second.target, second.asset, second.amount, second.txs, FLOW, via)
            twin = next((x for x in links if (x.source, x.target, x.asset, x.kind) == (joined.source, joined.target,
                                                                                      joined.asset, FLOW)), None)
            if twin is not None and twin.via != via:
                continue
            rest = [x for x in links if x is not first and x is not second and x is not twin]
            if twin is not None:
                joined = Link(joined.source, joined.target, joined.asset, joined.amount + twin.amount,
                              joined.txs + twin.txs, FLOW, via)
            links = sorted([*rest, joined], key=lambda x: (x.source, x.target, x.asset, x.kind, x.via))
            done += 1
            changed = True
            break
    return links, done


def _columns(nodes: list[str], links: list[Link]) -> dict[str, int]:
    """Hops from the nearest root (breadth first); a cycle with no root starts at its smallest key."""
    out: dict[str, list[str]] = {}
    for x in links:
        out.setdefault(x.source, []).append(x.target)
    reached = {x.target for x in links}
    column: dict[str, int] = {}
    starts = [n for n in nodes if n not in reached] + [n for n in nodes if n in reached]
    for start in starts:
        if start in column:
            continue
        column[start] = 0
        queue = deque([start])
        while queue:
            n = queue.popleft()
            for m in sorted(out.get(n, [])):
                if m not in column:
                    column[m] = column[n] + 1
                    queue.append(m)
    return column


def _scores(nodes: list[str], links: list[Link]) -> dict[str, Fraction]:
    through: dict[tuple[str, str], int] = {}
    for x in links:
        for n in (x.source, x.target):
            through[(n, x.asset)] = through.get((n, x.asset), 0) + x.amount
    most: dict[str, int] = {}
    for (_, asset), v in through.items():
        most[asset] = max(most.get(asset, 0), v)
    score = {n: Fraction(0) for n in nodes}
    for (n, asset), v in through.items():
        if most[asset]:
            score[n] = max(score[n], Fraction(v, most[asset]))
    return score


def _groups(nodes: list[str], column: dict[str, int], score: dict[str, Fraction], keep: set[str],
            max_boxes: int, max_rows: int) -> dict[str, str]:
    """node -> "" (its own box) or the key of its column's group box."""
    def rank(n: str) -> tuple[bool, Fraction, str]:
        return (n not in keep, -score[n], n)

    group = {n: "" for n in nodes}
    by_column: dict[int, list[str]] = {}
    for n in nodes:
        by_column.setdefault(column[n], []).append(n)
    for c, members in by_column.items():
        ordered = sorted(members, key=rank)
        if len(ordered) > max_rows:
            for n in ordered[max_rows - 1:]:
                if n not in keep:
                    group[n] = f"{GROUP_PREFIX}{c}"

    def boxes() -> int:
        return sum(1 for g in group.values() if g == "") + len({g for g in group.values() if g})

    movable = sorted((n for n in nodes if n not in keep and group[n] == ""), key=rank, reverse=True)
    while boxes() > max_boxes and movable:
        n = movable.pop(0)
        group[n] = f"{GROUP_PREFIX}{column[n]}"
    for g in sorted({g for g in group.values() if g}):  # a group of one is just that entity
        members = [n for n, h in group.items() if h == g]
        if len(members) == 1:
            group[members[0]] = ""
    return group


def _regroup(links: list[Link], group: dict[str, str]) -> tuple[list[Link], int]:
    sums: dict[tuple[str, str, str, str], list[int]] = {}
    hidden = 0
    for x in links:
        a, b = group.get(x.source) or x.source, group.get(x.target) or x.target
        if a == b:
            hidden += 1
            continue
        row = sums.setdefault((a, b, x.asset, x.kind), [0, 0, 0])
        row[0] += x.amount
        row[1] += x.txs
        row[2] = max(row[2], x.via)
    return [Link(a, b, asset, v[0], v[1], kind, v[2]) for (a, b, asset, kind), v in sorted(sums.items())], hidden


def _rows(nodes: list[str], column: dict[str, int], first: dict[str, int | None], group: dict[str, str]
          ) -> list[Box]:
    """Boxes ordered within each column by the first block taint reached them (then id); a column's group box
    last."""
    members: dict[str, int] = {}
    when: dict[str, int] = {}
    col: dict[str, int] = {}
    for n in nodes:
        key = group[n] or n
        members[key] = members.get(key, 0) + (1 if group[n] else 0)
        block = first.get(n)
        when[key] = min(when.get(key, 1 << 62), 1 << 62 if block is None else block)
        col[key] = column[n]
    boxes: list[Box] = []
    for c in sorted(set(col.values())):
        here = sorted((k for k in col if col[k] == c), key=lambda k: (k.startswith(GROUP_PREFIX), when[k], k))
        boxes.extend(Box(k, c, i, members[k]) for i, k in enumerate(here))
    return boxes
