"""Interdiction in the store: controls, webhooks, freeze requests with their answers, the outbox."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from hotpursuit.errors import HotpursuitError, NotFound
from hotpursuit.interdict.freeze_messages import outbox_id, retraction_body
from hotpursuit.interdict.freeze_rules import CONTROL_KINDS, Control
from hotpursuit.security.webhook_signing import new_secret
from hotpursuit.store.database import Store

ANSWERS = ("accepted", "partial", "declined")


def utc_now() -> dt.datetime:
    """Now, as the naive UTC timestamp the outbox compares."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class InterdictionError(HotpursuitError):
    """A bad control, webhook or answer."""


def add_control(store: Store, org_id: str, chain: str, address: str, kind: str, *,
                verified_by: str = "operator", evidence: str = "declared by the store's operator") -> None:
    """Declare, verified, that `org_id` controls `address` (an address it operates, or a token it
    issues): the operator's declaration on the store itself (the CLI, the drill). Through the API a
    control is claimed and then proven (store/control_tables.py)."""
    if kind not in CONTROL_KINDS:
        raise InterdictionError(f"kind: {kind!r} is not one of {', '.join(CONTROL_KINDS)}")
    if store._con.execute("SELECT count(*) FROM orgs WHERE id = ?", [org_id]).fetchone() == (0,):
        raise InterdictionError(f"no organisation {org_id!r}")
    taken = store._con.execute("SELECT org_id FROM controls WHERE chain = ? AND address = ? AND status = 'verified'",
                               [chain, address]).fetchone()
    if taken is not None and taken[0] != org_id:
        raise InterdictionError(f"{chain}:{address} is verified as controlled by {taken[0]} already")
    if taken is None:
        with store.transaction() as con:
            con.execute("DELETE FROM controls WHERE org_id = ? AND chain = ? AND address = ?", [org_id, chain, address])
            con.execute("""INSERT INTO controls (org_id, chain, address, kind, status, verified_by, evidence,
                                                 verified_at)
                           VALUES (?, ?, ?, ?, 'verified', ?, ?, current_timestamp)""",
                        [org_id, chain, address, kind, verified_by, evidence])


def set_webhook(store: Store, org_id: str, url: str) -> str:
    """Point the organisation's freeze requests at `url`; returns the new shared secret (shown once)."""
    if not url.startswith(("http://", "https://")):
        raise InterdictionError(f"url: {url!r} is not an http(s) URL")
    if store._con.execute("SELECT count(*) FROM orgs WHERE id = ?", [org_id]).fetchone() == (0,):
        raise InterdictionError(f"no organisation {org_id!r}")
    secret = new_secret()
    store._con.execute("UPDATE orgs SET webhook_url = ?, webhook_secret = ? WHERE id = ?",
                       [url, store.sealer.seal(secret), org_id])  # sealed at rest
    return secret


def load_controls(store: Store, chain: str) -> tuple[dict[str, Control], dict[str, Control]]:
    """(operated addresses, with their cluster members -> control; issued tokens -> control): verified
    controls only (a claim not yet proven never receives a request, nor moves one)."""
    controlled: dict[str, Control] = {}
    issued: dict[str, Control] = {}
    for address, org, kind in store._con.execute(
            """SELECT address, org_id, kind FROM controls WHERE chain = $c AND status = 'verified'
               UNION
               SELECT c2.address, k.org_id, k.kind FROM controls k
                 JOIN clusters c1 ON c1.chain = k.chain AND c1.address = k.address
                 JOIN clusters c2 ON c2.chain = c1.chain AND c2.cluster_id = c1.cluster_id
               WHERE k.chain = $c AND k.kind <> 'token' AND k.status = 'verified' ORDER BY 1, 2, 3""",
            {"c": chain}).fetchall():
        target = issued if kind == "token" else controlled
        target.setdefault(str(address), Control(str(org), str(kind)))
    return controlled, issued


def requested_amounts(store: Store, incident: str) -> dict[tuple[str, str, str], int]:
    """(org, address, asset) -> amount asked so far by requests not retracted."""
    return {(str(o), str(a), str(x)): int(v) for o, a, x, v in store._con.execute(
        """SELECT org_id, address, asset, sum(amount)::VARCHAR FROM freeze_requests
           WHERE incident_id = ? AND status <> 'retracted' GROUP BY ALL""", [incident]).fetchall()}


