"""The STIX 2.1 mapping, both ways, as pure functions over share.model.

Out: a wallet is OpenCTI's `cryptocurrency-wallet` (value = the canonical address) with the hotpursuit wallet
extension; a claim is an `indicator` whose pattern names the wallet and its chain, with `confidence`,
`created_by_ref` (the organisation's `identity`), the source as an external reference and the claim itself in
the claim extension; actors are `threat-actor`/`intrusion-set` with their MISP galaxy ids; an incident is an
`incident` with `related-to` relationships to its wallets and actor; every object carries its TLP 2.0 marking.
In: the same objects (or any partner's indicators on wallets) back to claims, incidents and wallets."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from hotpursuit.attribution.labels import LabelClaim
from hotpursuit.share.model import Actor, Org, SharedClaim, SharedIncident, SharedSet, SharedWallet, TaintedAmount
from hotpursuit.share.stix_vocabulary import (
    ACTORS,
    CLAIM_EXTENSION,
    EXTENSION_SCHEMAS,
    EXTENSIONS_CREATED,
    GALAXY_SOURCE,
    INCIDENT_EXTENSION,
    INCIDENT_SOURCE,
    INDICATOR_TYPES,
    ORG_SOURCE,
    TLP_MARKINGS,
    TLP_OF_MARKING,
    WALLET_EXTENSION,
    WALLET_TYPE_EXTENSION,
    object_id,
    tlp_marking,
)

StixObject = dict[str, Any]
PRODUCER = "hotpursuit"


class StixError(ValueError):
    """A STIX object that cannot be read as hotpursuit data (what is wrong, and which object)."""


def timestamp(when: dt.datetime) -> str:
    """A STIX timestamp (UTC, milliseconds, Z)."""
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC).replace(tzinfo=None)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def parse_timestamp(text: str, where: str) -> dt.datetime:
    """A STIX timestamp as a naive UTC datetime; StixError naming `where` if it is not one."""
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        raise StixError(f"{where}: {text!r} is not a timestamp") from None
    return parsed.astimezone(dt.UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


# ---- out -------------------------------------------------------------------------------------------------

def extension_definitions(producer_identity: str) -> list[StixObject]:
    """hotpursuit's extension definitions. Their `version` is their `modified` timestamp: a TAXII server such
    as medallion 3.0 reads `version` as a timestamp and answers 500 to anything else."""
    return [{"type": "extension-definition", "spec_version": "2.1", "id": ext_id, "created": EXTENSIONS_CREATED,
             "modified": EXTENSIONS_CREATED, "created_by_ref": producer_identity, "name": schema.removesuffix(".json"),
             "description": description, "version": EXTENSIONS_CREATED, "extension_types": [kind],
             "schema": f"JSON Schema share/schemas/{schema} in the hotpursuit source",
             "object_marking_refs": [TLP_MARKINGS["CLEAR"]]}
            for ext_id, (kind, schema, description) in EXTENSION_SCHEMAS.items()]


def identity(org: Org) -> StixObject:
    """An organisation's identity; its id comes from the organisation's id, so it is the same everywhere."""
    return {"type": "identity", "spec_version": "2.1", "id": object_id("identity", ORG_SOURCE, org.id),
            "created": EXTENSIONS_CREATED, "modified": EXTENSIONS_CREATED, "name": org.name,
            "identity_class": "organization", "object_marking_refs": [TLP_MARKINGS["CLEAR"]],
            "external_references": [{"source_name": ORG_SOURCE, "external_id": org.id}]}


def actor_object(actor: Actor) -> StixObject:
    """A threat actor or intrusion set; Lazarus Group and TraderTraitor with their MISP galaxy ids."""
    kind, name, galaxy, aliases = ACTORS.get(actor.id, ("threat-actor", actor.name, "", ()))
    obj: StixObject = {"type": kind, "spec_version": "2.1", "id": object_id(kind, "actor", actor.id),
                       "created": EXTENSIONS_CREATED, "modified": EXTENSIONS_CREATED, "name": name,
                       "object_marking_refs": [TLP_MARKINGS["CLEAR"]],
                       "external_references": [{"source_name": "hotpursuit-actor", "external_id": actor.id}]}
    if kind == "threat-actor":
        obj["threat_actor_types"] = ["nation-state"] if galaxy else ["criminal"]
    if aliases:
        obj["aliases"] = list(aliases)
    if galaxy:
        obj["external_references"].append({"source_name": GALAXY_SOURCE, "external_id": galaxy})
    return obj


def wallet_object(w: SharedWallet, incident_ref: str, incident_name: str) -> StixObject:
    """A wallet for one incident: one object per (incident, chain, address), so each keeps its incident's TLP."""
    ext: dict[str, Any] = {"extension_type": "property-extension", "chain": w.chain, "address": w.address,
                           "incident": incident_ref, "incident_name": incident_name, "model": w.model,
                           "hops": w.hops, "tainted": [_amount(t) for t in w.tainted]}
    if w.first_seen:
        ext["first_seen"] = timestamp(w.first_seen)
    if w.last_seen:
        ext["last_seen"] = timestamp(w.last_seen)
    if w.freeze_status:
        ext["freeze_status"] = w.freeze_status
    if w.evidence_tx:
        ext["evidence_tx"] = list(w.evidence_tx)
    return {"type": "cryptocurrency-wallet", "spec_version": "2.1",
            "id": object_id("cryptocurrency-wallet", w.chain, w.address, incident_ref), "value": w.address,
            "object_marking_refs": [TLP_MARKINGS[w.tlp]],
            "extensions": {WALLET_TYPE_EXTENSION: {"extension_type": "new-sco"}, WALLET_EXTENSION: ext}}


