"""The trace's flows as the case report draws them, built on the shared flow graph (trace.flow_graph). Pure.

Collapsing (an owner's endpoints under that owner, clusters under their cluster), aggregation per (source,
target, asset) and roles are the flow graph's, as on the web page. A printed document differs in three ways:
a swap is a note on its swapper, not an edge (the engine gives the taint a swapper paid into a venue and the
taint the venue paid back, so the venue would only draw a loop back: "swapped 10,000 ETH / for 23,739 HUSD");
a Bitcoin flow's sender is the first input address of the transaction that paid (so the bridge's payouts
chain up instead of each transaction starting a row of its own); the bridge endpoints are joined to the
Bitcoin side by a crossing edge.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from hotpursuit.trace.flow_graph import FlowGraph, GraphView, flow_graph, node_id
from hotpursuit.trace.flow_graph_input import report_context, report_flows
from hotpursuit.trace.report import TraceReport

Shown = Callable[[str, str], str]  # (chain, address) -> the id of the node drawn for it


@dataclass(frozen=True)
class GraphFacts:
    """What the store says about the addresses a trace names, as the reader may see it."""

    # chain -> address -> (cluster id, the cluster's size)
    clusters: Mapping[str, Mapping[str, tuple[int, int]]] = field(default_factory=dict)
    blocks: Mapping[tuple[str, str], int] = field(default_factory=dict)  # (chain, tx) -> block
    names: Mapping[str, str] = field(default_factory=dict)  # "<chain>:<address>" -> best visible label
    cluster_names: Mapping[str, str] = field(default_factory=dict)  # "cluster:<chain>:<id>" -> best visible label
    bitcoin_senders: Mapping[str, str] = field(default_factory=dict)  # Bitcoin tx -> its first input address
    sources: frozenset[str] = frozenset()  # "<chain>:<address>" of the incident's victim and source addresses
    # (subject, asserted_by, tlp) of each claim a drawn name comes from: they raise the report's marking
    name_claims: tuple[tuple[str, str | None, str], ...] = ()


@dataclass(frozen=True)
class SwapNote:
    """What one node's swaps of the same assets turned into what, summed: ((asset, amount), ...) each side."""

    paid: tuple[tuple[str, int], ...]
    gained: tuple[tuple[str, int], ...]
    swaps: int


@dataclass
class NodeNotes:
    """What a drawn node's box says beside its name."""

    received: dict[str, int] = field(default_factory=dict)  # asset -> taint at its endpoints
    held: dict[str, int] = field(default_factory=dict)  # asset -> taint still held there
    swaps: list[SwapNote] = field(default_factory=list)
    endpoint_kind: str | None = None  # exchange, bridge, ...
    addresses: set[str] = field(default_factory=set)  # the addresses it stands for that the report names


@dataclass(frozen=True)
class Crossing:
    """Taint that left through a bridge (node `source`) and was paid out on Bitcoin from node `target`."""

    source: str
    target: str
    asset: str
    amount: int  # 0 when several crossings share the total (the total is in the summary)


@dataclass
class ReportGraph:
    """The flow graph with the report's notes, crossings and names."""

    graph: FlowGraph
    notes: dict[str, NodeNotes]
    crossings: list[Crossing]
    names: dict[str, str]  # drawn node id -> its name (an owner, a labelled cluster or address)


def report_graph(report: TraceReport, facts: GraphFacts) -> ReportGraph:
    """The graph of the report's flows, collapsed as the shared flow graph collapses them."""
    returns = {(str(s["chain"]), str(s["tx"]), str(v), str(s["address"])) for s in report.swaps for v in s["venues"]}
    flows = [f for f in report.flows if (f["chain"], f["tx"], f["from"], f["to"]) not in returns]
    flows = [{**f, "from": facts.bitcoin_senders.get(str(f["from"]), f["from"])} if f["chain"] == "bitcoin" else f
             for f in flows]
    clusters = {c: dict(m) for c, m in facts.clusters.items()}
    context = report_context({"swaps": [], "at_venues": report.at_venues, "frontier": report.frontier,
                              "held": report.held, "endpoints": report.endpoints}, clusters, sorted(facts.sources))
    graph = flow_graph(report_flows({"flows": flows}, facts.blocks, {}), context, GraphView())
    drawn = {n.id for n in graph.nodes}

    def shown(chain: str, address: str) -> str:
        key = node_id(chain, address)
        group = context.groups.get(key)
        return key if group is None else f"group:{group}"

    notes: dict[str, NodeNotes] = {}
    for e in report.endpoints:
        n = notes.setdefault(shown(e["chain"], e["address"]), NodeNotes())
        n.received[e["asset"]] = n.received.get(e["asset"], 0) + int(e["tainted"])
        n.endpoint_kind = n.endpoint_kind or str(e["kind"])
        n.addresses.add(str(e["address"]))
    for h in report.held:
        n = notes.setdefault(shown(h["chain"], h["address"]), NodeNotes())
        n.held[h["asset"]] = n.held.get(h["asset"], 0) + int(h["tainted"])
        n.addresses.add(str(h["address"]))
    _note_swaps(report, shown, notes)
    names: dict[str, str] = {}
    for node in graph.nodes:
        if node.group is not None and node.id.startswith("group:"):
            name = context.group_labels.get(node.group) if node.group.startswith("entity:") else None
            name = name or facts.cluster_names.get(node.group)
        else:
            name = facts.names.get(node.id) or context.names.get(node.id)
        if name:
            names[node.id] = name
    crossings = _crossings(report, graph, shown, drawn)
    return ReportGraph(graph, {k: v for k, v in notes.items() if k in drawn}, crossings, names)


def _note_swaps(report: TraceReport, shown: Shown, notes: dict[str, NodeNotes]) -> None:
    pairs: dict[tuple[str, tuple[str, ...], tuple[str, ...]], tuple[dict[str, int], dict[str, int], list[int]]] = {}
    for s in report.swaps:
        who = shown(s["chain"], s["address"])
        paid, gained = s["taint_paid"], s["taint_gained"]
        paid_sum, gained_sum, count = pairs.setdefault((who, tuple(sorted(paid)), tuple(sorted(gained))), ({}, {}, [0]))
        for asset, amount in paid.items():
            paid_sum[asset] = paid_sum.get(asset, 0) + int(amount)
        for asset, amount in gained.items():
            gained_sum[asset] = gained_sum.get(asset, 0) + int(amount)
        count[0] += 1
    for (who, _, _), (p, g, n) in sorted(pairs.items()):
        notes.setdefault(who, NodeNotes()).swaps.append(SwapNote(tuple(sorted(p.items())), tuple(sorted(g.items())),
                                                                 n[0]))


def _crossings(report: TraceReport, graph: FlowGraph, shown: Shown, drawn: set[str]) -> list[Crossing]:
    """Bridge endpoints -> the Bitcoin nodes no Bitcoin flow reaches (where the bridge paid out)."""
    bridges = sorted({shown(e["chain"], e["address"]) for e in report.endpoints if e["kind"] == "bridge"} & drawn)
    chain_of = {n.id: n.chain for n in graph.nodes}
    reached = {e.target for e in graph.edges}
    roots = sorted({e.source for e in graph.edges if chain_of.get(e.source) == "bitcoin"} - reached)
    if not bridges or not roots:
        return []
    crossed = int(report.totals.get("BTC", {}).get("crossed", "0"))
    single = len(bridges) * len(roots) == 1
    return [Crossing(b, r, "BTC", crossed if single else 0) for b in bridges for r in roots]
