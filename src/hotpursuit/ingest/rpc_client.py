"""A batched JSON-RPC client over HTTP, with retries on transport errors and clear failures."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import httpx
import orjson

from hotpursuit.errors import RpcError

RpcCall = tuple[str, list[Any]]


class RpcMethodMissing(RpcError):
    """The node does not implement a method (JSON-RPC code -32601 or equivalent)."""


class JsonRpcClient:
    """Sends single and batched JSON-RPC calls to one node URL."""

    def __init__(self, url: str, *, timeout: float = 60.0, retries: int = 3,
                 auth: tuple[str, str] | None = None, decimal_floats: bool = False) -> None:
        self.url = url
        self._http = httpx.Client(timeout=timeout, auth=auth)
        self._decimal_floats = decimal_floats  # Bitcoin Core writes BTC amounts as JSON numbers
        self._ids = itertools.count(1)
        self._retries = retries

    def close(self) -> None:
        """Release the HTTP connection pool."""
        self._http.close()

    def call(self, method: str, params: list[Any]) -> Any:
        """One call; its result, or RpcError naming the method and the node's message."""
        return self.batch([(method, params)])[0]

    def batch(self, calls: Sequence[RpcCall]) -> list[Any]:
        """Many calls in one HTTP request; results in the order of `calls`."""
        if not calls:
            return []
        first_id = next(self._ids)
        ids = [first_id] + [next(self._ids) for _ in calls[1:]]
        body = [
            {"jsonrpc": "2.0", "id": i, "method": m, "params": p}
            for i, (m, p) in zip(ids, calls, strict=True)
        ]
        replies = self._post(body, calls[0][0])
        if isinstance(replies, dict):
            # some nodes answer a whole failed batch with one error object
            raise _error_for(calls[0], replies.get("error"), self.url)
        if not isinstance(replies, list):
            raise RpcError(f"{self.url}: batch reply is not a JSON array: {str(replies)[:200]}")
        by_id = {r.get("id"): r for r in replies if isinstance(r, dict)}
        results = []
        for i, call in zip(ids, calls, strict=True):
            reply = by_id.get(i)
            if reply is None:
                raise RpcError(f"{self.url}: no reply for {call[0]}{call[1]!r} in the batch")
            if reply.get("error") is not None:
                raise _error_for(call, reply["error"], self.url)
            if "result" not in reply:
                raise RpcError(f"{self.url}: reply to {call[0]} has neither result nor error")
            results.append(reply["result"])
        return results

    def _post(self, body: list[dict[str, Any]], what: str) -> Any:
        delay = 0.2
        for attempt in range(self._retries + 1):
            try:
                response = self._http.post(self.url, content=orjson.dumps(body),
                                           headers={"Content-Type": "application/json"})
            except httpx.TransportError as exc:
                if attempt == self._retries:
                    raise RpcError(f"{self.url}: node unreachable during {what}: {exc}") from exc
                time.sleep(delay)
                delay *= 2
                continue
            if response.status_code >= 500 and attempt < self._retries:
                time.sleep(delay)
                delay *= 2
                continue
            if response.status_code == 401:
                raise RpcError(f"{self.url}: HTTP 401 during {what}: wrong or missing RPC credentials")
            json_error = response.status_code in (404, 500) and response.content[:1] in (b"[", b"{")
            if response.status_code != 200 and not json_error:  # Core sends RPC errors as 404/500 + JSON
                raise RpcError(
                    f"{self.url}: HTTP {response.status_code} during {what}: {response.text[:200]}"
                )
            try:
                if self._decimal_floats:
                    return json.loads(response.content, parse_float=Decimal)
                return orjson.loads(response.content)
            except ValueError as exc:
                raise RpcError(f"{self.url}: reply to {what} is not JSON: {response.text[:200]}") from exc
        raise RpcError(f"{self.url}: gave up on {what}")  # pragma: no cover - loop always returns


def _error_for(call: RpcCall, error: Any, url: str) -> RpcError:
    method, params = call
    code = error.get("code") if isinstance(error, dict) else None
    message = error.get("message") if isinstance(error, dict) else str(error)
    text = f"{url}: {method}{params!r} failed: {message} (code {code})"
    missing = code == -32601 or (isinstance(message, str) and "not supported" in message.lower())
    if missing or (isinstance(message, str) and "method not found" in message.lower()):
        return RpcMethodMissing(text)
    return RpcError(text)
