"""A victim's report, validated. Pure.

A report says when the victim paid (a date, or a date-time with its offset), how much of what asset
(as they remember it: kept as written, never used as money until matched to the chain), the
transactions or sending addresses they paid with, the address they were told to pay, the website,
phone number or app the scammers gave them, free text in Korean or English, and who the victim is.
Who the victim is and what they wrote are personal data: the report is TLP:RED unless the reporting
organisation marks it otherwise, and it never leaves that organisation (api.visibility).

Every field is checked; a bad one is an InvalidInput naming the field (and, from a file, the place).
A report must give at least one way to find the payment: a transaction hash, a sending address, or
the address paid.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from hotpursuit.chains.address_codec import BITCOIN_CHAINS, check_chain, parse_address
from hotpursuit.chains.readable import parse_units
from hotpursuit.errors import InvalidAddress, InvalidInput
from hotpursuit.security.tlp import TLP_ORDER

FIELDS = ("reference", "chain", "paid_at", "amount", "asset", "tx_hashes", "from_addresses", "paid_to",
          "website", "phone", "app", "text", "language", "victim", "tlp")
LANGUAGES = ("ko", "en")
MAX_LIST = 50
_LIMITS = {"reference": 100, "asset": 64, "website": 2_000, "phone": 64, "app": 200, "text": 20_000,
           "victim_name": 200, "victim_contact": 300, "paid_at": 40, "amount": 60}
_EVM_TX = re.compile(r"^0x[0-9a-f]{64}$")
_BTC_TX = re.compile(r"^[0-9a-f]{64}$")
_HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")
_AMOUNT = re.compile(r"^[0-9]+(\.[0-9]+)?$")


@dataclass(frozen=True, slots=True)
class VictimReport:
    """One victim's complaint, every field checked and normalised (addresses and hashes in stored form)."""

    reference: str | None
    chain: str
    paid_on: dt.date | None  # the day the victim says they paid (their own calendar)
    paid_at: dt.datetime | None  # the moment, UTC, when they gave a time with its offset
    amount: str | None  # as remembered, a plain decimal in the asset's human units ("1.5")
    asset: str | None  # a symbol (ETH, USDT) or a token contract, as the victim named it
    tx_hashes: tuple[str, ...]
    from_addresses: tuple[str, ...]
    paid_to: str | None
    website: str | None
    phone: str | None
    app: str | None
    text: str
    language: str
    victim_name: str | None
    victim_contact: str | None
    tlp: str

    def content_hash(self) -> str:
        """SHA-256 of the report's canonical JSON: the same complaint filed twice is one report."""
        facts = {k: (v.isoformat() if isinstance(v, dt.date | dt.datetime) else v) for k, v in asdict(self).items()}
        return hashlib.sha256(json.dumps(facts, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def report_id(org: str, report: VictimReport) -> str:
    """The report's id: from the reporting organisation and its reference (a complaint number names one
    complaint: filed again with corrections, it replaces the first), else from its content."""
    basis = f"{org}\n{report.reference}" if report.reference else f"{org}\n#{report.content_hash()}"
    return "vr-" + hashlib.sha256(basis.encode()).hexdigest()[:20]


def check_report(raw: Mapping[str, Any], *, known_chains: tuple[str, ...] = ()) -> VictimReport:
    """Validate one report given as a JSON object (the API's body, one entry of an intake file or a CSV
    row made into one); InvalidInput naming the first bad field."""
    if not isinstance(raw, Mapping):
        raise InvalidInput(f"a report is a JSON object with the fields {', '.join(FIELDS)}; got {type(raw).__name__}")
    unknown = sorted(str(k) for k in raw if k not in FIELDS)
    if unknown:
        raise InvalidInput(f"{unknown[0][:40]}: not a field of a report; the fields are {', '.join(FIELDS)}")
    chain = _text(raw, "chain", 32)
    if chain is None:
        raise InvalidInput("chain: say which chain the victim paid on (ethereum, bitcoin, ...)")
    chain = check_chain(chain.lower(), known_chains)
    paid_on, paid_at = _moment(raw.get("paid_at"))
    amount = _amount(raw.get("amount"))
    asset = _text(raw, "asset", _LIMITS["asset"])
    txs = tuple(dict.fromkeys(_tx_hash(chain, t, i) for i, t in enumerate(_list(raw, "tx_hashes"))))
    senders = tuple(dict.fromkeys(_address(chain, a, f"from_addresses[{i}]")
                                  for i, a in enumerate(_list(raw, "from_addresses"))))
    paid_to_text = _text(raw, "paid_to", 128)
    paid_to = _address(chain, paid_to_text, "paid_to") if paid_to_text else None
    if not txs and not senders and paid_to is None:
        raise InvalidInput("tx_hashes, from_addresses, paid_to: give at least one: the transaction, the address "
                           "the victim paid from, or the address they were told to pay; without one the payment "
                           "cannot be found on chain")
    if amount is not None and asset is None:
        raise InvalidInput(f"asset: the amount {amount} is of which asset (ETH, USDT, ...)?")
    text = _text(raw, "text", _LIMITS["text"]) or ""
    language = _language(raw.get("language"), text)
    name, contact = _victim(raw.get("victim"))
    tlp_text = _text(raw, "tlp", 20) or "RED"
    tlp = tlp_text.upper()
    if tlp not in TLP_ORDER:
        raise InvalidInput(f"tlp: {tlp_text!r} is not a TLP 2.0 level; use one of {', '.join(TLP_ORDER)}")
    return VictimReport(_text(raw, "reference", _LIMITS["reference"]), chain, paid_on, paid_at, amount, asset,
                        txs, senders, paid_to, _text(raw, "website", _LIMITS["website"]),
                        _text(raw, "phone", _LIMITS["phone"]), _text(raw, "app", _LIMITS["app"]), text, language,
                        name, contact, tlp)


def claimed_base_units(amount: str, decimals: int) -> int:
    """The claimed amount in base units (exact: a decimal string, never a float); digits beyond the asset's
    decimals are cut, as nobody can have paid them."""
    whole, _, frac = amount.partition(".")
    return parse_units(f"{whole}.{frac[:decimals]}" if frac[:decimals] else whole, decimals)


def _text(raw: Mapping[str, Any], field: str, limit: int) -> str | None:
    value = raw.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{field}: a string, not {type(value).__name__}")
    value = value.strip()
    if len(value) > limit:
        raise InvalidInput(f"{field}: {len(value):,} characters; at most {limit:,}")
    if any(ord(c) < 32 and c not in "\n\t" for c in value):
        raise InvalidInput(f"{field}: control characters are not allowed")
    return value or None


def _list(raw: Mapping[str, Any], field: str) -> list[str]:
    value = raw.get(field)
    if value is None:
        return []
    if isinstance(value, str):  # one value, or several separated by spaces, commas or semicolons
        value = [v for v in re.split(r"[\s,;]+", value) if v]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInput(f"{field}: a list of strings")
    if len(value) > MAX_LIST:
        raise InvalidInput(f"{field}: {len(value)} entries; at most {MAX_LIST}")
    return [v.strip() for v in value if v.strip()]


def _tx_hash(chain: str, text: str, index: int) -> str:
    value = text.lower()
    pattern = _BTC_TX if chain in BITCOIN_CHAINS else _EVM_TX
    if not pattern.match(value):
        shape = "64 hex digits" if chain in BITCOIN_CHAINS else "0x and 64 hex digits"
        raise InvalidInput(f"tx_hashes[{index}]: {text[:80]!r} is not a transaction hash of {chain} ({shape})")
    return value


def _address(chain: str, text: str, field: str) -> str:
    try:
        return parse_address(chain, text)
    except InvalidAddress as e:
        raise InvalidInput(f"{field}: {e}") from None


def _moment(value: Any) -> tuple[dt.date | None, dt.datetime | None]:
    if value is None or value == "":
        return None, None
    if not isinstance(value, str) or len(value) > _LIMITS["paid_at"]:
        raise InvalidInput("paid_at: a date (2026-03-02) or a date-time with its offset (2026-03-02T14:05+09:00)")
    text = value.strip()
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text), None
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"paid_at: {text!r} is not a date (2026-03-02) or a date-time "
                           "(2026-03-02T14:05+09:00)") from None
    if moment.tzinfo is None:
        raise InvalidInput(f"paid_at: {text!r} has no offset; give it as the victim said it, e.g. +09:00 for Korea")
    return moment.date(), moment.astimezone(dt.UTC)