@dataclass(frozen=True)
class NewRequest:
    """A freeze request and its delivery, ready to store."""

    id: str
    incident: str
    org_id: str
    chain: str
    address: str
    asset: str
    amount: int
    block_number: int
    block_hash: str
    evidence_json: str
    requested_by: str | None
    deadline: dt.datetime
    body: bytes


def record_requests(store: Store, requests: list[NewRequest]) -> int:
    """Store requests and their outbox entries in one transaction; ids already stored are skipped.
    Returns how many were new. (Two Arrow inserts: row by row cost about 3 ms a request.)"""
    if not requests:
        return 0
    with store.transaction() as con:
        known = {str(r[0]) for r in con.execute("SELECT id FROM freeze_requests WHERE list_contains(?, id)",
                                               [[r.id for r in requests]]).fetchall()}
        fresh = list({r.id: r for r in requests if r.id not in known}.values())
        if not fresh:
            return 0
        now = utc_now()
        rows = pa.table({
            "id": [r.id for r in fresh], "incident_id": [r.incident for r in fresh],
            "org_id": [r.org_id for r in fresh], "chain": [r.chain for r in fresh],
            "address": [r.address for r in fresh], "asset": [r.asset for r in fresh],
            "amount": [str(r.amount) for r in fresh],
            "block_number": pa.array([r.block_number for r in fresh], pa.int64()),
            "block_hash": [r.block_hash for r in fresh], "evidence_json": [r.evidence_json for r in fresh],
            "requested_by": pa.array([r.requested_by for r in fresh], pa.string()),
            "deadline": pa.array([r.deadline for r in fresh], pa.timestamp("us")),
            "outbox_id": [outbox_id("freeze_request", r.id) for r in fresh],
            "body": [r.body.decode() for r in fresh]})
        con.register("fresh_requests", rows)
        try:
            con.execute("""INSERT INTO freeze_requests (id, incident_id, org_id, chain, address, asset, amount,
                               block_number, block_hash, evidence_json, requested_by, deadline, status)
                           SELECT id, incident_id, org_id, chain, address, asset, amount::BIGNUM, block_number,
                                  block_hash, evidence_json, requested_by, deadline, 'sent' FROM fresh_requests""")
            con.execute("""INSERT INTO outbox (id, org_id, kind, request_id, body, status, next_attempt_at)
                           SELECT outbox_id, org_id, 'freeze_request', id, body, 'pending', ? FROM fresh_requests""",
                        [now])
        finally:
            con.unregister("fresh_requests")
    return len(fresh)


def retract_above(store: Store, chain: str, block: int, reason: str) -> list[str]:
    """Retract every live request whose arrival block is above `block` (orphaned by a reorg), queueing
    a signed retraction for each; returns their ids."""
    with store.transaction() as con:
        ids = [str(r[0]) for r in con.execute(
            """SELECT id FROM freeze_requests WHERE chain = ? AND block_number > ? AND status <> 'retracted'
               ORDER BY id""", [chain, block]).fetchall()]
        _retract(con, ids, reason)
    return ids


def retract_at(store: Store, incident: str, chain: str, places: list[tuple[str, str, str]], reason: str) -> list[str]:
    """Retract the live requests of `incident` at these (org, address, asset) places (the trace no
    longer puts that value there), queueing a signed retraction for each; returns their ids."""
    with store.transaction() as con:
        ids = [str(r[0]) for org, address, asset in places for r in con.execute(
            """SELECT id FROM freeze_requests WHERE incident_id = ? AND chain = ? AND org_id = ? AND address = ?
               AND asset = ? AND status <> 'retracted' ORDER BY id""",
            [incident, chain, org, address, asset]).fetchall()]
        _retract(con, ids, reason)
    return ids


