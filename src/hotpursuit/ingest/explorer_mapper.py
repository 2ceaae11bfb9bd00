"""Mapping explorer export rows (Etherscan web CSVs, API replies, the investigation CSV) to movements. Pure.

Every shape maps to the store's movements: ``native`` (a transaction's value), ``internal`` (a value
transfer inside one) and ``erc20`` (a token Transfer). What each shape gives:

* Web normal CSV: ``Txhash, Blockno, From, To|ContractAddress`` and the value as ``Value_IN(ETH)`` or
  ``Value_OUT(ETH)`` (ETH, 18 decimals; whichever is not zero). ``Status`` other than empty
  (``Error(0)``, ``Error(1)``: Etherscan shows the transaction as failed) moves no value. A
  ``transactions`` row with its sender, receiver, value and status (no index, nonce, gas or block hash in
  the file: NULL; the position in the block is unknown, -1), zero-value and failed ones included: who
  signed a transaction tells asset trust a real token transfer from a forged Transfer event.
* Web internal CSV: ``From -> TxTo|ContractAddress``, value as above, ``Status`` 1 (isError) moves nothing;
  only value-moving types (call, create, create2, suicide, selfdestruct). The parent's own value
  (``ParentTxFrom -> ParentTxTo``, ``ParentTxETH_Value``) becomes the parent's ``native`` movement, so the
  internal rows join their parent transaction (same hash) and are ordered after its value.
* Web ERC-20 CSV: ``From -> To`` of ``ContractAddress``, ``TokenValue`` in token units (thousands
  separators allowed), decimals resolved by the importer; ``TokenName``/``TokenSymbol`` for ``tokens``.
  No log index: the movement's identity is (tx, token, from, to, amount, occurrence in the tx).
* API ``txlist``: a whole transaction (``transactions`` row) and its ``native`` value unless
  ``isError`` is 1. Genesis allocations (``hash`` ``GENESIS_...``) are not transactions: skipped, counted.
* API ``txlistinternal``: as the web internal CSV, in wei. Etherscan's ``traceId`` numbers traces its own
  way (it leaves some out), so it is not a node trace address: the identity is the synthetic one.
* API ``tokentx``: wei-like base units, ``tokenDecimal``, ``transactionIndex`` (the position), and
  ``logIndex`` where the reply has it (then the identity is the log index).
* Investigation CSV (``hash,timestamp_utc,to,amount,asset,symbol_non_ascii,kind,contract,block,is_error,
  chain_id,chain_name,retrieved_utc``): every row an outflow of the address given as ``--from``.
  ``kind`` native -> ``native`` of ``amount`` ETH; ``kind`` token -> ``erc20`` of ``contract`` with
  ``amount`` in token units; ``asset`` is the token's symbol as deployed (into ``tokens``);
  ``is_error`` 1 moves nothing; a native row is a transaction ``--from`` sent (a ``transactions`` row,
  zero-value contract calls included); ``chain_id`` must be the chain's; ``timestamp_utc``, ``symbol_non_ascii``,
  ``chain_name`` and ``retrieved_utc`` are not stored. The amounts are as the investigation printed them.

A zero value is no movement for ``native``/``internal`` (as node ingest); a zero-value token Transfer is
kept (it is how address poisoning shows). Addresses are stored lowercase.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from hotpursuit.chains.evm_address import normalize_evm_address
from hotpursuit.errors import ImportFileError, InvalidAddress
from hotpursuit.ingest import explorer_formats as shapes
from hotpursuit.ingest.explorer_amounts import AmountError, base_units, decimal_to_base_units

ETH_DECIMALS = 18
NATIVE_ASSET = "ETH"
CHAIN_IDS = {"ethereum": "1"}
VALUE_TYPES = frozenset({"call", "create", "create2", "suicide", "selfdestruct"})
_HASH = re.compile(r"^0x[0-9a-fA-F]{64}$")
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
_INT = re.compile(r"^[0-9]{1,18}$")

Row = tuple[int, dict[str, str]]  # (line in the file, cells by column name)


@dataclass(slots=True)
class ExplorerMove:
    """One movement read from a file. `amount` is None until the token's decimals are known
    (token-unit amounts of a token whose decimals the file does not state)."""

    block_number: int
    tx_hash: str
    tx_index: int  # -1: position in the block unknown
    kind: str  # native | internal | erc20
    log_index: int | None
    from_address: str
    to_address: str
    asset: str
    amount: int | None
    amount_text: str
    line: int
    column: str


@dataclass(frozen=True, slots=True)
class ExplorerTransaction:
    """A transaction: whole, as an API txlist reply gives it, or as a web normal-transactions CSV or an
    investigation's outflow list states it (sender, receiver, value, status; no block hash, nonce, gas)."""

    block_number: int
    block_hash: str | None
    tx_index: int
    hash: str
    from_address: str
    to_address: str | None
    value: int
    nonce: int | None
    gas: int | None
    gas_price: int | None
    gas_used: int | None
    status: int
    contract_address: str | None
    input_selector: str | None


