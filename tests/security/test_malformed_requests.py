"""Bodies and parameters the issue's probe answered with HTTP 500: non-UTF-8 bytes, `NaN` and
`Infinity` in JSON, integers past 64 bits in the query or the body. Each is a 4xx in the house shape."""

from __future__ import annotations

import pytest

from tests.security.conftest import Server

LABEL = ('{"chain": "ethereum", "address": "0x' + "ab" * 20 + '", "label": "x", "category": "scam", '
         '"confidence": CONFIDENCE, "source": "s"}')


@pytest.mark.parametrize(("path", "body"), [
    ("/v1/labels", b"\xff\xfe{\x00\"chain\x00\"\x00"),  # UTF-16 with a byte-order mark: not UTF-8
    ("/v1/labels", LABEL.replace("CONFIDENCE", "NaN").encode()),
    ("/v1/labels", LABEL.replace("CONFIDENCE", "Infinity").encode()),
    ("/v1/labels", LABEL.replace("CONFIDENCE", "1e400").encode()),
    ("/v1/labels", LABEL.replace("CONFIDENCE", str(2**64)).encode()),
    ("/v1/labels", LABEL.replace("CONFIDENCE", "50").encode()[:-7] + b"\xc3\x28\"}"),  # invalid UTF-8 in a string
    ("/v1/incidents", b'{"name": "x", "chain": "ethereum", "sources": ["0x' + b"ab" * 32 + b'"], "since": '
     + str(2**63).encode() + b"}"),
    ("/v1/screen/batch", b'{"chain": "ethereum", "addresses": [NaN]}'),
])
def test_a_malformed_body_is_a_4xx_in_the_house_shape(server: Server, path: str, body: bytes) -> None:
    with server.client("agency") as agency:
        answer = agency.post(path, content=body, headers={"content-type": "application/json"})
    assert 400 <= answer.status_code < 500, (path, body, answer.status_code, answer.text)
    error = answer.json()["error"]
    assert set(error) == {"code", "message", "field"} and error["message"]


@pytest.mark.parametrize("query", [f"offset={2**63}", f"limit={2**64}", "offset=-1", "offset=1e3", "limit=NaN"])
def test_a_number_past_64_bits_in_the_query_is_a_4xx(server: Server, query: str) -> None:
    with server.client("agency") as agency:
        for route in ("/v1/incidents", "/v1/traces", "/v1/freeze-requests"):
            answer = agency.get(f"{route}?{query}")
            assert answer.status_code == 422, (route, query, answer.text)
            assert answer.json()["error"]["field"] in ("offset", "limit")
    with server.client("agency") as agency:
        answer = agency.get(f"/v1/addresses/ethereum/0x{'ab' * 20}?{query}")
        assert answer.status_code == 422, (query, answer.text)
