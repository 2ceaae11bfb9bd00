"""Limits that hold: the key is checked before a byte of the body is read, a chunked body is cut off at
the limit, failed authentications from one address are slowed, and a key's own rate limit applies."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator

import httpx

from tests.security.conftest import SLOW_KEY_RATE, Server

MB = 1024 * 1024


def _chunks(total_mb: int) -> Iterator[bytes]:
    for _ in range(total_mb):
        yield b"x" * MB


def test_a_chunked_body_above_the_limit_is_refused_while_streaming(server: Server) -> None:
    with server.client("exchange") as exchange:
        answer = exchange.post("/v1/screen/batch", content=_chunks(20), headers={"content-type": "application/json"})
    assert answer.status_code == 413 and answer.json()["error"]["code"] == "too_large"


def test_without_a_key_the_body_is_never_read(server: Server) -> None:
    answer = httpx.post(server.base + "/v1/screen/batch", content=_chunks(20),
                        headers={"content-type": "application/json"}, timeout=30)
    assert answer.status_code == 401  # not 413, not 422: refused before the body


def test_failed_authentications_from_one_address_are_slowed(server: Server) -> None:
    statuses = [httpx.get(server.base + "/v1/ping", headers={"X-API-Key": f"hp_{i:012d}_guess"}).status_code
                for i in range(40)]
    assert statuses[:20] == [401] * 20 and 429 in statuses[20:]
    limited = httpx.get(server.base + "/v1/ping", headers={"X-API-Key": "hp_000000000000_guess"})
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1


def test_a_key_s_own_rate_limit_applies_and_other_keys_keep_going(server: Server) -> None:
    with server.client("slow") as slow, server.client("exchange") as other:
        started = time.monotonic()
        answers = [slow.get("/v1/ping") for _ in range(30)]
        allowed = 1 + math.ceil((time.monotonic() - started) * SLOW_KEY_RATE)  # a burst of one, then the rate
        statuses = [answer.status_code for answer in answers]
        assert set(statuses) == {200, 429} and statuses.count(200) <= allowed
        refused = next(answer for answer in answers if answer.status_code == 429)
        assert int(refused.headers["Retry-After"]) >= 1 and refused.json()["error"]["code"] == "rate_limited"
        assert all(other.get("/v1/ping").status_code == 200 for _ in range(30))