def _amount(t: TaintedAmount) -> dict[str, Any]:
    out: dict[str, Any] = {"asset": t.asset, "amount": str(t.amount)}
    if t.received is not None:
        out["received"] = str(t.received)
    if t.decimals is not None:
        out["decimals"] = t.decimals
    if t.symbol is not None:
        out["symbol"] = t.symbol
    return out


def wallet_pattern(chain: str, address: str) -> str:
    """The STIX pattern that matches an address on a chain."""
    return (f"[cryptocurrency-wallet:value = '{_quote(address)}' AND cryptocurrency-wallet:extensions."
            f"'{WALLET_EXTENSION}'.chain = '{_quote(chain)}']")


def _quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace("'", "\\'")


def claim_id(c: LabelClaim) -> str:
    """A claim's indicator id: what makes a claim the same claim (the store's rule for duplicates)."""
    return object_id("indicator", c.chain, c.address, c.label, c.category, c.source, c.asserted_by, c.tlp)


def indicator(shared: SharedClaim, creator: str | None) -> StixObject:
    """A claim as an indicator on its wallet."""
    c = shared.claim
    when = timestamp(shared.created)
    ext: dict[str, Any] = {"extension_type": "property-extension", "chain": c.chain, "address": c.address,
                           "label": c.label, "category": c.category, "source": c.source, "asserted_by": c.asserted_by}
    if c.actor:
        ext["actor"] = c.actor
    if c.source_date:
        ext["source_date"] = c.source_date.isoformat()
    obj: StixObject = {
        "type": "indicator", "spec_version": "2.1", "id": claim_id(c), "created": when, "modified": when,
        "name": c.label, "description": f"{c.category}: {c.label} ({c.chain} {c.address}), per {c.source}",
        "indicator_types": INDICATOR_TYPES.get(c.category, ["unknown"]), "pattern": wallet_pattern(c.chain, c.address),
        "pattern_type": "stix", "valid_from": when, "confidence": c.confidence, "labels": [c.category],
        "object_marking_refs": [TLP_MARKINGS[c.tlp]],
        "external_references": [{"source_name": c.source, "description": "the claim's source"}],
        "extensions": {CLAIM_EXTENSION: ext}}
    if creator:
        obj["created_by_ref"] = creator
    return obj


def incident_object(i: SharedIncident, creator: str | None) -> StixObject:
    """An incident with the hotpursuit incident extension."""
    when = timestamp(i.opened)
    ext: dict[str, Any] = {"extension_type": "property-extension", "id": i.id, "chain": i.chain, "status": i.status,
                           "counts_when_hidden": i.counts_when_hidden}
    if i.victim:
        ext["victim"] = i.victim
    if i.actor:
        ext["actor"] = i.actor
    obj: StixObject = {"type": "incident", "spec_version": "2.1", "id": incident_ref(i.id), "created": when,
                       "modified": when, "name": i.name, "description": f"{i.name} on {i.chain} ({i.status})",
                       "object_marking_refs": [TLP_MARKINGS[i.tlp]],
                       "external_references": [{"source_name": INCIDENT_SOURCE, "external_id": i.id}],
                       "extensions": {INCIDENT_EXTENSION: ext}}
    if creator:
        obj["created_by_ref"] = creator
    return obj


