"""Any uint256 amount round-trips exactly through the store and its Parquet export."""

from __future__ import annotations

from pathlib import Path

from hotpursuit.chains.evm_records import EvmBlock, EvmBlockBundle, EvmTransaction, EvmTransfer
from hotpursuit.store import Store
from hotpursuit.store.evm_tables import replace_evm_blocks
from hotpursuit.store.parquet_io import export_parquet, import_parquet

AMOUNTS = [1, 2**53 + 1, 2**64, 10**38, 2**128 + 7, 2**255 + 3, 2**256 - 1]
TX = "0x" + "ab" * 32


def _bundle(block: int) -> EvmBlockBundle:
    b = EvmBlock(block, "0x" + f"{block:064x}", "0x" + f"{block - 1:064x}", 1_700_000_000, None, 0, 0,
                 2**256 - 1, 1)
    tx = EvmTransaction(block, b.hash, 0, TX, "0x" + "11" * 20, "0x" + "22" * 20, 2**256 - 1, 0, 21000,
                        2**200, 21000, 2**200, 1, None, None)
    transfers = [EvmTransfer(block, TX, 0, i, "erc20", i, None, "0x" + "11" * 20, "0x" + "22" * 20,
                             "0x" + "33" * 20, amount) for i, amount in enumerate(AMOUNTS)]
    return EvmBlockBundle(b, [tx], transfers)


def _amounts(store: Store) -> list[int]:
    return [int(r[0]) for r in store.execute("SELECT amount FROM transfers ORDER BY seq").fetchall()]


def test_uint256_amounts_round_trip_exactly(store: Store) -> None:
    replace_evm_blocks(store, "ethereum", 5, 5, [_bundle(5)], "test")
    assert _amounts(store) == AMOUNTS
    value = store.execute("SELECT value::VARCHAR, base_fee_per_gas::VARCHAR FROM transactions "
                              "JOIN blocks ON number = block_number").fetchone()
    assert value == (str(2**256 - 1), str(2**256 - 1))


def test_sums_are_exact_beyond_128_bits(store: Store) -> None:
    replace_evm_blocks(store, "ethereum", 5, 5, [_bundle(5)], "test")
    total = store.execute("SELECT sum(amount)::VARCHAR FROM transfers").fetchone()
    assert total is not None and int(total[0]) == sum(AMOUNTS)


def test_parquet_export_import_is_lossless(store: Store, tmp_path: Path) -> None:
    replace_evm_blocks(store, "ethereum", 5, 6, [_bundle(5), _bundle(6)], "test")
    counts = export_parquet(store, tmp_path / "pq", block_range_size=1)
    assert {k: v for k, v in counts.items() if v} == {"blocks": 2, "transactions": 2, "transfers": 2 * len(AMOUNTS)}
    assert (tmp_path / "pq" / "transfers" / "chain=ethereum" / "block_range=5").is_dir()
    with Store.open(tmp_path / "other.duckdb") as other:
        assert import_parquet(other, tmp_path / "pq")["transfers"] == 2 * len(AMOUNTS)
        assert sorted(_amounts(other)) == sorted(AMOUNTS * 2)
        import_parquet(other, tmp_path / "pq")  # again: replaces, never duplicates
        assert sorted(_amounts(other)) == sorted(AMOUNTS * 2)


def test_replacing_a_range_is_idempotent(store: Store) -> None:
    for _ in range(3):
        replace_evm_blocks(store, "ethereum", 5, 5, [_bundle(5)], "test")
    assert _amounts(store) == AMOUNTS
