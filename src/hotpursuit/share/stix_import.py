"""Importing a partner's STIX objects: its claims (indicators on wallets) become claims owned by the
organisation that pulled them, with their own TLP and asserting organisation; its wallets with the
hotpursuit extension become exposure for screening; a revoked indicator withdraws what it claimed. Each
object is stored under its id, so a newer version replaces the older and a repeated pull changes nothing."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

from hotpursuit.attribution.labels import AUTHORITY_CATEGORIES
from hotpursuit.chains.address_codec import check_chain, parse_address
from hotpursuit.errors import InvalidInput
from hotpursuit.share.model import SharedIncident
from hotpursuit.share.stix_mapping import (
    StixError,
    StixObject,
    claims_from,
    identity_org,
    incidents_from,
    wallets_from,
)
from hotpursuit.store.database import Store
from hotpursuit.store.share_tables import Provenance, object_body, store_pulled_claim, store_pulled_wallet


@dataclass
class ImportCounts:
    """What an import did."""

    claims: int = 0
    wallets: int = 0
    withdrawn: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)  # objects passed over, with the reason


def object_version(o: StixObject) -> str:
    """What tells one version of a partner's object from another: its `modified` (or `created`) and the
    digest of what it says (an SCO has no `modified`; a server may change an object under the same one)."""
    stamp = str(o.get("modified") or o.get("created") or "")
    return f"{stamp}#{hashlib.sha256(object_body(o).encode()).hexdigest()[:16]}"


CHAIN_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")


def shared_chain(chain: str) -> str:
    """A partner's chain name: one hotpursuit has a codec for, or a plain lowercase name (zcash, ksm: kept
    as written, as label imports keep them); InvalidInput otherwise."""
    if CHAIN_NAME.fullmatch(chain):
        return chain
    return check_chain(chain)


def import_objects(store: Store, provenance: Provenance, objects: Sequence[StixObject],
                   default_chain: str | None = None, *, asserted_as: str | None = None,
                   authority: bool = True) -> ImportCounts:
    """Store what the objects claim (see the module's docstring); a malformed object is skipped with its
    reason, the others still imported. `asserted_as`: every claim is asserted by this organisation (objects
    a partner posted to us: it cannot speak for another); `authority` False: sanctions and DPRK claims are
    refused (only the authorities make them)."""
    objects = [o for o in objects if isinstance(o, dict) and isinstance(o.get("id"), str) and "type" in o]
    counts = ImportCounts()
    producer = {str(o["id"]): identity_org(o) for o in objects if o.get("type") == "identity"}
    for o in objects:  # a revoked indicator withdraws what its earlier versions claimed
        if o.get("type") == "indicator" and o.get("revoked") is True and \
                store_pulled_claim(store, provenance, str(o["id"]), object_version(o), None, None):
            counts.withdrawn += 1
    for o, claim in _each(claims_from(objects, default_chain), counts):
        try:
            claim = replace(claim, chain=shared_chain(claim.chain), address=parse_address(claim.chain, claim.address),
                            asserted_by=asserted_as or claim.asserted_by)
        except InvalidInput as bad:
            counts.skipped.append(f"indicator {o['id']}: {bad}")
            continue
        if not authority and claim.category in AUTHORITY_CATEGORIES:
            counts.skipped.append(f"indicator {o['id']}: category {claim.category}: claims of this category come "
                                  "from the authorities (agencies and the official lists)")
            continue
        changed = store_pulled_claim(store, provenance, str(o["id"]), object_version(o),
                                     producer.get(str(o.get("created_by_ref"))), claim)
        counts.claims += changed
        counts.unchanged += not changed
    incidents: dict[str, tuple[SharedIncident, str | None]] = {
        str(o["id"]): (i, producer.get(str(o.get("created_by_ref"))))
        for o, i in _each(incidents_from(objects), counts)}
    for o, wallet in _each(wallets_from(objects), counts):
        incident, made_by = incidents.get(wallet.incident, (None, None))
        try:
            wallet = replace(wallet, chain=shared_chain(wallet.chain),
                             address=parse_address(wallet.chain, wallet.address),
                             incident=incident.id if incident else wallet.incident)
        except InvalidInput as bad:
            counts.skipped.append(f"cryptocurrency-wallet {o['id']}: {bad}")
            continue
        changed = store_pulled_wallet(store, provenance, str(o["id"]), object_version(o), made_by, wallet,
                                      incident.name if incident else None, incident.actor if incident else None,
                                      incident.counts_when_hidden if incident else False)
        counts.wallets += changed
        counts.unchanged += not changed
    return counts


T = TypeVar("T")


def _each(found: Iterable[tuple[StixObject, T | StixError]], counts: ImportCounts) -> list[tuple[StixObject, T]]:
    """The (object, reading) pairs of a mapping; a malformed object is skipped with its reason."""
    out: list[tuple[StixObject, T]] = []
    for o, reading in found:
        if isinstance(reading, StixError):
            counts.skipped.append(str(reading))
        else:
            out.append((o, reading))
    return out
