"""Hypothesis on the address validators at the API boundary: any text is either a normalised address
or an InvalidAddress with a reason, never another exception or a wrong address."""

from __future__ import annotations

import pytest
from eth_utils import to_checksum_address
from hypothesis import given, settings
from hypothesis import strategies as st

from hotpursuit.chains.address_codec import parse_address
from hotpursuit.chains.btc_address import encode_segwit_address, parse_btc_address
from hotpursuit.errors import InvalidAddress


@settings(max_examples=500)
@given(st.text(max_size=100), st.sampled_from(["ethereum", "bitcoin", "anvil"]))
def test_any_text_is_an_address_or_a_clear_error(text: str, chain: str) -> None:
    try:
        parsed = parse_address(chain, text)
    except InvalidAddress as exc:
        assert str(exc)
        return
    assert parse_address(chain, parsed) == parsed  # normalised forms are fixed points


@given(st.binary(min_size=20, max_size=20))
def test_evm_checksums_round_trip_and_one_flipped_case_is_caught(raw: bytes) -> None:
    checksummed = to_checksum_address(raw)
    assert parse_address("ethereum", checksummed) == "0x" + raw.hex()
    letters = [i for i, c in enumerate(checksummed) if i > 1 and c.isalpha()]
    if len(letters) >= 2 and checksummed[2:] not in (checksummed[2:].lower(), checksummed[2:].upper()):
        i = letters[0]
        flipped = checksummed[:i] + checksummed[i].swapcase() + checksummed[i + 1:]
        if flipped[2:] not in (flipped[2:].lower(), flipped[2:].upper()):
            with pytest.raises(InvalidAddress, match="EIP-55"):
                parse_address("ethereum", flipped)


@given(st.sampled_from([(0, 20), (0, 32), (1, 32)]).flatmap(
    lambda vp: st.tuples(st.just(vp[0]), st.binary(min_size=vp[1], max_size=vp[1]))), st.integers(0, 60))
def test_segwit_round_trip_and_any_single_substitution_is_refused(case: tuple[int, bytes], position: int) -> None:
    version, program = case
    address = encode_segwit_address(version, program)
    assert parse_btc_address(address).script[2:] == program
    i = 4 + position % (len(address) - 4)
    other = "q" if address[i] != "q" else "p"
    with pytest.raises(InvalidAddress):
        parse_btc_address(address[:i] + other + address[i + 1:])  # bech32 detects every single substitution
