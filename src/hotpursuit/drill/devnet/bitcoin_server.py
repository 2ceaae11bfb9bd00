"""A small HTTP server that answers Bitcoin Core JSON-RPC and Esplora REST from serialised blocks.

No Bitcoin node can be installed here, so ingest is tested against this server. It holds real
mainnet blocks (or the drill's Bitcoin leg) as bytes and derives every reply from them with the
project's decoder: txids, scripts, values, prevouts (from its own blocks and the funding
transactions it is given). Values in Core replies are BTC with 8 decimals, as Core writes them.
`set_chain` swaps the served chain, which is how tests make a reorg.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from collections.abc import Sequence
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bitcoin.core import CTransaction, b2lx

from hotpursuit.chains.btc_address import MAINNET, BtcNetwork
from hotpursuit.chains.btc_block import DecodedBlock, decode_block
from hotpursuit.chains.btc_script import classify_output_script

_BTC = re.compile(r'"__btc__(-?\d+\.\d{8})"')
ESPLORA_PAGE = 25


def _btc(sats: int) -> str:
    return f"__btc__{Decimal(sats) / Decimal(100_000_000):.8f}"


class _Chain:
    def __init__(self, blocks: Sequence[tuple[int, bytes]], funding: Sequence[bytes], network: BtcNetwork) -> None:
        self.network = network
        self.by_height: dict[int, str] = {}
        self.raw: dict[str, bytes] = {}
        self._recent: dict[str, DecodedBlock] = {}  # a few decoded blocks; the rest stay bytes
        self.height_of: dict[str, int] = {}
        self.txs: dict[str, tuple[CTransaction, str | None]] = {}
        for raw_tx in funding:
            tx = CTransaction.deserialize(raw_tx)
            self.txs[b2lx(tx.GetTxid())] = (tx, None)
        for height, raw in sorted(blocks):
            d = decode_block(raw)
            self.by_height[height] = d.hash
            self.raw[d.hash] = raw
            self.height_of[d.hash] = height
            for tx, txid in zip(d.transactions, d.txids, strict=True):
                self.txs.setdefault(txid, (tx, d.hash))

    def decoded(self, block_hash: str) -> DecodedBlock:
        if block_hash not in self._recent:
            if len(self._recent) >= 8:
                self._recent.pop(next(iter(self._recent)))
            self._recent[block_hash] = decode_block(self.raw[block_hash])
        return self._recent[block_hash]

    @property
    def tip(self) -> int:
        return max(self.by_height) if self.by_height else -1

    def script_json(self, script: bytes, core: bool) -> dict[str, Any]:
        info = classify_output_script(script, self.network)
        if core:
            out: dict[str, Any] = {"hex": script.hex(), "type": info.script_type}
            if info.address and info.script_type != "p2pk":
                out["address"] = info.address
            return out
        esplora: dict[str, Any] = {"scriptpubkey": script.hex(), "scriptpubkey_type": info.script_type}
        if info.address and info.script_type != "p2pk":
            esplora["scriptpubkey_address"] = info.address
        return esplora

    def prevout(self, txid: str, n: int) -> tuple[bytes, int] | None:
        found = self.txs.get(txid)
        if found is None or n >= len(found[0].vout):
            return None
        out = found[0].vout[n]
        return bytes(out.scriptPubKey), int(out.nValue)

    def core_tx(self, tx: CTransaction, txid: str, verbosity: int) -> dict[str, Any]:
        vin: list[dict[str, Any]] = []
        for i in tx.vin:
            if tx.is_coinbase():
                vin.append({"coinbase": bytes(i.scriptSig).hex(), "sequence": i.nSequence})
                continue
            entry: dict[str, Any] = {"txid": b2lx(i.prevout.hash), "vout": i.prevout.n,
                                     "scriptSig": {"hex": bytes(i.scriptSig).hex()}, "sequence": i.nSequence}
            prev = self.prevout(b2lx(i.prevout.hash), i.prevout.n)
            if verbosity >= 3 and prev is not None:
                entry["prevout"] = {"value": _btc(prev[1]), "scriptPubKey": self.script_json(prev[0], True)}
            vin.append(entry)
        return {"txid": txid, "hash": b2lx(tx.GetHash()), "version": tx.nVersion, "locktime": tx.nLockTime,
                "size": len(tx.serialize()), "vin": vin,
                "vout": [{"value": _btc(o.nValue), "n": n,
                          "scriptPubKey": self.script_json(bytes(o.scriptPubKey), True)}
                         for n, o in enumerate(tx.vout)],
                "hex": tx.serialize().hex()}

    def core_block(self, block_hash: str, verbosity: int) -> Any:
        raw = self.raw[block_hash]
        if verbosity == 0:
            return raw.hex()
        d = self.decoded(block_hash)
        height = self.height_of[block_hash]
        out: dict[str, Any] = {
            "hash": d.hash, "confirmations": self.tip - height + 1, "height": height, "version": d.version,
            "merkleroot": raw[36:68][::-1].hex(), "time": d.timestamp, "nonce": int.from_bytes(raw[76:80], "little"),
            "bits": raw[72:76][::-1].hex(), "nTx": len(d.transactions), "size": len(raw)}
        if height > 0:
            out["previousblockhash"] = d.parent_hash
        if height + 1 in self.by_height:
            out["nextblockhash"] = self.by_height[height + 1]
        if verbosity == 1:
            out["tx"] = d.txids
        else:
            out["tx"] = [self.core_tx(tx, txid, verbosity) for tx, txid in zip(d.transactions, d.txids, strict=True)]
        return out

    def esplora_tx(self, tx: CTransaction, txid: str) -> dict[str, Any]:
        vin = []
        for i in tx.vin:
            if tx.is_coinbase():
                vin.append({"txid": "00" * 32, "vout": 4294967295, "is_coinbase": True, "prevout": None,
                            "scriptsig": bytes(i.scriptSig).hex(), "sequence": i.nSequence})
                continue
            prev = self.prevout(b2lx(i.prevout.hash), i.prevout.n)
            prevout = None if prev is None else {**self.script_json(prev[0], False), "value": prev[1]}
            vin.append({"txid": b2lx(i.prevout.hash), "vout": i.prevout.n, "is_coinbase": False, "prevout": prevout,
                        "scriptsig": bytes(i.scriptSig).hex(), "sequence": i.nSequence})
        return {"txid": txid, "version": tx.nVersion, "locktime": tx.nLockTime, "vin": vin,
                "vout": [{**self.script_json(bytes(o.scriptPubKey), False), "value": int(o.nValue)} for o in tx.vout]}


class BitcoinTestServer:
    """Core RPC at `/` (POST) and Esplora at `/esplora/...` (GET), on 127.0.0.1 and a free port."""

    def __init__(self, blocks: Sequence[tuple[int, bytes]], funding: Sequence[bytes] = (), *,
                 network: BtcNetwork = MAINNET, rpc_user: str | None = None, rpc_password: str | None = None,
                 support_verbosity_3: bool = True) -> None:
        self._chain = _Chain(blocks, funding, network)
        self._funding = list(funding)
        self._network = network
        self._auth = None if rpc_user is None else "Basic " + base64.b64encode(
            f"{rpc_user}:{rpc_password}".encode()).decode()
        self.support_verbosity_3 = support_verbosity_3
        self.delay_seconds = 0.0  # a slow node, for kill-mid-run tests
        self.requests = 0
        handler = self._handler()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def rpc_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/"

    @property
    def esplora_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/esplora"

    def set_chain(self, blocks: Sequence[tuple[int, bytes]]) -> None:
        """Serve another chain from now on (a reorg, or new blocks at the tip)."""
        self._chain = _Chain(blocks, self._funding, self._network)

    def __enter__(self) -> BitcoinTestServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    # ---- request handling ---------------------------------------------------------------
    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                server.requests += 1
                time.sleep(server.delay_seconds)
                if server._auth is not None and self.headers.get("Authorization") != server._auth:
                    self._send(401, b"", "text/plain")
                    return
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                replies = [server._rpc(c) for c in body] if isinstance(body, list) else server._rpc(body)
                self._send(200, _BTC.sub(r"\1", json.dumps(replies)).encode(), "application/json")

            def do_GET(self) -> None:
                server.requests += 1
                status, payload, kind = server._esplora(self.path)
                self._send(status, payload, kind)

            def _send(self, status: int, payload: bytes, kind: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        return Handler

    def _rpc(self, call: dict[str, Any]) -> dict[str, Any]:
        chain = self._chain
        method, params, cid = call.get("method"), call.get("params") or [], call.get("id")

        def error(code: int, message: str) -> dict[str, Any]:
            return {"result": None, "error": {"code": code, "message": message}, "id": cid}

        if method == "getblockcount":
            result: Any = chain.tip
        elif method == "getbestblockhash":
            result = chain.by_height[chain.tip]
        elif method == "getblockhash":
            if params[0] not in chain.by_height:
                return error(-8, "Block height out of range")
            result = chain.by_height[params[0]]
        elif method in ("getblock", "getblockheader"):
            block_hash = params[0]
            if block_hash not in chain.raw:
                return error(-5, "Block not found")
            verbosity = 1 if method == "getblockheader" else (params[1] if len(params) > 1 else 1)
            if verbosity == 3 and not self.support_verbosity_3:
                return error(-8, "Verbosity value out of range")
            result = chain.core_block(block_hash, verbosity)
            if method == "getblockheader":
                result.pop("tx", None)
        elif method == "getrawtransaction":
            found = chain.txs.get(params[0])
            if found is None:
                return error(-5, "No such mempool or blockchain transaction")
            result = found[0].serialize().hex() if not (len(params) > 1 and params[1]) else \
                chain.core_tx(found[0], params[0], 2)
        else:
            return error(-32601, "Method not found")
        return {"result": result, "error": None, "id": cid}

    def _esplora(self, path: str) -> tuple[int, bytes, str]:
        chain = self._chain
        parts = path.split("?")[0].strip("/").split("/")
        if not parts or parts[0] != "esplora":
            return 404, b"not found", "text/plain"
        parts = parts[1:]
        try:
            if parts == ["blocks", "tip", "height"]:
                return 200, str(chain.tip).encode(), "text/plain"
            if len(parts) == 2 and parts[0] == "block-height":
                h = int(parts[1])
                if h not in chain.by_height:
                    return 404, b"Block not found", "text/plain"
                return 200, chain.by_height[h].encode(), "text/plain"
            if len(parts) >= 2 and parts[0] == "block" and parts[1] in chain.raw:
                block_hash = parts[1]
                d = chain.decoded(block_hash)
                if len(parts) == 2:
                    meta = chain.core_block(block_hash, 1)
                    return 200, json.dumps({"id": block_hash, "height": meta["height"],
                                            "previousblockhash": meta.get("previousblockhash"),
                                            "timestamp": d.timestamp, "tx_count": meta["nTx"],
                                            "merkle_root": meta["merkleroot"]}).encode(), "application/json"
                if parts[2:] == ["raw"]:
                    return 200, chain.raw[block_hash], "application/octet-stream"
                if parts[2] == "txs":
                    start = int(parts[3]) if len(parts) > 3 else 0
                    page = [chain.esplora_tx(tx, txid) for tx, txid in
                            list(zip(d.transactions, d.txids, strict=True))[start:start + ESPLORA_PAGE]]
                    return 200, json.dumps(page).encode(), "application/json"
            if len(parts) == 3 and parts[0] == "tx" and parts[2] == "hex" and parts[1] in chain.txs:
                return 200, chain.txs[parts[1]][0].serialize().hex().encode(), "text/plain"
        except (ValueError, IndexError):
            return 400, b"bad request", "text/plain"
        return 404, b"not found", "text/plain"


def main() -> None:  # pragma: no cover - exercised by the benchmark as a separate process
    """`python -m hotpursuit.drill.devnet.bitcoin_server BLOCKS.hex`: serve height-ordered raw block hex lines."""
    import sys
    from pathlib import Path

    lines = Path(sys.argv[1]).read_text().split()
    server = BitcoinTestServer([(h, bytes.fromhex(ln)) for h, ln in enumerate(lines)])
    with server:
        print(server.rpc_url, flush=True)
        threading.Event().wait()


if __name__ == "__main__":  # pragma: no cover
    main()