def incident_ref(incident_id: str) -> str:
    """An incident's STIX id."""
    return object_id("incident", INCIDENT_SOURCE, incident_id)


def relationship(kind: str, source: str, target: str, tlp: str, created: str, creator: str | None) -> StixObject:
    """A relationship; its id comes from its ends, so it is the same on every export."""
    obj: StixObject = {"type": "relationship", "spec_version": "2.1",
                       "id": object_id("relationship", kind, source, target), "created": created,
                       "modified": created, "relationship_type": kind, "source_ref": source, "target_ref": target,
                       "object_marking_refs": [TLP_MARKINGS[tlp]]}
    if creator:
        obj["created_by_ref"] = creator
    return obj


def to_stix(shared: SharedSet, producer: Org) -> list[StixObject]:
    """Every object of an export, each once, in a stable order: markings, extension definitions, identities,
    actors, incidents, wallets, indicators, relationships."""
    return [o.object for o in marked_objects(shared, producer)]


@dataclass(frozen=True, slots=True)
class Marked:
    """An object with the audience it may reach: its TLP and the organisation that owns the data (None:
    public vocabulary such as markings, extension definitions, identities and actors)."""

    object: StixObject
    tlp: str
    owner: str | None


def marked_objects(shared: SharedSet, producer: Org) -> list[Marked]:
    """`to_stix` with each object's audience (a relationship has the audience of the data it links)."""
    producer_ref = identity(producer)["id"]
    levels = {c.claim.tlp for c in shared.claims} | {i.tlp for i in shared.incidents} | {w.tlp for w in shared.wallets}
    public = [tlp_marking(level) for level in TLP_MARKINGS if level in levels | {"CLEAR"}]
    public += extension_definitions(producer_ref)
    orgs = {producer.id: producer, **shared.orgs}
    public.append(identity(producer))
    creators = {o: identity(org)["id"] for o, org in orgs.items()}
    actors = {a: actor_object(actor) for a, actor in sorted(shared.actors.items())}
    public += actors.values()
    if "lazarusgroup" in actors and "tradertraitor" in actors:
        public.append(relationship("attributed-to", actors["tradertraitor"]["id"], actors["lazarusgroup"]["id"],
                                   "CLEAR", EXTENSIONS_CREATED, None))
    out = [Marked(o, "CLEAR", None) for o in public]
    # an organisation's identity reaches whoever may see any of its data (TLP audiences nest, so the widest
    # level's audience is the union), and nobody else: that it holds hidden claims is not told
    widest: dict[str, str] = {}
    for tlp, owner in [(c.claim.tlp, c.owner_org) for c in shared.claims] + \
            [(i.tlp, i.owner_org) for i in shared.incidents] + [(w.tlp, w.owner_org) for w in shared.wallets]:
        if owner in orgs and owner != producer.id:
            widest[owner] = min(widest.get(owner, "RED"), tlp, key=list(TLP_MARKINGS).index)
    out += [Marked(identity(orgs[o]), level, o) for o, level in sorted(widest.items())]
    names = {}
    for i in sorted(shared.incidents, key=lambda i: i.id):
        inc = incident_object(i, creators.get(i.owner_org or ""))
        names[i.id] = (inc["id"], i.name)
        out.append(Marked(inc, i.tlp, i.owner_org))
        if i.actor in actors:
            out.append(Marked(relationship("related-to", inc["id"], actors[i.actor]["id"], i.tlp, inc["created"],
                                           inc.get("created_by_ref")), i.tlp, i.owner_org))
    for w in sorted(shared.wallets, key=lambda w: (w.incident, w.chain, w.address)):
        ref, name = names.get(w.incident, (incident_ref(w.incident), w.incident))
        wallet = wallet_object(w, ref, name)
        out.append(Marked(wallet, w.tlp, w.owner_org))
        out.append(Marked(relationship("related-to", ref, wallet["id"], w.tlp, timestamp(w.created),
                                       creators.get(w.owner_org or "")), w.tlp, w.owner_org))
    for c in sorted(shared.claims, key=lambda c: claim_id(c.claim)):
        ind = indicator(c, creators.get(c.owner_org or c.claim.asserted_by))
        out.append(Marked(ind, c.claim.tlp, c.owner_org))
        if c.claim.actor in actors:
            out.append(Marked(relationship("indicates", ind["id"], actors[c.claim.actor]["id"], c.claim.tlp,
                                           ind["created"], ind.get("created_by_ref")), c.claim.tlp, c.owner_org))
    unique: dict[str, Marked] = {}  # a claim stored twice is one indicator
    for m in out:
        unique.setdefault(str(m.object["id"]), m)
    return list(unique.values())


