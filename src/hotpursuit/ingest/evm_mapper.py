"""Mapping JSON-RPC replies (block with txs, receipts, traces) to account-model records. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hotpursuit.chains.bridge_memo import BridgeDeposit
from hotpursuit.chains.evm_records import (
    NATIVE_ASSET,
    EvmBlock,
    EvmBlockBundle,
    EvmTransaction,
    EvmTransfer,
)
from hotpursuit.errors import IngestError
from hotpursuit.ingest import rpc_fields as f
from hotpursuit.ingest.erc20_logs import DecodedWethEvent, decode_erc20_transfer, decode_weth_event
from hotpursuit.ingest.router_logs import decode_router_deposit


def map_block(raw: dict[str, Any], chain: str) -> EvmBlock:
    """The header of an `eth_getBlockByNumber` reply."""
    if not isinstance(raw, dict):
        raise IngestError(f"{chain}: block reply is not an object: {str(raw)[:120]}")
    number = f.quantity(raw, "number", f"{chain} block")
    where = f"{chain} block {number}"
    txs = raw.get("transactions")
    if not isinstance(txs, list):
        raise IngestError(f"{where}: field 'transactions' is missing")
    return EvmBlock(
        number=number,
        hash=f.hash32(raw, "hash", where),
        parent_hash=f.hash32(raw, "parentHash", where),
        timestamp=f.quantity(raw, "timestamp", where),
        miner=f.optional_address(raw, "miner", where),
        gas_used=f.optional_quantity(raw, "gasUsed", where),
        gas_limit=f.optional_quantity(raw, "gasLimit", where),
        base_fee_per_gas=f.optional_quantity(raw, "baseFeePerGas", where),
        transaction_count=len(txs),
    )


@dataclass(frozen=True, slots=True)
class TxOutcome:
    """What a transaction did, from its receipt or from its top-level trace and the block's logs."""

    status: int | None
    gas_used: int | None
    effective_gas_price: int | None
    contract_address: str | None
    logs: list[dict[str, Any]]


def map_block_bundle(
    raw_block: dict[str, Any],
    receipts: list[dict[str, Any]] | None,
    traces: list[dict[str, Any]] | None,
    chain: str,
    *,
    trace_format: str = "parity",
    logs: list[dict[str, Any]] | None = None,
) -> EvmBlockBundle:
    """Everything one block moved: its txs, native, internal and ERC-20 transfers.

    WETH9-style `Deposit(dst, wad)` / `Withdrawal(src, wad)` logs become token movements of the
    emitting contract (a mint 0x0 -> dst, a burn src -> 0x0, in log order among the Transfer logs)
    when the same tx moved exactly `wad` ETH from dst to the emitter / from the emitter to src, so a
    wrap is ETH in and WETH out and a swap detector sees WETH as a venue. Without traces an internal
    ETH leg is unknown, so only a wrap sent as the transaction's own value is recognised.

    `receipts` are the block's receipts (any order). Without receipts (None), the outcome of each
    transaction comes from its top-level trace (failed or not, contract created) and its ERC-20
    transfers from `logs` (the block's `eth_getLogs` reply); gas used is then unknown (NULL).
    `traces` is the reply of `trace_block` (`trace_format='parity'`) or of
    `debug_traceBlockByNumber` with callTracer (`trace_format='calltracer'`), or None to skip
    internal transfers. A failed transaction moves no value: it gets no transfer rows at all.
    """
    block = map_block(raw_block, chain)
    where = f"{chain} block {block.number}"
    raw_txs = raw_block["transactions"]
    for raw_tx in raw_txs:
        if not isinstance(raw_tx, dict):
            raise IngestError(f"{where}: transactions must be full objects (call with hydrated txs)")
    if receipts is not None:
        outcomes = _outcomes_from_receipts(receipts, raw_txs, block, where)
    elif traces is not None and logs is not None:
        outcomes = _outcomes_from_traces(traces, trace_format, logs, raw_txs, block, where)
    else:
        raise IngestError(f"{where}: without receipts, traces and logs are needed to know what each tx did")

    internal = internal_transfers(traces, trace_format, where) if traces is not None else {}
    transactions: list[EvmTransaction] = []
    transfers: list[EvmTransfer] = []
    deposits: list[BridgeDeposit] = []
    for raw_tx, outcome in zip(raw_txs, outcomes, strict=True):
        tx = _map_transaction(raw_tx, outcome, block, f"{where} tx {raw_tx.get('hash')}")
        transactions.append(tx)
        if tx.status == 0:
            continue
        tx_transfers, tx_deposits = map_tx_transfers(tx, internal.get(tx.tx_index, []), outcome.logs)
        transfers.extend(tx_transfers)
        deposits.extend(tx_deposits)
    return EvmBlockBundle(block, transactions, transfers, deposits)


