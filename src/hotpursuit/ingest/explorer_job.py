"""`hotpursuit import explorer FILE...`: read explorer exports, validate them all, merge them in one transaction.

Each file's shape is recognised from its CSV header or JSON rows (explorer_formats); rows map to movements
(explorer_mapper). Token-unit amounts become base units exactly with the token's decimals: from the file
(API ``tokenDecimal``, or another file of the same import), else the store's ``tokens`` table, else the
shipped canonical registry, else 18, and the token is reported as "decimals assumed 18". Token symbol
and name from a file go into ``tokens`` (source: the file) when the store has no row for the contract.
Nothing is written until every file is clean; then transactions, tokens and movements are merged in one
transaction (store.transfer_merge: nothing is deleted, nothing stored twice). ``blocks`` is not filled:
no explorer export gives a block's parent hash or transaction count.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hotpursuit.chains.evm_address import normalize_evm_address
from hotpursuit.errors import ImportFileError, IngestError, InvalidAddress
from hotpursuit.ingest import explorer_formats as shapes
from hotpursuit.ingest.explorer_amounts import AmountError, decimal_to_base_units
from hotpursuit.ingest.explorer_mapper import ExplorerBatch, Row, map_rows
from hotpursuit.store.database import Store
from hotpursuit.store.explorer_insert import known_token_decimals, store_explorer_batches
from hotpursuit.user_files import read_user_text

TX_HASH = re.compile(r"^0x[0-9a-fA-F]{64}$")

ASSUMED_DECIMALS = 18


@dataclass
class ExplorerFileReport:
    """One file: its shape, rows, movements by kind, and what the merge did with them."""

    file: str
    shape: str
    rows: int
    movements: dict[str, int]
    added: int
    already_stored: int
    transactions_added: int
    skipped: dict[str, int]


@dataclass
class ExplorerImportResult:
    """What an import read and stored."""

    chain: str
    files: list[ExplorerFileReport] = field(default_factory=list)
    replaced_synthetic: int = 0
    tokens_added: int = 0
    assumed_decimals: list[str] = field(default_factory=list)

    @property
    def added(self) -> int:
        """Movements added over all files."""
        return sum(f.added for f in self.files)


def import_explorer(store: Store, paths: Sequence[Path], *, chain: str = "ethereum",
                    owner: str | None = None, tx_hash: str | None = None) -> ExplorerImportResult:
    """Validate every file, then merge them all in one transaction. `owner`: the address whose outflows an
    investigation CSV lists (required for that shape only); `tx_hash`: the transaction a `txlistinternal`
    reply asked by transaction hash is about (its rows do not say; required for that shape only)."""
    if not paths:
        raise IngestError("no files given")
    if tx_hash is not None and not TX_HASH.match(tx_hash.strip()):
        raise IngestError(f"--tx {tx_hash!r}: want the 0x-prefixed 32-byte transaction hash (66 characters)")
    sender = None
    if owner is not None:
        try:
            sender = normalize_evm_address(owner, where="--from")
        except InvalidAddress as exc:
            raise IngestError(str(exc)) from None
    read = [_for_tx(p, shape, rows, tx_hash) for p, shape, rows in map(_read, paths)]
    batches = [map_rows(str(p), shape, rows, chain=chain, owner=sender) for p, shape, rows in read]
    assumed = _resolve_amounts(store, chain, batches)
    merged = store_explorer_batches(store, chain, batches)
    result = ExplorerImportResult(chain, replaced_synthetic=merged.replaced, tokens_added=merged.tokens_added,
                                  assumed_decimals=assumed)
    for file_id, b in enumerate(batches):
        result.files.append(ExplorerFileReport(
            b.path, b.shape, b.rows, dict(sorted(Counter(m.kind for m in b.moves).items())),
            merged.transfers.added.get(file_id, 0), merged.transfers.already_stored.get(file_id, 0),
            merged.transactions_added.get(file_id, 0), dict(sorted(b.skipped.items()))))
    return result


def _resolve_amounts(store: Store, chain: str, batches: list[ExplorerBatch]) -> list[str]:
    """Convert the token-unit amounts; the tokens whose decimals had to be assumed, sorted."""
    from_files = {t: f.decimals for b in batches for t, f in b.tokens.items() if f.decimals is not None}
    pending = {m.asset for b in batches for m in b.moves if m.amount is None} - set(from_files)
    decimals = {**_registry_decimals(chain, pending), **known_token_decimals(store, chain, pending), **from_files}
    assumed = sorted(pending - set(decimals))
    for b in batches:
        for m in b.moves:
            if m.amount is None:
                try:
                    m.amount = decimal_to_base_units(m.amount_text, decimals.get(m.asset, ASSUMED_DECIMALS))
                except AmountError as exc:
                    raise ImportFileError(b.path, m.line, m.column, str(exc)) from None
    return assumed


def _registry_decimals(chain: str, tokens: set[str]) -> dict[str, int]:
    if chain != "ethereum" or not tokens:
        return {}
    from hotpursuit.attribution.token_registry import load_canonical_tokens
    registry = load_canonical_tokens()
    return {t: registry[t].decimals for t in tokens if t in registry}


def _for_tx(path: Path, shape: str, rows: list[Row], tx_hash: str | None) -> tuple[Path, str, list[Row]]:
    """A by-transaction `txlistinternal` reply gets the transaction's hash on every row (from `--tx`)."""
    if shape != shapes.API_INTERNAL_BY_TX:
        return path, shape, rows
    if tx_hash is None:
        raise IngestError(f"{path}: a txlistinternal reply asked by transaction hash: its rows do not name the "
                          "transaction; give it with --tx HASH")
    tx = tx_hash.strip().lower()
    return path, shapes.API_INTERNAL, [(line, {**cells, "hash": tx}) for line, cells in rows]


