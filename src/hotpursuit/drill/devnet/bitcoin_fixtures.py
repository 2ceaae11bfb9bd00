"""Real mainnet blocks rebuilt byte for byte from Bitcoin Core `getblock` (verbosity 2) replies.

A verbosity-2 reply holds every header field and each transaction's raw hex, so the serialised block
can be rebuilt exactly; the rebuilt header must hash to the reply's block hash, and the decoder then
checks the merkle root, so nothing here is invented.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from hotpursuit.chains.btc_block import raw_block_from_core_json


@dataclass(frozen=True)
class FixtureBlock:
    """A real block: its height and serialised bytes."""

    height: int
    raw: bytes


def shared_mainnet_blocks(data_dir: Path) -> list[FixtureBlock]:
    """Every distinct real `getblock` verbosity-2 reply under `data_dir` (bitcoin-etl-mainnet)."""
    seen: dict[str, FixtureBlock] = {}
    for path in sorted(data_dir.glob("*/rpc_response_getblock_*_2.json")):
        reply = json.loads(path.read_text())
        if reply["hash"] not in seen:
            seen[reply["hash"]] = FixtureBlock(int(reply["height"]), raw_block_from_core_json(reply))
    return sorted(seen.values(), key=lambda b: b.height)


def shared_funding_transactions(data_dir: Path) -> dict[str, tuple[bytes, str]]:
    """Raw hex and block hash of the real `getrawtransaction` replies (prevouts of block 50001)."""
    out = {}
    for path in sorted(data_dir.glob("*/rpc_response_getrawtransaction_*.json")):
        reply = json.loads(path.read_text())
        out[reply["txid"]] = (bytes.fromhex(reply["hex"]), str(reply["blockhash"]))
    return out


def blk_file_bytes(blocks: list[bytes], magic: bytes = bytes.fromhex("f9beb4d9")) -> bytes:
    """Blocks framed as in Core's blk*.dat files."""
    return b"".join(magic + len(b).to_bytes(4, "little") + b for b in blocks)
