"""Importing a bitcoin-etl export (`blocks.json`, `transactions.json`, JSON lines) into the UTXO tables.

Output addresses and types are derived from each output's script by the project's decoder (the same
as every other source), and checked against the address bitcoin-etl wrote: a mismatch is an error
naming file, line and field. Input addresses come from bitcoin-etl (it resolved the prevouts) and are
validated. Everything is checked before one atomic write.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hotpursuit.chains.btc_address import MAINNET, BtcNetwork, parse_btc_address
from hotpursuit.chains.btc_script import classify_output_script
from hotpursuit.chains.utxo_records import UtxoBlock, UtxoBlockBundle, UtxoInput, UtxoOutput
from hotpursuit.errors import ImportFileError, IngestError, InvalidAddress
from hotpursuit.ingest.bitcoin_source import UtxoIngestStats, store_chunk
from hotpursuit.store.database import Store
from hotpursuit.store.etl_staging import read_json_lines
from hotpursuit.store.utxo_tables import stored_block_hash

UINT64_MAX = 2**64 - 1


def _field(obj: dict[str, Any], name: str, kind: type, path: Path, line: int) -> Any:
    value = obj.get(name)
    if kind is int and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
        raise ImportFileError(str(path), line, name, f"{value!r} is not a non-negative integer")
    if kind is str and not isinstance(value, str):
        raise ImportFileError(str(path), line, name, f"{value!r} is not text")
    return value


def _hash(obj: dict[str, Any], name: str, path: Path, line: int) -> str:
    value = _field(obj, name, str, path, line)
    if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        raise ImportFileError(str(path), line, name, f"{value!r} is not a 32-byte lowercase hex hash")
    return str(value)


def _amount(obj: dict[str, Any], name: str, path: Path, line: int) -> int:
    value = _field(obj, name, int, path, line)
    if value > UINT64_MAX:
        raise ImportFileError(str(path), line, name, f"{value} satoshi is above 2^64-1")
    return int(value)


def _etl_address(entry: dict[str, Any], path: Path, line: int, column: str, network: BtcNetwork) -> str | None:
    addresses = entry.get("addresses") or []
    if not addresses or str(addresses[0]).startswith("nonstandard"):
        return None  # bitcoin-etl names script-less outputs "nonstandard<hash>": not an address
    try:
        return parse_btc_address(str(addresses[0]), network).text
    except InvalidAddress as exc:
        raise ImportFileError(str(path), line, column, str(exc)) from exc


def import_bitcoin_etl(store: Store, folder: Path, *, chain: str = "bitcoin",
                       network: BtcNetwork = MAINNET) -> UtxoIngestStats:
    """Validate `blocks.json` and `transactions.json` of `folder`, then store them atomically."""
    blocks_path, txs_path = folder / "blocks.json", folder / "transactions.json"
    for p in (blocks_path, txs_path):
        if not p.is_file():
            raise IngestError(f"{folder}: no {p.name} (bitcoin-etl export_blocks writes blocks.json and "
                              "transactions.json)")
    blocks: dict[int, UtxoBlockBundle] = {}
    hashes: dict[int, str] = {}
    raw_blocks = read_json_lines(str(blocks_path))
    for line, b in raw_blocks:
        number = _field(b, "number", int, blocks_path, line)
        hashes[number] = _hash(b, "hash", blocks_path, line)
    for line, b in raw_blocks:
        number = b["number"]
        parent = hashes.get(number - 1) or stored_block_hash(store, chain, number - 1)
        blocks[number] = UtxoBlockBundle(UtxoBlock(number, hashes[number], parent if number > 0 else "00" * 32,
                                                   _field(b, "timestamp", int, blocks_path, line),
                                                   _field(b, "transaction_count", int, blocks_path, line)))
    for line, tx in read_json_lines(str(txs_path)):
        number = _field(tx, "block_number", int, txs_path, line)
        bundle = blocks.get(number)
        if bundle is None:
            raise ImportFileError(str(txs_path), line, "block_number", f"block {number} is not in {blocks_path.name}")
        if _hash(tx, "block_hash", txs_path, line) != bundle.block.hash:
            raise ImportFileError(str(txs_path), line, "block_hash", "does not match the block's hash")
        txid = _hash(tx, "hash", txs_path, line)
        index = _field(tx, "index", int, txs_path, line)
        for o in tx.get("outputs") or []:
            column = f"outputs[{o.get('index')}]"
            try:
                script = bytes.fromhex(_field(o, "script_hex", str, txs_path, line))
            except ValueError as exc:
                raise ImportFileError(str(txs_path), line, f"{column}.script_hex", "not hex") from exc
            info = classify_output_script(script, network)
            claimed = _etl_address(o, txs_path, line, f"{column}.addresses", network)
            if claimed is not None and claimed != info.address:
                raise ImportFileError(str(txs_path), line, f"{column}.addresses",
                                      f"{claimed} is not what the script pays ({info.address or 'no address'})")
            bundle.outputs.append(UtxoOutput(number, txid, index, _field(o, "index", int, txs_path, line),
                                             info.address, info.script_type, script.hex(),
                                             _amount(o, "value", txs_path, line), info.memo))
        if not tx.get("is_coinbase"):
            for i in tx.get("inputs") or []:
                column = f"inputs[{i.get('index')}]"
                bundle.inputs.append(UtxoInput(
                    number, txid, index, _field(i, "index", int, txs_path, line),
                    _hash(i, "spent_transaction_hash", txs_path, line),
                    _field(i, "spent_output_index", int, txs_path, line),
                    _etl_address(i, txs_path, line, f"{column}.addresses", network),
                    _amount(i, "value", txs_path, line)))
    for bundle in blocks.values():
        bundle.outputs.sort(key=lambda o: (o.tx_index, o.output_index))
        bundle.inputs.sort(key=lambda i: (i.tx_index, i.input_index))
    stats = UtxoIngestStats()
    store_chunk(store, chain, [blocks[n] for n in sorted(blocks)], f"file:{folder}", None, stats)
    return stats
