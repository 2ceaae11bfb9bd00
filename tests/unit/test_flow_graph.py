"""The flow graph's pure parts: exact sums per pair and asset, groups collapsed and opened, filters,
flagged transfers only on demand, the hop layout across a bridge, and exports that keep base units."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hypothesis import given
from hypothesis import strategies as st

from hotpursuit.trace.flow_graph import FlowIn, GraphContext, GraphView, flow_graph
from hotpursuit.trace.flow_graph_export import graphml, graphology_json, svg

BIG = 2**70 + 1  # beyond 64 bits: never through a float


def _read(amount: int, chain: str, asset: str) -> str:
    return f"{amount} {asset}"


FLOWS = [
    FlowIn("anvil", "thief", "a", "ETH", BIG, "t1", 1, 10),
    FlowIn("anvil", "thief", "a", "ETH", 5, "t2", 1, 11),
    FlowIn("anvil", "thief", "a", "USDT", 7, "t3", 1, 11),
    FlowIn("anvil", "a", "dep1", "ETH", 3, "t4", 2, 12),
    FlowIn("anvil", "a", "dep2", "ETH", 2, "t5", 2, 13),
    FlowIn("anvil", "dep1", "dep2", "ETH", 1, "t6", 3, 14),  # inside the exchange: hidden when collapsed
    FlowIn("anvil", "a", "bridge", "ETH", 4, "t7", 2, 12),
    FlowIn("bitcoin", "b" * 64, "bc1qpayout", "BTC", 9, "b" * 64),
    FlowIn("anvil", "poisoner", "a", "0xfake", 1, "t8", None, 12, "poisoning"),
]
CONTEXT = GraphContext(groups={"anvil:dep1": "entity:Hanbit", "anvil:dep2": "entity:Hanbit"},
                       group_labels={"entity:Hanbit": "Hanbit"}, roles={"anvil:dep1": "endpoint",
                                                                        "anvil:dep2": "endpoint"})


def test_edges_are_summed_exactly_per_pair_and_asset() -> None:
    g = flow_graph(FLOWS, CONTEXT)
    by = {(e.source, e.target, e.asset): e for e in g.edges}
    assert by[("anvil:thief", "anvil:a", "ETH")].amount == BIG + 5
    assert by[("anvil:thief", "anvil:a", "ETH")].transfers == 2
    assert by[("anvil:thief", "anvil:a", "USDT")].amount == 7  # never added to ETH
    assert by[("anvil:a", "group:entity:Hanbit", "ETH")].amount == 5
    assert not any(e.flag for e in g.edges)  # the poisoning transfer is hidden by default
    assert {n.id for n in g.nodes} == {"anvil:thief", "anvil:a", "group:entity:Hanbit", "anvil:bridge",
                                       "bitcoin:" + "b" * 64, "bitcoin:bc1qpayout"}
    hanbit = next(n for n in g.nodes if n.id == "group:entity:Hanbit")
    assert (hanbit.kind, hanbit.members, hanbit.role) == ("entity", 2, "endpoint")


def test_columns_follow_hops_and_the_bitcoin_side_comes_after() -> None:
    g = flow_graph(FLOWS, CONTEXT)
    column = {n.id: n.column for n in g.nodes}
    assert column["anvil:thief"] == 0 and column["anvil:a"] == 1 and column["group:entity:Hanbit"] == 2
    assert column["bitcoin:" + "b" * 64] > column["group:entity:Hanbit"]
    assert column["bitcoin:bc1qpayout"] == column["bitcoin:" + "b" * 64] + 1
    assert next(n for n in g.nodes if n.id == "anvil:thief").role == "source"


def test_opening_a_group_filters_and_flags() -> None:
    opened = flow_graph(FLOWS, CONTEXT, GraphView(expanded=frozenset({"entity:Hanbit"})))
    assert {"anvil:dep1", "anvil:dep2"} <= {n.id for n in opened.nodes}
    assert any(e.source == "anvil:dep1" and e.target == "anvil:dep2" for e in opened.edges)
    eth = flow_graph(FLOWS, CONTEXT, GraphView(asset="ETH", min_amount=4))
    assert {(e.source, e.target) for e in eth.edges} == {("anvil:thief", "anvil:a"), ("anvil:a", "group:entity:Hanbit"),
                                                          ("anvil:a", "anvil:bridge")}
    assert eth.hidden_edges == 0
    big_only = flow_graph(FLOWS, CONTEXT, GraphView(asset="ETH", min_amount=6))
    assert [(e.source, e.target) for e in big_only.edges] == [("anvil:thief", "anvil:a")]
    assert big_only.hidden_edges == 2
    shown = flow_graph(FLOWS, CONTEXT, GraphView(show_flagged=True))
    assert [e.flag for e in shown.edges if e.flag] == ["poisoning"]
    near = flow_graph(FLOWS, CONTEXT, GraphView(max_column=1))
    assert {n.id for n in near.nodes} == {"anvil:thief", "anvil:a"}
    around = flow_graph(FLOWS, CONTEXT, GraphView(max_column=1, around=frozenset({"anvil:a"})))
    assert "anvil:bridge" in {n.id for n in around.nodes}


def test_exports_keep_base_units_and_are_stable() -> None:
    g = flow_graph(FLOWS, CONTEXT, GraphView(show_flagged=True))
    data = graphology_json(g, _read)
    assert {n["key"] for n in data["nodes"]} == {n.id for n in g.nodes}
    thief_a = next(e for e in data["edges"] if e["source"] == "anvil:thief" and e["target"] == "anvil:a")
    assert {a["asset"]: a["amount"] for a in thief_a["attributes"]["assets"]} == {"ETH": str(BIG + 5), "USDT": "7"}
    xml = graphml(g, _read)
    assert xml == graphml(g, _read)
    root = ET.fromstring(xml)
    ns = "{http://graphml.graphdrawing.org/xmlns}"
    amounts = [d.text for d in root.iter(f"{ns}data") if d.get("key") == "e_amount"]
    assert str(BIG + 5) in amounts
    assert svg(g, _read, "t").count("<rect") == len(g.nodes)


@given(st.lists(st.tuples(st.sampled_from("abcdef"), st.sampled_from("abcdef"), st.sampled_from(["ETH", "T"]),
                          st.integers(1, 2**80), st.integers(1, 5)), min_size=1, max_size=40))
def test_totals_are_kept_whatever_the_grouping(rows: list[tuple[str, str, str, int, int]]) -> None:
    flows = [FlowIn("anvil", a, b, asset, v, f"t{i}", hop) for i, (a, b, asset, v, hop) in enumerate(rows) if a != b]
    groups = {"anvil:a": "cluster:anvil:1", "anvil:b": "cluster:anvil:1"}
    for view in (GraphView(), GraphView(collapse=False)):
        g = flow_graph(flows, GraphContext(groups=groups), view)
        for asset in ("ETH", "T"):
            want = sum(f.amount for f in flows if f.asset == asset)
            got = sum(e.amount for e in g.edges if e.asset == asset)
            hidden = sum(f.amount for f in flows if f.asset == asset and f.sender in "ab" and f.receiver in "ab")
            assert got == (want - hidden if view.collapse else want)
