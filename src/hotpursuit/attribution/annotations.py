"""Annotations: an organisation's notes and tags on an incident, an address or a transaction, and the
rules their fields obey. Pure: validation raises InvalidInput naming the field ("note: ...")."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from hotpursuit.chains.address_codec import BITCOIN_CHAINS, EVM_CHAINS
from hotpursuit.errors import InvalidInput
from hotpursuit.security.tlp import TLP_ORDER

SUBJECT_KINDS = ("incident", "address", "tx")
MAX_NOTE = 4000
MAX_TAGS = 20
MAX_SUBJECT = 200  # the longest incident id, address or tx hash taken
MAX_CHAIN = 32
TAG_PATTERN = "^[a-z0-9][a-z0-9-]{0,39}$"
_TAG = re.compile(TAG_PATTERN)
_EVM_TX = re.compile(r"^0x[0-9a-fA-F]{64}$")
_BARE_TX = re.compile(r"^[0-9a-fA-F]{64}$")


@dataclass(frozen=True, slots=True)
class Annotation:
    """One note: `author_org` (key `author`) wrote `note` and `tags` about a subject, marked `tlp`.

    `subject_kind` is `incident` (subject: the incident's id; chain: the incident's chain), `address`
    (the normalised address) or `tx` (the lower-case hash). `created_at` is UTC."""

    id: str
    subject_kind: str
    chain: str
    subject: str
    note: str
    tags: tuple[str, ...]
    tlp: str
    author_org: str
    author: str
    created_at: dt.datetime


def check_subject_kind(kind: str) -> str:
    """The kind, if it is one annotations know."""
    if kind not in SUBJECT_KINDS:
        raise InvalidInput(f"subject_kind: {kind[:40]!r} is not one of {', '.join(SUBJECT_KINDS)}")
    return kind


def check_note(note: str) -> str:
    """The note without surrounding blanks; it must say something, in at most MAX_NOTE characters."""
    text = note.strip()
    if not text:
        raise InvalidInput("note: empty; write what the note says")
    if len(text) > MAX_NOTE:
        raise InvalidInput(f"note: {len(text):,} characters; a note has at most {MAX_NOTE:,}")
    return text


def check_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """The tags, each a short slug (lower-case letters, digits and dashes, at most 40), at most MAX_TAGS;
    a tag given twice counts once, in the order first given."""
    given = list(tags)
    if len(given) > MAX_TAGS:
        raise InvalidInput(f"tags: {len(given)} tags; at most {MAX_TAGS}")
    for tag in given:
        if not _TAG.match(tag):
            raise InvalidInput(f"tags: {tag[:60]!r} is not a tag: 1-40 lower-case letters, digits and dashes, "
                               "starting with a letter or digit (e.g. cash-out)")
    return tuple(dict.fromkeys(given))


def split_tags(text: str) -> tuple[str, ...]:
    """Tags typed in one box (the web form), separated by commas or blanks, case folded, then checked."""
    return check_tags(t.lower() for t in re.split(r"[\s,]+", text) if t)


def check_tlp(tlp: str) -> str:
    """The TLP 2.0 level in upper case, if it is one."""
    level = tlp.strip().upper()
    if level not in TLP_ORDER:
        raise InvalidInput(f"tlp: {tlp[:40]!r} is not a TLP 2.0 level; use one of {', '.join(TLP_ORDER)}")
    return level


def check_lengths(chain: str | None, subject: str) -> None:
    """Refuse a chain or subject too long to be one, before any message repeats it."""
    if chain is not None and len(chain) > MAX_CHAIN:
        raise InvalidInput(f"chain: {chain[:MAX_CHAIN]!r}... is not a chain (at most {MAX_CHAIN} characters)")
    if len(subject) > MAX_SUBJECT:
        raise InvalidInput(f"subject: {subject[:60]!r}... is too long ({len(subject):,} characters; at most "
                           f"{MAX_SUBJECT})")


def check_incident_id(text: str) -> str:
    """An incident id as given (its existence and visibility are the caller's to check)."""
    ident = text.strip()
    if not ident or len(ident) > MAX_SUBJECT or not ident.isprintable():
        raise InvalidInput(f"subject: {text[:60]!r} is not an incident id")
    return ident


def normalize_tx_hash(chain: str, text: str) -> str:
    """A transaction hash in its stored form: lower-case 0x and 64 hex digits on EVM chains, 64 hex digits
    (no 0x) for a Bitcoin txid, either form elsewhere."""
    tx = text.strip()
    if chain in EVM_CHAINS or chain.startswith("evm-"):
        if not _EVM_TX.match(tx):
            raise InvalidInput(f"subject: {tx[:80]!r} is not a transaction hash of {chain}: 0x and 64 hex digits "
                               f"(given: {len(tx)} characters)")
        return tx.lower()
    if chain in BITCOIN_CHAINS:
        if not _BARE_TX.match(tx):
            raise InvalidInput(f"subject: {tx[:80]!r} is not a {chain} txid: 64 hex digits, no 0x "
                               f"(given: {len(tx)} characters)")
        return tx.lower()
    if not (_EVM_TX.match(tx) or _BARE_TX.match(tx)):
        raise InvalidInput(f"subject: {tx[:80]!r} is not a transaction hash: 64 hex digits, with or without 0x")
    return tx.lower()
