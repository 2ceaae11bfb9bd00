"""Importing an ethereum-etl export folder (blocks, transactions, receipts, token_transfers, traces, tokens;
CSV or JSON lines) into the store: all files validated first, then merged in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hotpursuit.errors import IngestError
from hotpursuit.store import Store
from hotpursuit.store.etl_insert import merge_from_staged
from hotpursuit.store.etl_staging import ColumnSpec, StagedFile, drop_staged, stage_file

A, H, U, N, T = "address", "hash", "uint", "int", "text"  # N: a plain non-negative integer
I32 = "int32"  # a position or count the store keeps as INTEGER


def _c(name: str, kind: str, required: bool = True) -> ColumnSpec:
    return ColumnSpec(name, kind, required)


# the columns hotpursuit reads from each export (ethereum-etl's names); others are ignored
EXPORT_SPECS: dict[str, tuple[list[ColumnSpec], str]] = {
    "blocks": ([_c("number", N), _c("hash", H), _c("parent_hash", H), _c("miner", A, False),
                _c("gas_limit", N, False), _c("gas_used", N, False), _c("timestamp", N),
                _c("transaction_count", I32), _c("base_fee_per_gas", U, False)], "number"),
    "transactions": ([_c("hash", H), _c("nonce", N), _c("block_hash", H), _c("block_number", N),
                      _c("transaction_index", I32), _c("from_address", A), _c("to_address", A, False),
                      _c("value", U), _c("gas", N), _c("gas_price", U, False), _c("input", T, False),
                      _c("receipt_status", N, False), _c("receipt_gas_used", N, False),
                      _c("receipt_effective_gas_price", U, False),
                      _c("receipt_contract_address", A, False)], "block_number"),
    "receipts": ([_c("transaction_hash", H), _c("block_number", N), _c("status", N, False),
                  _c("gas_used", N, False), _c("effective_gas_price", U, False),
                  _c("contract_address", A, False)], "block_number"),
    "token_transfers": ([_c("token_address", A), _c("from_address", A), _c("to_address", A),
                         _c("value", U), _c("transaction_hash", H), _c("log_index", I32),
                         _c("block_number", N)], "block_number"),
    "traces": ([_c("block_number", N), _c("transaction_hash", H, False), _c("transaction_index", I32, False),
                _c("from_address", A, False), _c("to_address", A, False), _c("value", U, False),
                _c("trace_type", T), _c("call_type", T, False), _c("trace_address", T, False),
                _c("status", N, False)], "block_number"),
    # token metadata as ethereum-etl's export_tokens reads it from each contract (symbol and name as the
    # contract returns them: asset trust judges them, look-alike characters and all)
    "tokens": ([_c("address", A), _c("symbol", T, False), _c("name", T, False), _c("decimals", T, False),
                _c("block_number", N, False)], "block_number"),
}


@dataclass
class EtlImportResult:
    """What an import found and stored."""

    files: list[str]
    rows_read: dict[str, int]
    rows_stored: dict[str, int]


def find_export_files(folder: Path) -> dict[str, tuple[Path, str]]:
    """`<kind>.csv` or `<kind>.json` for each known kind present in `folder`."""
    if not folder.is_dir():
        raise IngestError(f"{folder}: not a folder")
    found: dict[str, tuple[Path, str]] = {}
    for kind in EXPORT_SPECS:
        for ext in ("csv", "json"):
            for packed in (folder / f"{kind}.{ext}.gz", folder / f"{kind}.{ext}.bz2", folder / f"{kind}.{ext}.zst"):
                if packed.exists():
                    raise IngestError(f"{packed}: compressed; decompress it first (the import reads plain "
                                      f"{kind}.{ext})")
            path = folder / f"{kind}.{ext}"
            if path.is_file():
                if kind in found:
                    raise IngestError(f"{folder}: both {kind}.csv and {kind}.json; keep one")
                found[kind] = (path, ext)
    if not found:
        raise IngestError(f"{folder}: no ethereum-etl files (blocks, transactions, token_transfers, "
                          "traces, receipts, tokens as .csv or .json)")
    return found


def import_ethereum_etl(store: Store, folder: Path, chain: str = "ethereum") -> EtlImportResult:
    """Validate every file, then merge them into the store in one transaction: nothing stored is deleted,
    nothing is stored twice (identity: tx hash + kind + log index or trace address)."""
    files = find_export_files(folder)
    staged: dict[str, StagedFile] = {}
    try:
        for kind, (path, fmt) in files.items():
            specs, block_column = EXPORT_SPECS[kind]
            staged[kind] = stage_file(store, kind, str(path), fmt, specs, block_column)
        stored = merge_from_staged(store, chain, staged)
    finally:
        drop_staged(store, staged.values())
    return EtlImportResult([str(p) for p, _ in files.values()],
                           {k: s.rows for k, s in staged.items()}, stored)