def bundle(objects: Iterable[StixObject], bundle_id: str) -> StixObject:
    """A STIX bundle of the objects."""
    return {"type": "bundle", "id": bundle_id, "objects": list(objects)}


# ---- in --------------------------------------------------------------------------------------------------

def tlp_of(obj: StixObject) -> str:
    """The TLP level an object is marked with (TLP 2.0 or 1.0 markings); an unmarked object is AMBER, the
    cautious reading of data whose audience nobody stated."""
    levels = [TLP_OF_MARKING[m] for m in obj.get("object_marking_refs") or () if m in TLP_OF_MARKING]
    order = list(TLP_MARKINGS)
    return max(levels, key=order.index) if levels else "AMBER"


_PATTERN = re.compile(r"^\[cryptocurrency-wallet:value\s*=\s*'((?:[^'\\]|\\.)*)'"
                      r"(?:\s+AND\s+cryptocurrency-wallet:extensions\.'[^']+'\.chain\s*=\s*'((?:[^'\\]|\\.)*)')?\]$")


def pattern_wallet(pattern: str) -> tuple[str | None, str] | None:
    """(chain or None, address) an indicator's pattern names, if it names exactly one wallet."""
    m = _PATTERN.match(pattern.strip())
    if not m:
        return None
    return (None if m.group(2) is None else _unquote(m.group(2))), _unquote(m.group(1))


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def claims_from(objects: list[StixObject], default_chain: str | None = None
                ) -> Iterator[tuple[StixObject, LabelClaim | StixError]]:
    """The claims the indicators among `objects` make: hotpursuit's own from their claim extension, any
    other indicator on one wallet from its pattern, name, confidence, creator and first external reference.
    Indicators on anything else are passed over; a malformed one gives its StixError in place of a claim."""
    yield from _claims(objects, default_chain)


def _claims(objects: list[StixObject], default_chain: str | None
            ) -> Iterator[tuple[StixObject, LabelClaim | StixError]]:
    creators = {o["id"]: identity_org(o) for o in objects if o.get("type") == "identity"}
    actors = {o["id"]: _actor_id(o) for o in objects if o.get("type") in ("threat-actor", "intrusion-set")}
    indicated: dict[str, str] = {}
    for o in objects:
        if o.get("type") == "relationship" and o.get("relationship_type") == "indicates" \
                and o.get("target_ref") in actors:
            indicated[str(o.get("source_ref"))] = actors[o["target_ref"]]
    for o in objects:
        if o.get("type") != "indicator" or o.get("revoked"):
            continue
        where = f"indicator {o.get('id')}"
        ext = (o.get("extensions") or {}).get(CLAIM_EXTENSION)
        try:
            if ext is not None:
                yield o, _own_claim(o, ext, where)
                continue
            named = pattern_wallet(str(o.get("pattern", "")))
            chain = named and (named[0] or default_chain)
            if not named or not chain:
                continue
            refs = o.get("external_references") or [{}]
            yield o, LabelClaim(
                chain=chain, address=named[1], label=str(o.get("name") or "indicator"),
                category=_category(o), actor=indicated.get(o["id"]), confidence=_confidence(o, where),
                source=str(refs[0].get("source_name") or "stix"), source_date=None, tlp=tlp_of(o),
                asserted_by=creators.get(str(o.get("created_by_ref")), "unknown"))
        except StixError as bad:
            yield o, bad


def _own_claim(o: StixObject, ext: dict[str, Any], where: str) -> LabelClaim:
    try:
        source_date = dt.date.fromisoformat(ext["source_date"]) if ext.get("source_date") else None
        return LabelClaim(chain=str(ext["chain"]), address=str(ext["address"]), label=str(ext["label"]),
                          category=str(ext["category"]), actor=ext.get("actor"), confidence=_confidence(o, where),
                          source=str(ext["source"]), source_date=source_date, tlp=tlp_of(o),
                          asserted_by=str(ext["asserted_by"]))
    except KeyError as missing:
        raise StixError(f"{where}: the claim extension has no {missing}") from None
    except (TypeError, ValueError, AttributeError) as bad:
        raise StixError(f"{where}: {bad}") from None


