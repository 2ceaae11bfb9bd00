"""What both reference receivers share: a signed-webhook endpoint with a durable, idempotent inbox.

A delivery is accepted (200) only if its HMAC signature verifies; its idempotency key is recorded in
a SQLite file in the same transaction as the action it asks for, so a delivery seen twice (hotpursuit
retries until it gets a 2xx) is applied once. Actions run in a worker thread after the 200 (freezing
may take a block), and are picked up again after a restart of the receiver. After acting, the
receiver answers the freeze request through the hotpursuit API.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from hotpursuit.security.webhook_signing import IDEMPOTENCY_HEADER, SIGNATURE_HEADER, SignatureError, verify

Act = Callable[[dict[str, Any]], tuple[str, int, str]]  # request -> (status, amount frozen, reason)
Undo = Callable[[dict[str, Any]], None]  # a retracted request's original body -> undo its action


class WebhookInbox:
    """Receives, records once, acts, answers."""

    def __init__(self, *, db: str, secret: str, api: str, api_key: str, act: Act, undo: Undo) -> None:
        self.db, self.secret, self.api, self.api_key = db, secret, api, api_key
        self.act, self.undo = act, undo
        self._lock = threading.Lock()
        self._work = threading.Event()
        with self._con() as con:
            con.execute("""CREATE TABLE IF NOT EXISTS inbox (key TEXT PRIMARY KEY, kind TEXT, request TEXT,
                           body TEXT, state TEXT, answer TEXT, received REAL, deliveries INTEGER DEFAULT 1)""")

    def _con(self) -> sqlite3.Connection:
        return sqlite3.connect(self.db, timeout=30, isolation_level=None)

    def receive(self, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """(HTTP status, reply) for one delivery."""
        try:
            verify(self.secret, body, headers.get(SIGNATURE_HEADER.lower()), int(time.time()),
                   headers.get(IDEMPOTENCY_HEADER.lower()))
        except SignatureError as exc:
            return 401, {"error": str(exc)}
        message = json.loads(body)
        key = f"{message['type']}:{message['id']}"  # the signed body says what this is: applied once
        with self._lock, self._con() as con:
            if con.execute("SELECT 1 FROM inbox WHERE key = ?", [key]).fetchone():
                con.execute("UPDATE inbox SET deliveries = deliveries + 1 WHERE key = ?", [key])
                return 200, {"duplicate": True}
            con.execute("INSERT INTO inbox VALUES (?, ?, ?, ?, 'new', NULL, ?, 1)",
                        [key, message["type"], message["id"], body.decode(), time.time()])
        self._work.set()
        return 200, {"accepted": key}

    def work_forever(self) -> None:
        """Act on new deliveries; answer freeze requests through the API. Each freeze request is acted
        on as soon as it arrives, in parallel with those already in hand (an issuer's blacklist
        transactions then land in the next block); a retraction waits until its request was acted on."""
        in_hand: set[str] = set()
        with ThreadPoolExecutor(max_workers=16) as pool:
            while True:
                self._work.wait(0.5)
                self._work.clear()
                with self._con() as con:
                    rows = con.execute("SELECT key, kind, request, body FROM inbox WHERE state = 'new' "
                                       "ORDER BY received").fetchall()
                for key, kind, request, body in rows:
                    if kind == "freeze_request" and key not in in_hand:
                        in_hand.add(key)
                        pool.submit(self._handle_request, (key, body), in_hand)
                    elif kind == "retraction" and not self._pending(request):
                        self._handle_retraction(key, json.loads(body))

    def _pending(self, request: str) -> bool:
        with self._con() as con:
            row = con.execute("SELECT count(*) FROM inbox WHERE kind = 'freeze_request' AND request = ? "
                              "AND state <> 'done'", [request]).fetchone()
        return bool(row and row[0])

    def _handle_request(self, row: tuple[str, str], in_hand: set[str]) -> None:
        key, body = row
        try:
            message = json.loads(body)
            status, frozen, reason = self.act(message)
            answer = {"status": status, "amount_frozen": str(frozen), "reason": reason}
            self._set(key, "acted", json.dumps(answer))
            self._answer(message["id"], answer)
            self._set(key, "done", json.dumps(answer))
        finally:
            in_hand.discard(key)
            self._work.set()  # a retraction may be waiting for this one

    def _handle_retraction(self, key: str, message: dict[str, Any]) -> None:
        with self._con() as con:
            row = con.execute("SELECT body FROM inbox WHERE kind = 'freeze_request' AND request = ?",
                              [message["id"]]).fetchone()
        if row is not None:
            self.undo(json.loads(row[0]))
        self._set(key, "done", None)

    def _set(self, key: str, state: str, answer: str | None) -> None:
        with self._con() as con:
            con.execute("UPDATE inbox SET state = ?, answer = coalesce(?, answer) WHERE key = ?", [state, answer, key])

    def _answer(self, request: str, answer: dict[str, Any]) -> None:
        for attempt in range(20):
            try:
                r = httpx.post(f"{self.api}/v1/freeze-requests/{request}/answer", json=answer,
                               headers={"X-API-Key": self.api_key}, timeout=10)
                if r.status_code < 500:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(min(5.0, 0.2 * 2 ** attempt))

    def serve(self, port: int) -> None:
        """Serve on 127.0.0.1:`port` until killed, with the worker thread running."""
        inbox = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status, reply = inbox.receive(body, {k.lower(): v for k, v in self.headers.items()})
                data = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        threading.Thread(target=self.work_forever, daemon=True).start()
        ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