def map_tx_transfers(
    tx: EvmTransaction, internal: list[InternalMove], logs: list[dict[str, Any]]
) -> tuple[list[EvmTransfer], list[BridgeDeposit]]:
    """One successful transaction's movements in `seq` order, and its bridge router deposits.

    Its own value first, then its value-moving subcalls (`internal`, in trace order), then its logs in
    log order: ERC-20 Transfers, and WETH9-style Deposit/Withdrawal as a mint/burn of the emitter
    where an ETH leg of exactly `wad` backs it (see `map_block_bundle`).
    """
    transfers: list[EvmTransfer] = []
    deposits: list[BridgeDeposit] = []
    seq = 0
    receiver = tx.to_address or tx.contract_address
    if tx.value > 0 and receiver is not None:
        transfers.append(_transfer(tx, seq, "native", None, None, tx.from_address, receiver,
                                   NATIVE_ASSET, tx.value))
        seq += 1
    for trace_address, sender, to, amount in internal:
        transfers.append(_transfer(tx, seq, "internal", None, trace_address, sender, to,
                                   NATIVE_ASSET, amount))
        seq += 1
    eth_moves: dict[tuple[str, str, int], int] | None = None  # built at the first WETH-shaped log
    for log in logs:
        decoded = decode_erc20_transfer(log)
        if decoded is None:
            weth = decode_weth_event(log)
            if weth is not None and weth.amount > 0:
                if eth_moves is None:
                    eth_moves = _eth_moves(transfers)
                wrap = _weth_movement(weth, eth_moves)
                if wrap is not None:
                    transfers.append(_transfer(tx, seq, "erc20", weth.log_index, None, wrap[0], wrap[1],
                                               weth.token, weth.amount))
                    seq += 1
                continue
            deposit = decode_router_deposit(log, tx.block_number, tx.hash)
            if deposit is not None:
                deposits.append(deposit)
            continue
        # a zero-value Transfer moves nothing but is kept: `transferFrom(victim, look-alike, 0)` is how address
        # poisoning plants a look-alike in a victim's history (asset trust and the trace leave it out)
        transfers.append(_transfer(tx, seq, "erc20", decoded.log_index, None,
                                   decoded.from_address, decoded.to_address, decoded.token,
                                   decoded.amount))
        seq += 1
    return transfers, deposits


ZERO_ADDRESS = "0x" + "00" * 20


def _eth_moves(transfers: list[EvmTransfer]) -> dict[tuple[str, str, int], int]:
    """One tx's ETH movements (native and internal), counted by (from, to, amount)."""
    moves: dict[tuple[str, str, int], int] = {}
    for t in transfers:
        if t.asset == NATIVE_ASSET:
            key = (t.from_address, t.to_address, t.amount)
            moves[key] = moves.get(key, 0) + 1
    return moves


def _weth_movement(event: DecodedWethEvent, eth_moves: dict[tuple[str, str, int], int]) -> tuple[str, str] | None:
    """(from, to) of the token movement a WETH9 Deposit/Withdrawal makes, or None if no ETH leg backs it.

    A Deposit mints `wad` to dst only if dst sent exactly `wad` ETH to the emitter in the same tx; a
    Withdrawal burns `wad` of src only if the emitter sent exactly `wad` ETH to src. Each ETH leg backs
    one event, so a contract that emits a same-signature event without moving ETH makes nothing.
    """
    if event.kind == "deposit":
        key, move = (event.account, event.token, event.amount), (ZERO_ADDRESS, event.account)
    else:
        key, move = (event.token, event.account, event.amount), (event.account, ZERO_ADDRESS)
    left = eth_moves.get(key, 0)
    if not left:
        return None
    eth_moves[key] = left - 1
    return move


