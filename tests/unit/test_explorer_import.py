"""Importing real explorer exports: exact base units, parents joined, overlapping exports merged, bad cells refused."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hotpursuit.attribution.token_registry import load_canonical_tokens
from hotpursuit.cli import app
from hotpursuit.errors import ImportFileError, IngestError
from hotpursuit.ingest.explorer_amounts import AmountError, decimal_to_base_units
from hotpursuit.ingest.explorer_job import import_explorer
from hotpursuit.store import Store

from ..conftest import ETL_EXPORT, SHARED_DATA

WEB = SHARED_DATA / "explorer-exports" / "etherscan-csv"
A_DIR, B_DIR = WEB / "0x003dc32f", WEB / "0xf98c96b5"
API_TXLIST = SHARED_DATA / "explorer-exports" / "etherscan-api" / "txlist_get_account_transactions.json"
HOP1 = SHARED_DATA / "lazarus" / "bybit_2025_hop1_all.csv"
EXPLOITER = "0x47666fab8bd0ac7003bce3f5c3585383f09486e2"
STETH, METH, CMETH = ("0xae7ab96520de3a18e5e111b5eaab095312d7fe84", "0xd5f7838f5c461feff7fe49ea5ebaf7728bb0adfa",
                      "0xe6829d9a7ee3040e1276fa75293bde931859e8fa")
USDC = "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48"


def _table(store: Store, name: str = "transfers") -> list[tuple[object, ...]]:
    return store.execute(f"SELECT * EXCLUDE (source) FROM {name} ORDER BY ALL").fetchall()


def _moves(store: Store, tx: str) -> list[tuple[object, ...]]:
    return store.execute("""SELECT seq, kind, from_address, to_address, asset, amount::VARCHAR FROM transfers
                                WHERE tx_hash = ? ORDER BY seq""", [tx]).fetchall()


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_decimal_amounts_convert_exactly() -> None:
    assert decimal_to_base_units("3,067.671", 18) == 3_067_671 * 10**15
    assert decimal_to_base_units("100.596789", 6) == 100_596_789
    assert decimal_to_base_units("30375.54791768", 18) == 3_037_554_791_768 * 10**10
    assert decimal_to_base_units("1.50", 1) == 15  # trailing zeros are not precision
    for bad, decimals in (("1.2345678", 6), ("-1", 18), ("1e5", 18), ("1,23.4", 18), ("", 18), (".", 18)):
        with pytest.raises(AmountError):
            decimal_to_base_units(bad, decimals)


def test_web_erc20_csv_reads_every_row_exactly(store: Store) -> None:
    result = import_explorer(store, [A_DIR / "etherscan-erc20.csv"])
    assert result.files[0].shape == "etherscan-web-erc20" and result.files[0].added == 428
    got = dict(store.execute("SELECT tx_hash, amount::VARCHAR FROM transfers WHERE asset = ?",
                                 [USDC]).fetchall())
    assert got["0x87881a97561b227d357b1bb116e2055a3e0f0a737bf6286225bbce35c0949f9a"] == "100596789"  # 100.596789
    mana = _moves(store, "0x35b1d2ef648a40dfa7492dfd188c30257565a205b6559c18955e9598c23c70d8")
    assert mana == [(0, "erc20", "0x3f5ce5fbfe3e9af3971dd833d26ba9b5c936f0be",
                     "0x003dc32fe920a4aaeed12dc87e145f030aa753f3", "0x0f5d2fb29fb7d3cfee444a200298f468908cc942",
                     "3067671000000000000000")]  # "3,067.671" MANA, 18 decimals from the registry
    assert store.execute("SELECT symbol, name FROM tokens WHERE address = ?", [USDC]).fetchone() == ("USDC", "USDC")
    # every row: a token whose decimals no source states is assumed to have 18 and reported
    assert "0x519475b31653e46d20cd09f9fdcf3b12bdacb4f5" in result.assumed_decimals
    assert USDC not in result.assumed_decimals
    stored = store.execute("SELECT count(*), count(DISTINCT tx_hash) FROM transfers").fetchone()
    rows = _csv_rows(A_DIR / "etherscan-erc20.csv")
    assert stored == (len(rows), len({r["Txhash"] for r in rows}))


def test_internal_csv_is_joined_to_its_parent_and_ordered_after_its_value(store: Store) -> None:
    import_explorer(store, [A_DIR / "etherscan-internal.csv"])
    moves = _moves(store, "0xe8e8d4ec95387fbb74c08819c240e3808e2758ab5dfc4aa170a8c5fa24f22092")
    assert [(m[0], m[1], m[5]) for m in moves] == [(0, "native", "2132888647794691096"),
                                                   (1, "internal", "10232200469249041")]
    assert moves[1][3] == "0x003dc32fe920a4aaeed12dc87e145f030aa753f3"
    first = _moves(store, "0x8e94d2b8ac7c7582b108c928d54b5eb0f1eb9cebf99b4bae0db7ea2123bbf813")
    assert first == [(0, "internal", "0x30f938fed5de6e06a9a7cd2ac3517131c317b1e7",
                      "0x003dc32fe920a4aaeed12dc87e145f030aa753f3", "ETH", "2079696004929649789")]
    rows = _csv_rows(A_DIR / "etherscan-internal.csv")
    total = sum(decimal_to_base_units(r["Value_IN(ETH)"], 18) for r in rows)
    got = store.execute("SELECT sum(amount)::VARCHAR, count(*) FROM transfers WHERE kind = 'internal'").fetchone()
    assert got == (str(total), 48)


def test_normal_csv_failed_transactions_move_nothing(store: Store) -> None:
    result = import_explorer(store, [A_DIR / "etherscan.csv"])
    rows = _csv_rows(A_DIR / "etherscan.csv")
    failed = {r["Txhash"] for r in rows if r["Status"]}
    moving = [r for r in rows if not r["Status"] and (r["Value_IN(ETH)"] != "0" or r["Value_OUT(ETH)"] != "0")]
    assert len(failed) == 28 and result.files[0].skipped["failed transaction"] == 28
    got = dict(store.execute("SELECT tx_hash, amount::VARCHAR FROM transfers").fetchall())
    assert not failed & set(got)
    assert got == {r["Txhash"]: str(decimal_to_base_units(max(r["Value_IN(ETH)"], r["Value_OUT(ETH)"],
                                                              key=Decimal), 18)) for r in moving}
    assert got["0xb41d6819932845278e7c451400f1778a952b35c6358dc51b49436438753f5113"] == str(5 * 10**17)  # 0.5 ETH


def test_api_txlist_gives_a_whole_transaction_and_skips_the_genesis_row(store: Store) -> None:
    result = import_explorer(store, [API_TXLIST])
    assert result.files[0].skipped == {"genesis allocation (not a transaction)": 1}
    tx = "0xad1c27dd8d0329dbc400021d7477b34ac41e84365bd54b45a4019a15deb10c0d"
    assert _moves(store, tx) == [(0, "native", "0xddbd2b932c763ba5b1b7ae3b362eac3e8d40121a",
                                  "0x2910543af39aba0cd09dbb2d50200b3e800a63d2", "ETH", "5000000000000000000")]
    row = store.execute("SELECT block_number, block_hash, tx_index, nonce, gas, status, input_selector "
                            "FROM transactions").fetchall()
    assert row == [(47884, "0xf2988b9870e092f2898662ccdbc06e0e320a08139e9c6be98d0ce372f8611f22", 0, 0, 23000, 1,
                    "0x454e3435")]


def test_sender_and_receiver_exports_store_a_transfer_once_in_either_order(tmp_path: Path) -> None:
    files = [A_DIR / "etherscan.csv", A_DIR / "etherscan-internal.csv", A_DIR / "etherscan-erc20.csv",
             B_DIR / "etherscan.csv", B_DIR / "etherscan-internal.csv", B_DIR / "etherscan-erc20.csv"]
    with Store.open(tmp_path / "ab.duckdb") as ab, Store.open(tmp_path / "ba.duckdb") as ba:
        import_explorer(ab, files[:3])
        second = import_explorer(ab, files[3:])
        import_explorer(ba, files[3:])
        import_explorer(ba, files[:3])
        assert _table(ab) == _table(ba)
        # the two wallets paid each other: those rows are in both exports and stored once
        assert sum(f.already_stored for f in second.files) == 2
        both = {r["Txhash"] for r in _csv_rows(A_DIR / "etherscan.csv")} & {
            r["Txhash"] for r in _csv_rows(B_DIR / "etherscan.csv")}
        assert ab.execute("SELECT count(*) FROM transfers WHERE tx_hash IN (SELECT unnest(?::VARCHAR[]))",
                              [sorted(both)]).fetchone() == (len(both),)
        before = _table(ab)
        again = import_explorer(ab, files)
        assert again.added == 0 and _table(ab) == before


def test_hop1_investigation_csv_lands_with_exact_totals(store: Store) -> None:
    with pytest.raises(ImportFileError, match="--from"):
        import_explorer(store, [HOP1])
    result = import_explorer(store, [HOP1], owner=EXPLOITER)
    rows = _csv_rows(HOP1)
    assert len(rows) == 255 and result.files[0].rows == 255
    assert result.files[0].added == 250 and result.files[0].skipped == {"zero-value native": 5}
    totals = dict(store.execute("SELECT asset, sum(amount)::VARCHAR FROM transfers GROUP BY asset").fetchall())
    assert totals["ETH"] == str(400_001 * 10**18)
    assert totals[STETH] == str((10_000 + 50_000) * 10**18 + 3_037_554_791_768 * 10**10)  # + 30,375.54791768
    assert totals[METH] == str(8_000 * 10**18) and totals[CMETH] == str(15_000 * 10**18)
    for contract in {r["contract"] for r in rows if r["kind"] == "token"}:
        expected = sum(int(Decimal(r["amount"]) * 10**18) for r in rows if r["contract"] == contract)
        assert totals[contract] == str(expected), contract
    assert store.execute("SELECT count(DISTINCT from_address) FROM transfers").fetchone() == (1,)
    # identical rows inside one transaction are kept as the file has them (two identical fake transfers)
    dup = store.execute("""SELECT count(*) FROM transfers WHERE tx_hash = ? AND to_address = ?""",
                            ["0x4159e391f8c980d5bcecce9f06de4d9850a396ad1874dd03fa4d4816c811b8d4",
                             "0x9a99359a788044412892e81f5a7391c236bc6a7b"]).fetchone()
    assert dup == (2,)
    symbol = store.execute("SELECT symbol FROM tokens WHERE address = '0x0d99217c4084b141dcab56d83693994ba8fda911'")
    assert symbol.fetchone() == ("\u0415\u0422\u041d",)  # Cyrillic ЕТН, as deployed
    assert CMETH in result.assumed_decimals and STETH not in result.assumed_decimals
    before = _table(store)
    assert import_explorer(store, [HOP1], owner=EXPLOITER).added == 0 and _table(store) == before


def _etl_rows(name: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in (ETL_EXPORT / name).read_text().splitlines() if line.strip()]


def _web_erc20_from_etl(path: Path) -> None:
    """The real token transfers of blocks 17173049-17173050 written as Etherscan's web ERC-20 CSV (no log index),
    in token units with the registry's decimals (else 18, as the importer assumes)."""
    registry = load_canonical_tokens()
    header = ["Txhash", "Blockno", "UnixTimestamp", "DateTime (UTC)", "From", "To", "TokenValue", "USDValueDayOfTx",
              "ContractAddress", "TokenName", "TokenSymbol"]
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator="\n")
        out.writerow(header)
        for t in _etl_rows("token_transfers.json"):
            value = int(str(t["value"]))
            if value == 0:
                continue
            decimals = registry[str(t["token_address"])].decimals if t["token_address"] in registry else 18
            text = f"{value // 10**decimals:,}.{value % 10**decimals:0{decimals}d}" if decimals else f"{value:,}"
            out.writerow([t["transaction_hash"], t["block_number"], "0", "", t["from_address"], t["to_address"],
                          text, "N/A", t["token_address"], "", ""])


