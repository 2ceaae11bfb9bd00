"""Asset trust: is a token the genuine asset, an unknown one, an impersonator or spam? Pure.

  * canonical: the chain's native asset, or a contract of the canonical registry (token_registry);
  * impersonating: its symbol or name, folded with the `confusables` library (Unicode look-alikes to
    Latin, case, punctuation, spaces and trailing dots dropped), equals a canonical asset's while the
    contract differs: Cyrillic "ЕТН" is ETH (never an ERC-20), a plain "stETH" at another contract is
    not Lido's; a symbol that hides Latin letters behind look-alike characters ("ЕRC20") is too;
  * spam: Transfers sent "from" addresses that never held it, in transactions those addresses did not
    sign (a token contract writing history into other people's accounts); judged only on transfers
    whose signer is known, or when not one transfer of it was ever signed by its sender, because a
    store often holds one address's export and "never held" alone proves nothing there;
  * unknown: everything else (followed only as the proceeds of a swap, never counted as stolen).
A canonical asset is never impersonating or spam.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import confusables

from hotpursuit.attribution.token_registry import CanonicalToken

NATIVE = "ETH"
_STRIP = re.compile(r"[\s\W_]+", re.UNICODE)
MAX_FOLD = 40  # confusables expands every ambiguous character: long names are cut first


@dataclass(frozen=True, slots=True)
class TokenMeta:
    """A token's metadata as the store has it."""

    address: str
    symbol: str | None
    name: str | None
    decimals: int | None


@dataclass(frozen=True, slots=True)
class TokenStats:
    """What the store counts of one token's transfers."""

    transfers: int = 0
    phantom_sends: int = 0  # from an address that had not received that much of it before (zero address apart)
    phantom_unsigned: int = 0  # of those, in a tx whose signer is known and is not the `from`
    signed_by_sender: int = 0  # transfers in a tx signed by their `from`


@dataclass(frozen=True, slots=True)
class AssetTrust:
    """An asset's status with the reason a human reads."""

    asset: str
    status: str  # canonical | unknown | impersonating | spam
    reason: str
    symbol: str | None
    name: str | None
    decimals: int | None
    imitates: str | None = None


def fold(text: str | None) -> str:
    """Case, punctuation, spaces and Unicode look-alikes folded away ("ЕТН..." -> "eth")."""
    if not text:
        return ""
    text = _STRIP.sub("", unicodedata.normalize("NFKC", text))[:MAX_FOLD]
    if not text:
        return ""
    if text.isascii():
        return text.lower()
    folded = confusables.normalize(text, prioritize_alpha=True)
    return str(folded[0]) if folded else text.lower()


def _disguised(text: str | None) -> bool:
    """A symbol mixing non-ASCII look-alikes of Latin letters (the script of a forgery)."""
    if not text or text.isascii():
        return False
    folded = fold(text)
    return folded.isascii() and any(c.isalpha() for c in folded)


def classify_assets(tokens: Iterable[TokenMeta], registry: Mapping[str, CanonicalToken],
                    stats: Mapping[str, TokenStats]) -> dict[str, AssetTrust]:
    """Every token of `tokens` and the native asset, judged."""
    by_symbol: dict[str, CanonicalToken] = {}
    by_name: dict[str, CanonicalToken] = {}
    for t in sorted(registry.values(), key=lambda c: (c.address != NATIVE, c.address)):
        by_symbol.setdefault(fold(t.symbol), t)
        by_name.setdefault(fold(t.name), t)
    out = {NATIVE: AssetTrust(NATIVE, "canonical", "the chain's native asset", NATIVE, "Ether", 18)}
    for meta in sorted(tokens, key=lambda m: m.address):
        out[meta.address] = _judge(meta, registry, by_symbol, by_name, stats.get(meta.address, TokenStats()))
    return out


def _judge(meta: TokenMeta, registry: Mapping[str, CanonicalToken], by_symbol: dict[str, CanonicalToken],
           by_name: dict[str, CanonicalToken], st: TokenStats) -> AssetTrust:
    def trust(status: str, reason: str, imitates: str | None = None) -> AssetTrust:
        return AssetTrust(meta.address, status, reason, meta.symbol, meta.name, meta.decimals, imitates)

    genuine = registry.get(meta.address)
    if genuine is not None:
        return trust("canonical", f"{genuine.symbol} in the canonical registry ({'; '.join(genuine.sources)})")
    for field, text, table in (("symbol", meta.symbol, by_symbol), ("name", meta.name, by_name)):
        key = fold(text)
        real = table.get(key) if key else None
        if real is None:
            continue
        what = "the native asset, never a token" if real.address == NATIVE else f"the canonical one is {real.address}"
        plain = "" if (text or "").isascii() else f" folds to {real.symbol!r} and"
        return trust("impersonating", f"{field} {text!r}{plain} copies {real.symbol} ({what}); this contract "
                     f"is {meta.address}", real.address)
    if _disguised(meta.symbol):
        return trust("impersonating", f"symbol {meta.symbol!r} hides Latin letters behind look-alike characters "
                     f"(reads {fold(meta.symbol)!r})")
    if st.phantom_unsigned:
        return trust("spam", f"{st.phantom_unsigned} of its {st.transfers} transfers move it 'from' addresses that "
                     "never held it, in transactions they did not sign")
    if st.phantom_sends and st.phantom_sends == st.transfers and not st.signed_by_sender:
        return trust("spam", f"all {st.transfers} of its transfers move it 'from' addresses that never held it, "
                     "and none was signed by its sender")
    return trust("unknown", "not in the canonical registry")
