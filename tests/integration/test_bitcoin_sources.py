"""The four Bitcoin sources (raw blocks, Core RPC, Esplora, bitcoin-etl) on the same real mainnet
blocks 0, 1, 50000-50002 give identical rows; bad blocks are refused whole."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from hotpursuit.drill.devnet.bitcoin_fixtures import (
    FixtureBlock,
    blk_file_bytes,
    shared_funding_transactions,
    shared_mainnet_blocks,
)
from hotpursuit.drill.devnet.bitcoin_server import BitcoinTestServer
from hotpursuit.errors import IngestError, RpcError
from hotpursuit.ingest.bitcoin_blocks_job import import_bitcoin_blocks
from hotpursuit.ingest.bitcoin_etl_job import import_bitcoin_etl
from hotpursuit.ingest.bitcoin_node_job import BitcoinIngest, CoreRpcSource, EsploraSource
from hotpursuit.store import Store

from ..conftest import SHARED_DATA

BTC_DATA = SHARED_DATA / "bitcoin-etl-mainnet"
RANGES = [(0, 1), (50000, 50002)]


@pytest.fixture(scope="module")
def blocks() -> list[FixtureBlock]:
    return shared_mainnet_blocks(BTC_DATA)


@pytest.fixture(scope="module")
def funding() -> dict[str, tuple[bytes, str]]:
    return shared_funding_transactions(BTC_DATA)


def _rows(store: Store) -> dict[str, list[Any]]:
    return {
        "blocks": store.execute("SELECT chain, number, hash, timestamp, transaction_count FROM blocks "
                                    "ORDER BY ALL").fetchall(),
        "outputs": store.execute("SELECT * EXCLUDE (source) REPLACE (value::VARCHAR AS value) "
                                     "FROM utxo_outputs ORDER BY ALL").fetchall(),
        "inputs": store.execute("SELECT * EXCLUDE (source) REPLACE (value::VARCHAR AS value) "
                                    "FROM utxo_inputs ORDER BY ALL").fetchall(),
    }


def _raw_files(tmp: Path, blocks: list[FixtureBlock], funding: dict[str, tuple[bytes, str]]) -> tuple[list[Path], Path]:
    blk = tmp / "blk00000.dat"
    blk.write_bytes(blk_file_bytes([b.raw for b in blocks if b.height < 2]) + b"\0" * 64)
    hex_file = tmp / "blocks.hex"
    hex_file.write_text("# blocks 50000-50002\n" + "\n".join(b.raw.hex() for b in blocks if b.height >= 50000) + "\n")
    prevouts = tmp / "funding.hex"
    prevouts.write_text("\n".join(raw.hex() for raw, _ in funding.values()) + "\n")
    return [blk, hex_file], prevouts


def test_four_sources_store_identical_rows(tmp_path: Path, blocks: list[FixtureBlock],
                                           funding: dict[str, tuple[bytes, str]]) -> None:
    results = {}
    with Store.open(tmp_path / "raw.duckdb") as store:
        paths, prevouts = _raw_files(tmp_path, blocks, funding)
        stats = import_bitcoin_blocks(store, paths, first_height=50000, prevout_files=[prevouts])
        assert stats.blocks == 5 and stats.transactions == 7
        results["raw"] = _rows(store)
    with BitcoinTestServer([(b.height, b.raw) for b in blocks], [raw for raw, _ in funding.values()],
                           rpc_user="hp", rpc_password="s3cret") as server:
        with Store.open(tmp_path / "core.duckdb") as store:
            job = BitcoinIngest(CoreRpcSource(server.rpc_url, auth=("hp", "s3cret")), store)
            for first, last in RANGES:
                job.ingest_range(first, last)
            results["core"] = _rows(store)
        with Store.open(tmp_path / "esplora.duckdb") as store:
            job = BitcoinIngest(EsploraSource(server.esplora_url), store)
            for first, last in RANGES:
                job.ingest_range(first, last)
            results["esplora"] = _rows(store)
        with Store.open(tmp_path / "wrong.duckdb") as store, pytest.raises(RpcError, match="401"):
            BitcoinIngest(CoreRpcSource(server.rpc_url, auth=("hp", "wrong")), store).ingest_range(0, 1)
    with Store.open(tmp_path / "etl.duckdb") as store:
        for folder in ("block_0", "block_1", "block_without_transactions", "stream_50001_50002"):
            export = tmp_path / "etl" / folder
            export.mkdir(parents=True)
            shutil.copy(BTC_DATA / folder / "expected_blocks.json", export / "blocks.json")
            shutil.copy(BTC_DATA / folder / "expected_transactions.json", export / "transactions.json")
            import_bitcoin_etl(store, export)
        results["etl"] = _rows(store)

    raw = results["raw"]
    assert len(raw["blocks"]) == 5 and len(raw["outputs"]) == 7 and len(raw["inputs"]) == 3
    for name in ("core", "esplora", "etl"):
        assert results[name] == raw, name
    # the genesis output: 50 BTC to Satoshi's P2PK key, given its key's P2PKH address
    genesis = next(o for o in raw["outputs"] if o[1] == 0)
    assert (genesis[5], genesis[6], genesis[8]) == ("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "p2pk", "5000000000")
    # block 50001 spends three coinbases whose outputs came from the real getrawtransaction replies
    assert {i[7] for i in raw["inputs"]} >= {"1DoQeKfU3dYhN9bxMpFFcVUnufCPDqSPae", "1PZMgkF2x161qvfP7dhoWSEEU3SjnQE1m9"}
    assert all(i[8] == "5000000000" for i in raw["inputs"])


def test_reimport_changes_nothing(tmp_path: Path, blocks: list[FixtureBlock],
                                  funding: dict[str, tuple[bytes, str]]) -> None:
    with Store.open(tmp_path / "s.duckdb") as store:
        paths, prevouts = _raw_files(tmp_path, blocks, funding)
        import_bitcoin_blocks(store, paths, first_height=50000, prevout_files=[prevouts])
        first = _rows(store)
        import_bitcoin_blocks(store, paths, first_height=50000, prevout_files=[prevouts])
        assert _rows(store) == first


def _assert_refused(tmp_path: Path, data: bytes, match: str, **kwargs: Any) -> None:
    path = tmp_path / "bad.dat"
    path.write_bytes(data)
    with Store.open(tmp_path / "bad.duckdb") as store:
        with pytest.raises(IngestError, match=match):
            import_bitcoin_blocks(store, [path], **kwargs)
        assert store.execute("SELECT (SELECT count(*) FROM blocks) + (SELECT count(*) FROM utxo_outputs)"
                                 ).fetchone() == (0,)


def test_truncated_block_is_refused_with_its_place(tmp_path: Path, blocks: list[FixtureBlock]) -> None:
    framed = blk_file_bytes([blocks[0].raw, blocks[1].raw])
    _assert_refused(tmp_path, framed[:-10], r"byte 293: block truncated \(205 of 215 bytes\)")


def test_wrong_magic_is_refused(tmp_path: Path, blocks: list[FixtureBlock]) -> None:
    testnet = blk_file_bytes([blocks[1].raw], magic=bytes.fromhex("0b110907"))
    _assert_refused(tmp_path, blk_file_bytes([blocks[0].raw]) + testnet, r"byte 293: wrong magic 0b110907")


def test_merkle_mismatch_names_the_block(tmp_path: Path, blocks: list[FixtureBlock]) -> None:
    b50001 = bytearray(next(b.raw for b in blocks if b.height == 50001))
    b50001[-5] ^= 0x01  # the last transaction's last output script: same length, other bytes
    _assert_refused(tmp_path, blk_file_bytes([bytes(b50001)]),
                    "000000001c920d495e1eeef2452b6d1c6c229a919b28196c103ecffebabee141: merkle root", first_height=50001)


def test_missing_prevout_names_block_and_outpoint(tmp_path: Path, blocks: list[FixtureBlock]) -> None:
    b50001 = next(b.raw for b in blocks if b.height == 50001)
    _assert_refused(tmp_path, blk_file_bytes([b50001]), r"block 50001 .* input 0 spends 76a8d70a.*:0, which is not in",
                    first_height=50001)


def test_unknown_height_is_refused(tmp_path: Path, blocks: list[FixtureBlock]) -> None:
    _assert_refused(tmp_path, blk_file_bytes([blocks[2].raw]), "height unknown")


def test_core_before_v25_falls_back_to_verbosity_2_and_needs_stored_prevouts(
        tmp_path: Path, blocks: list[FixtureBlock], funding: dict[str, tuple[bytes, str]]) -> None:
    with BitcoinTestServer([(b.height, b.raw) for b in blocks], [raw for raw, _ in funding.values()],
                           support_verbosity_3=False) as server, Store.open(tmp_path / "v2.duckdb") as store:
        job = BitcoinIngest(CoreRpcSource(server.rpc_url), store)
        job.ingest_range(0, 1)
        assert store.execute("SELECT count(*) FROM utxo_outputs").fetchone() == (2,)
        spent = "76a8d70a757be5055f60be076b683897cadaad6b7bdf78c43e39b9d59cb4a6ea:0"
        with pytest.raises(IngestError, match=rf"block 50001 .*spends {spent}, which is not in the store"):
            job.ingest_range(50000, 50002)
        assert store.execute("SELECT max(number) FROM blocks").fetchone() == (1,)  # nothing of the chunk


def test_bitcoin_etl_address_that_the_script_does_not_pay_is_refused(tmp_path: Path) -> None:
    export = tmp_path / "etl"
    export.mkdir()
    shutil.copy(BTC_DATA / "block_1" / "expected_blocks.json", export / "blocks.json")
    text = (BTC_DATA / "block_1" / "expected_transactions.json").read_text()
    real = text.split('"addresses": ["')[1].split('"')[0]
    (export / "transactions.json").write_text(text.replace(real, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"))
    with Store.open(tmp_path / "s.duckdb") as store:
        with pytest.raises(IngestError, match=r"transactions.json:1: column 'outputs\[0\].addresses': "
                                              r"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa is not what the script pays"):
            import_bitcoin_etl(store, export)
        assert store.execute("SELECT count(*) FROM utxo_outputs").fetchone() == (0,)


def test_multi_input_clustering_on_real_block_50001(tmp_path: Path, blocks: list[FixtureBlock],
                                                    funding: dict[str, tuple[bytes, str]]) -> None:
    from hotpursuit.jobs.cluster_job import run_clustering

    with Store.open(tmp_path / "c.duckdb") as store:
        paths, prevouts = _raw_files(tmp_path, blocks, funding)
        import_bitcoin_blocks(store, paths, first_height=50000, prevout_files=[prevouts])
        stats = run_clustering(store, "bitcoin")
        # tx 7940cdde... spends coins of 1DoQeKfU... and 1PZMgkF2... together: one owner
        assert stats.by_reason == {"multi-input": 1} and stats.merges == 1
        rows = dict(store.execute("SELECT address, cluster_id FROM clusters").fetchall())
        assert rows["1DoQeKfU3dYhN9bxMpFFcVUnufCPDqSPae"] == rows["1PZMgkF2x161qvfP7dhoWSEEU3SjnQE1m9"]
        assert run_clustering(store, "bitcoin").links == 0  # nothing new above the checkpoint