@dataclass(frozen=True, slots=True)
class TokenFacts:
    """What a file says about a token contract."""

    symbol: str | None
    name: str | None
    decimals: int | None


@dataclass
class ExplorerBatch:
    """Everything one file holds, mapped."""

    path: str
    shape: str
    rows: int = 0
    moves: list[ExplorerMove] = field(default_factory=list)
    transactions: list[ExplorerTransaction] = field(default_factory=list)
    tokens: dict[str, TokenFacts] = field(default_factory=dict)
    skipped: Counter[str] = field(default_factory=Counter)


class _Cells:
    """Typed access to one row's cells; every failure names file, line and column."""

    def __init__(self, path: str, line: int, cells: dict[str, str]) -> None:
        self.path, self.line, self.cells = path, line, cells

    def fail(self, column: str, reason: str) -> ImportFileError:
        return ImportFileError(self.path, self.line, column, reason)

    def text(self, column: str) -> str:
        value = self.cells.get(column)
        if value is None:
            raise self.fail(column, "value is missing")
        return str(value).strip()

    def hash(self, column: str) -> str:
        value = self.text(column)
        if not _HASH.match(value):
            raise self.fail(column, f"{value!r} is not a 32-byte hash (0x and 64 hex digits)")
        return value.lower()

    def address(self, column: str) -> str:
        value = self.text(column)
        if not _ADDRESS.match(value):
            raise self.fail(column, f"{value!r} is not an address (0x and 40 hex digits)")
        try:
            return normalize_evm_address(value)
        except InvalidAddress as exc:
            raise self.fail(column, str(exc)) from None

    def optional_address(self, column: str) -> str | None:
        return self.address(column) if self.cells.get(column, "").strip() else None

    def integer(self, column: str) -> int:
        value = self.text(column)
        if not _INT.match(value):
            raise self.fail(column, f"{value!r} is not a non-negative integer")
        return int(value)

    def optional_integer(self, column: str) -> int | None:
        return self.integer(column) if self.cells.get(column, "").strip() else None

    def wei(self, column: str) -> int:
        try:
            return base_units(self.text(column))
        except AmountError as exc:
            raise self.fail(column, str(exc)) from None

    def ether(self, column: str) -> int:
        try:
            return decimal_to_base_units(self.text(column), ETH_DECIMALS)
        except AmountError as exc:
            raise self.fail(column, str(exc)) from None


def map_rows(path: str, shape: str, rows: Sequence[Row], *, chain: str, owner: str | None) -> ExplorerBatch:
    """Map every row of one file of `shape`; the first bad cell raises ImportFileError."""
    batch = ExplorerBatch(path, shape, rows=len(rows))
    mapper = {shapes.WEB_NORMAL: _web_normal, shapes.WEB_INTERNAL: _internal, shapes.API_INTERNAL: _internal,
              shapes.WEB_ERC20: _token, shapes.API_TOKENTX: _token, shapes.API_TXLIST: _txlist,
              shapes.INVESTIGATION: _investigation}[shape]
    for line, cells in rows:
        mapper(batch, _Cells(path, line, cells), chain, owner)
    return batch


