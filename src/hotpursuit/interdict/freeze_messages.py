"""The JSON bodies delivered to organisations: freeze requests and their retractions. Pure.

Amounts are decimal strings of base units; ids are derived from what the request is about (incident,
organisation, address, asset and the arrival's block hash), so re-processing a block after a crash
makes the same id, never a second request. The outbox id (the receiver's idempotency key) derives
from the request id and the message type.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from hotpursuit.interdict.freeze_rules import FreezeCandidate


def request_id(c: FreezeCandidate, block_hash: str) -> str:
    """The stable id of a freeze request."""
    key = "|".join((c.incident, c.org_id, c.address, c.asset, block_hash))
    return "fr-" + hashlib.sha256(key.encode()).hexdigest()[:20]


def outbox_id(kind: str, request: str) -> str:
    """The idempotency key of one message about one request."""
    return "ob-" + hashlib.sha256(f"{kind}|{request}".encode()).hexdigest()[:20]


def freeze_request_body(request: str, c: FreezeCandidate, *, chain: str, block_number: int, block_hash: str,
                        incident: dict[str, Any], requested_by: dict[str, Any], deadline: str) -> bytes:
    """What the organisation receives: enough to act without asking back."""
    return _canonical({
        "type": "freeze_request", "id": request, "incident": incident, "requested_by": requested_by,
        "chain": chain, "address": c.address, "asset": c.asset, "amount": str(c.amount),
        "tainted_total": str(c.tainted_total), "block": {"number": block_number, "hash": block_hash},
        "evidence": c.evidence, "deadline": deadline,
        "answer": {"method": "POST", "path": f"/v1/freeze-requests/{request}/answer",
                   "body": {"status": "accepted | partial | declined", "amount_frozen": "base units",
                            "reason": "text"}}})


def retraction_body(request: str, *, reason: str) -> bytes:
    """A signed withdrawal of an earlier request (its evidence was orphaned by a reorg)."""
    return _canonical({"type": "retraction", "id": request, "reason": reason})


def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
