"""MISP events (JSON as MISP exports them, `{"Event": ...}`, a list of them, a `{"response": [...]}` answer, or a
feed's event file) read as claims and wallets. An attribute that carries hotpursuit's machine tags is read
back exactly as the claim it was made from, a coin-address object with hotpursuit's JSON `text` as the
wallet (taint per asset in base units); any other address (a `btc` or `xmr` attribute, a coin-address
object) becomes a claim asserted by the event's creator organisation. TLP from the attribute's `tlp:` tags,
else the event's, else AMBER; the actor from the threat-actor galaxy tag. Malformed input is a
MispFormatError naming the event and the attribute. Pure."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hotpursuit.attribution.labels import CATEGORIES, LabelClaim
from hotpursuit.chains.address_codec import guess_chain, parse_address
from hotpursuit.errors import IngestError, InvalidAddress
from hotpursuit.security.tlp import TLP_ORDER
from hotpursuit.share.misp_feed import TAG, WALLET_FORMAT, tlp_tag
from hotpursuit.share.model import SharedWallet, TaintedAmount
from hotpursuit.share.stix_vocabulary import ACTORS

DEFAULT_TLP = "AMBER"
FOREIGN_CONFIDENCE = 50  # GraphSense `trusted_provider`: another organisation's MISP, not checked here
TLP_TAGS = {**{tlp_tag(level): level for level in TLP_ORDER}, "tlp:white": "CLEAR"}  # and TLP 1.0's white
SYMBOL_CHAINS = {"BTC": "bitcoin", "ETH": "ethereum", "XMR": "monero", "TRX": "tron", "TRON": "tron", "BSC": "bsc",
                 "LTC": "litecoin", "DOGE": "dogecoin", "SOL": "solana", "BCH": "bitcoin-cash"}
ADDRESS_RELATIONS = {"address": "bitcoin", "address-xmr": "monero", "address-crypto": None}
ADDRESS_TYPES = {"btc": "bitcoin", "xmr": "monero"}
MACHINE_TAG = re.compile(r"^(?P<ns>[^:=\s]+):(?P<predicate>[^=]+)=(?P<value>.*)$", re.S)
DECIMAL = re.compile(r"^[0-9]{1,78}$")


class MispFormatError(IngestError, ValueError):
    """A MISP event that is not shaped as MISP writes it; the message names the event and the attribute."""


@dataclass(frozen=True, slots=True)
class ImportedClaim:
    """A claim read from one attribute (or object): its uuid and timestamp are the object's id and version."""

    object_id: str
    version: str
    claim: LabelClaim


@dataclass(frozen=True, slots=True)
class ImportedWallet:
    """A wallet read from one coin-address object carrying hotpursuit's JSON."""

    object_id: str
    version: str
    wallet: SharedWallet


@dataclass(frozen=True, slots=True)
class ImportedEvent:
    """What one MISP event says: its uuid, info, creator organisation, version (its timestamp), TLP, actor,
    the claims and wallets in it, and the addresses that could not be placed on a chain (with why)."""

    uuid: str
    info: str
    producer: str | None
    version: str
    tlp: str
    actor: str | None
    claims: list[ImportedClaim] = field(default_factory=list)
    wallets: list[ImportedWallet] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def misp_events(document: object, where: str = "input") -> list[Mapping[str, Any]]:
    """The `Event` dicts of a MISP JSON document (`{"Event": ...}`, a list, `{"response": [...]}`)."""
    if isinstance(document, Mapping) and "response" in document:
        document = document["response"]
    items = document if isinstance(document, list) else [document]
    events = []
    for n, item in enumerate(items):
        place = f"{where}: item {n}" if isinstance(document, list) else where
        if not isinstance(item, Mapping) or not isinstance(item.get("Event"), Mapping):
            raise MispFormatError(f"{place}: not a MISP event (want an object with an \"Event\" object)")
        events.append(item["Event"])
    return events