def _amount(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InvalidInput("amount: a decimal string in the asset's units, e.g. \"1.5\" (not a float)")
    text = str(value).strip().replace(",", "").replace("_", "")
    if len(text) > _LIMITS["amount"] or not _AMOUNT.match(text):
        raise InvalidInput(f"amount: {str(value)[:60]!r} is not a plain decimal number such as 1.5 or 3000")
    try:
        if Decimal(text) <= 0:
            raise InvalidInput(f"amount: {text} is not a payment; give what the victim paid")
    except InvalidOperation:
        raise InvalidInput(f"amount: {text!r} is not a number") from None
    return text


def _language(value: Any, text: str) -> str:
    if value is None or value == "":
        return "ko" if _HANGUL.search(text) else "en"
    if value not in LANGUAGES:
        raise InvalidInput(f"language: {str(value)[:20]!r}; one of {', '.join(LANGUAGES)}")
    return str(value)


def _victim(value: Any) -> tuple[str | None, str | None]:
    if value is None:
        return None, None
    if not isinstance(value, Mapping) or not set(value) <= {"name", "contact"}:
        raise InvalidInput("victim: an object with `name` and `contact`")
    try:
        return (_text(value, "name", _LIMITS["victim_name"]), _text(value, "contact", _LIMITS["victim_contact"]))
    except InvalidInput as e:
        raise InvalidInput(f"victim.{e}") from None
