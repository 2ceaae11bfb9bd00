"""Asset trust: is a token the genuine asset, an unknown one, an impersonator or spam? Pure.

  * canonical: the chain's native asset, or a contract of the canonical registry (token_registry);
  * impersonating: its symbol or name, folded (NFKC, case, punctuation, spaces, invisible characters and
    trailing dots dropped, Unicode look-alikes mapped to Latin with the `confusables` library), equals a
    canonical asset's folded symbol (or name) while the contract differs: Cyrillic "ЕТН" is ETH (never an
    ERC-20), a plain "stETH" at another contract is not Lido's. A symbol that mixes Latin letters with
    look-alikes from another script ("ЕRC20") or hides invisible characters ("B\u180eN\u180eB") is one too;
  * spam: Transfers that move it "from" an address that signs its own transactions (an account, not a
    contract), that had not received that much of it before, in a transaction that address did not sign:
    a token contract writing history into other people's accounts. At least `SPAM_MIN_FORGED` such
    transfers, and at least half of all its transfers, are needed;
  * unknown: everything else (followed only as the proceeds of a swap, never counted as stolen).
A canonical asset is never impersonating or spam.

Limits on partial data (one address's export, a few blocks): "never held" alone proves nothing there (a
pool or a contract sends what the store never saw it receive), so it counts only together with an
account-like sender that did not sign the transaction. A legitimate `transferFrom` by a relayer or a
settlement contract (CoW, permit flows) from a user whose receipt of the token is not in the store looks
the same; the thresholds keep one or two such transfers from condemning a token, so a spam token with
fewer than `SPAM_MIN_FORGED` forged transfers in the store stays `unknown` (which is never traced as
stolen either). Tokens whose senders are unknown (no transactions stored) are never spam.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import product

import confusables

from hotpursuit.attribution.token_registry import CanonicalToken

NATIVE = "ETH"
STATUSES = ("canonical", "unknown", "impersonating", "spam")
SPAM_MIN_FORGED = 3
MAX_FORMS = 16  # ambiguous look-alikes (Greek "Ν" is N or V) multiply the readings: keep the first few
_DROPPED_CATEGORIES = ("Z", "C", "P", "M")  # separators, invisible/format, punctuation, combining marks
# Letters and symbols that render as blank space (Hangul fillers, the blank Braille pattern): invisible too
INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")
_LATIN_LETTER = re.compile(r"^LATIN (?:CAPITAL|SMALL) LETTER ([A-Z])\b")
# A name that says it is another chain's token carried over (Wormhole's "USD Coin (Wormhole)") or a pool
# share ("SushiSwap LP Token") is a different asset that shares a symbol, not a forgery of it
BRIDGED = re.compile(r"\((?:wormhole|pos|ibc|portal|multichain|celer|axelar|layerzero|stargate|allbridge)\)|"
                     r"\bbridged\b|\bwormhole\b", re.IGNORECASE)
POOL_SHARE = re.compile(r"\blp\b|\bliquidity\b|\bpool token\b", re.IGNORECASE)
SOURCE_NAMES = {
    "native": "the chain's native asset",
    "uniswap-default-token-list": "the Uniswap default list",
    "metamask-contract-metadata": "the MetaMask contract map",
    "etherscan-stablecoin-labels": "Etherscan's stablecoin labels",
}


@dataclass(frozen=True, slots=True)
class TokenMeta:
    """A token's metadata as the store has it (None where the contract or the export does not say)."""

    address: str
    symbol: str | None
    name: str | None
    decimals: int | None


@dataclass(frozen=True, slots=True)
class TokenStats:
    """What the store counts of one token's Transfers on one chain (self-transfers left out).

    transfers: Transfers of it; distinct_receivers: addresses that received it;
    phantom_sends: sends whose `from` (not the zero address) had not received that much of it before, in
    chain order; phantom_unsigned: of those, in a transaction whose signer is known and is not the `from`;
    signed_by_sender: Transfers in a transaction signed by their `from`;
    sends_not_by_sender: Transfers in a transaction whose known signer is not the `from`;
    forged_sends: phantom sends whose `from` signs transactions itself (an account) in a transaction it
    did not sign (signed by another, or not among its stored transactions): the spam signal.
    """

    transfers: int = 0
    phantom_sends: int = 0
    phantom_unsigned: int = 0
    signed_by_sender: int = 0
    distinct_receivers: int = 0
    sends_not_by_sender: int = 0
    forged_sends: int = 0


@dataclass(frozen=True, slots=True)
class AssetTrust:
    """An asset's status (one of STATUSES) with the reason a human reads, and what it imitates if anything."""

    asset: str
    status: str
    reason: str
    symbol: str | None
    name: str | None
    decimals: int | None
    imitates: str | None = None


@lru_cache(maxsize=8192)
def _char_forms(ch: str) -> tuple[str, ...]:
    """The Latin readings of one character ("" for what a reader does not see or compare)."""
    if ch.isascii():
        return (ch.lower(),) if ch.isalnum() else ("",)
    if ch in INVISIBLE or unicodedata.category(ch)[0] in _DROPPED_CATEGORIES:
        return ("",)
    forms = sorted({"".join(c for c in f if c.isascii() and c.isalnum()).lower()
                    for f in confusables.normalize(ch, prioritize_alpha=True)} - {""})
    if forms:
        return tuple(forms)
    latin = _LATIN_LETTER.match(unicodedata.name(ch, ""))  # "Ŧ" LATIN CAPITAL LETTER T WITH STROKE reads T
    return (latin.group(1).lower(),) if latin else (ch.lower(),)


