"""The flow graph of a trace, as a reader sees it. Pure.

Nodes are addresses or, collapsed, groups (an exchange's deposit addresses under the exchange, a
cluster's addresses under the cluster); edges are aggregated per (sender, receiver, asset) with exact
integer sums. Laid out left to right by hop from the theft (a receiver's column is the hop at which taint
first reached it), and top to bottom by the first block it was reached in. A view can expand groups,
keep one asset, drop edges under a minimum amount, stop at a hop (revealing the neighbours of chosen
nodes beyond it), and show or hide the look-alike (poisoning) and fake-token transfers that touched the
traced addresses, which the trace itself never counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

SOURCE, PASS, ENDPOINT, HOLDER, FRONTIER, VENUE, FLAGGED = (
    "source", "pass", "endpoint", "holder", "frontier", "venue", "flagged")


@dataclass(frozen=True, slots=True)
class FlowIn:
    """One tainted (or flagged) transfer as the trace report or the store gives it."""

    chain: str
    sender: str
    receiver: str
    asset: str
    amount: int
    tx: str
    hop: int | None = None
    block: int | None = None
    flag: str | None = None  # "poisoning" | "fake-token": not taint, shown only when asked


@dataclass(frozen=True, slots=True)
class GraphNode:
    """A drawn node: an address, or a collapsed group of addresses."""

    id: str  # "<chain>:<address>" or "group:<key>"
    label: str
    kind: str  # "address" | "transaction" | "cluster" | "entity"
    role: str
    column: int
    row: int
    members: int
    chain: str
    address: str | None  # the address, for an address node
    group: str | None  # the group it belongs to (collapsed or not), if any
    first_block: int | None


@dataclass(frozen=True, slots=True)
class GraphEdge:
    """A drawn edge: every transfer of one asset between two drawn nodes, summed."""

    source: str
    target: str
    asset: str
    amount: int
    transfers: int
    txs: tuple[str, ...]  # the first few tx hashes, sorted
    flag: str | None


@dataclass
class FlowGraph:
    """What the page, the exports and the report draw."""

    nodes: list[GraphNode]
    edges: list[GraphEdge]
    groups: dict[str, str]  # group key -> label, for the groups present
    hidden_edges: int = 0  # aggregated edges left out by the view's filters
    assets: list[str] = field(default_factory=list)  # every asset of the unfiltered graph


@dataclass(frozen=True)
class GraphView:
    """What the reader chose to see."""

    expanded: frozenset[str] = frozenset()  # group keys shown as their addresses
    asset: str | None = None
    min_amount: int = 0  # base units of `asset` (only with an asset: amounts of two assets do not compare)
    show_flagged: bool = False
    max_column: int | None = None
    around: frozenset[str] = frozenset()  # node ids whose neighbours are shown beyond max_column
    collapse: bool = True  # False: every address on its own


@dataclass(frozen=True)
class GraphContext:
    """What the store and the report say about the graph's addresses."""

    groups: Mapping[str, str] = field(default_factory=dict)  # "<chain>:<address>" -> group key
    group_labels: Mapping[str, str] = field(default_factory=dict)
    roles: Mapping[str, str] = field(default_factory=dict)  # "<chain>:<address>" -> role
    names: Mapping[str, str] = field(default_factory=dict)  # "<chain>:<address>" -> a short name


MAX_TXS = 5


def node_id(chain: str, address: str) -> str:
    return f"{chain}:{address}"


def _short(address: str) -> str:
    return address if len(address) <= 16 else f"{address[:8]}…{address[-6:]}"


def _columns(flows: Iterable[FlowIn]) -> dict[str, int]:
    """Each address's column: the hop taint first reached it at; nodes the report gives no hop (the
    Bitcoin side) one column right of their first-placed sender; senders never reached, column 0."""
    column: dict[str, int] = {}
    edges = [(node_id(f.chain, f.sender), node_id(f.chain, f.receiver), f.hop) for f in flows]
    for _, receiver, hop in edges:
        if hop is not None:
            column[receiver] = min(column.get(receiver, hop), hop)
    receivers = {r for _, r, _ in edges}
    for sender, _, hop in edges:
        if sender not in receivers and hop is not None:
            column.setdefault(sender, 0)
    _spread(edges, column)
    beyond = max(column.values(), default=-1) + 1  # a chain reached over a bridge: to the right of the rest
    for sender, _, _ in edges:
        if sender not in column and sender not in receivers:
            column[sender] = beyond
    _spread(edges, column)
    for sender, receiver, _ in edges:  # cycles with no way in: leftmost
        column.setdefault(sender, 0)
        column.setdefault(receiver, column[sender] + 1)
    return column


def _spread(edges: list[tuple[str, str, int | None]], column: dict[str, int]) -> None:
    """Place each unplaced receiver one column right of its first placed sender, until nothing moves."""
    for _ in range(len(edges) + 1):
        changed = False
        for sender, receiver, _ in edges:
            if sender in column and receiver not in column:
                column[receiver] = column[sender] + 1
                changed = True
        if not changed:
            return


