"""Importers for published address lists: OFAC SDN per-currency lists, heist attribution lists (the
FBI's Bybit list), scam lists, and the partners' CSV format. Each returns claims plus a note per line
it could not use (never a silent drop).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from hotpursuit.attribution.labels import CATEGORIES, TLP_LEVELS, LabelClaim, confidence_levels
from hotpursuit.chains.address_codec import normalize_address
from hotpursuit.errors import ImportFileError, IngestError
from hotpursuit.user_files import read_user_text

OFAC_CHAINS = {"XBT": "bitcoin", "ETH": "ethereum", "USDC": "ethereum", "ETC": "ethereum-classic",
               "ARB": "arbitrum", "BSC": "bsc", "LTC": "litecoin", "BCH": "bitcoin-cash", "BSV": "bitcoin-sv",
               "BTG": "bitcoin-gold", "DASH": "dash", "TRX": "tron", "XMR": "monero", "XRP": "ripple",
               "XVG": "verge", "ZEC": "zcash"}
OFAC_LIST_DATE = date(2024, 9, 27)


@dataclass
class ImportResult:
    """Claims read from a file and the lines that could not be used, with why."""

    claims: list[LabelClaim] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def import_ofac_lists(path: Path, *, asserted_by: str) -> ImportResult:
    """`sanctioned_addresses_<CUR>.txt` files (one address a line) from a folder or one file.

    USDT is issued on several chains: each USDT address goes to the chain its form belongs to.
    """
    files = sorted(path.glob("sanctioned_addresses_*.txt")) if path.is_dir() else [path]
    if not files:
        raise IngestError(f"{path}: no sanctioned_addresses_<CURRENCY>.txt files")
    result = ImportResult()
    level = confidence_levels()["authority_data"]
    for f in files:
        match = re.fullmatch(r"sanctioned_addresses_([A-Z0-9]+)\.txt", f.name)
        if match is None:
            raise IngestError(f"{f}: not an OFAC list file name (sanctioned_addresses_<CURRENCY>.txt)")
        currency = match.group(1)
        for number, line in enumerate(read_user_text(f).splitlines(), start=1):
            text = line.strip()
            if not text:
                continue
            chain = OFAC_CHAINS.get(currency) or ("ethereum" if text.startswith("0x") else "tron")
            address = normalize_address(chain, text)
            if address is None:
                result.skipped.append(f"{f.name}:{number}: {text!r} is not a valid {chain} address")
                continue
            result.claims.append(LabelClaim(chain, address, f"OFAC SDN listed address ({currency})", "sanctioned",
                                            None, level, f"OFAC SDN list ({f.name})", OFAC_LIST_DATE, "CLEAR",
                                            asserted_by))
    return result


def import_heist_list(path: Path, *, asserted_by: str, label: str, actor: str, source: str,
                      source_date: date | None, chain: str = "ethereum") -> ImportResult:
    """A published list of addresses attributed to a heist (one a line, `#` comments): DPRK labels
    only, never an incident."""
    result = ImportResult()
    level = confidence_levels()["authority_data"]
    for number, line in enumerate(read_user_text(path).splitlines(), start=1):
        text = line.split("#")[0].strip()
        if not text:
            continue
        address = normalize_address(chain, text)
        if address is None:
            raise ImportFileError(str(path), number, "address", f"{text!r} is not a valid {chain} address")
        result.claims.append(LabelClaim(chain, address, label, "dprk", actor, level, source, source_date, "CLEAR",
                                        asserted_by))
    return result


def import_scam_list(path: Path, *, asserted_by: str, chain: str = "ethereum") -> ImportResult:
    """A scam/phishing list: MyEtherWallet-style darklist JSON (`[{"address", "comment", "date"}]`)
    or plain text, one address a line with an optional comment after `#`."""
    result = ImportResult()
    level = confidence_levels()["web_crawl"]
    text = read_user_text(path)
    entries: list[tuple[int, str, str]] = []
    if text.lstrip().startswith("["):
        try:
            rows = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ImportFileError(str(path), exc.lineno, f"character {exc.colno}",
                                  f"malformed JSON: {exc.msg}") from exc
        if not isinstance(rows, list):
            raise ImportFileError(str(path), 1, "character 1", "a darklist is a JSON array of {address, comment}")
        for i, r in enumerate(rows):
            if isinstance(r, dict):
                entries.append((i + 1, str(r.get("address", "")), str(r.get("comment") or "scam")))
            else:
                result.skipped.append(f"{path.name}[{i}]: {type(r).__name__}, not an object with an address")
    else:
        for number, line in enumerate(text.splitlines(), start=1):
            raw_address, _, comment = line.partition("#")
            if raw_address.strip():
                entries.append((number, raw_address.strip(), comment.strip() or "scam"))
    for number, raw, comment in entries:
        address = normalize_address(chain, raw)
        if address is None:
            result.skipped.append(f"{path.name}:{number}: {raw!r} is not a valid {chain} address")
            continue
        result.claims.append(LabelClaim(chain, address, comment, "scam", None, level, f"scam list ({path.name})",
                                        None, "CLEAR", asserted_by))
    return result


PARTNER_COLUMNS = ("chain", "address", "label", "category", "actor", "confidence", "source", "source_date", "tlp")


def import_partner_csv(path: Path, *, asserted_by: str) -> ImportResult:
    """hotpursuit's partner CSV: a header with PARTNER_COLUMNS; `confidence` is 0-100 or a GraphSense
    name; `tlp` one of CLEAR, GREEN, AMBER, AMBER+STRICT, RED. Any bad cell rejects the whole file."""
    result = ImportResult()
    levels = confidence_levels()
    with io.StringIO(read_user_text(path), newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in PARTNER_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ImportFileError(str(path), 1, missing[0], "required column is missing")
        for row in reader:
            line = reader.line_num

            def bad(column: str, reason: str, line: int = line) -> ImportFileError:
                return ImportFileError(str(path), line, column, reason)

            chain = row["chain"].strip().lower()
            address = normalize_address(chain, row["address"].strip())
            if address is None:
                raise bad("address", f"{row['address']!r} is not a valid {chain} address")
            category = row["category"].strip().lower()
            if category not in CATEGORIES:
                raise bad("category", f"{category!r} is not one of {', '.join(CATEGORIES)}")
            conf = row["confidence"].strip()
            if conf in levels:
                confidence = levels[conf]
            elif conf.isdigit() and 0 <= int(conf) <= 100:
                confidence = int(conf)
            else:
                raise bad("confidence", f"{conf!r} is neither 0-100 nor a GraphSense confidence name")
            tlp = row["tlp"].strip().upper() or "AMBER"
            if tlp not in TLP_LEVELS:
                raise bad("tlp", f"{tlp!r} is not a TLP 2.0 level ({', '.join(TLP_LEVELS)})")
            when = row["source_date"].strip()
            try:
                source_date = date.fromisoformat(when) if when else None
            except ValueError as exc:
                raise bad("source_date", f"{when!r} is not a date (YYYY-MM-DD)") from exc
            if not row["label"].strip() or not row["source"].strip():
                raise bad("label" if not row["label"].strip() else "source", "value is missing")
            result.claims.append(LabelClaim(chain, address, row["label"].strip(), category,
                                            row["actor"].strip() or None, confidence, row["source"].strip(),
                                            source_date, tlp, asserted_by))
    return result
