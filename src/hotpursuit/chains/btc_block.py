"""Decoding raw Bitcoin blocks and transactions (segwit included) into UTXO records. Pure.

Parsing is python-bitcoinlib's (`CBlock`, `CTransaction`, witness aware); every block's merkle root
is recomputed from its transactions and compared with the header. Amounts come from the serialised
8-byte values, so they are exact satoshi integers whatever the source's JSON says.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bitcoin.core import CBlock, CTransaction, b2lx
from bitcoin.core.serialize import SerializationError, VarIntSerializer

from hotpursuit.chains.btc_address import MAINNET, BtcNetwork
from hotpursuit.chains.btc_script import classify_output_script
from hotpursuit.chains.utxo_records import (
    Outpoint,
    Prevout,
    UtxoBlock,
    UtxoBlockBundle,
    UtxoInput,
    UtxoOutput,
)
from hotpursuit.errors import IngestError

NULL_HASH = "00" * 32


@dataclass(frozen=True)
class DecodedBlock:
    """A parsed, merkle-checked block."""

    hash: str
    parent_hash: str
    timestamp: int
    transactions: list[CTransaction]
    txids: list[str]
    version: int


def decode_block(raw: bytes, *, where: str = "block") -> DecodedBlock:
    """Parse a serialised block and check its merkle root; IngestError naming the block if not."""
    try:
        block = CBlock.deserialize(raw)
    except SerializationError as exc:
        named = f"{where} {header_hash(raw)}" if len(raw) >= 80 else where
        raise IngestError(f"{named}: not a whole block ({exc.__class__.__name__}: {exc})") from exc
    except (ValueError, IndexError) as exc:
        raise IngestError(f"{where}: not a block ({exc})") from exc
    block_hash = header_hash(raw)
    if not block.vtx or not block.vtx[0].is_coinbase():
        raise IngestError(f"{where} {block_hash}: first transaction is not a coinbase")
    txids = [tx.GetTxid() for tx in block.vtx]  # internal byte order; each tx serialised once
    root = merkle_root(txids)
    if root != block.hashMerkleRoot:
        raise IngestError(f"{where} {block_hash}: merkle root in the header ({b2lx(block.hashMerkleRoot)}) "
                          f"does not match its transactions ({b2lx(root)})")
    return DecodedBlock(block_hash, b2lx(block.hashPrevBlock), int(block.nTime), list(block.vtx),
                        [b2lx(t) for t in txids], int(block.nVersion))


def merkle_root(txids: list[bytes]) -> bytes:
    """The Bitcoin merkle root of txids in internal byte order (odd levels repeat their last hash)."""
    level = list(txids)
    while len(level) > 1:
        if len(level) % 2:
            level.append(level[-1])
        level = [_sha256d(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def _sha256d(data: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def decode_transaction(raw: bytes, *, where: str = "transaction") -> CTransaction:
    """Parse one serialised transaction (segwit or legacy)."""
    try:
        return CTransaction.deserialize(raw)
    except (SerializationError, ValueError, IndexError) as exc:
        raise IngestError(f"{where}: not a whole transaction ({exc.__class__.__name__}: {exc})") from exc


def transaction_outputs(tx: CTransaction, txid: str, block_number: int, tx_index: int,
                        network: BtcNetwork = MAINNET) -> list[UtxoOutput]:
    """The outputs of one transaction as records."""
    out = []
    for n, vout in enumerate(tx.vout):
        script = bytes(vout.scriptPubKey)
        info = classify_output_script(script, network)
        out.append(UtxoOutput(block_number, txid, tx_index, n, info.address, info.script_type, script.hex(),
                              int(vout.nValue), info.memo))
    return out


PrevoutLookup = Callable[[Outpoint], Prevout | None]


def block_bundle(decoded: DecodedBlock, height: int, prevouts: PrevoutLookup,
                 network: BtcNetwork = MAINNET) -> UtxoBlockBundle:
    """Records of a decoded block; inputs are valued from outputs earlier in the block, else `prevouts`.

    A prevout found nowhere is an IngestError naming the block, the transaction and the outpoint.
    """
    header = UtxoBlock(height, decoded.hash, decoded.parent_hash, decoded.timestamp, len(decoded.transactions))
    bundle = UtxoBlockBundle(header)
    in_block: dict[Outpoint, Prevout] = {}
    for tx_index, (tx, txid) in enumerate(zip(decoded.transactions, decoded.txids, strict=True)):
        if tx_index > 0 and tx.is_coinbase():
            raise IngestError(f"block {height} {decoded.hash}: transaction {tx_index} is a second coinbase")
        if not tx.is_coinbase():
            for i, vin in enumerate(tx.vin):
                point = (b2lx(vin.prevout.hash), int(vin.prevout.n))
                prev = in_block.get(point) or prevouts(point)
                if prev is None:
                    raise IngestError(f"block {height} {decoded.hash}: tx {txid} input {i} spends "
                                      f"{point[0]}:{point[1]}, which is not in the store or this import")
                bundle.inputs.append(UtxoInput(height, txid, tx_index, i, point[0], point[1], prev.address,
                                               prev.value))
        for output in transaction_outputs(tx, txid, height, tx_index, network):
            bundle.outputs.append(output)
            in_block[(txid, output.output_index)] = Prevout(output.address, output.value)
    return bundle


def prevouts_from(outputs: Mapping[Outpoint, Prevout]) -> PrevoutLookup:
    """A lookup over a mapping (outputs of blocks decoded earlier in the same import)."""
    return outputs.get


def raw_block_from_core_json(reply: dict[str, Any]) -> bytes:
    """The serialised block described by a `getblock <hash> 2` reply."""
    header = (
        int(reply["version"]).to_bytes(4, "little", signed=True)
        + bytes.fromhex(reply.get("previousblockhash", "00" * 32))[::-1]
        + bytes.fromhex(reply["merkleroot"])[::-1]
        + int(reply["time"]).to_bytes(4, "little")
        + bytes.fromhex(reply["bits"])[::-1]
        + int(reply["nonce"]).to_bytes(4, "little")
    )
    if header_hash(header) != reply["hash"]:
        raise IngestError(f"getblock reply {reply['hash']}: header fields do not hash to the block hash")
    txs = b"".join(bytes.fromhex(tx["hex"]) for tx in reply["tx"])
    count: bytes = VarIntSerializer.serialize(len(reply["tx"]))
    return header + count + txs


def header_hash(raw: bytes) -> str:
    """The block hash (display order) of a serialised header or block."""
    return _sha256d(raw[:80])[::-1].hex()
