"""The address-poisoning campaign around the heist: impersonating tokens with confusable symbols,
keyless vanity look-alikes of the thief's real counterparties, and zero-value transferFroms."""

from __future__ import annotations

import random
from dataclasses import dataclass

from hotpursuit.drill.devnet.contracts import load_artifact

FAKE_TOKEN = load_artifact("ImpersonatorToken")


@dataclass(frozen=True)
class FakeTokenSpec:
    """A fake token to deploy and why a detector must call it impersonating."""

    name: str
    symbol: str
    decimals: int
    impersonates: str
    reason: str


FAKE_TOKENS = (
    FakeTokenSpec("Ethereum", "\u0415\u0422\u041d", 18, "ETH",
                  "symbol \u0415\u0422\u041d is Cyrillic \u0415, \u0422, \u041d: folds to ETH, the native asset"),
    FakeTokenSpec("Tether USD", "USD\u0422", 6, "USDT",
                  "symbol USD\u0422 ends in Cyrillic \u0422: folds to USDT, Tether's stablecoin"),
    FakeTokenSpec("Liquid staked Ether 2.0", "stETH", 18, "stETH",
                  "symbol and name copied from the staking token at another contract"),
)


def lookalike(rng: random.Random, real: str, taken: set[str]) -> str:
    """A keyless address with `real`'s first and last 4 hex characters and a random middle."""
    while True:
        middle = "".join(rng.choice("0123456789abcdef") for _ in range(32))
        candidate = "0x" + real[2:6] + middle + real[-4:]
        if candidate != real and candidate not in taken:
            return candidate