def _outcomes_from_receipts(
    receipts: list[dict[str, Any]], raw_txs: list[dict[str, Any]], block: EvmBlock, where: str
) -> list[TxOutcome]:
    by_hash: dict[str, dict[str, Any]] = {}
    for r in receipts:
        if not isinstance(r, dict):
            raise IngestError(f"{where}: a receipt is not an object")
        by_hash[f.hash32(r, "transactionHash", f"{where} receipt")] = r
    if len(by_hash) != len(raw_txs):
        raise IngestError(f"{where}: {len(raw_txs)} transactions but {len(by_hash)} receipts")
    out = []
    for raw_tx in raw_txs:
        tx_hash = f.hash32(raw_tx, "hash", where)
        tx_where = f"{where} tx {tx_hash}"
        receipt = by_hash.get(tx_hash)
        if receipt is None:
            raise IngestError(f"{tx_where}: no receipt")
        if f.hash32(receipt, "blockHash", tx_where) != block.hash:
            raise IngestError(f"{tx_where}: receipt is from another block (reorg while fetching)")
        out.append(TxOutcome(
            status=f.optional_quantity(receipt, "status", tx_where),
            gas_used=f.optional_quantity(receipt, "gasUsed", tx_where),
            effective_gas_price=f.optional_quantity(receipt, "effectiveGasPrice", tx_where),
            contract_address=f.optional_address(receipt, "contractAddress", tx_where),
            logs=list(receipt.get("logs") or []),
        ))
    return out


def _outcomes_from_traces(
    traces: list[dict[str, Any]], trace_format: str, logs: list[dict[str, Any]],
    raw_txs: list[dict[str, Any]], block: EvmBlock, where: str,
) -> list[TxOutcome]:
    """Status and created contract from each tx's top-level trace; logs grouped by tx hash.

    A mined transaction's `gasPrice` is the price it paid (for EIP-1559 transactions nodes report
    the effective price there), so the effective gas price stays known; gas used does not.
    """
    tops = _top_level_frames(traces, trace_format, len(raw_txs), where)
    logs_by_tx: dict[str, list[dict[str, Any]]] = {}
    for log in logs:
        if not isinstance(log, dict):
            raise IngestError(f"{where}: a log is not an object")
        if log.get("removed") or f.hash32(log, "blockHash", f"{where} log") != block.hash:
            raise IngestError(f"{where}: a log is from another block (reorg while fetching)")
        logs_by_tx.setdefault(f.hash32(log, "transactionHash", f"{where} log"), []).append(log)
    out = []
    for position, raw_tx in enumerate(raw_txs):
        tx_where = f"{where} tx {raw_tx.get('hash')}"
        failed, created = tops[position]
        out.append(TxOutcome(
            status=0 if failed else 1,
            gas_used=None,
            effective_gas_price=f.optional_quantity(raw_tx, "gasPrice", tx_where),
            contract_address=created,
            logs=[] if failed else logs_by_tx.get(f.hash32(raw_tx, "hash", tx_where), []),
        ))
    return out


def _top_level_frames(
    traces: list[dict[str, Any]], trace_format: str, count: int, where: str
) -> list[tuple[bool, str | None]]:
    """(failed, created contract address) of each transaction's outermost call."""
    tops: dict[int, tuple[bool, str | None]] = {}
    if trace_format == "parity":
        for t in traces:
            if not isinstance(t, dict) or t.get("transactionPosition") is None or t.get("traceAddress") != []:
                continue
            result = t.get("result") or {}
            created = f.optional_address(result, "address", where) if t.get("type") == "create" else None
            tops[int(t["transactionPosition"])] = (bool(t.get("error")), created)
    elif trace_format == "calltracer":
        for position, entry in enumerate(traces):
            frame = entry.get("result") if isinstance(entry, dict) else None
            if not isinstance(frame, dict):
                raise IngestError(f"{where}: callTracer entry {position} has no result frame")
            kind = str(frame.get("type", "")).upper()
            created = f.optional_address(frame, "to", where) if kind in ("CREATE", "CREATE2") else None
            tops[position] = (bool(frame.get("error")), created if not frame.get("error") else None)
    else:
        raise IngestError(f"{where}: unknown trace format {trace_format!r}")
    missing = [i for i in range(count) if i not in tops]
    if missing or len(tops) != count:
        raise IngestError(f"{where}: traces cover {len(tops)} of {count} transactions (first missing: "
                          f"{missing[0] if missing else 'none'})")
    return [tops[i] for i in range(count)]


def _map_transaction(raw: dict[str, Any], outcome: TxOutcome, block: EvmBlock, where: str) -> EvmTransaction:
    data = raw.get("input") or raw.get("data") or "0x"
    return EvmTransaction(
        block_number=block.number,
        block_hash=block.hash,
        tx_index=f.quantity(raw, "transactionIndex", where),
        hash=f.hash32(raw, "hash", where),
        from_address=f.address(raw, "from", where),
        to_address=f.optional_address(raw, "to", where),
        value=f.quantity(raw, "value", where),
        nonce=f.quantity(raw, "nonce", where),
        gas=f.quantity(raw, "gas", where),
        gas_price=f.optional_quantity(raw, "gasPrice", where),
        gas_used=outcome.gas_used,
        effective_gas_price=outcome.effective_gas_price,
        status=outcome.status,
        contract_address=outcome.contract_address,
        input_selector=str(data)[:10].lower() if len(str(data)) >= 10 else None,
    )


