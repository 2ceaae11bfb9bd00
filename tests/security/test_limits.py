"""Limits that hold: the key is checked before a byte of the body is read, a chunked body is cut off at
the limit, failed authentications from one address are slowed, and a key's own rate limit applies."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from pathlib import Path

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


def test_a_flood_from_one_key_is_refused_while_another_key_is_served(tmp_path: Path) -> None:
    """The issue's flood got 0 of 27,766 requests refused: the per-key limit was above what one server
    answers. Here the server's default limit (20/s, bursts of 40) is set low enough that any machine
    floods past it; the latency under a flood at the real default is measured by
    benchmarks/bench_flood.py."""
    import asyncio

    from hotpursuit.api.app import create_app
    from hotpursuit.api.background import serve_in_thread
    from hotpursuit.store import Store
    from hotpursuit.store.org_tables import add_org, create_key

    with Store.open(tmp_path / "f.duckdb") as store:
        add_org(store, "ex-flood", "Flooder", "exchange", None, None)
        add_org(store, "ex-calm", "Calm", "exchange", None, None)
        flooder = create_key(store, "ex-flood", ["screen"], 1)[1]
        calm = create_key(store, "ex-calm", ["screen"], 1)[1]
        with serve_in_thread(create_app(store, rate_per_second=20)) as base:
            async def run() -> tuple[list[int], list[int], float]:
                async with httpx.AsyncClient(base_url=base, headers={"X-API-Key": flooder}) as f, \
                        httpx.AsyncClient(base_url=base, headers={"X-API-Key": calm}) as c:
                    started = time.monotonic()
                    flood = asyncio.gather(*(f.get(f"/v1/screen/ethereum/0x{i:040x}") for i in range(300)))
                    steady = [(await c.get(f"/v1/screen/ethereum/0x{i:040x}")).status_code for i in range(30)]
                    flooded = [r.status_code for r in await flood]
                    return flooded, steady, time.monotonic() - started

            flooded, steady, seconds = asyncio.run(run())
    assert set(steady) == {200}  # the other key is never refused
    assert set(flooded) <= {200, 429} and flooded.count(200) <= 40 + math.ceil(20 * seconds)
    assert flooded.count(429) >= 300 - 40 - math.ceil(20 * seconds) and 429 in flooded, (seconds, flooded.count(200))


def test_a_body_nested_too_deep_is_refused_and_the_server_lives(server: Server) -> None:
    """Python's JSON parsers recurse per level (and a dependency raises the recursion limit to 100,000), so a
    few hundred kilobytes of `[` would kill the process: refused, typed JSON or untyped, and the server goes on."""
    deep = ("[" * 200_000 + "]" * 200_000).encode()
    with server.client("agency") as agency:
        for headers in ({"Content-Type": "application/json"}, {}):
            answer = agency.post("/v1/reports", content=deep, headers=headers)
            assert answer.status_code == 400 and "nested 200000 levels deep" in answer.text, answer.text
        stix = agency.post("/taxii2/hotpursuit/collections/labels/objects/", content=deep,
                           headers={"Content-Type": "application/taxii+json;version=2.1",
                                    "Accept": "application/taxii+json;version=2.1"})
        assert stix.status_code in (400, 401, 403, 404, 413, 415, 422) and stix.status_code < 500
        assert agency.get("/v1/reports").status_code == 200
        # a legitimate body with many brackets, nested shallowly, goes through
        many = {"chain": "ethereum", "tx_hashes": [], "paid_to": "0x" + "5a" * 20, "text": "[" * 500}
        assert agency.post("/v1/reports", json=many).status_code == 201