def read_misp(document: object, where: str = "input") -> list[ImportedEvent]:
    """Every event of a MISP JSON document, read (`where` names the document in errors)."""
    return [read_event(e, where) for e in misp_events(document, where)]


def read_event(event: Mapping[str, Any], where: str = "input") -> ImportedEvent:
    """One MISP event's claims and wallets."""
    event_id = event.get("uuid")
    if not isinstance(event_id, str) or not _is_uuid(event_id):
        raise MispFormatError(f"{where}: event {event.get('info', '')!r}: Event UUID field missing or not a uuid "
                              f"({event_id!r})")
    place = f"{where}: event {event_id}"
    info = event.get("info")
    if not isinstance(info, str):
        raise MispFormatError(f"{place}: info field missing or not text")
    version = _timestamp(event.get("timestamp"), place)
    orgc = event.get("Orgc")
    producer = orgc.get("name") if isinstance(orgc, Mapping) else None
    if producer is not None and not isinstance(producer, str):
        raise MispFormatError(f"{place}: Orgc.name is not text")
    tags = _tags(event, place) + _galaxy_tags(event, place)
    tlp = _tlp(tags) or DEFAULT_TLP
    actor = _actor(tags)
    date = _date(event.get("date"), place)
    read = ImportedEvent(event_id, info, producer, version, tlp, actor)
    context = _Context(read, date, tags)
    for n, attribute in enumerate(_list(event, "Attribute", place)):
        _read_attribute(context, _dict(attribute, f"{place}: Attribute {n}"), f"{place}: attribute")
    for n, obj in enumerate(_list(event, "Object", place)):
        _read_object(context, _dict(obj, f"{place}: Object {n}"), f"{place}: object")
    return read


@dataclass(frozen=True, slots=True)
class _Context:
    event: ImportedEvent
    date: dt.date | None
    tags: list[str]


def _read_attribute(ctx: _Context, attribute: Mapping[str, Any], where: str) -> None:
    kind, value, uid, place = _attribute_core(attribute, where)
    tags = _tags(attribute, place)
    mine = _machine(tags)
    if "label" in mine:  # one of ours: the claim exactly as it was made
        ctx.event.claims.append(ImportedClaim(uid, _timestamp(attribute.get("timestamp"), place) if
                                              attribute.get("timestamp") is not None else ctx.event.version,
                                              _own_claim(mine, value, tags, place)))
        return
    chain = ADDRESS_TYPES.get(kind)
    if chain is None:
        return  # not an address: nothing hotpursuit keeps
    comment = attribute.get("comment") if isinstance(attribute.get("comment"), str) else ""
    _foreign_claim(ctx, uid, attribute, chain, value, tags, str(comment or ""), place)


def _read_object(ctx: _Context, obj: Mapping[str, Any], where: str) -> None:
    name = obj.get("name")
    uid = obj.get("uuid")
    if not isinstance(uid, str) or not _is_uuid(uid):
        raise MispFormatError(f"{where} {obj.get('name')!r}: uuid missing or not a uuid ({uid!r})")
    place = f"{where} {uid}"
    if not isinstance(name, str):
        raise MispFormatError(f"{place}: name missing or not text")
    attributes = [_dict(a, f"{place}: Attribute {n}") for n, a in enumerate(_list(obj, "Attribute", place))]
    if name != "coin-address":
        return  # other objects say nothing about addresses
    by_relation: dict[str, tuple[Mapping[str, Any], str]] = {}
    for attribute in attributes:
        relation = attribute.get("object_relation")
        if not isinstance(relation, str):
            raise MispFormatError(f"{place}: attribute {attribute.get('uuid')!r}: object_relation missing")
        _, value, _, _ = _attribute_core(attribute, f"{place}: attribute")
        by_relation.setdefault(relation, (attribute, value))
    found = [(r, by_relation[r]) for r in ADDRESS_RELATIONS if r in by_relation]
    if not found:
        raise MispFormatError(f"{place}: coin-address without address, address-xmr or address-crypto")
    relation, (address_attribute, address) = found[0]
    tags = _tags(address_attribute, f"{place}: attribute {address_attribute.get('uuid')}")
    version = _timestamp(obj["timestamp"], place) if obj.get("timestamp") is not None else ctx.event.version
    text = by_relation.get("text", (None, ""))[1]
    wallet = _wallet_json(text, place, ours=bool(_machine(tags)))
    if wallet is not None:
        ctx.event.wallets.append(ImportedWallet(uid, version, _wallet(
            wallet, address, _tlp(tags) or ctx.event.tlp, by_relation, version, place)))
        return
    chain = ADDRESS_RELATIONS[relation] or _machine(tags).get("chain") or _symbol_chain(by_relation)
    comment = obj.get("comment") if isinstance(obj.get("comment"), str) else ""
    _foreign_claim(ctx, uid, {**address_attribute, "timestamp": obj.get("timestamp")}, chain, address, tags,
                   str(comment or ""), place)