def _retract(con: Any, ids: list[str], reason: str) -> None:
    for request in ids:
        org = con.execute("SELECT org_id FROM freeze_requests WHERE id = ?", [request]).fetchone()
        con.execute("UPDATE freeze_requests SET status = 'retracted', answer_reason = ? WHERE id = ?",
                    [reason, request])
        con.execute("INSERT INTO outbox (id, org_id, kind, request_id, body, status, next_attempt_at) "
                    "VALUES (?, ?, 'retraction', ?, ?, 'pending', ?)",
                    [outbox_id("retraction", request), org[0] if org else "", request,
                     retraction_body(request, reason=reason).decode(), utc_now()])


def answer_request(store: Store, request: str, org_id: str, status: str, amount_frozen: int,
                   reason: str | None) -> None:
    """Record the addressed organisation's answer (the latest answer counts)."""
    row = store._con.execute("SELECT org_id, amount::VARCHAR, status FROM freeze_requests WHERE id = ?",
                            [request]).fetchone()
    if row is None or row[0] != org_id:
        raise NotFound(f"request_id: no freeze request {request!r} addressed to {org_id}")
    if status not in ANSWERS:
        raise InterdictionError(f"status: {status!r} is not one of {', '.join(ANSWERS)}")
    if row[2] == "retracted":
        raise InterdictionError(f"freeze request {request} was retracted (its evidence was orphaned by a reorg)")
    if amount_frozen < 0 or (status == "declined" and amount_frozen != 0):
        raise InterdictionError("amount_frozen: must be 0 when declined, and never negative")
    if status == "accepted" and amount_frozen == 0:
        raise InterdictionError("amount_frozen: an accepted request freezes a positive amount (else: declined)")
    if status == "partial" and not 0 < amount_frozen < int(row[1]):
        raise InterdictionError(f"amount_frozen: a partial answer freezes more than 0 and less than the {row[1]} "
                                "requested (else: accepted or declined)")
    store._con.execute("""UPDATE freeze_requests SET status = ?, amount_frozen = ?::BIGNUM, answer_reason = ?,
                         answered_at = current_timestamp WHERE id = ?""", [status, str(amount_frozen), reason, request])


def freeze_requests(store: Store, *, incident: str | None = None, org_id: str | None = None) -> list[dict[str, Any]]:
    """Requests, oldest first, optionally of one incident or addressed to one organisation, each with
    its delivery (outbox status, attempts, last error, when delivered)."""
    rows = store._con.execute(
        """SELECT r.id, r.incident_id, r.org_id, r.chain, r.address, r.asset, r.amount::VARCHAR, r.block_number,
                  r.block_hash, r.requested_by, r.deadline::VARCHAR, r.status, r.amount_frozen::VARCHAR,
                  r.answer_reason, r.created_at::VARCHAR, r.answered_at::VARCHAR,
                  x.status, x.attempts, x.last_error, x.delivered_at::VARCHAR
           FROM freeze_requests r LEFT JOIN outbox x ON x.request_id = r.id AND x.kind = 'freeze_request'
           WHERE ($i IS NULL OR r.incident_id = $i) AND ($o IS NULL OR r.org_id = $o)
           ORDER BY r.created_at, r.id""", {"i": incident, "o": org_id}).fetchall()
    names = ("id", "incident", "org", "chain", "address", "asset", "amount", "block_number", "block_hash",
             "requested_by", "deadline", "status", "amount_frozen", "reason", "created_at", "answered_at")
    return [{**dict(zip(names, r[:16], strict=True)),
             "delivery": {"status": r[16], "attempts": r[17], "last_error": r[18], "delivered_at": r[19]}}
            for r in rows]


@dataclass(frozen=True)
class OutboxMessage:
    """One message about a request (the request itself, or its retraction) and its delivery so far."""

    id: str  # the receiver's idempotency key
    kind: str
    body: str  # the exact JSON delivered (signed as is at each attempt)
    status: str
    attempts: int
    next_attempt_at: dt.datetime | None
    last_error: str | None
    created_at: dt.datetime
    delivered_at: dt.datetime | None