def _read(path: Path) -> tuple[Path, str, list[Row]]:
    """(path, shape, rows) of one file; refuses an unreadable file or one of unknown shape."""
    text = read_user_text(path, reads="the export as the explorer wrote it", expected=shapes.EXPECTED)
    if text.lstrip()[:1] in ("{", "["):
        shape, rows = _read_json(str(path), text)
    else:
        shape, rows = _read_csv(str(path), text)
    return path, shape, rows


def _read_csv(path: str, text: str) -> tuple[str, list[Row]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        raw_header = next(reader, None)
        if not raw_header:
            raise IngestError(f"{path}: empty file; expected {shapes.EXPECTED}")
        header = shapes.normalise_header(raw_header)
        shape = shapes.csv_shape(header)
        if shape is None:
            raise IngestError(f"{path}: unknown export shape (header {','.join(header[:6])}...; "
                              f"{shapes.missing_for_closest(header)}); expected {shapes.EXPECTED}")
        rows: list[Row] = []
        width = len(header)
        for fields in reader:
            line = reader.line_num
            if not fields:
                continue
            if len(fields) == width + 1 and fields[-1] == "":
                fields = fields[:-1]  # Etherscan's internal CSV: a trailing empty field after Type
            if len(fields) != width:
                column = header[len(fields)] if len(fields) < width else f"column {width + 1}"
                raise ImportFileError(path, line, column, f"expected {width} fields, found {len(fields)}")
            rows.append((line, dict(zip(header, fields, strict=True))))
    except csv.Error as exc:
        raise ImportFileError(path, reader.line_num, "?", f"malformed CSV: {exc}") from None
    return shape, rows


def _read_json(path: str, text: str) -> tuple[str, list[Row]]:
    try:
        reply = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(path, exc.lineno, f"character {exc.colno}", f"malformed JSON: {exc.msg}") from None
    if isinstance(reply, dict):
        if "result" not in reply:
            raise IngestError(f"{path}: a JSON object without \"result\"; expected {shapes.EXPECTED}")
        result = reply["result"]
        if str(reply.get("status")) == "0" and not (isinstance(result, list) and not result):
            raise IngestError(f"{path}: the API answered status 0 ({reply.get('message')!r}: "
                              f"{str(result)[:200]!r}); not an export of rows")
    else:
        result = reply
    if not isinstance(result, list):
        raise IngestError(f"{path}: \"result\" is not a list of rows; expected {shapes.EXPECTED}")
    lines = _element_lines(text, len(result))
    if not result:
        return shapes.API_TXLIST, []
    first = result[0]
    shape = shapes.api_shape(first.keys()) if isinstance(first, dict) else None
    if shape is None:
        keys = ", ".join(list(first)[:8]) if isinstance(first, dict) else type(first).__name__
        raise IngestError(f"{path}: unknown API reply shape (first row: {keys}); expected {shapes.EXPECTED}")
    rows: list[Row] = []
    for i, item in enumerate(result):
        if not isinstance(item, dict):
            raise ImportFileError(path, lines[i], f"result[{i}]", "row is not a JSON object")
        rows.append((lines[i], {str(k): _cell(v) for k, v in item.items()}))
    return shape, rows


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def _element_lines(text: str, count: int) -> list[int]:
    """The line on which each element of the reply's result list starts (for file:line messages)."""
    decoder = json.JSONDecoder()
    start = text.find("[", text.find('"result"') if '"result"' in text else 0)
    lines: list[int] = []
    pos = start + 1
    for _ in range(count):
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        lines.append(text.count("\n", 0, pos) + 1)
        try:
            _, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            break
    return lines + [lines[-1] if lines else 1] * (count - len(lines))
