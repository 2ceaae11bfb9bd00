"""Reference integration: a stablecoin issuer that blacklists the holding address on chain.

A freeze request for its token at an address sends `addBlackList(address)` from the issuer's account
and waits for it to be mined: the holder's next transfer of the token reverts. It answers accepted
with the tainted amount requested, or partial with the balance if the address holds less by then.
A retraction sends `removeBlackList(address)`.

    python examples/issuer_receiver.py --port 9102 --secret whsec_... --api http://127.0.0.1:8080 \
        --api-key hp_... --db issuer.sqlite --rpc http://127.0.0.1:8545 --token 0x... --issuer 0x... \
        [--gas-price WEI]
"""

from __future__ import annotations

import argparse
import sqlite3
import time
from typing import Any

import httpx
from eth_abi import encode
from eth_utils import function_signature_to_4byte_selector
from webhook_inbox import WebhookInbox


def call_data(signature: str, address: str) -> str:
    """ABI-encoded call of a one-address function."""
    return "0x" + (function_signature_to_4byte_selector(signature) + encode(["address"], [address])).hex()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name in ("--secret", "--api", "--api-key", "--db", "--rpc", "--token", "--issuer"):
        parser.add_argument(name, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--gas-price", type=int, help="wei per gas (default: the node's suggestion)")
    args = parser.parse_args()
    with sqlite3.connect(args.db, isolation_level=None) as con:  # the issuer's own record of its freezes
        con.execute("""CREATE TABLE IF NOT EXISTS blacklistings (request TEXT PRIMARY KEY, address TEXT,
                       amount TEXT, tx TEXT, block INTEGER, active INTEGER)""")

    def rpc(method: str, params: list[Any]) -> Any:
        reply = httpx.post(args.rpc, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params},
                           timeout=30).json()
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply["result"]

    def send(signature: str, address: str) -> dict[str, Any]:
        tx_fields = {"from": args.issuer, "to": args.token, "gas": hex(100_000), "data": call_data(signature, address)}
        if args.gas_price is not None:
            tx_fields["gasPrice"] = hex(args.gas_price)
        tx = rpc("eth_sendTransaction", [tx_fields])
        for _ in range(600):
            receipt = rpc("eth_getTransactionReceipt", [tx])
            if receipt is not None:
                return dict(receipt)
            time.sleep(0.05)
        raise RuntimeError(f"{signature} for {address} was not mined in 30 s")

    def act(request: dict[str, Any]) -> tuple[str, int, str]:
        if request["asset"] != args.token.lower():
            return "declined", 0, f"asset {request['asset']} is not our token"
        receipt = send("addBlackList(address)", request["address"])
        if int(receipt["status"], 16) != 1:
            return "declined", 0, f"addBlackList reverted in {receipt['transactionHash']}"
        balance = int(rpc("eth_call", [{"to": args.token, "data": call_data("balanceOf(address)", request["address"])},
                                       receipt["blockNumber"]]), 16)
        wanted = int(request["amount"])
        frozen = min(balance, wanted)
        with sqlite3.connect(args.db, isolation_level=None) as db:
            db.execute("INSERT OR IGNORE INTO blacklistings VALUES (?, ?, ?, ?, ?, 1)",
                       [request["id"], request["address"], str(frozen), receipt["transactionHash"],
                        int(receipt["blockNumber"], 16)])
        if balance >= wanted:
            return "accepted", wanted, f"blacklisted in tx {receipt['transactionHash']}"
        return "partial", balance, f"blacklisted in tx {receipt['transactionHash']}; it held only {balance}"

    def undo(request: dict[str, Any]) -> None:
        send("removeBlackList(address)", request["address"])
        with sqlite3.connect(args.db, isolation_level=None) as db:
            db.execute("UPDATE blacklistings SET active = 0 WHERE request = ?", [request["id"]])

    WebhookInbox(db=args.db, secret=args.secret, api=args.api, api_key=args.api_key, act=act,
                 undo=undo).serve(args.port)


if __name__ == "__main__":
    main()
