"""The UTXO-model records hotpursuit stores: blocks, outputs and inputs, amounts in satoshi.

A coinbase transaction has outputs and no input rows: its value is new, not spent from anywhere.
An input carries the address and value of the output it spends (its prevout), so the taint engine
never needs a join to know what entered a transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class UtxoBlock:
    """A block header as stored."""

    number: int
    hash: str
    parent_hash: str | None  # None only for a bitcoin-etl block whose parent is unknown
    timestamp: int
    transaction_count: int


@dataclass(frozen=True, slots=True)
class UtxoOutput:
    """One output: who it pays (if a standard script) and how much."""

    block_number: int
    tx_hash: str
    tx_index: int
    output_index: int
    address: str | None
    script_type: str
    script_hex: str
    value: int
    memo: str | None


@dataclass(frozen=True, slots=True)
class UtxoInput:
    """One input: the output it spends, with that output's address and value."""

    block_number: int
    tx_hash: str
    tx_index: int
    input_index: int
    spent_tx_hash: str
    spent_output_index: int
    address: str | None
    value: int


@dataclass(frozen=True, slots=True)
class UtxoBlockBundle:
    """Everything one block moved."""

    block: UtxoBlock
    outputs: list[UtxoOutput] = field(default_factory=list)
    inputs: list[UtxoInput] = field(default_factory=list)


Outpoint = tuple[str, int]  # (txid, output index)


@dataclass(frozen=True, slots=True)
class Prevout:
    """What an outpoint paid: needed to value an input."""

    address: str | None
    value: int
