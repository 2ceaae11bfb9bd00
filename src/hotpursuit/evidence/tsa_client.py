"""Asking an RFC 3161 timestamp authority over HTTP (POST application/timestamp-query) for a token."""

from __future__ import annotations

import httpx

from hotpursuit.evidence.layout import EvidenceError
from hotpursuit.evidence.timestamp import accept_reply, timestamp_request

TIMEOUT_SECONDS = 30.0


def fetch_timestamp(url: str, message: bytes) -> bytes:
    """The authority's reply (DER TimeStampResp) for `message`, checked against our request; EvidenceError
    naming the URL and the reason if it cannot be had."""
    request = timestamp_request(message)
    try:
        answer = httpx.post(url, content=request.as_bytes(), timeout=TIMEOUT_SECONDS,
                            headers={"Content-Type": "application/timestamp-query"})
    except httpx.HTTPError as exc:
        raise EvidenceError(f"timestamp authority {url}: {exc}") from None
    if answer.status_code != 200:
        raise EvidenceError(f"timestamp authority {url}: HTTP {answer.status_code} {answer.text[:200]!r}")
    accept_reply(request, answer.content, url)
    return answer.content
