"""Benchmark: Bitcoin raw-block import, and the same blocks through the RPC test server.

Builds a chain of at least 200 MB made of real transactions: the drill's Bitcoin leg (signed taproot
and P2WPKH spends, OP_RETURN memos), then three blocks whose coinbases are the real 2010 mainnet
coinbases that block 50001 spends, then ~1 MB blocks each holding a fresh coinbase and the real
transactions of block 50001 and of the leg, repeated. (The repeats spend the same outputs again:
a throughput test, not a valid chain; hotpursuit records, it does not validate consensus.)
Then, in one run:
  * `import bitcoin-blocks` of the chain as a blk*.dat file: blocks/s, transactions/s, MB/s;
  * `ingest bitcoin --esplora` and `--rpc` (getblock verbosity 3) against the test server running in
    a separate process, over the same blocks.
Usage: python benchmarks/bench_bitcoin_import.py [--mb 200] [--rpc-mb 200]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bitcoin.core import CBlock, COutPoint, CTransaction, CTxIn, CTxOut, b2lx
from bitcoin.core.script import CScript
from eth_utils import keccak

from hotpursuit.drill.bitcoin_leg import build_bitcoin_leg, memo_address
from hotpursuit.drill.devnet.bitcoin_fixtures import blk_file_bytes, shared_funding_transactions, shared_mainnet_blocks
from hotpursuit.ingest.bitcoin_blocks_job import import_bitcoin_blocks
from hotpursuit.ingest.bitcoin_node_job import BitcoinIngest, CoreRpcSource, EsploraSource
from hotpursuit.store import Store

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "bitcoin-etl-mainnet"
MINER = CScript(bytes.fromhex("0014") + bytes(20))


def _coinbase(height: int) -> CTransaction:
    script = CScript([height, b"hotpursuit-bench"])
    return CTransaction([CTxIn(COutPoint(), script)], [CTxOut(50 * 100_000_000, MINER)], nVersion=1)


def _block(prev: str, vtx: list[CTransaction], timestamp: int) -> bytes:
    block = CBlock(nVersion=0x20000000, hashPrevBlock=bytes.fromhex(prev)[::-1], nTime=timestamp,
                   nBits=0x207FFFFF, vtx=vtx)
    block = CBlock(nVersion=0x20000000, hashPrevBlock=block.hashPrevBlock, hashMerkleRoot=block.calc_merkle_root(),
                   nTime=timestamp, nBits=0x207FFFFF, vtx=vtx)
    raw: bytes = block.serialize()
    return raw


def build_chain(megabytes: int) -> list[bytes]:
    """Height-ordered serialised blocks of the benchmark chain."""
    deposits = [{"index": i, "tx_hash": "0x" + keccak(text=f"bench-deposit-{i}").hex(), "memo": f"=:BTC.BTC:{i}",
                 "btc_address": memo_address(7, i), "amount": (i + 1) * 10**21} for i in range(12)]
    leg = build_bitcoin_leg(7, deposits, start_time=1_740_100_000)
    blocks = [raw for _, raw in leg.blocks]
    prev = b2lx(CBlock.deserialize(blocks[-1]).GetHash())
    for raw_tx, _ in shared_funding_transactions(SHARED).values():
        blocks.append(_block(prev, [CTransaction.deserialize(raw_tx)], 1_740_200_000 + len(blocks)))
        prev = b2lx(CBlock.deserialize(blocks[-1]).GetHash())
    b50001 = next(b for b in shared_mainnet_blocks(SHARED) if b.height == 50001)
    mix = list(CBlock.deserialize(b50001.raw).vtx[1:])
    for raw in leg.blocks:
        mix += list(CBlock.deserialize(raw[1]).vtx[1:])
    mix_bytes = sum(len(tx.serialize()) for tx in mix)
    per_block = max(1, 1_000_000 // mix_bytes)
    total = sum(map(len, blocks))
    while total < megabytes * 1_000_000:
        height = len(blocks)
        blocks.append(_block(prev, [_coinbase(height), *(mix * per_block)], 1_740_300_000 + height))
        prev = b2lx(CBlock.deserialize(blocks[-1]).GetHash())
        total += len(blocks[-1])
    return blocks


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=200, help="size of the raw-import chain")
    parser.add_argument("--rpc-mb", type=int, default=200, help="size of the chain served over HTTP")
    args = parser.parse_args()
    t0 = time.perf_counter()
    blocks = build_chain(args.mb)
    size = sum(map(len, blocks))
    print(f"chain: {len(blocks):,} blocks, {size / 1e6:,.0f} MB, built in {time.perf_counter() - t0:.1f} s")
    with tempfile.TemporaryDirectory() as tmp:
        blk = Path(tmp) / "blk00000.dat"
        blk.write_bytes(blk_file_bytes(blocks))
        with Store.open(Path(tmp) / "raw.duckdb") as store:
            t0 = time.perf_counter()
            stats = import_bitcoin_blocks(store, [blk])
            raw_s = time.perf_counter() - t0
        txs = stats.transactions
        print(f"raw import          : {stats.blocks / raw_s:8.1f} blocks/s {txs / raw_s:>10,.0f} tx/s "
              f"{size / 1e6 / raw_s:6.1f} MB/s ({raw_s:.1f} s; {stats.outputs:,} outputs, {stats.inputs:,} inputs)")

        served = blocks
        while sum(map(len, served)) > args.rpc_mb * 1_000_000 and len(served) > 1:
            served = served[:-1]
        served_size = sum(map(len, served))
        hex_file = Path(tmp) / "served.hex"
        hex_file.write_text("\n".join(b.hex() for b in served))
        t0 = time.perf_counter()
        server = subprocess.Popen([sys.executable, "-m", "hotpursuit.drill.devnet.bitcoin_server", str(hex_file)],
                                  stdout=subprocess.PIPE, text=True)
        try:
            assert server.stdout is not None
            url = server.stdout.readline().strip()
            print(f"test server (separate process) ready in {time.perf_counter() - t0:.1f} s at {url}")
            for name, source in (("esplora (raw)", EsploraSource(url + "esplora")),
                                 ("core rpc (verbosity 3)", CoreRpcSource(url))):
                with Store.open(Path(tmp) / f"{name[:4]}.duckdb") as store:
                    t0 = time.perf_counter()
                    s = BitcoinIngest(source, store, batch_size=5).ingest_range(0, len(served) - 1)
                    secs = time.perf_counter() - t0
                print(f"{name:<20}: {s.blocks / secs:8.1f} blocks/s {s.transactions / secs:>10,.0f} tx/s "
                      f"{served_size / 1e6 / secs:6.1f} MB/s ({secs:.1f} s; {served_size / 1e6:,.0f} MB served) "
                      f"ratio to raw import: {(served_size / secs) / (size / raw_s):.2f}")
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
