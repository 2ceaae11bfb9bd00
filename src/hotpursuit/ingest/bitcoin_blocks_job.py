"""Importing raw Bitcoin blocks: Core's `blk*.dat` files (magic + length framing) or raw block hex.

Heights are not in a raw block: a block extends the genesis (height 0), a block already stored, or
a block earlier in the import; BIP-34 blocks (version 2+) state it in their coinbase; otherwise
`first_height` says where the import starts. The whole import is validated before anything is
stored; then it is written in chunks, each atomically.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bitcoin.core import b2lx

from hotpursuit.chains.btc_address import MAINNET, BtcNetwork
from hotpursuit.chains.btc_block import NULL_HASH, DecodedBlock, decode_block, decode_transaction, transaction_outputs
from hotpursuit.chains.utxo_records import Outpoint, Prevout
from hotpursuit.errors import IngestError
from hotpursuit.ingest.bitcoin_source import UtxoIngestStats, bundles_for_chunk, store_chunk
from hotpursuit.store.database import Store
from hotpursuit.store.utxo_tables import stored_heights

MAGICS = {bytes.fromhex("f9beb4d9"): "main", bytes.fromhex("0b110907"): "test",
          bytes.fromhex("fabfb5da"): "regtest", bytes.fromhex("0a03cf40"): "signet"}
MAX_BLOCK_BYTES = 4_000_000 + 1_000


@dataclass(frozen=True)
class RawBlock:
    """One serialised block and where it came from."""

    data: bytes
    where: str


def read_raw_blocks(path: Path) -> list[RawBlock]:
    """The blocks in a `blk*.dat` file or a text file of raw block hex (one per line)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"{path}: cannot read ({exc.strerror})") from exc
    if data[:4] in MAGICS:
        return _read_framed(path, data)
    return _read_hex_lines(path, data)


def _read_framed(path: Path, data: bytes) -> list[RawBlock]:
    magic = data[:4]
    out, offset = [], 0
    while offset < len(data):
        if data[offset:offset + 4] == b"\0\0\0\0" and not data[offset:].strip(b"\0"):
            break  # Core pre-allocates blk files: the zero tail is not data
        if data[offset:offset + 4] != magic:
            raise IngestError(f"{path}: byte {offset}: wrong magic {data[offset:offset + 4].hex()} "
                              f"(the file starts with {magic.hex()}, {MAGICS[magic]}net)")
        if offset + 8 > len(data):
            raise IngestError(f"{path}: byte {offset}: truncated block length")
        length = int.from_bytes(data[offset + 4:offset + 8], "little")
        if length < 81 or length > MAX_BLOCK_BYTES:
            raise IngestError(f"{path}: byte {offset}: block length {length} is not possible")
        body = data[offset + 8:offset + 8 + length]
        if len(body) < length:
            raise IngestError(f"{path}: byte {offset}: block truncated ({len(body)} of {length} bytes)")
        out.append(RawBlock(body, f"{path}: byte {offset}: block"))
        offset += 8 + length
    return out


def _read_hex_lines(path: Path, data: bytes) -> list[RawBlock]:
    out = []
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError as exc:
        raise IngestError(f"{path}: neither a blk*.dat file (no known magic) nor text of block hex") from exc
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            out.append(RawBlock(bytes.fromhex(line), f"{path}:{number}: block"))
        except ValueError as exc:
            raise IngestError(f"{path}:{number}: not hex ({exc})") from exc
    return out


def read_prevout_transactions(path: Path, network: BtcNetwork = MAINNET) -> dict[Outpoint, Prevout]:
    """Outputs of raw transactions (hex, one per line): funding transactions of a partial import."""
    found: dict[Outpoint, Prevout] = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        try:
            tx = decode_transaction(bytes.fromhex(line.strip()), where=f"{path}:{number}")
        except ValueError as exc:
            raise IngestError(f"{path}:{number}: not hex ({exc})") from exc
        txid = b2lx(tx.GetTxid())
        for o in transaction_outputs(tx, txid, -1, -1, network):
            found[(txid, o.output_index)] = Prevout(o.address, o.value)
    return found


def assign_heights(store: Store, chain: str, blocks: Sequence[tuple[DecodedBlock, str]],
                   first_height: int | None) -> list[tuple[int, DecodedBlock]]:
    """Height of every block, from its parent (stored or in this import), BIP-34, or `first_height`."""
    by_hash = {d.hash: d for d, _ in blocks}
    known = stored_heights(store, chain, [d.parent_hash for d, _ in blocks])
    heights: dict[str, int] = {}
    pending = list(blocks)
    used_first = False
    while pending:
        progressed, rest = False, []
        for decoded, where in pending:
            parent = decoded.parent_hash
            if parent == NULL_HASH:
                heights[decoded.hash] = 0
            elif parent in heights:
                heights[decoded.hash] = heights[parent] + 1
            elif parent in known:
                heights[decoded.hash] = known[parent] + 1
            elif (h := _bip34_height(decoded)) is not None:
                heights[decoded.hash] = h
            elif parent not in by_hash and first_height is not None and not used_first:
                heights[decoded.hash] = first_height
                used_first = True
            else:
                rest.append((decoded, where))
                continue
            progressed = True
        if not progressed:
            decoded, where = rest[0]
            raise IngestError(f"{where} {decoded.hash}: height unknown: its parent {decoded.parent_hash} is "
                              "neither stored nor in this import (pass --first-height)")
        pending = rest
    return sorted(((heights[d.hash], d) for d, _ in blocks), key=lambda hb: hb[0])


def _bip34_height(decoded: DecodedBlock) -> int | None:
    """The height a version-2+ block's coinbase commits to (BIP-34), if any."""
    coinbase = decoded.transactions[0]
    if decoded.version < 2:
        return None
    script = bytes(coinbase.vin[0].scriptSig)
    if not script or not 1 <= script[0] <= 8 or len(script) < 1 + script[0]:
        return None
    return int.from_bytes(script[1:1 + script[0]], "little")


ProgressCallback = Callable[[int, UtxoIngestStats], None]


def import_bitcoin_blocks(store: Store, paths: Sequence[Path], *, chain: str = "bitcoin",
                          first_height: int | None = None, network: BtcNetwork = MAINNET,
                          prevout_files: Sequence[Path] = (), chunk_blocks: int = 100,
                          progress: ProgressCallback | None = None) -> UtxoIngestStats:
    """Decode and check every block of `paths`, then store them in height order."""
    raw = [rb for p in paths for rb in read_raw_blocks(p)]
    if not raw:
        raise IngestError(f"{', '.join(map(str, paths))}: no blocks found")
    decoded = [(decode_block(rb.data, where=rb.where), rb.where) for rb in raw]
    ordered = assign_heights(store, chain, decoded, first_height)
    extra: dict[Outpoint, Prevout] = {}
    for f in prevout_files:
        extra.update(read_prevout_transactions(f, network))
    # resolve every input before writing anything: a missing prevout fails the whole import
    bundles = bundles_for_chunk(store, chain, ordered, extra, network)
    stats = UtxoIngestStats()
    source = "file:" + ",".join(map(str, paths))
    for i in range(0, len(bundles), chunk_blocks):
        chunk = bundles[i:i + chunk_blocks]
        store_chunk(store, chain, chunk, source, None, stats)
        if progress:
            progress(len(chunk), stats)
    return stats