def request_messages(store: Store, request: str) -> list[OutboxMessage]:
    """The outbox messages about one freeze request, oldest first."""
    rows = store._con.execute(
        """SELECT id, kind, body, status, attempts, next_attempt_at, last_error, created_at, delivered_at
           FROM outbox WHERE request_id = ? ORDER BY created_at, id""", [request]).fetchall()
    return [OutboxMessage(str(i), str(k), str(b), str(s), int(n), None if s == "delivered" else t, e, c, d)
            for i, k, b, s, n, t, e, c, d in rows]


def board(store: Store, incident: str) -> dict[str, Any]:
    """Stolen per asset, and per organisation and asset: requested (not retracted), frozen, and how fast
    the organisation answered (median and slowest seconds from request to answer; None before any answer).

    Stolen as the sources declare it, counted once: only the native asset and canonical tokens (a fake
    token the theft transaction also moved is no loot), and a receipt at a theft transaction listed
    as a source adds nothing. (A trace knows better still: the API shows the live trace's figure.)"""
    stolen = {str(a): str(v) for a, v in store._con.execute(
        """SELECT s.asset, sum(s.amount)::VARCHAR FROM incident_sources s
             LEFT JOIN asset_trust t ON t.chain = s.chain AND t.asset = s.asset
           WHERE s.incident_id = $i AND s.asset IS NOT NULL AND s.amount > 0::BIGNUM
             AND (s.asset = 'ETH' OR t.status = 'canonical')
             AND NOT (s.kind = 'received' AND s.at_tx IN (SELECT ref FROM incident_sources
                                                          WHERE incident_id = $i AND kind = 'tx'))
           GROUP BY s.asset ORDER BY s.asset""", {"i": incident}).fetchall()}
    per_org = [{"org": str(o), "asset": str(a), "requests": int(n), "requested": str(r), "frozen": str(f),
                "answered": int(k), "median_response_seconds": None if m is None else int(m),
                "slowest_response_seconds": None if w is None else int(w)}
               for o, a, n, r, f, k, m, w in store._con.execute(
                   """SELECT org_id, asset, count(*), sum(amount)::VARCHAR,
                             coalesce(sum(amount_frozen), 0)::VARCHAR, count(answered_at),
                             quantile_disc(date_diff('second', created_at, answered_at), 0.5),
                             max(date_diff('second', created_at, answered_at))
                      FROM freeze_requests WHERE incident_id = ? AND status <> 'retracted'
                      GROUP BY ALL ORDER BY 1, 2""", [incident]).fetchall()]
    return {"incident": incident, "stolen": stolen, "organisations": per_org}


@dataclass(frozen=True)
class Delivery:
    """One outbox entry due for delivery."""

    id: str
    org_id: str
    kind: str
    body: bytes
    attempts: int
    url: str | None
    secret: str | None


def due_deliveries(store: Store, now: dt.datetime, limit: int = 200) -> list[Delivery]:
    """Pending entries whose next attempt is due, oldest first."""
    rows = store._con.execute(
        """SELECT x.id, x.org_id, x.kind, x.body, x.attempts, g.webhook_url, g.webhook_secret
           FROM outbox x LEFT JOIN orgs g ON g.id = x.org_id
           WHERE x.status = 'pending' AND x.next_attempt_at <= ? ORDER BY x.created_at, x.id LIMIT ?""",
        [now, limit]).fetchall()
    return [Delivery(str(i), str(o), str(k), str(b).encode(), int(n), u, None if s is None else store.sealer.open(s))
            for i, o, k, b, n, u, s in rows]


def next_due(store: Store) -> dt.datetime | None:
    """When the earliest pending entry is due."""
    row = store._con.execute("SELECT min(next_attempt_at) FROM outbox WHERE status = 'pending'").fetchone()
    return None if row is None or row[0] is None else row[0]


def mark_delivered(store: Store, entry: str) -> None:
    """The receiver acknowledged it (2xx)."""
    store._con.execute("""UPDATE outbox SET status = 'delivered', attempts = attempts + 1,
                         delivered_at = current_timestamp WHERE id = ?""", [entry])


def mark_failed(store: Store, entry: str, retry_at: dt.datetime, error: str) -> None:
    """A failed attempt; the next one is at `retry_at`."""
    store._con.execute("UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?",
                      [retry_at, error[:500], entry])