def _foreign_claim(ctx: _Context, uid: str, attribute: Mapping[str, Any], chain: str | None, value: str,
                   tags: list[str], comment: str, place: str) -> None:
    """Another organisation's address: a claim that it belongs to what the event is about."""
    chain = chain or guess_chain(value.strip())
    if chain is None:
        ctx.event.skipped.append(f"{place}: {value!r}: no chain (no symbol, hotpursuit:chain tag or known format)")
        return
    try:
        address = parse_address(chain, value)
    except InvalidAddress as exc:
        raise MispFormatError(f"{place}: {value!r} is not a {chain} address: {exc}") from None
    mine = _machine(tags)
    actor = _actor(tags) or ctx.event.actor
    category = mine.get("category") or ("dprk" if actor in ACTORS else "other")
    e = ctx.event
    claim = LabelClaim(chain, address, (comment or e.info)[:200], category if category in CATEGORIES else "other",
                       actor, FOREIGN_CONFIDENCE, f"MISP event {e.uuid}", ctx.date, _tlp(tags) or e.tlp,
                       e.producer or "unknown")
    version = _timestamp(attribute["timestamp"], place) if attribute.get("timestamp") is not None else e.version
    e.claims.append(ImportedClaim(uid, version, claim))


def _own_claim(mine: Mapping[str, str], address: str, tags: list[str], place: str) -> LabelClaim:
    def need(key: str) -> str:
        if key not in mine:
            raise MispFormatError(f"{place}: hotpursuit claim without its {TAG}:{key} tag")
        return mine[key]
    confidence = need("confidence")
    if not confidence.isdigit() or not 0 <= int(confidence) <= 100:
        raise MispFormatError(f"{place}: {TAG}:confidence {confidence!r} is not a whole number 0-100")
    category = need("category")
    if category not in CATEGORIES:
        raise MispFormatError(f"{place}: {TAG}:category {category!r} is not one of {', '.join(CATEGORIES)}")
    tlp = _tlp(tags)
    if tlp is None:
        raise MispFormatError(f"{place}: hotpursuit claim without a tlp: tag")
    chain = need("chain")
    try:
        address = parse_address(chain, address)
    except InvalidAddress as exc:
        raise MispFormatError(f"{place}: {address!r} is not a {chain} address: {exc}") from None
    return LabelClaim(chain, address, need("label"), category, mine.get("actor"), int(confidence), need("source"),
                      _date(mine.get("source-date"), place), tlp, need("asserted-by"))


def _wallet_json(text: str, place: str, *, ours: bool) -> dict[str, Any] | None:
    """The hotpursuit JSON of a coin-address object's `text`, or None if the text is not ours (`ours`: the
    address carries hotpursuit's tags, so a text that is not our JSON is broken)."""
    if not text.lstrip().startswith("{"):
        if ours:
            raise MispFormatError(f"{place}: text: hotpursuit wallet JSON missing")
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        if ours or WALLET_FORMAT in text:
            raise MispFormatError(f"{place}: text: hotpursuit wallet JSON is malformed: {exc}") from None
        return None
    if not isinstance(data, dict) or data.get("format") != WALLET_FORMAT:
        return None
    return data