def flow_graph(flows: list[FlowIn], context: GraphContext, view: GraphView = GraphView()) -> FlowGraph:
    """The graph of `flows` as `view` asks: grouped, filtered, aggregated and laid out."""
    taint = [f for f in flows if f.flag is None]
    column = _columns(taint)
    first_block: dict[str, int] = {}  # when taint first reached it (a look-alike's dust earlier says nothing)
    for f in taint:
        if f.block is not None:
            key = node_id(f.chain, f.receiver)
            first_block[key] = min(first_block.get(key, f.block), f.block)
    all_assets = sorted({f.asset for f in flows})

    def shown_as(key: str) -> str:
        group = context.groups.get(key) if view.collapse else None
        return key if group is None or group in view.expanded else f"group:{group}"

    kept = [f for f in flows if (view.show_flagged or f.flag is None)
            and (view.asset is None or f.asset == view.asset)
            and (f.flag is None or node_id(f.chain, f.sender) in column or node_id(f.chain, f.receiver) in column)]
    sums: dict[tuple[str, str, str, str | None], list[int]] = {}
    txs: dict[tuple[str, str, str, str | None], set[str]] = {}
    members: dict[str, set[str]] = {}
    for f in kept:
        a, b = node_id(f.chain, f.sender), node_id(f.chain, f.receiver)
        da, db = shown_as(a), shown_as(b)
        members.setdefault(da, set()).add(a)
        members.setdefault(db, set()).add(b)
        if da == db:
            continue  # inside a collapsed group
        k = (da, db, f.asset, f.flag)
        entry = sums.setdefault(k, [0, 0])
        entry[0] += f.amount
        entry[1] += 1
        txs.setdefault(k, set()).add(f.tx)
    ordered = sorted(sums.items(), key=lambda kv: (kv[0][:3], kv[0][3] or ""))
    aggregated = [GraphEdge(a, b, asset, total, n, tuple(sorted(txs[(a, b, asset, flag)])[:MAX_TXS]), flag)
                  for (a, b, asset, flag), (total, n) in ordered]
    minimum = view.min_amount if view.asset is not None else 0
    edges = [e for e in aggregated if e.amount >= minimum or e.flag is not None]
    hidden = len(aggregated) - len(edges)

    def col(display: str) -> int:
        inner = [column[m] for m in members.get(display, ()) if m in column]
        return min(inner) if inner else max(column.values(), default=0) + 1

    if view.max_column is not None:
        limit = view.max_column
        near = ({e.target for e in edges if e.source in view.around}
                | {e.source for e in edges if e.target in view.around})
        before = len(edges)
        edges = [e for e in edges if (col(e.source) <= limit and col(e.target) <= limit)
                 or ((e.source in view.around or e.target in view.around) and (e.source in near or e.target in near))]
        hidden += before - len(edges)
    drawn = sorted({e.source for e in edges} | {e.target for e in edges})
    nodes = _placed(drawn, members, column, first_block, context, col)
    present = {n.group for n in nodes if n.group}
    return FlowGraph(nodes, edges, {g: context.group_labels.get(g, g) for g in sorted(present)}, hidden, all_assets)


ROLE_ORDER = (SOURCE, ENDPOINT, FRONTIER, HOLDER, VENUE, PASS, FLAGGED)


def _placed(drawn: list[str], members: Mapping[str, set[str]], column: Mapping[str, int],
            first_block: Mapping[str, int], context: GraphContext, col: Callable[[str], int]) -> list[GraphNode]:
    """The drawn nodes with their column and row (by first block reached, then id)."""
    rows: dict[int, list[tuple[int, str]]] = {}
    for d in drawn:
        block = min((first_block[m] for m in members.get(d, {d}) if m in first_block), default=1 << 62)
        rows.setdefault(col(d), []).append((block, d))
    placed: list[GraphNode] = []
    for c in sorted(rows):
        for r, (block, d) in enumerate(sorted(rows[c])):
            inner = sorted(members.get(d, {d}))
            roles = {context.roles.get(m, PASS if m in column else FLAGGED) for m in inner}
            role = next(x for x in ROLE_ORDER if x in roles or x == FLAGGED)
            role = SOURCE if role == PASS and c == 0 else role
            first = None if block == 1 << 62 else block
            if d.startswith("group:"):
                key = d[len("group:"):]
                placed.append(GraphNode(d, f"{context.group_labels.get(key, key)} ({len(inner)})",
                                        "entity" if key.startswith("entity:") else "cluster", role, c, r, len(inner),
                                        d.split(":")[2] if key.startswith("cluster:") else inner[0].split(":")[0],
                                        None, key, first))
            else:
                chain, address = d.split(":", 1)
                kind = "transaction" if chain == "bitcoin" and len(address) == 64 else "address"
                name = context.names.get(d)
                label = f"{name} {_short(address)}" if name else _short(address)
                placed.append(GraphNode(d, label, kind, role, c, r, 1, chain, address, context.groups.get(d), first))
    return placed