def _value_in_or_out(c: _Cells) -> tuple[int, str]:
    value_in, value_out = c.ether("Value_IN(ETH)"), c.ether("Value_OUT(ETH)")
    if value_in and value_out and value_in != value_out:
        raise c.fail("Value_OUT(ETH)", "both Value_IN(ETH) and Value_OUT(ETH) are set and differ")
    return (value_in, "Value_IN(ETH)") if value_in else (value_out, "Value_OUT(ETH)")


def _native(batch: ExplorerBatch, c: _Cells, block: int, tx: str, tx_index: int, sender: str, receiver: str,
            amount: int, column: str, kind: str = "native") -> None:
    if amount == 0:
        batch.skipped[f"zero-value {kind}"] += 1
        return
    batch.moves.append(ExplorerMove(block, tx, tx_index, kind, None, sender, receiver, NATIVE_ASSET, amount,
                                    c.text(column), c.line, column))


def _web_normal(batch: ExplorerBatch, c: _Cells, chain: str, owner: str | None) -> None:
    tx, block = c.hash("Txhash"), c.integer("Blockno")
    sender = c.address("From")
    receiver = c.optional_address("To") or c.optional_address("ContractAddress")
    amount, column = _value_in_or_out(c)
    failed = bool(c.text("Status"))
    batch.transactions.append(_stated_transaction(block, tx, sender, receiver, amount, failed))
    if failed:
        batch.skipped["failed transaction"] += 1
        return
    if receiver is None:
        raise c.fail("To", "no receiver: both To and ContractAddress are empty")
    _native(batch, c, block, tx, -1, sender, receiver, amount, column)


def _stated_transaction(block: int, tx: str, sender: str, receiver: str | None, value: int,
                        failed: bool) -> ExplorerTransaction:
    """A transaction as an export states it: no block hash, index, nonce or gas."""
    return ExplorerTransaction(block, None, -1, tx, sender, receiver, value, None, None, None, None,
                               0 if failed else 1, None, None)


def _internal(batch: ExplorerBatch, c: _Cells, chain: str, owner: str | None) -> None:
    web = batch.shape == shapes.WEB_INTERNAL
    tx = c.hash("Txhash" if web else "hash")
    block = c.integer("Blockno" if web else "blockNumber")
    sender = c.address("From" if web else "from")
    receiver = c.optional_address("TxTo" if web else "to") or c.optional_address(
        "ContractAddress" if web else "contractAddress")
    amount, column = _value_in_or_out(c) if web else (c.wei("value"), "value")
    failed = c.text("Status" if web else "isError")
    if failed not in ("0", "1"):
        raise c.fail("Status" if web else "isError", f"{failed!r} is not 0 or 1")
    if web:  # the parent's own value, joined by hash
        parent_value = c.ether("ParentTxETH_Value")
        parent_to = c.optional_address("ParentTxTo")
        if parent_value and parent_to is not None and failed == "0":
            batch.moves.append(ExplorerMove(block, tx, -1, "native", None, c.address("ParentTxFrom"), parent_to,
                                            NATIVE_ASSET, parent_value, c.text("ParentTxETH_Value"), c.line,
                                            "ParentTxETH_Value"))
    if failed == "1":
        batch.skipped["failed internal call"] += 1
        return
    kind = c.text("Type" if web else "type").lower()
    if kind not in VALUE_TYPES:
        batch.skipped[f"{kind or 'untyped'} call (moves no value)"] += 1
        return
    if receiver is None:
        raise c.fail("TxTo" if web else "to", "no receiver: both the receiver and the contract address are empty")
    _native(batch, c, block, tx, -1, sender, receiver, amount, column, kind="internal")