def _wallet(data: Mapping[str, Any], address: str, tlp: str, by_relation: Mapping[str, tuple[Mapping[str, Any], str]],
            version: str, place: str) -> SharedWallet:
    where = f"{place}: text"

    def text(key: str, optional: bool = False) -> str | None:
        value = data.get(key)
        if value is None and optional:
            return None
        if not isinstance(value, str) or not value:
            raise MispFormatError(f"{where}: {key!r} missing or not text")
        return value
    hops = data.get("hops")
    if not isinstance(hops, int) or isinstance(hops, bool) or hops < 0:
        raise MispFormatError(f"{where}: 'hops' is not a whole number")
    txs = data.get("evidence_tx")
    if not isinstance(txs, list) or not all(isinstance(t, str) for t in txs):
        raise MispFormatError(f"{where}: 'evidence_tx' is not a list of transaction hashes")
    tainted = data.get("tainted")
    if not isinstance(tainted, list) or not tainted:
        raise MispFormatError(f"{where}: 'tainted' is not a list of amounts")
    amounts = tuple(_tainted(t, f"{where}: tainted[{n}]") for n, t in enumerate(tainted))
    chain = str(text("chain"))
    try:
        address = parse_address(chain, address)
    except InvalidAddress as exc:
        raise MispFormatError(f"{place}: {address!r} is not a {chain} address: {exc}") from None
    seen = {r: _datetime(by_relation[r][1], f"{place}: {r}") if r in by_relation else None
            for r in ("first-seen", "last-seen")}
    return SharedWallet(chain=chain, address=address, incident=str(text("incident")), model=str(text("model")),
                        hops=hops, tainted=amounts, first_seen=seen["first-seen"], last_seen=seen["last-seen"],
                        freeze_status=text("freeze_status", optional=True), evidence_tx=tuple(txs), tlp=tlp,
                        owner_org=None, created=dt.datetime.fromtimestamp(int(version), dt.UTC).replace(tzinfo=None))


def _tainted(item: object, where: str) -> TaintedAmount:
    if not isinstance(item, Mapping):
        raise MispFormatError(f"{where}: not an object")
    asset, amount, received = item.get("asset"), item.get("amount"), item.get("received")
    decimals, symbol = item.get("decimals"), item.get("symbol")
    if not isinstance(asset, str) or not asset:
        raise MispFormatError(f"{where}: 'asset' missing")
    for key, value in (("amount", amount), ("received", received)):
        if not (value is None and key == "received") and not (isinstance(value, str) and DECIMAL.match(value)):
            raise MispFormatError(f"{where}: {key!r} {value!r} is not a decimal string of base units")
    if decimals is not None and (isinstance(decimals, bool) or not isinstance(decimals, int)
                                 or not 0 <= decimals <= 77):
        raise MispFormatError(f"{where}: 'decimals' {decimals!r} is not a whole number 0-77")
    if symbol is not None and not isinstance(symbol, str):
        raise MispFormatError(f"{where}: 'symbol' is not text")
    return TaintedAmount(asset, int(str(amount)), decimals, symbol, None if received is None else int(str(received)))


def _attribute_core(attribute: Mapping[str, Any], where: str) -> tuple[str, str, str, str]:
    """(type, value, uuid, place) of an attribute, checked."""
    uid = attribute.get("uuid")
    if not isinstance(uid, str) or not _is_uuid(uid):
        raise MispFormatError(f"{where} {attribute.get('value')!r}: uuid missing or not a uuid ({uid!r})")
    place = f"{where} {uid}"
    kind, value = attribute.get("type"), attribute.get("value")
    if not isinstance(kind, str) or not kind:
        raise MispFormatError(f"{place}: type missing or not text")
    if not isinstance(value, str):
        raise MispFormatError(f"{place}: value missing or not text")
    return kind, value, uid, place


def _tags(holder: Mapping[str, Any], where: str) -> list[str]:
    names = []
    for n, tag in enumerate(_list(holder, "Tag", where)):
        name = tag.get("name") if isinstance(tag, Mapping) else None
        if not isinstance(name, str):
            raise MispFormatError(f"{where}: Tag {n}: name missing or not text")
        names.append(name)
    return names


