"""Importing real ethereum-etl exports: exact amounts, idempotent, malformed files rejected whole."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from hotpursuit.errors import ImportFileError, IngestError
from hotpursuit.ingest.ethereum_etl_job import import_ethereum_etl
from hotpursuit.store import Store

from ..conftest import ETL_EXPORT, SHARED_DATA

ETL = SHARED_DATA / "ethereum-etl-mainnet"


def _rows(store: Store, table: str) -> list[tuple[object, ...]]:
    return store.execute(f"SELECT * EXCLUDE (source) FROM {table} ORDER BY ALL").fetchall()


def _jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_real_json_export_lands_with_exact_amounts(store: Store) -> None:
    result = import_ethereum_etl(store, ETL_EXPORT)
    assert result.rows_read == {"blocks": 2, "transactions": 298, "token_transfers": 291}
    txs = _jsonl(ETL_EXPORT / "transactions.json")
    native = [int(str(t["value"])) for t in txs if int(str(t["value"])) > 0 and t["receipt_status"] == 1]
    # zero-value Transfers included: they move nothing, but they are how address poisoning shows
    tokens = [int(str(t["value"])) for t in _jsonl(ETL_EXPORT / "token_transfers.json")]
    got = dict(store.execute("SELECT kind, list(amount::VARCHAR) FROM transfers GROUP BY kind").fetchall())
    assert sorted(int(a) for a in got["native"]) == sorted(native)
    assert sorted(int(a) for a in got["erc20"]) == sorted(tokens)
    failed = store.execute("SELECT count(*) FROM transactions WHERE status = 0").fetchone()
    assert failed is not None and failed[0] == sum(1 for t in txs if t["receipt_status"] == 0)


def test_reimport_changes_nothing(store: Store) -> None:
    import_ethereum_etl(store, ETL_EXPORT)
    before = {t: _rows(store, t) for t in ("blocks", "transactions", "transfers")}
    import_ethereum_etl(store, ETL_EXPORT)
    assert {t: _rows(store, t) for t in ("blocks", "transactions", "transfers")} == before


def test_transfers_are_numbered_in_chain_order(store: Store) -> None:
    import_ethereum_etl(store, ETL_EXPORT)
    gaps = store.execute("""SELECT count(*) FROM (SELECT tx_hash, max(seq) + 1 AS n, count(*) AS c
                                FROM transfers GROUP BY tx_hash) WHERE n <> c""").fetchone()
    assert gaps == (0,)
    first = store.execute("SELECT kind FROM transfers WHERE seq = 0 AND tx_hash IN "
                              "(SELECT tx_hash FROM transfers WHERE kind = 'native')").fetchall()
    assert {k for (k,) in first} == {"native"}


def _csv_export(tmp_path: Path) -> Path:
    folder = tmp_path / "csv_export"
    folder.mkdir()
    src = ETL / "test_export_blocks_job" / "blocks_with_transactions"
    shutil.copy(src / "expected_blocks.csv", folder / "blocks.csv")
    shutil.copy(src / "expected_transactions.csv", folder / "transactions.csv")
    shutil.copy(ETL / "test_export_traces_job" / "block_with_suicide" / "expected_traces.csv",
                folder / "traces.csv")
    return folder


def test_real_csv_export_with_traces(store: Store, tmp_path: Path) -> None:
    result = import_ethereum_etl(store, _csv_export(tmp_path))
    assert result.rows_read["blocks"] == 2 and result.rows_read["transactions"] > 0
    internal = store.execute("SELECT count(*) FROM transfers WHERE kind = 'internal'").fetchone()
    assert internal == (1,)  # the selfdestruct refund; callcode and zero-value calls move nothing


def _corrupt(path: Path, line_no: int, old: str, new: str) -> None:
    lines = path.read_text().splitlines(keepends=True)
    assert old in lines[line_no - 1]
    lines[line_no - 1] = lines[line_no - 1].replace(old, new, 1)
    path.write_text("".join(lines))


def test_bad_address_in_csv_names_file_line_and_column_and_stores_nothing(store: Store, tmp_path: Path) -> None:
    import_ethereum_etl(store, ETL_EXPORT)
    before = {t: _rows(store, t) for t in ("blocks", "transactions", "transfers")}
    folder = _csv_export(tmp_path)
    line = (folder / "transactions.csv").read_text().splitlines()[2]
    sender = line.split(",")[5]
    _corrupt(folder / "transactions.csv", 3, sender, sender[:-3] + "xyz")
    with pytest.raises(ImportFileError) as err:
        import_ethereum_etl(store, folder)
    assert (err.value.line, err.value.column) == (3, "from_address")
    assert str(folder / "transactions.csv") in str(err.value)
    assert {t: _rows(store, t) for t in ("blocks", "transactions", "transfers")} == before


def test_short_csv_row_is_reported_with_its_line(store: Store, tmp_path: Path) -> None:
    folder = _csv_export(tmp_path)
    path = folder / "blocks.csv"
    lines = path.read_text().splitlines(keepends=True)
    lines[2] = ",".join(lines[2].split(",")[:5]) + "\n"
    path.write_text("".join(lines))
    with pytest.raises(ImportFileError) as err:
        import_ethereum_etl(store, folder)
    assert err.value.line == 3 and "columns" in err.value.reason
    assert store.execute("SELECT count(*) FROM blocks").fetchone() == (0,)


def test_amount_above_uint256_is_rejected(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "e"
    shutil.copytree(ETL_EXPORT, folder)
    _corrupt(folder / "token_transfers.json", 5, '"value": ', f'"value": {2**256}0, "was": ')
    with pytest.raises(ImportFileError) as err:
        import_ethereum_etl(store, folder)
    assert (err.value.line, err.value.column) == (5, "value")
    assert store.execute("SELECT count(*) FROM transfers").fetchone() == (0,)


def test_a_count_or_position_too_big_for_the_store_is_refused_naming_it(store: Store, tmp_path: Path) -> None:
    """transaction_count, transaction_index and log_index are stored as INTEGER: 2^31 is refused with its
    place (the fuzz test found it ending in a cast exception), and nothing is stored."""
    folder = tmp_path / "e"
    shutil.copytree(ETL_EXPORT, folder)
    _corrupt(folder / "blocks.json", 1, '"transaction_count": ', '"transaction_count": 2147483648, "was": ')
    with pytest.raises(ImportFileError) as err:
        import_ethereum_etl(store, folder)
    assert (err.value.line, err.value.column) == (1, "transaction_count") and "2^31" in err.value.reason
    assert store.execute("SELECT count(*) FROM blocks").fetchone() == (0,)


def test_broken_json_line_is_reported(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "e"
    shutil.copytree(ETL_EXPORT, folder)
    _corrupt(folder / "blocks.json", 2, '"number": ', '"number" ')
    with pytest.raises(ImportFileError) as err:
        import_ethereum_etl(store, folder)
    assert err.value.line == 2 and "blocks.json" in err.value.path
    assert store.execute("SELECT count(*) FROM blocks").fetchone() == (0,)


def test_folder_without_exports_is_a_clear_error(store: Store, tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="no ethereum-etl files"):
        import_ethereum_etl(store, tmp_path)


def _partial_exports(tmp_path: Path) -> tuple[Path, Path, int]:
    """Two per-address exports of the real blocks: the blocks and transactions whole, the token transfers split
    by address (each export keeps the transfers from or to its half of the addresses; some are in both)."""
    rows = _jsonl(ETL_EXPORT / "token_transfers.json")
    addresses = sorted({str(r["from_address"]) for r in rows} | {str(r["to_address"]) for r in rows})
    half = set(addresses[: len(addresses) // 2])
    folders = []
    for name, keep in (("a", lambda r: r["from_address"] in half or r["to_address"] in half),
                       ("b", lambda r: r["from_address"] not in half or r["to_address"] not in half)):
        folder = tmp_path / name
        folder.mkdir()
        for kind in ("blocks", "transactions"):
            shutil.copy(ETL_EXPORT / f"{kind}.json", folder / f"{kind}.json")
        (folder / "token_transfers.json").write_text(
            "".join(json.dumps(r) + "\n" for r in rows if keep(r)))
        folders.append(folder)
    every = len(rows)  # zero-value Transfers are kept too (poisoning evidence)
    return folders[0], folders[1], every


def test_per_address_exports_imported_one_after_another_keep_every_transfer(tmp_path: Path) -> None:
    a, b, every = _partial_exports(tmp_path)
    with Store.open(tmp_path / "ab.duckdb") as ab, Store.open(tmp_path / "ba.duckdb") as ba, \
            Store.open(tmp_path / "whole.duckdb") as whole:
        import_ethereum_etl(ab, a)
        only_a = ab.execute("SELECT count(*) FROM transfers WHERE kind = 'erc20'").fetchone()
        import_ethereum_etl(ab, b)
        import_ethereum_etl(ba, b)
        import_ethereum_etl(ba, a)
        import_ethereum_etl(whole, ETL_EXPORT)
        assert only_a is not None and 0 < only_a[0] < every
        assert ab.execute("SELECT count(*) FROM transfers WHERE kind = 'erc20'").fetchone() == (every,)
        for table in ("blocks", "transactions", "transfers"):
            assert _rows(ab, table) == _rows(ba, table) == _rows(whole, table), table
        import_ethereum_etl(ab, a)
        assert _rows(ab, "transfers") == _rows(whole, "transfers")


def test_transaction_count_disagreement_is_refused(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "e"
    shutil.copytree(ETL_EXPORT, folder)
    blocks = _jsonl(folder / "blocks.json")
    claimed = int(str(blocks[0]["transaction_count"]))
    _corrupt(folder / "blocks.json", 1, f'"transaction_count": {claimed}', f'"transaction_count": {claimed + 1}')
    with pytest.raises(IngestError, match=rf"block {blocks[0]['number']} says transaction_count {claimed + 1}"):
        import_ethereum_etl(store, folder)
    assert store.execute("SELECT count(*) FROM transfers").fetchone() == (0,)
    import_ethereum_etl(store, ETL_EXPORT)
    before = {t: _rows(store, t) for t in ("blocks", "transactions", "transfers")}
    (folder / "transactions.json").unlink()
    (folder / "token_transfers.json").unlink()
    with pytest.raises(IngestError, match=rf"transaction_count {claimed + 1} here but {claimed} in the store"):
        import_ethereum_etl(store, folder)
    assert {t: _rows(store, t) for t in ("blocks", "transactions", "transfers")} == before


def test_real_tokens_export_gives_metadata_that_asset_trust_judges(store: Store, tmp_path: Path) -> None:
    """ethereum-etl's own test exports: a contract calling itself "ETH" (symbol and name) is an
    impersonator of the native asset once its metadata is imported; the first stored metadata stays."""
    from hotpursuit.jobs.assess_job import assess_chain

    jobs = SHARED_DATA / "ethereum-etl-mainnet" / "test_export_tokens_job"
    rows = [(jobs / case / "expected_tokens.csv").read_text().splitlines()
            for case in ("token_with_invalid_data", "token_with_alternative_return_type")]
    folder = tmp_path / "tokens"
    folder.mkdir()
    (folder / "tokens.csv").write_text("\n".join([rows[0][0], rows[0][1], rows[1][1]]) + "\n")
    result = import_ethereum_etl(store, folder)
    assert result.rows_stored["tokens"] == 2
    assert import_ethereum_etl(store, folder).rows_stored["tokens"] == 0
    stored = store.execute("SELECT address, symbol, name, decimals FROM tokens ORDER BY address").fetchall()
    assert stored == [("0x86fa049857e0209aa7d9e616f7eb3b3b78ecfdb0", "EOS", None, 18),
                      ("0xf763be8b3263c268e9789abfb3934564a7b80054", "ETH", "ETH", 18)]
    trust = assess_chain(store, "ethereum")
    fake = trust["0xf763be8b3263c268e9789abfb3934564a7b80054"]
    assert fake.status == "impersonating" and fake.imitates == "ETH"
