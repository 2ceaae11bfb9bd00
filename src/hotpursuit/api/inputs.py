"""Chains and addresses as the API takes them: a chain a codec or the index knows (a misspelt chain
never answers `risk: none`), an address valid for it, normalized. Errors keep their class (so their
status) and name the field."""

from __future__ import annotations

from hotpursuit.api.state import ApiState
from hotpursuit.chains.address_codec import check_chain, parse_address
from hotpursuit.errors import InvalidAddress, UnknownChain


def known_chain(state: ApiState, chain: str, field: str = "chain") -> str:
    """The chain, if known; UnknownChain naming the known ones otherwise."""
    try:
        return check_chain(chain, state.index.chains())
    except UnknownChain as exc:
        raise UnknownChain(f"{field}: {exc}") from exc


def address_of(state: ApiState, chain: str, address: str, field: str = "address") -> str:
    """The address normalized for its (known) chain; UnknownChain or InvalidAddress otherwise."""
    known = known_chain(state, chain)
    try:
        return parse_address(known, address)
    except InvalidAddress as exc:
        raise InvalidAddress(f"{field}: {exc}") from exc