def _galaxy_tags(event: Mapping[str, Any], where: str) -> list[str]:
    """The tag names of the galaxy clusters attached to an event (MISP's own export lists them apart)."""
    names = []
    for galaxy in _list(event, "Galaxy", where):
        clusters = galaxy.get("GalaxyCluster") if isinstance(galaxy, Mapping) else None
        for cluster in clusters if isinstance(clusters, list) else []:
            if isinstance(cluster, Mapping) and isinstance(cluster.get("tag_name"), str):
                names.append(cluster["tag_name"])
    return names


def _machine(tags: Iterable[str]) -> dict[str, str]:
    """hotpursuit's machine tags: predicate -> value."""
    found = {}
    for tag in tags:
        parsed = _machine_tag(tag)
        if parsed and parsed[0] == TAG:
            found[parsed[1]] = parsed[2]
    return found


def _machine_tag(tag: str) -> tuple[str, str, str] | None:
    """(namespace, predicate, value) of `ns:predicate="value"` (the value JSON-quoted, or plainly quoted)."""
    match = MACHINE_TAG.match(tag)
    if match is None:
        return None
    raw = match["value"].strip()
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw[1:-1] if len(raw) >= 2 and raw[0] == raw[-1] == '"' else raw
    return match["ns"], match["predicate"], str(value)


def _tlp(tags: Iterable[str]) -> str | None:
    """The most restrictive TLP level among the tags, if any."""
    levels = [TLP_TAGS[t.strip().lower()] for t in tags if t.strip().lower() in TLP_TAGS]
    return max(levels, key=TLP_ORDER.index) if levels else None


def _actor(tags: Iterable[str]) -> str | None:
    """The actor of hotpursuit's actor tag, else of the threat-actor galaxy tag (by name or alias: Lazarus
    Group is lazarusgroup; an unknown cluster's name as an id, letters and digits)."""
    tags = list(tags)
    mine = _machine(tags)
    if mine.get("actor"):
        return mine["actor"]
    names = {name.lower(): actor for actor, (_, name, _, aliases) in ACTORS.items() for name in (name, *aliases)}
    for tag in tags:
        parsed = _machine_tag(tag)
        if parsed and parsed[0] == "misp-galaxy" and parsed[1] in ("threat-actor", "mitre-intrusion-set"):
            value = parsed[2].split(" - ")[0].strip()  # MITRE's clusters are "Lazarus Group - G0032"
            return names.get(value.lower()) or re.sub(r"[^a-z0-9]", "", value.lower()) or None
    return None


def _symbol_chain(by_relation: Mapping[str, tuple[Mapping[str, Any], str]]) -> str | None:
    symbol = by_relation.get("symbol", (None, ""))[1].strip().upper()
    return SYMBOL_CHAINS.get(symbol)


def _list(holder: Mapping[str, Any], key: str, where: str) -> list[Any]:
    value = holder.get(key, [])
    if value is None:
        return []
    if not isinstance(value, list):
        raise MispFormatError(f"{where}: {key} is not a list")
    return value


def _dict(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise MispFormatError(f"{where}: not an object")
    return value


def _timestamp(value: object, where: str) -> str:
    """A MISP timestamp (seconds since 1970, a number or a string of digits) as a string."""
    if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and value.isdigit())):
        raise MispFormatError(f"{where}: timestamp {value!r} is not seconds since 1970")
    return str(int(value))


def _date(value: object, where: str) -> dt.date | None:
    if value is None or value == "":
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise MispFormatError(f"{where}: date {value!r} is not YYYY-MM-DD") from None


def _datetime(value: str, where: str) -> dt.datetime:
    """A MISP datetime as a naive UTC time (how the store keeps block times)."""
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise MispFormatError(f"{where}: {value!r} is not an ISO 8601 time") from None
    return parsed.astimezone(dt.UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
