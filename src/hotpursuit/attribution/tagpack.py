"""GraphSense TagPacks and ActorPacks: loading, validating like graphsense's tagpack-tool, to claims.

A TagPack is YAML: header fields (title, creator, tags, and any tag field, which every tag inherits
unless it sets its own), then `tags`. Loading follows tagpack-tool: a `header:` mapping is merged
into the top level, duplicate keys are an error, `network` defaults to `currency`, a pack without a
pack-level confidence where some tag lacks one gets the lowest level (`unknown`), and each tag's
`category` and `abuse` join its `concepts`. Validation checks, in tagpack-tool's order and with its
messages: mandatory header fields, header fields allowed, not empty, typed, from their taxonomy; then
each distinct tag: address or tx_hash (not both), mandatory tag fields, allowed, not empty, typed,
from their taxonomy. The schema and vocabularies are graphsense-lib's, shipped in `graphsense/`.
"""

from __future__ import annotations

import csv
import datetime
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from hotpursuit.attribution.labels import Actor, LabelClaim, confidence_levels
from hotpursuit.chains.address_codec import normalize_address
from hotpursuit.user_files import read_user_text

CHAINS = {"btc": "bitcoin", "eth": "ethereum", "ltc": "litecoin", "bch": "bitcoin-cash", "zec": "zcash",
          "trx": "tron", "bsc": "bsc", "xmr": "monero"}
DPRK_ACTORS = frozenset({"lazarusgroup", "tradertraitor", "bybithacker"})


class TagPackError(ValueError):
    """A TagPack or ActorPack that fails validation; the message is tagpack-tool's reason."""


class _UniqueKeyLoader(yaml.SafeLoader):  # type: ignore[misc]  # PyYAML ships no types
    """SafeLoader that refuses a mapping with the same key twice (tagpack-tool does too)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise TagPackError(f"Duplicate {key!r} key found in YAML.")
            seen.add(key)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


@cache
def _schema(name: str) -> dict[str, Any]:
    text = resources.files("hotpursuit.attribution").joinpath(f"graphsense/{name}").read_text()
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


@cache
def _taxonomies() -> dict[str, frozenset[str]]:
    files = resources.files("hotpursuit.attribution").joinpath("graphsense")
    concepts = frozenset(k for k in yaml.safe_load(files.joinpath("concepts.yaml").read_text()) if k != "scheme")
    tag_types = frozenset(r["id"] for r in csv.DictReader(files.joinpath("tag_types.csv").read_text().splitlines()))
    countries = frozenset(r["id"] for r in csv.DictReader(files.joinpath("countries.csv").read_text().splitlines()))
    return {"concept": concepts, "confidence": frozenset(confidence_levels()), "tag_type": tag_types,
            "country": countries}


@dataclass
class TagPack:
    """A loaded (not yet validated) TagPack."""

    path: str
    header: dict[str, Any]
    tags: list[dict[str, Any]] = field(default_factory=list)

    @property
    def tag_defaults(self) -> dict[str, Any]:
        """Header fields that are tag fields: every tag inherits them."""
        tag_fields = _schema("tagpack_schema.yaml")["tag"]
        return {k: v for k, v in self.header.items() if k in tag_fields}

    def all_fields(self, tag: dict[str, Any]) -> dict[str, Any]:
        """A tag's fields after inheritance (its own win)."""
        return {**self.tag_defaults, **tag}


