"""Controls claimed through the API: pending until proven. An organisation claims an address (or a
token); the answer is a challenge naming the organisation, the chain, the address and a nonce; the
address's signature over it verifies the claim (security/control_proof.py). A server-admin may approve a
claim that cannot be signed (a token contract, a custody system) or reject one, with the reason kept.
A claim on an address another organisation holds verified is never first-come: it stays pending for a
server-admin to review."""

from __future__ import annotations

from dataclasses import dataclass

from hotpursuit.errors import Conflict, NotFound
from hotpursuit.interdict.freeze_rules import CONTROL_KINDS
from hotpursuit.security.control_proof import new_challenge
from hotpursuit.store.database import Store
from hotpursuit.store.interdiction_tables import InterdictionError

_COLUMNS = "org_id, chain, address, kind, status, challenge, verified_by, evidence, added_at::VARCHAR, " \
           "verified_at::VARCHAR"


@dataclass(frozen=True)
class ControlClaim:
    """One organisation's claim over an address, and where it stands."""

    org_id: str
    chain: str
    address: str
    kind: str
    status: str  # pending | verified | rejected
    challenge: str | None
    verified_by: str | None
    evidence: str | None
    added_at: str
    verified_at: str | None


def _claim(store: Store, org_id: str, chain: str, address: str) -> ControlClaim | None:
    row = store._con.execute(f"SELECT {_COLUMNS} FROM controls WHERE org_id = ? AND chain = ? AND address = ?",
                             [org_id, chain, address]).fetchone()
    return None if row is None else ControlClaim(*row)


def claim_control(store: Store, org_id: str, chain: str, address: str, kind: str) -> ControlClaim:
    """Claim (or claim again, with a new challenge) that `org_id` controls `address`: pending until
    proven. A verified control of the same organisation is returned as it is."""
    if kind not in CONTROL_KINDS:
        raise InterdictionError(f"kind: {kind!r} is not one of {', '.join(CONTROL_KINDS)}")
    found = _claim(store, org_id, chain, address)
    if found is not None and found.status == "verified":
        return found
    challenge = new_challenge(org_id, chain, address, kind)
    with store.transaction() as con:
        con.execute("DELETE FROM controls WHERE org_id = ? AND chain = ? AND address = ?", [org_id, chain, address])
        con.execute("""INSERT INTO controls (org_id, chain, address, kind, status, challenge)
                       VALUES (?, ?, ?, ?, 'pending', ?)""", [org_id, chain, address, kind, challenge])
    claim = _claim(store, org_id, chain, address)
    assert claim is not None
    return claim


def held_by_other(store: Store, org_id: str, chain: str, address: str) -> str | None:
    """The organisation other than `org_id` that holds `address` verified, if any."""
    row = store._con.execute("""SELECT org_id FROM controls WHERE chain = ? AND address = ? AND status = 'verified'
                                  AND org_id <> ?""", [chain, address, org_id]).fetchone()
    return None if row is None else str(row[0])


def pending_claim(store: Store, org_id: str, chain: str, address: str) -> ControlClaim:
    """The organisation's pending claim; NotFound if it has none (or it is not pending)."""
    found = _claim(store, org_id, chain, address)
    if found is None or found.status != "pending":
        raise NotFound(f"address: {org_id} has no pending control claim on {chain}:{address}")
    return found


def mark_verified(store: Store, claim: ControlClaim, verified_by: str, evidence: str) -> ControlClaim:
    """Verify a pending claim (its proof checked by the caller); Conflict if another organisation holds
    the address verified (a server-admin reviews it)."""
    other = held_by_other(store, claim.org_id, claim.chain, claim.address)
    if other is not None and not verified_by.startswith("server-admin:"):
        raise Conflict(f"address: {claim.chain}:{claim.address} is held verified by another organisation; "
                       "a server-admin reviews the claim")
    with store.transaction() as con:
        if other is not None:  # a server-admin decided: the other holder's control ends
            con.execute("""UPDATE controls SET status = 'rejected', evidence = ? WHERE org_id = ? AND chain = ?
                             AND address = ?""", [f"superseded: {evidence}", other, claim.chain, claim.address])
        con.execute("""UPDATE controls SET status = 'verified', verified_by = ?, evidence = ?,
                         verified_at = current_timestamp WHERE org_id = ? AND chain = ? AND address = ?""",
                    [verified_by, evidence, claim.org_id, claim.chain, claim.address])
    done = _claim(store, claim.org_id, claim.chain, claim.address)
    assert done is not None
    return done


def reject_claim(store: Store, claim: ControlClaim, reviewer: str, reason: str) -> ControlClaim:
    """A server-admin rejects a pending claim, with its reason."""
    if claim.status != "pending":
        raise Conflict(f"address: the claim on {claim.chain}:{claim.address} is {claim.status}, not pending")
    store._con.execute("""UPDATE controls SET status = 'rejected', verified_by = ?, evidence = ?,
                            verified_at = current_timestamp WHERE org_id = ? AND chain = ? AND address = ?""",
                       [f"server-admin:{reviewer}", reason, claim.org_id, claim.chain, claim.address])
    done = _claim(store, claim.org_id, claim.chain, claim.address)
    assert done is not None
    return done


def controls_of(store: Store, org_id: str) -> list[ControlClaim]:
    """An organisation's claims, every status."""
    return [ControlClaim(*r) for r in store._con.execute(
        f"SELECT {_COLUMNS} FROM controls WHERE org_id = ? ORDER BY chain, address", [org_id]).fetchall()]


def claims_to_review(store: Store) -> list[ControlClaim]:
    """Pending claims, oldest first (for a server-admin)."""
    return [ControlClaim(*r) for r in store._con.execute(
        f"SELECT {_COLUMNS} FROM controls WHERE status = 'pending' ORDER BY added_at, org_id").fetchall()]