def fold_forms(text: str | None) -> frozenset[str]:
    """Every reading of `text` after folding ("ЕТН..." -> {"eth"}); empty for nothing readable."""
    if not text:
        return frozenset()
    forms = [""]
    for ch in unicodedata.normalize("NFKC", text):
        options = _char_forms(ch)
        if len(forms) * len(options) > MAX_FORMS:
            options = options[:1]
        forms = [f + o for f, o in product(forms, options)]
    return frozenset(f for f in forms if f)


def fold(text: str | None) -> str:
    """The first reading of `text` after folding ("" when nothing is readable)."""
    forms = fold_forms(text)
    return min(forms) if forms else ""


def disguise(text: str | None) -> str | None:
    """Why a symbol looks forged: invisible characters, or Latin letters mixed with other scripts' look-alikes."""
    if not text or text.isascii():
        return None
    if any(c in INVISIBLE or unicodedata.category(c) == "Cf" for c in text):
        return "hides invisible characters"
    latin = any(c.isascii() and c.isalpha() for c in text)
    lookalike = any(not c.isascii() and c.isalpha() and any(f.isalpha() and f.isascii() for f in _char_forms(c))
                    for c in text)
    return "mixes Latin letters with look-alikes from another script" if latin and lookalike else None


def _sources_text(token: CanonicalToken) -> str:
    names = [SOURCE_NAMES.get(s, s) for s in token.sources]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _preference(token: CanonicalToken) -> tuple[bool, int, str]:
    return (token.address != NATIVE, -len(token.sources), token.address)


def classify_assets(tokens: Iterable[TokenMeta], registry: Mapping[str, CanonicalToken],
                    stats: Mapping[str, TokenStats]) -> dict[str, AssetTrust]:
    """Every token of `tokens` and the native asset "ETH", judged (keys: lowercase address, "ETH")."""
    by_symbol: dict[str, CanonicalToken] = {}
    by_name: dict[str, CanonicalToken] = {}
    for t in sorted(registry.values(), key=_preference):
        for key in fold_forms(t.symbol):
            by_symbol.setdefault(key, t)
        for key in fold_forms(t.name):
            by_name.setdefault(key, t)
    native = registry.get(NATIVE)
    out = {NATIVE: AssetTrust(NATIVE, "canonical", "the chain's native asset", NATIVE,
                              native.name if native else "Ether", native.decimals if native else 18)}
    for meta in sorted(tokens, key=lambda m: m.address):
        if meta.address == NATIVE:
            continue
        out[meta.address] = judge_asset(meta, registry, by_symbol, by_name, stats.get(meta.address, TokenStats()))
    return out


def judge_asset(meta: TokenMeta, registry: Mapping[str, CanonicalToken], by_symbol: Mapping[str, CanonicalToken],
                by_name: Mapping[str, CanonicalToken], st: TokenStats) -> AssetTrust:
    """One token's status and reason (tables keyed by folded canonical symbols and names)."""
    def trust(status: str, reason: str, imitates: str | None = None) -> AssetTrust:
        return AssetTrust(meta.address, status, reason, meta.symbol, meta.name, meta.decimals, imitates)

    genuine = registry.get(meta.address)
    if genuine is not None:
        return trust("canonical", f"{genuine.symbol} in {_sources_text(genuine)}")
    for field, text, table in (("symbol", meta.symbol, by_symbol), ("name", meta.name, by_name)):
        hits = sorted((table[k] for k in fold_forms(text) if k in table), key=_preference)
        if not hits:
            continue
        real = hits[0]
        carried = BRIDGED.search(meta.name or "") or POOL_SHARE.search(meta.name or "")
        if carried and (text or "").isascii():
            what = "a bridged representation" if BRIDGED.search(meta.name or "") else "a pool-share token"
            return trust("unknown", f"{what} ({meta.name!r}) sharing the symbol of {real.symbol} {real.address}: "
                         "a different asset, not traced as stolen")
        copied = real.symbol if field == "symbol" else real.name
        if real.address == NATIVE:
            return trust("impersonating", f"{field} {text!r} folds to {copied!r} (the native asset) but this is a "
                         f"token contract, {meta.address}", NATIVE)
        plain = "plain" if (text or "").isascii() else "look-alike"
        return trust("impersonating", f"{plain} {field} {text!r} at {meta.address}, the canonical {real.symbol} is "
                     f"{real.address}", real.address)
    why = disguise(meta.symbol)
    if why is not None:
        return trust("impersonating", f"symbol {meta.symbol!r} {why} (reads {fold(meta.symbol)!r})")
    if st.forged_sends >= SPAM_MIN_FORGED and 2 * st.forged_sends >= st.transfers:
        return trust("spam", f"Transfer senders never held it: {st.forged_sends} of {st.transfers} transfers move "
                     "it from accounts that had not received it, in transactions they did not sign")
    return trust("unknown", "in no canonical list; not traced as stolen")