def test_precise_rows_replace_synthetic_ones_in_either_order(tmp_path: Path) -> None:
    from hotpursuit.ingest.ethereum_etl_job import import_ethereum_etl

    web = tmp_path / "export-erc20.csv"
    _web_erc20_from_etl(web)
    etl = tmp_path / "etl"
    etl.mkdir()
    (etl / "token_transfers.json").write_text((ETL_EXPORT / "token_transfers.json").read_text())
    with Store.open(tmp_path / "a.duckdb") as first, Store.open(tmp_path / "b.duckdb") as second:
        import_explorer(first, [web])
        synthetic = first.execute("SELECT count(*) FROM transfers WHERE log_index IS NULL").fetchone()
        import_ethereum_etl(first, etl)
        import_ethereum_etl(second, etl)
        import_explorer(second, [web])
        assert synthetic is not None and synthetic[0] > 250
        assert first.execute("SELECT count(*) FROM transfers WHERE log_index IS NULL").fetchone() == (0,)
        assert _table(first) == _table(second)
        # the web export lists no zero-value Transfer; the etl export's are kept (poisoning shows that way)
        etl_rows = _etl_rows("token_transfers.json")
        nonzero = sum(1 for t in etl_rows if int(str(t["value"])) > 0)
        assert first.execute("SELECT count(*) FROM transfers").fetchone() == (len(etl_rows),)
        assert first.execute("SELECT count(*) FROM transfers WHERE amount > 0").fetchone() == (nonzero,)
        assert len(etl_rows) > nonzero