def load_tagpack(path: Path) -> TagPack:
    """Read a TagPack file with tagpack-tool's loading rules (see the module docstring)."""
    try:
        contents = yaml.load(read_user_text(path), _UniqueKeyLoader)
    except yaml.YAMLError as exc:
        raise TagPackError(f"{path}: not YAML: {exc}") from exc
    if not isinstance(contents, dict):
        raise TagPackError(f"{path}: Cannot extract TagPack fields")
    if isinstance(contents.get("header"), dict):
        contents.update(contents.pop("header"))
    raw_tags = contents.get("tags")
    tags = [dict(t) if isinstance(t, dict) else t for t in raw_tags] if isinstance(raw_tags, list) else []
    header = {k: v for k, v in contents.items()}
    if "confidence" not in header and not all(isinstance(t, dict) and "confidence" in t for t in tags):
        levels = confidence_levels()
        lowest = min(levels.values())
        header["confidence"] = [n for n, v in levels.items() if v == lowest][-1]
    if "network" not in header and "currency" in header:
        header["network"] = header["currency"]
    if isinstance(header.get("lastmod"), str):
        header["lastmod"] = _parse_date(header["lastmod"])
    pack = TagPack(str(path), header)
    for t in tags:
        if isinstance(t, dict):
            if "network" not in t and "currency" in t:
                t["network"] = t["currency"]
            fields = pack.all_fields(t)
            concepts = list(fields.get("concepts") or [])
            for extra in (fields.get("abuse"), fields.get("category")):
                if extra and extra not in concepts:
                    concepts.append(extra)
            t["concepts"] = concepts
        pack.tags.append(t)
    return pack


def validate_tagpack(pack: TagPack) -> list[str]:
    """Raise TagPackError with tagpack-tool's reason if the pack is invalid; return warnings."""
    schema = _schema("tagpack_schema.yaml")
    header_schema, tag_schema = schema["header"], schema["tag"]
    all_fields = {**header_schema, **tag_schema}
    for name, spec in header_schema.items():
        if spec.get("mandatory") and name not in pack.header:
            raise TagPackError(f"Mandatory header field {name} missing")
    for name, value in pack.header.items():
        if name not in all_fields:
            raise TagPackError(f"Field {name} not allowed in header")
        if value is None:
            raise TagPackError(f"Value of header field {name} must not be empty (None)")
        _check(name, all_fields[name], value)
    warnings: list[str] = []
    seen: set[tuple[str, ...]] = set()
    no_actor = 0
    for index, tag in enumerate(pack.tags):
        if not isinstance(tag, dict):
            raise TagPackError(f"Unknown tag type {tag}")
        fields = pack.all_fields(tag)
        key = tuple(str(fields.get(k, "")).lower() for k in ("address", "currency", "network", "label", "source"))
        if key in seen:
            continue
        seen.add(key)
        where = f"tag {index + 1} ({fields.get('address') or fields.get('tx_hash')})"
        no_actor += fields.get("actor") is None
        if fields.get("address") is None and fields.get("tx_hash") is None:
            raise TagPackError(f"Mandatory tag field address missing in {where}")
        if fields.get("address") is not None and fields.get("tx_hash") is not None:
            raise TagPackError("The fields tx_hash and address are mutually exclusive but both are set.")
        for name, spec in tag_schema.items():
            if spec.get("mandatory") and name not in tag and name not in pack.tag_defaults:
                raise TagPackError(f"Mandatory tag field {name} missing in {where}")
        for name, value in tag.items():
            if name not in tag_schema:
                raise TagPackError(f"Field {name} not allowed in {where}")
            if value is None:
                raise TagPackError(f"Value of body field {name} must not be empty (None) in {where}")
            try:
                _check(name, tag_schema[name], value)
            except TagPackError as exc:
                raise TagPackError(f"{exc} in {where}") from exc
        address = fields.get("address")
        if isinstance(address, str) and address != address.strip():
            warnings.append(f"Address contains whitespace: {address!r}")
    if no_actor:
        warnings.append(f"{no_actor}/{len(seen)} tags have no actor configured.")
    return warnings


def _check(name: str, spec: dict[str, Any], value: Any) -> None:
    kind = spec["type"]
    if kind == "text":
        if not isinstance(value, str):
            raise TagPackError(f"Field {name} must be of type text")
        if not value.strip():
            raise TagPackError(f"Empty value in text field {name}")
    elif kind == "datetime" and not isinstance(value, datetime.date):
        raise TagPackError(f"Field {name} must be of type datetime")
    elif kind == "boolean" and not isinstance(value, bool):
        raise TagPackError(f"Field {name} must be of type boolean")
    elif kind == "list":
        if not isinstance(value, list):
            raise TagPackError(f"Field {name} must be of type list")
        if spec.get("item_type") == "text":
            for i, item in enumerate(value):
                _check(f"{name}[{i}]", {"type": "text"}, item)
    if "\0" in str(value):
        raise TagPackError(f"Value of field {name} contains a null character")
    taxonomy = spec.get("taxonomy")
    if taxonomy:
        allowed: set[str] = set()
        for t in [taxonomy] if isinstance(taxonomy, str) else taxonomy:
            allowed |= _taxonomies()[t]
        for v in value if isinstance(value, list) else [value]:
            if v not in allowed:
                raise TagPackError(f"Undefined concept {v} for {name} field")


