"""Shared data as a MISP feed (pymisp): one event per incident, a `coin-address` object per wallet its loot
reached (the hotpursuit data in the object's `text` as JSON: chain, taint per asset as decimal strings of base
units with decimals and symbol, model, hops, freeze status, evidence transactions), the claims about those
addresses as attributes, TLP 2.0 and MISP taxonomy tags, the actor's galaxy cluster; and the feed's
`manifest.json` and `hashes.csv`. Every uuid and timestamp is derived from the data, so the same facts give
the same bytes and MISP's edit detection (the manifest's timestamp) fires only on a real change. Pure."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pymisp import MISPAttribute, MISPEvent, MISPObject, MISPOrganisation

from hotpursuit.share.model import Org, SharedClaim, SharedIncident, SharedSet, SharedWallet
from hotpursuit.share.stix_vocabulary import ACTORS

NAMESPACE = uuid.UUID("0b5d3f6e-8c2a-4e71-9f1d-6a4c2e8b7d35")  # every uuid of the feed is a uuid5 in it
OPERATOR = Org("hotpursuit", "hotpursuit")  # the Orgc of an incident no organisation owns
WALLET_FORMAT = "hotpursuit-wallet/1"  # the `format` of the JSON in a coin-address object's `text`
TAG = "hotpursuit"  # machine-tag namespace of hotpursuit's own facts
# what MISP's `btc` type accepts (app/Model/Attribute.php); other Bitcoin-shaped text goes in address-crypto
MISP_BTC = re.compile(r"(?i)^(?:[13][a-km-zA-HJ-NP-Z1-9]{25,34}|bc1[023456789acdefghjklmnpqrstuvwxyz]{11,71})$")
# claim categories an IDS may block on (the others, victims and services, must never be blocked blindly)
TO_IDS = frozenset({"sanctioned", "dprk", "thief", "hack", "scam", "mixer", "poisoning"})


def uuid_of(*parts: str) -> str:
    """The feed's deterministic uuid of a thing named by `parts`."""
    return str(uuid.uuid5(NAMESPACE, "\x1f".join(parts)))


def event_uuid(incident_id: str) -> str:
    """The uuid of an incident's event."""
    return uuid_of("incident", incident_id)


def org_uuid(org_id: str) -> str:
    """The uuid an organisation has in the feed."""
    return uuid_of("org", org_id)


def tlp_tag(level: str) -> str:
    """The MISP TLP taxonomy tag of a TLP 2.0 level (`tlp:amber+strict`)."""
    return f"tlp:{level.lower()}"


def machine_tag(predicate: str, value: object, namespace: str = TAG) -> str:
    """A machine tag `namespace:predicate="value"`, the value JSON-quoted (so a quote in it survives)."""
    return f"{namespace}:{predicate}={json.dumps(str(value), ensure_ascii=False)}"


def galaxy_tag(actor: str) -> str | None:
    """The threat-actor galaxy tag of an actor MISP's galaxy knows (None for others)."""
    return machine_tag("threat-actor", ACTORS[actor][1], "misp-galaxy") if actor in ACTORS else None


def misp_time(t: dt.datetime) -> dt.datetime:
    """A stored time (naive ones are UTC) as an aware UTC time, to the second (MISP's resolution)."""
    aware = t.replace(tzinfo=dt.UTC) if t.tzinfo is None else t.astimezone(dt.UTC)
    return aware.replace(microsecond=0)


def readable(amount: int, decimals: int | None, symbol: str | None) -> str:
    """An amount for people: `1.5 ETH` (base units when the decimals are unknown)."""
    if decimals is None:
        return f"{amount} base units of {symbol or 'an unknown asset'}"
    text = format(Decimal(amount).scaleb(-decimals), "f")
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return f"{text} {symbol or ''}".strip()


