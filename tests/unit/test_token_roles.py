"""Reading who holds a token's roles from raw `eth_call` results: only a well-formed ABI address counts."""

from __future__ import annotations

from hotpursuit.security.token_roles import ROLE_GETTERS, holders, role_holder

TETHER_OWNER = "0xc6cde7c39eb2f0f0095f41570af89efc2c1ea828"  # any address a getter may return


def test_the_getters_are_the_known_selectors() -> None:
    assert ROLE_GETTERS == {"owner": "0x8da5cb5b", "blacklister": "0xbd102430", "issuer": "0x1d143848"}


def test_only_a_well_formed_nonzero_address_is_a_holder() -> None:
    word = "0x" + "0" * 24 + TETHER_OWNER[2:]
    assert role_holder(word) == TETHER_OWNER
    assert role_holder(word.upper().replace("0X", "0x")) == TETHER_OWNER
    assert role_holder("0x" + "0" * 64) is None  # renounced
    assert role_holder("0x" + "ff" * 32) is None  # not an address (high bytes set)
    assert role_holder("0x") is None and role_holder(None) is None and role_holder(7) is None
    assert role_holder("0x" + "zz" * 32) is None
    assert holders({"owner": word, "blacklister": None, "issuer": "0x"}) == {"owner": TETHER_OWNER}
