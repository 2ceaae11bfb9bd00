"""`scale trace` gives the embedded `trace`'s report byte for byte: on the heist drill (swaps, bridge to
Bitcoin, poisoning, fake tokens) under every model and with a hop limit, and on generated graphs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotpursuit.jobs.trace_job import run_trace
from hotpursuit.scale.trace_job import run_scale_trace
from hotpursuit.store import Store
from hotpursuit.trace.report_render import render_json


@pytest.mark.parametrize(("model", "hops"), [("haircut", None), ("fifo", 3)])
def test_the_drill_traced_on_spark_is_byte_identical(spark: Any, drill_case: dict[str, Any], drill_copy: Path,
                                                     model: str, hops: int | None) -> None:
    with Store.open(drill_copy) as store:
        embedded = render_json(run_trace(store, "drill-heist", model=model, max_hops=hops))
        scaled, stats = run_scale_trace(spark, str(Path(drill_case["parquet"])), store, "drill-heist", model=model,
                                        max_hops=hops)
    assert render_json(scaled) == embedded
    assert stats.hops >= 2
    assert scaled.endpoints and scaled.flows  # the drill's loot reaches exchanges: not a vacuous equality


ADDRESSES = [f"0x{i:040x}" for i in range(1, 13)]
TOKEN = "0x" + "7" * 40


@st.composite
def chains(draw: st.DrawFn) -> dict[str, Any]:
    """A few blocks of movements among a dozen addresses (re-used, so paths cross and come back), with
    zero and uint256-sized amounts, two assets, and an incident's sources: a theft tx, a bare address or
    an address at a tx; a hop limit or none."""
    n_blocks = draw(st.integers(2, 6))
    moves = []
    for block in range(1, n_blocks + 1):
        for tx_index in range(draw(st.integers(1, 3))):
            for seq in range(draw(st.integers(1, 3))):
                moves.append((block, tx_index, seq, draw(st.sampled_from(ADDRESSES)), draw(st.sampled_from(ADDRESSES)),
                              draw(st.sampled_from(["ETH", TOKEN])),
                              draw(st.one_of(st.just(0), st.integers(1, 10**6), st.just(2**256 - 1)))))
    first = moves[0]
    kind = draw(st.sampled_from(["tx", "address", "receipt"]))
    tx0 = _tx(first[0], first[1])
    source = {"tx": tx0, "address": first[3], "receipt": f"{first[4]}@{tx0}"}[kind]
    return {"moves": moves, "source": source, "hops": draw(st.one_of(st.none(), st.integers(1, 4))),
            "range": draw(st.integers(1, 3))}


def _tx(block: int, index: int) -> str:
    return f"0x{block:032x}{index:032x}"


def _store_of(case: dict[str, Any], db: Path) -> None:
    from hotpursuit.chains.evm_records import EvmBlock, EvmBlockBundle, EvmTransaction, EvmTransfer
    from hotpursuit.store.evm_tables import replace_evm_blocks
    from hotpursuit.store.incident_tables import open_incident

    bundles = []
    blocks = sorted({m[0] for m in case["moves"]})
    for b in blocks:
        mine = [m for m in case["moves"] if m[0] == b]
        txs = sorted({m[1] for m in mine})
        bundles.append(EvmBlockBundle(
            EvmBlock(b, f"0x{b:064x}", f"0x{b - 1:064x}", 1_700_000_000 + 12 * b, None, None, None, None, len(txs)),
            [EvmTransaction(b, f"0x{b:064x}", i, _tx(b, i), ADDRESSES[i], None, 0, b, 21000, None, None, None, 1, None,
                            None) for i in txs],
            [EvmTransfer(b, _tx(b, m[1]), m[1], m[2], "native" if m[5] == "ETH" else "erc20", None, None, m[3], m[4],
                         m[5], m[6]) for m in mine]))
    with Store.open(db) as store:
        replace_evm_blocks(store, "ethereum", blocks[0], blocks[-1], bundles, "generated")
        open_incident(store, "generated", "ethereum", [case["source"]])


def _engine_exposure(report: Any) -> list[tuple[str, str, str, int, list[str]]]:
    return sorted((e["address"], e["asset"], e["exposure"], e["since_block"], e["evidence"]) for e in report.endpoints)


def _spark_exposure(answer: dict[str, Any]) -> list[tuple[str, str, str, int, list[str]]]:
    return sorted((e["address"], e["asset"], e["exposure"], e["since_block"], e["evidence"])
                  for e in answer["endpoints"])


def test_the_poison_model_wholly_in_spark_matches_the_engine_on_the_drill(spark: Any, drill_case: dict[str, Any],
                                                                         drill_copy: Path) -> None:
    from hotpursuit.scale.poison_job import run_scale_poison

    with Store.open(drill_copy) as store:
        engine = run_trace(store, "drill-heist", model="poison")
        replayed, _ = run_scale_trace(spark, str(drill_case["parquet"]), store, "drill-heist", model="poison")
        answer = run_scale_poison(spark, str(drill_case["parquet"]), store, "drill-heist")
    assert render_json(replayed) == render_json(engine)  # the extract replayed by the engine on the driver
    assert _spark_exposure(answer) == _engine_exposure(engine)  # and the poison model wholly in Spark
    assert len(answer["endpoints"]) >= 3 and answer["poisoned_addresses"] > 10 and answer["rounds"] >= 2
    # poison exposes at least the conserved taint, and more (the whole value of poisoned movements)
    assert sum(int(e["exposure"]) for e in engine.endpoints) > sum(int(e["tainted"]) for e in engine.endpoints)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=chains(), exchanges=st.sets(st.sampled_from(ADDRESSES), max_size=3))
def test_generated_chains_traced_on_spark_match_the_engine(spark: Any, tmp_path_factory: Any, case: dict[str, Any],
                                                           exchanges: set[str]) -> None:
    """The replayed trace byte for byte (haircut, with the case's hop limit), and the poison model wholly in
    Spark, on generated chains with up to three exchanges labelled."""
    from hotpursuit.attribution.labels import LabelClaim
    from hotpursuit.scale.poison_job import run_scale_poison
    from hotpursuit.store.label_tables import replace_import
    from hotpursuit.store.parquet_io import export_parquet

    folder = tmp_path_factory.mktemp("poisoned")
    _store_of(case, folder / "g.duckdb")
    with Store.open(folder / "g.duckdb") as store:
        if exchanges:
            replace_import(store, "generated", "operator", [
                LabelClaim("ethereum", a, f"Exchange {i}", "exchange", f"ex{i}", 90, "test", None, "CLEAR", "operator")
                for i, a in enumerate(sorted(exchanges))])
        embedded = run_trace(store, "generated", max_hops=case["hops"])
        engine = run_trace(store, "generated", model="poison", include_assets=[TOKEN])
        export_parquet(store, folder / "pq", block_range_size=case["range"])
        scaled, _ = run_scale_trace(spark, str(folder / "pq"), store, "generated", max_hops=case["hops"])
        answer = run_scale_poison(spark, str(folder / "pq"), store, "generated", include_assets=[TOKEN])
    assert render_json(scaled) == render_json(embedded)
    assert _spark_exposure(answer) == _engine_exposure(engine)