def test_bad_cell_is_refused_with_file_line_column_and_nothing_stored(store: Store, tmp_path: Path) -> None:
    import_explorer(store, [API_TXLIST])
    before = {t: _table(store, t) for t in ("transfers", "transactions", "tokens")}
    lines = (A_DIR / "etherscan-erc20.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    assert '"100.596789"' in lines[174]
    lines[174] = lines[174].replace('"100.596789"', '"100.5967891"')  # 7 digits: USDC has 6 decimals
    bad = tmp_path / "erc20.csv"
    bad.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(ImportFileError) as err:
        import_explorer(store, [A_DIR / "etherscan.csv", bad])
    assert (err.value.path, err.value.line, err.value.column) == (str(bad), 175, "TokenValue")
    assert "6 decimals" in err.value.reason
    lines[174] = lines[174].replace('"0x2e60cf74d81ac34eb21eeff58db4d385920ef419"', '"0x2e60cf74"')
    bad.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(ImportFileError) as err:
        import_explorer(store, [bad])
    assert (err.value.line, err.value.column) == (175, "From")
    assert {t: _table(store, t) for t in ("transfers", "transactions", "tokens")} == before


def test_unknown_shape_is_refused_naming_the_file_and_what_was_expected(store: Store, tmp_path: Path) -> None:
    odd = tmp_path / "odd.csv"
    odd.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(IngestError, match=r"odd\.csv: unknown export shape.*expected an Etherscan web CSV"):
        import_explorer(store, [odd])
    reply = tmp_path / "reply.json"
    reply.write_text('{"status":"0","message":"NOTOK","result":"Invalid API Key"}')
    with pytest.raises(IngestError, match="status 0"):
        import_explorer(store, [reply])


def test_cli_prints_json_and_exits_1_with_one_line_on_user_errors(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.duckdb")
    runner = CliRunner()
    ok = runner.invoke(app, ["import", "explorer", str(HOP1), "--from", EXPLOITER, "--db", db, "--format", "json"])
    assert ok.exit_code == 0, ok.output
    report = json.loads(ok.output)
    assert report["files"][0]["added"] == 250 and report["files"][0]["movements"] == {"erc20": 209, "native": 41}
    bad = runner.invoke(app, ["import", "explorer", str(HOP1), "--db", db])
    assert bad.exit_code == 1 and "--from" in bad.output and "Traceback" not in bad.output


def _by_tx_reply(path: Path) -> tuple[str, int]:
    """Etherscan's `txlistinternal&txhash=` reply for a real Router02 swapExactTokensForETH (its value-moving
    frames, from the real Parity trace): rows without `hash`. Returns (tx hash, ETH paid to the trader)."""
    data = json.loads((SHARED_DATA / "swap-traces" / "mev-inspect-rs" / "exact_tokens_for_eth.data.json").read_text())
    rows = [{"blockNumber": str(t["blockNumber"]), "timeStamp": "1605000000", "from": t["action"]["from"],
             "to": t["action"]["to"], "value": str(int(t["action"]["value"], 16)), "contractAddress": "",
             "input": "", "type": "call", "gas": "0", "gasUsed": "0", "isError": "0", "errCode": ""}
            for t in data["traces"] if int(t["action"]["value"], 16)]
    path.write_text(json.dumps({"status": "1", "message": "OK", "result": rows}))
    return data["traces"][0]["transactionHash"], int(rows[-1]["value"])


def test_internal_reply_by_transaction_needs_its_hash_and_then_imports(store: Store, tmp_path: Path) -> None:
    reply = tmp_path / "txlistinternal-by-tx.json"
    tx, paid = _by_tx_reply(reply)
    with pytest.raises(IngestError, match=r"asked by transaction hash.*--tx"):
        import_explorer(store, [reply])
    with pytest.raises(IngestError, match="--tx '0x12'"):
        import_explorer(store, [reply], tx_hash="0x12")
    assert store.execute("SELECT count(*) FROM transfers").fetchone() == (0,)
    result = import_explorer(store, [reply], tx_hash=tx.upper().replace("0X", "0x"))
    assert result.files[0].shape == "etherscan-api-txlistinternal" and result.added == 2
    moves = store.execute("SELECT kind, from_address, to_address, amount::VARCHAR FROM transfers "
                              "WHERE tx_hash = ? ORDER BY ALL", [tx]).fetchall()
    assert moves == sorted([("internal", "0x7a250d5630b4cf539739df2c5dacb4c659f2488d",
                             "0xe94cf39bbe5613071d8bf16263c94ada65a70fc8", str(paid)),
                            ("internal", "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2",
                             "0x7a250d5630b4cf539739df2c5dacb4c659f2488d", str(paid))])
    assert import_explorer(store, [reply], tx_hash=tx).added == 0  # merged, not doubled


def test_a_compressed_export_is_refused_by_name(store: Store, tmp_path: Path) -> None:
    import gzip

    packed = tmp_path / "etherscan.csv.gz"
    packed.write_bytes(gzip.compress((A_DIR / "etherscan.csv").read_bytes()))
    with pytest.raises(IngestError, match="compressed file"):
        import_explorer(store, [packed])