def _token(batch: ExplorerBatch, c: _Cells, chain: str, owner: str | None) -> None:
    web = batch.shape == shapes.WEB_ERC20
    tx = c.hash("Txhash" if web else "hash")
    block = c.integer("Blockno" if web else "blockNumber")
    sender, receiver = c.address("From" if web else "from"), c.address("To" if web else "to")
    token = c.address("ContractAddress" if web else "contractAddress")
    symbol = c.cells.get("TokenSymbol" if web else "tokenSymbol", "").strip() or None
    name = c.cells.get("TokenName" if web else "tokenName", "").strip() or None
    decimals = None if web else c.integer("tokenDecimal")
    if decimals is not None and decimals > 77:
        raise c.fail("tokenDecimal", f"{decimals} decimals is beyond any uint256 token")
    _note_token(batch, c, token, TokenFacts(symbol, name, decimals), "tokenDecimal")
    if web:
        amount, column = None, "TokenValue"
    else:
        amount, column = c.wei("value"), "value"
    tx_index = -1 if web else c.integer("transactionIndex")
    log_index = None if web else c.optional_integer("logIndex")
    batch.moves.append(ExplorerMove(block, tx, tx_index, "erc20", log_index, sender, receiver, token, amount,
                                    c.text(column), c.line, column))


def _note_token(batch: ExplorerBatch, c: _Cells, token: str, facts: TokenFacts, column: str) -> None:
    known = batch.tokens.get(token)
    if known is None:
        batch.tokens[token] = facts
    elif facts.decimals is not None and known.decimals is not None and facts.decimals != known.decimals:
        raise c.fail(column, f"token {token} has {facts.decimals} decimals here, {known.decimals} earlier")


def _txlist(batch: ExplorerBatch, c: _Cells, chain: str, owner: str | None) -> None:
    if c.text("hash").startswith("GENESIS_"):
        batch.skipped["genesis allocation (not a transaction)"] += 1
        return
    tx, block = c.hash("hash"), c.integer("blockNumber")
    sender = c.address("from")
    to = c.optional_address("to")
    contract = c.optional_address("contractAddress")
    value = c.wei("value")
    failed = c.text("isError")
    if failed not in ("0", "1"):
        raise c.fail("isError", f"{failed!r} is not 0 or 1")
    selector = c.cells.get("input", "").strip().lower()
    batch.transactions.append(ExplorerTransaction(
        block, c.hash("blockHash"), c.integer("transactionIndex"), tx, sender, to, value, c.integer("nonce"),
        c.integer("gas"), c.wei("gasPrice") if c.cells.get("gasPrice", "").strip() else None,
        c.optional_integer("gasUsed"), 0 if failed == "1" else 1, contract,
        selector[:10] if len(selector) >= 10 else None))
    if failed == "1":
        batch.skipped["failed transaction"] += 1
        return
    receiver = to or contract
    if receiver is None:
        raise c.fail("to", "no receiver: both to and contractAddress are empty")
    _native(batch, c, block, tx, c.integer("transactionIndex"), sender, receiver, value, "value")


def _investigation(batch: ExplorerBatch, c: _Cells, chain: str, owner: str | None) -> None:
    if owner is None:
        raise ImportFileError(batch.path, 1, "from", "this investigation CSV lists outflows of one address it does "
                                                     "not name: pass --from ADDRESS")
    want = CHAIN_IDS.get(chain)
    if want is not None and c.text("chain_id") != want:
        raise c.fail("chain_id", f"{c.text('chain_id')!r} is not {chain}'s chain id {want}")
    tx, block, receiver = c.hash("hash"), c.integer("block"), c.address("to")
    failed = c.text("is_error")
    if failed not in ("0", "1"):
        raise c.fail("is_error", f"{failed!r} is not 0 or 1")
    kind = c.text("kind")
    if kind not in ("native", "token"):
        raise c.fail("kind", f"{kind!r} is not native or token")
    if kind == "native":
        batch.transactions.append(_stated_transaction(block, tx, owner, receiver, c.ether("amount"), failed == "1"))
    if failed == "1":
        batch.skipped["failed transaction"] += 1
        return
    if kind == "native":
        _native(batch, c, block, tx, -1, owner, receiver, c.ether("amount"), "amount")
        return
    token = c.address("contract")
    _note_token(batch, c, token, TokenFacts(c.text("asset") or None, None, None), "asset")
    batch.moves.append(ExplorerMove(block, tx, -1, "erc20", None, owner, receiver, token, None, c.text("amount"),
                                    c.line, "amount"))
