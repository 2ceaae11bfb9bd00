"""One entry point for addresses of any chain: validate and normalise, or say it cannot."""

from __future__ import annotations

import re
from collections.abc import Iterable

from hotpursuit.chains.btc_address import parse_btc_address
from hotpursuit.chains.evm_address import normalize_evm_address
from hotpursuit.errors import InvalidAddress, UnknownChain

EVM_CHAINS = frozenset({"ethereum", "anvil", "bsc", "polygon", "arbitrum", "optimism", "base", "avalanche"})
BITCOIN_CHAINS = frozenset({"bitcoin"})


def normalize_address(chain: str, text: str) -> str | None:
    """The stored form of `text` on `chain`, None if it is not a valid address there.

    EVM: lowercase hex (mixed case must be a valid EIP-55 checksum). Bitcoin: base58check or
    bech32/bech32m, checksum verified. Other chains: kept as written (no codec here yet).
    """
    try:
        return parse_address(chain, text)
    except InvalidAddress:
        return None


def check_chain(chain: str, also_known: Iterable[str] = ()) -> str:
    """`chain` if it is one hotpursuit has a codec for, or one of `also_known` (chains the store holds
    data of); else UnknownChain listing them, so a misspelling never answers "nothing known"."""
    if chain in EVM_CHAINS or chain in BITCOIN_CHAINS or chain.startswith("evm-") or chain in set(also_known):
        return chain
    known = sorted(EVM_CHAINS | BITCOIN_CHAINS)
    others = sorted(set(also_known) - set(known))
    more = f"; with data in this store also: {', '.join(others[:30])}{', ...' if len(others) > 30 else ''}" \
        if others else ""
    raise UnknownChain(f"chain {chain!r}: unknown; known: {', '.join(known)} (other EVM chains as evm-<name>){more}")


def check_evm_chain(chain: str) -> str:
    """`chain` if it is an EVM chain (imports and node ingest of accounts and tokens); else UnknownChain."""
    if chain in EVM_CHAINS or chain.startswith("evm-"):
        return chain
    raise UnknownChain(f"chain {chain!r}: not an EVM chain; EVM chains: {', '.join(sorted(EVM_CHAINS))} "
                       "(others as evm-<name>)")


def parse_address(chain: str, text: str) -> str:
    """Like normalize_address, but raise InvalidAddress with the reason. Surrounding whitespace (a pasted
    newline) is trimmed; inner whitespace is an error."""
    text = text.strip() if isinstance(text, str) else text
    if chain in EVM_CHAINS or chain.startswith("evm-"):
        return normalize_evm_address(text)
    if chain in BITCOIN_CHAINS:
        return parse_btc_address(text).text
    if not text:
        raise InvalidAddress(f"{text!r}: empty address")
    return text


_LOWER_EVM_LINES = re.compile(r"(?:0x[0-9a-f]{40}\n)*")


def parse_addresses(chain: str, texts: list[str]) -> tuple[list[str], list[tuple[int, str, str]]]:
    """(the valid ones normalised, in order; (index, text, reason) for each invalid one).

    EVM batches that are all lowercase (what exchanges send) are checked with one regular expression
    over the joined text, which is several times faster than one check per address."""
    if (chain in EVM_CHAINS or chain.startswith("evm-")) and all("\n" not in t for t in texts) \
            and _LOWER_EVM_LINES.fullmatch("\n".join(texts) + "\n"):
        return texts, []
    valid, invalid = [], []
    for i, text in enumerate(texts):
        try:
            valid.append(parse_address(chain, text))
        except InvalidAddress as exc:
            invalid.append((i, text, str(exc)))
    return valid, invalid


def guess_chain(text: str) -> str | None:
    """The chain an address looks like it belongs to (for `labels show ADDRESS` without --chain)."""
    if normalize_address("ethereum", text) is not None:
        return "ethereum"
    if normalize_address("bitcoin", text) is not None:
        return "bitcoin"
    return None