def _transfer(
    tx: EvmTransaction, seq: int, kind: str, log_index: int | None, trace_address: str | None,
    sender: str, receiver: str, asset: str, amount: int,
) -> EvmTransfer:
    return EvmTransfer(tx.block_number, tx.hash, tx.tx_index, seq, kind, log_index, trace_address,
                       sender, receiver, asset, amount)


InternalMove = tuple[str, str, str, int]  # trace address, from, to, amount


def internal_transfers(
    traces: list[dict[str, Any]], trace_format: str, where: str
) -> dict[int, list[InternalMove]]:
    """Value-moving subcalls per transaction position, from `trace_block` (parity) or callTracer frames.

    The top-level call is left out (it is the transaction's own value); a failed call and all below
    it move nothing.
    """
    if trace_format == "parity":
        return _parity_internal(traces, where)
    if trace_format == "calltracer":
        return _calltracer_internal(traces, where)
    raise IngestError(f"{where}: unknown trace format {trace_format!r}")


def _parity_internal(traces: list[dict[str, Any]], where: str) -> dict[int, list[InternalMove]]:
    """Value-carrying subcalls from `trace_block`; a failed call and all below it move nothing."""
    failed: dict[int, list[list[int]]] = {}
    rows: list[tuple[int, list[int], dict[str, Any]]] = []
    for t in traces:
        if not isinstance(t, dict):
            raise IngestError(f"{where}: a trace is not an object")
        position = t.get("transactionPosition")
        if position is None:
            continue  # block and uncle rewards: not transfers between addresses
        address = t.get("traceAddress")
        if not isinstance(address, list):
            raise IngestError(f"{where}: trace without traceAddress")
        if t.get("error"):
            failed.setdefault(int(position), []).append(address)
        rows.append((int(position), address, t))
    moves: dict[int, list[InternalMove]] = {}
    for position, address, t in rows:
        if not address:
            continue  # the top-level call is the transaction's own value, already a native row
        if any(address[: len(bad)] == bad for bad in failed.get(position, [])):
            continue
        action = t.get("action") or {}
        kind = t.get("type")
        twhere = f"{where} trace {position}/{address}"
        if kind == "call":
            if action.get("callType") not in ("call", None):
                continue  # delegatecall / staticcall / callcode move no value of their own
            amount = f.quantity(action, "value", twhere)
            sender, receiver = f.address(action, "from", twhere), f.address(action, "to", twhere)
        elif kind == "create":
            amount = f.quantity(action, "value", twhere)
            result = t.get("result") or {}
            if result.get("address") is None:
                continue
            sender, receiver = f.address(action, "from", twhere), f.address(result, "address", twhere)
        elif kind == "suicide":
            amount = f.quantity(action, "balance", twhere)
            sender = f.address(action, "address", twhere)
            receiver = f.address(action, "refundAddress", twhere)
        else:
            continue
        if amount > 0:
            moves.setdefault(position, []).append(
                (",".join(str(i) for i in address), sender, receiver, amount))
    return moves


def _calltracer_internal(traces: list[dict[str, Any]], where: str) -> dict[int, list[InternalMove]]:
    """Value-carrying subcalls from `debug_traceBlockByNumber` with callTracer (one frame per tx)."""
    moves: dict[int, list[InternalMove]] = {}
    for position, entry in enumerate(traces):
        frame = entry.get("result") if isinstance(entry, dict) else None
        if not isinstance(frame, dict):
            raise IngestError(f"{where}: callTracer entry {position} has no result frame")
        if frame.get("error"):
            continue
        out: list[InternalMove] = []
        _walk_frames(frame.get("calls") or [], [], out, f"{where} tx {position}")
        if out:
            moves[position] = out
    return moves


def _walk_frames(calls: list[dict[str, Any]], parent: list[int], out: list[InternalMove], where: str) -> None:
    for i, frame in enumerate(calls):
        address = [*parent, i]
        if frame.get("error"):
            continue  # a reverted frame and everything under it moves nothing
        kind = str(frame.get("type", "")).upper()
        if kind in ("CALL", "CREATE", "CREATE2", "SELFDESTRUCT"):
            amount = f.optional_quantity(frame, "value", where) or 0
            if amount > 0 and frame.get("to"):
                out.append((",".join(map(str, address)), f.address(frame, "from", where),
                            f.address(frame, "to", where), amount))
        _walk_frames(frame.get("calls") or [], address, out, where)
