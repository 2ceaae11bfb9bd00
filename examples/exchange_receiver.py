"""Reference integration: an exchange that freezes the account credited at a deposit address.

The exchange keeps a small ledger (SQLite): which customer account each deposit address credits, and
per account and asset what is frozen. A freeze request for one of its deposit addresses freezes the
requested amount on that account (accepted); for an address it cannot tie to an account (a hot
wallet) it declines, saying why. A retraction unfreezes what the request froze.

    python examples/exchange_receiver.py --port 9101 --secret whsec_... --api http://127.0.0.1:8080 \
        --api-key hp_... --db hanbit.sqlite --account 0xdeposit=customer-17 [--account ...]
"""

from __future__ import annotations

import argparse
import sqlite3
from typing import Any

from webhook_inbox import WebhookInbox


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--api", required=True)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--account", action="append", default=[], help="DEPOSIT_ADDRESS=ACCOUNT")
    args = parser.parse_args()
    con = sqlite3.connect(args.db, isolation_level=None)
    con.execute("CREATE TABLE IF NOT EXISTS accounts (deposit_address TEXT PRIMARY KEY, account TEXT)")
    con.execute("""CREATE TABLE IF NOT EXISTS freezes (request TEXT PRIMARY KEY, account TEXT, asset TEXT,
                   amount TEXT, active INTEGER)""")
    for item in args.account:
        address, _, account = item.partition("=")
        con.execute("INSERT OR REPLACE INTO accounts VALUES (?, ?)", [address.lower(), account])
    con.close()

    def act(request: dict[str, Any]) -> tuple[str, int, str]:
        with sqlite3.connect(args.db, isolation_level=None) as db:
            row = db.execute("SELECT account FROM accounts WHERE deposit_address = ?",
                             [request["address"]]).fetchone()
            if row is None:
                return "declined", 0, f"{request['address']} credits no customer account here"
            db.execute("INSERT OR IGNORE INTO freezes VALUES (?, ?, ?, ?, 1)",
                       [request["id"], row[0], request["asset"], request["amount"]])
        return "accepted", int(request["amount"]), f"account {row[0]} frozen"

    def undo(request: dict[str, Any]) -> None:
        with sqlite3.connect(args.db, isolation_level=None) as db:
            db.execute("UPDATE freezes SET active = 0 WHERE request = ?", [request["id"]])

    WebhookInbox(db=args.db, secret=args.secret, api=args.api, api_key=args.api_key, act=act,
                 undo=undo).serve(args.port)


if __name__ == "__main__":
    main()
