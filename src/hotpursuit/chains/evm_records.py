"""The account-model records hotpursuit stores: blocks, transactions, transfers, tokens.

Amounts are Python ints in base units (wei or token units) and stay exact end to end.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hotpursuit.chains.bridge_memo import BridgeDeposit

NATIVE_ASSET = "ETH"


@dataclass(frozen=True, slots=True)
class EvmBlock:
    """A block header as stored."""

    number: int
    hash: str
    parent_hash: str
    timestamp: int
    miner: str | None
    gas_used: int | None
    gas_limit: int | None
    base_fee_per_gas: int | None
    transaction_count: int


@dataclass(frozen=True, slots=True)
class EvmTransaction:
    """A transaction with its receipt's outcome (status 0 moves no value)."""

    block_number: int
    block_hash: str
    tx_index: int
    hash: str
    from_address: str
    to_address: str | None
    value: int
    nonce: int
    gas: int
    gas_price: int | None
    gas_used: int | None
    effective_gas_price: int | None
    status: int | None
    contract_address: str | None
    input_selector: str | None


@dataclass(frozen=True, slots=True)
class EvmTransfer:
    """One movement of value: native (tx value), internal (traced call) or erc20 (Transfer log)."""

    block_number: int
    tx_hash: str
    tx_index: int
    seq: int
    kind: str
    log_index: int | None
    trace_address: str | None
    from_address: str
    to_address: str
    asset: str
    amount: int


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """ERC-20 metadata read once per token; None where the contract does not say."""

    address: str
    symbol: str | None
    name: str | None
    decimals: int | None


@dataclass(frozen=True, slots=True)
class EvmBlockBundle:
    """Everything ingested from one block, ready to be written atomically."""

    block: EvmBlock
    transactions: list[EvmTransaction]
    transfers: list[EvmTransfer]
    bridge_deposits: list[BridgeDeposit] = field(default_factory=list)