def wallet_text(wallet: SharedWallet) -> str:
    """What hotpursuit knows of a wallet that the coin-address template has no field for, as one JSON text
    (canonical: sorted keys, so the same wallet gives the same text)."""
    return json.dumps({
        "format": WALLET_FORMAT, "chain": wallet.chain, "incident": wallet.incident, "model": wallet.model,
        "hops": wallet.hops, "freeze_status": wallet.freeze_status, "evidence_tx": list(wallet.evidence_tx),
        "tainted": [{"asset": t.asset, "amount": str(t.amount), "decimals": t.decimals, "symbol": t.symbol,
                     "received": None if t.received is None else str(t.received)} for t in wallet.tainted],
    }, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _orgc(org: Org) -> MISPOrganisation:
    orgc = MISPOrganisation()
    orgc.name = org.name
    orgc.uuid = org_uuid(org.id)
    return orgc


def _attribute(kind: str, value: str, *, uuid_: str, at: dt.datetime, category: str, comment: str,
               to_ids: bool, tags: Iterable[str | None]) -> MISPAttribute:
    attribute = MISPAttribute()
    attribute.from_dict(type=kind, value=value, uuid=uuid_, timestamp=at, comment=comment, to_ids=to_ids,
                        category=category, disable_correlation=False)
    for tag in tags:
        if tag:
            attribute.add_tag(tag)
    return attribute


def _address_relation(chain: str, address: str) -> tuple[str, str]:
    """(object relation, MISP type) of an address: `address` (type btc) for a Bitcoin address MISP
    accepts as one, `address-crypto` (text) for every other chain."""
    if chain == "bitcoin" and MISP_BTC.match(address):
        return "address", "btc"
    return "address-crypto", "text"


def _native_symbol(wallet: SharedWallet) -> str | None:
    """The coin of the address: its native asset's symbol when it received one, else its first asset's."""
    native = [t for t in wallet.tainted if not t.asset.lower().startswith("0x")]
    chosen = native or list(wallet.tainted)
    return (chosen[0].symbol or chosen[0].asset).upper() if chosen else None


def wallet_object(wallet: SharedWallet, event: str) -> MISPObject:
    """A wallet as a coin-address object of event `event`."""
    obj = MISPObject("coin-address", standalone=False)
    obj.uuid = uuid_of("wallet", event, wallet.chain, wallet.address)
    at = misp_time(wallet.created)
    obj.timestamp = at
    amounts = ", ".join(readable(t.amount, t.decimals, t.symbol or t.asset) for t in wallet.tainted)
    obj.comment = (f"reached by incident {wallet.incident}'s stolen funds at hop {wallet.hops} on {wallet.chain}: "
                   f"{amounts} tainted ({wallet.model})"
                   + (f"; freeze request: {wallet.freeze_status}" if wallet.freeze_status else ""))
    relation, kind = _address_relation(wallet.chain, wallet.address)
    fields: list[tuple[str, str, str, Sequence[str | None]]] = [
        (relation, kind, wallet.address, (tlp_tag(wallet.tlp), machine_tag("chain", wallet.chain),
                                          machine_tag("hops", wallet.hops),
                                          machine_tag("freeze-status", wallet.freeze_status)
                                          if wallet.freeze_status else None))]
    symbol = _native_symbol(wallet)
    if symbol:
        fields.append(("symbol", "text", symbol, ()))
    if wallet.first_seen:
        fields.append(("first-seen", "datetime", misp_time(wallet.first_seen).isoformat(), ()))
    if wallet.last_seen:
        fields.append(("last-seen", "datetime", misp_time(wallet.last_seen).isoformat(), ()))
    fields.append(("text", "text", wallet_text(wallet), ()))
    for relation, kind, value, tags in fields:  # the template gives category and correlation per relation
        attribute = obj.add_attribute(relation, value=value, type=kind, uuid=uuid_of(obj.uuid, relation),
                                      timestamp=at, to_ids=False,
                                      comment=obj.comment if relation in ("address", "address-crypto") else "")
        for tag in tags:
            if attribute is not None and tag:
                attribute.add_tag(tag)
    return obj


def claim_attribute(shared: SharedClaim, event: str) -> MISPAttribute:
    """A claim as an attribute of event `event`: the address as value (btc or text), the claim's facts in
    hotpursuit machine tags, its TLP, and its actor's galaxy tag when MISP's galaxy knows the actor."""
    c = shared.claim
    _, kind = _address_relation(c.chain, c.address)
    tags: list[str | None] = [
        tlp_tag(c.tlp), machine_tag("chain", c.chain), machine_tag("label", c.label),
        machine_tag("category", c.category), machine_tag("confidence", c.confidence), machine_tag("source", c.source),
        machine_tag("asserted-by", c.asserted_by),
        machine_tag("source-date", c.source_date.isoformat()) if c.source_date else None,
        machine_tag("actor", c.actor) if c.actor else None, galaxy_tag(c.actor) if c.actor else None]
    comment = f"{c.label} ({c.category}), according to {c.source}, asserted by {c.asserted_by}"
    return _attribute(kind, c.address, category="Financial fraud", comment=comment, to_ids=c.category in TO_IDS,
                      uuid_=uuid_of("claim", event, c.chain, c.address, c.label, c.category, c.source,
                                    c.asserted_by, c.tlp),
                      at=misp_time(shared.created), tags=tags)


def incident_event(shared: SharedSet, incident: SharedIncident, producer: Org = OPERATOR) -> MISPEvent:
    """The MISP event of one incident of `shared`, with its wallets and the claims about them."""
    wallets = sorted((w for w in shared.wallets if w.incident == incident.id), key=lambda w: (w.chain, w.address))
    reached = {(w.chain, w.address) for w in wallets}
    claims = sorted((c for c in shared.claims if (c.claim.chain, c.claim.address) in reached),
                    key=lambda c: (c.claim.chain, c.claim.address, c.claim.label, c.claim.source,
                                   c.claim.asserted_by, c.claim.tlp))
    event = MISPEvent()
    event.uuid = event_uuid(incident.id)
    event.info = f"{incident.name}: stolen funds on {incident.chain} and the addresses they reached"
    owner = shared.orgs.get(incident.owner_org or "") if incident.owner_org else producer
    event.Orgc = _orgc(owner or Org(incident.owner_org or producer.id, incident.owner_org or producer.name))
    event.date = misp_time(incident.opened).date()
    changed = max([misp_time(incident.opened), *(misp_time(w.created) for w in wallets),
                   *(misp_time(c.created) for c in claims)])
    event.timestamp = changed
    event.publish_timestamp = changed
    event.published = True
    event.threat_level_id = 1  # high: stolen funds on the move
    event.analysis = 2 if incident.status == "closed" else 1
    for tag in (tlp_tag(incident.tlp), galaxy_tag(incident.actor) if incident.actor else None,
                machine_tag("incident", incident.id), machine_tag("chain", incident.chain),
                machine_tag("actor", incident.actor) if incident.actor else None,
                machine_tag("state", "complete" if incident.status == "closed" else "incomplete", "workflow")):
        if tag:
            event.add_tag(tag)
    for wallet in wallets:
        event.add_object(wallet_object(wallet, event.uuid))
    event.attributes.extend(claim_attribute(claim, event.uuid) for claim in claims)
    return event


def incident_events(shared: SharedSet, producer: Org = OPERATOR) -> list[MISPEvent]:
    """One event per incident of `shared`, by incident id."""
    return [incident_event(shared, i, producer) for i in sorted(shared.incidents, key=lambda i: i.id)]


@dataclass(frozen=True, slots=True)
class Feed:
    """A MISP feed: `events` (uuid -> the `{"Event": ...}` document), the manifest, the hashes (md5 of
    every attribute value, event uuid)."""

    events: dict[str, dict[str, Any]]
    manifest: dict[str, dict[str, Any]]
    hashes: list[tuple[str, str]]

    def event_json(self, event: str) -> bytes:
        """`<uuid>.json`."""
        return json.dumps(self.events[event], sort_keys=True, ensure_ascii=False, indent=1).encode()

    def manifest_json(self) -> bytes:
        """`manifest.json`."""
        return json.dumps(self.manifest, sort_keys=True, ensure_ascii=False, indent=1).encode()

    def hashes_csv(self) -> bytes:
        """`hashes.csv`: `md5,event uuid` lines, no header (what MISP's feed cache reads)."""
        return "".join(f"{h},{e}\n" for h, e in self.hashes).encode()


def feed_of(events: Iterable[MISPEvent]) -> Feed:
    """The feed of events, as pymisp's `to_feed(with_meta=True)` makes it (PyMISP's feed generator)."""
    documents: dict[str, dict[str, Any]] = {}
    manifest: dict[str, dict[str, Any]] = {}
    hashes: list[tuple[str, str]] = []
    for event in events:
        document = event.to_feed(with_meta=True)
        body = document["Event"]
        hashes += [(h, event.uuid) for h in body.pop("_hashes")]
        manifest.update(body.pop("_manifest"))
        documents[event.uuid] = document
    return Feed(documents, manifest, hashes)


def feed_of_sets(sets: Iterable[SharedSet], producer: Org = OPERATOR) -> Feed:
    """The feed of every incident of the sets (each set as one audience may see it)."""
    return feed_of(event for shared in sets for event in incident_events(shared, producer))