def _parse_date(text: str) -> datetime.date | str:
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        return text


def tagpack_claims(pack: TagPack, *, asserted_by: str, tlp: str = "CLEAR") -> tuple[list[LabelClaim], list[str]]:
    """Label claims of a validated pack (one per distinct tag with an address) and skipped-tag notes."""
    levels = confidence_levels()
    claims, skipped = [], []
    for tag in pack.tags:
        fields = pack.all_fields(tag)
        address = fields.get("address")
        if not isinstance(address, str):
            continue  # a transaction tag: not an address label
        network = str(fields.get("network") or fields.get("currency")).lower()
        chain = CHAINS.get(network, network)
        normalized = normalize_address(chain, address.strip())
        if normalized is None:
            skipped.append(f"{address!r} is not a valid {chain} address")
            continue
        lastmod = fields.get("lastmod")
        claims.append(LabelClaim(
            chain=chain, address=normalized, label=str(fields["label"]),
            category=_category(fields), actor=fields.get("actor"),
            confidence=levels.get(str(fields.get("confidence")), levels["unknown"]),
            source=f"tagpack:{Path(pack.path).name}: {fields.get('source', '')}".rstrip(": "),
            source_date=lastmod if isinstance(lastmod, datetime.date) else None,
            tlp=tlp, asserted_by=asserted_by))
    return claims, skipped


_ABUSE = {"sanction": "sanctioned", "scam": "scam", "phishing": "scam", "ponzi_scheme": "scam",
          "investment_fraud": "scam", "ransomware": "scam", "extortion": "scam", "service_hack": "hack",
          "hacker": "hack", "theft": "hack", "hack": "hack"}
_CATEGORY = {"exchange": "exchange", "mixing_service": "mixer", "coinjoin": "mixer", "bridge": "bridge",
             "defi_bridge": "bridge", "market": "service", "wallet_service": "service", "miner": "miner",
             "mining_service": "miner", "gambling": "service", "payment_processor": "service",
             "black_list": "issuer", "gov_black_list": "sanctioned", "user": "user"}


def _category(fields: dict[str, Any]) -> str:
    if fields.get("actor") in DPRK_ACTORS:
        return "dprk"
    abuse = fields.get("abuse")
    if abuse:
        return _ABUSE.get(str(abuse), str(abuse))
    return _CATEGORY.get(str(fields.get("category")), str(fields.get("category") or "other"))


def load_actorpack(path: Path) -> list[Actor]:
    """Actors of a GraphSense ActorPack (`id`, `label`, `jurisdictions`, `uri`/`context.uris`)."""
    try:
        contents = yaml.load(read_user_text(path), _UniqueKeyLoader)
    except yaml.YAMLError as exc:
        raise TagPackError(f"{path}: not YAML: {exc}") from exc
    if not isinstance(contents, dict) or not isinstance(contents.get("actors"), list):
        raise TagPackError(f"{path}: Mandatory header field actors missing")
    for name in ("title", "creator"):
        if name not in contents:
            raise TagPackError(f"Mandatory header field {name} missing")
    out = []
    for i, a in enumerate(contents["actors"]):
        if not isinstance(a, dict) or not a.get("id") or not a.get("label"):
            raise TagPackError(f"{path}: actor {i + 1}: Mandatory tag field id/label missing")
        countries = a.get("jurisdictions") or []
        unknown = [c for c in countries if c not in _taxonomies()["country"]]
        if unknown:
            raise TagPackError(f"Undefined concept {unknown[0]} for jurisdictions field")
        uris = [a["uri"]] if a.get("uri") else []
        context = a.get("context")
        if isinstance(context, dict):
            uris += [str(u) for u in context.get("uris", []) if u not in uris]
        out.append(Actor(str(a["id"]), str(a["label"]), tuple(countries), tuple(uris), f"actorpack:{path.name}"))
    return out