def _confidence(o: StixObject, where: str) -> int:
    value = o.get("confidence", 50)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
        raise StixError(f"{where}: confidence {value!r} is not an integer from 0 to 100")
    return value


def _category(o: StixObject) -> str:
    labels = [str(x) for x in o.get("labels") or ()]
    from hotpursuit.attribution.labels import CATEGORIES
    for label in labels:
        if label in CATEGORIES:
            return label
    return "other"


def identity_org(identity_obj: StixObject) -> str:
    """The organisation an identity names: hotpursuit's id for it, else its name."""
    for ref in identity_obj.get("external_references") or ():
        if isinstance(ref, dict) and ref.get("source_name") == ORG_SOURCE and ref.get("external_id"):
            return str(ref["external_id"])
    return str(identity_obj.get("name") or identity_obj["id"])


def _actor_id(obj: StixObject) -> str:
    for ref in obj.get("external_references") or ():
        if ref.get("source_name") == "hotpursuit-actor" and ref.get("external_id"):
            return str(ref["external_id"])
        if ref.get("source_name") == GALAXY_SOURCE:
            for actor_id, (_, _, galaxy, _) in ACTORS.items():
                if galaxy == ref.get("external_id"):
                    return actor_id
    return re.sub(r"[^a-z0-9]", "", str(obj.get("name", "")).lower()) or str(obj["id"])


def _text_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def incidents_from(objects: list[StixObject]) -> Iterator[tuple[StixObject, SharedIncident | StixError]]:
    """The incidents among `objects` (hotpursuit's, with their extension; others by name); a malformed one
    gives its StixError."""
    creators = {o["id"]: identity_org(o) for o in objects if o.get("type") == "identity"}
    for o in objects:
        if o.get("type") != "incident":
            continue
        ext = (o.get("extensions") or {}).get(INCIDENT_EXTENSION) or {}
        try:
            yield o, SharedIncident(
                id=str(ext.get("id") or o["id"]), name=str(o.get("name", o["id"])), chain=str(ext.get("chain", "")),
                status=str(ext.get("status", "open")), actor=_text_or_none(ext.get("actor")), tlp=tlp_of(o),
                owner_org=creators.get(str(o.get("created_by_ref"))), victim=_text_or_none(ext.get("victim")),
                opened=parse_timestamp(str(o.get("created")), f"incident {o['id']}"),
                counts_when_hidden=ext.get("counts_when_hidden") is True)
        except StixError as bad:
            yield o, bad


def wallets_from(objects: list[StixObject]) -> Iterator[tuple[StixObject, SharedWallet | StixError]]:
    """The wallets with hotpursuit's wallet extension among `objects`; a malformed one gives its StixError."""
    for o in objects:
        ext = (o.get("extensions") or {}).get(WALLET_EXTENSION) if o.get("type") == "cryptocurrency-wallet" else None
        if ext is None:
            continue
        where = f"cryptocurrency-wallet {o.get('id')}"
        try:
            tainted = tuple(TaintedAmount(str(t["asset"]), _base_units(t["amount"], where),
                                          t.get("decimals"), t.get("symbol"),
                                          None if t.get("received") is None else _base_units(t["received"], where))
                            for t in ext["tainted"])
            yield o, SharedWallet(
                chain=str(ext["chain"]), address=str(ext["address"]), incident=str(ext["incident"]),
                model=str(ext["model"]), hops=int(ext["hops"]), tainted=tainted,
                first_seen=parse_timestamp(ext["first_seen"], where) if ext.get("first_seen") else None,
                last_seen=parse_timestamp(ext["last_seen"], where) if ext.get("last_seen") else None,
                freeze_status=ext.get("freeze_status"), evidence_tx=tuple(ext.get("evidence_tx") or ()),
                tlp=tlp_of(o), owner_org=None, created=dt.datetime(1970, 1, 1))
        except StixError as bad:
            yield o, bad
        except KeyError as missing:
            yield o, StixError(f"{where}: the wallet extension has no {missing}")
        except (TypeError, ValueError, AttributeError) as bad:
            yield o, StixError(f"{where}: {bad}")


def _base_units(text: Any, where: str) -> int:
    if not isinstance(text, str) or not text.isdigit() or not text.isascii():
        raise StixError(f"{where}: amount {text!r} is not a decimal string of base units")
    return int(text)
