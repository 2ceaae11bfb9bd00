"""EVM addresses are validated with their EIP-55 checksum at the boundary."""

from __future__ import annotations

import pytest

from hotpursuit.chains.evm_address import checksum_evm_address, normalize_evm_address
from hotpursuit.errors import InvalidAddress

BYBIT_EXPLOITER = "0x47666Fab8bd0Ac7003bce3f5C3585383F09486E2"  # FBI PSA250226


def test_checksummed_and_lowercase_forms_normalise_alike() -> None:
    assert normalize_evm_address(BYBIT_EXPLOITER) == BYBIT_EXPLOITER.lower()
    assert normalize_evm_address(BYBIT_EXPLOITER.lower()) == BYBIT_EXPLOITER.lower()
    assert checksum_evm_address(BYBIT_EXPLOITER.lower()) == BYBIT_EXPLOITER


def test_every_fbi_listed_address_passes_its_checksum(shared_fbi_list: list[str]) -> None:
    assert len(shared_fbi_list) == 51
    for address in shared_fbi_list:
        assert checksum_evm_address(address) == address


@pytest.mark.parametrize("bad", ["0x47666Fab8bd0Ac7003bce3f5C3585383F09486e2",  # one case flipped
                                 "0x47666fab8bd0ac7003bce3f5c3585383f09486e",   # 39 digits
                                 "47666fab8bd0ac7003bce3f5c3585383f09486e2",    # no 0x
                                 "0xZZ666fab8bd0ac7003bce3f5c3585383f09486e2"])
def test_malformed_addresses_are_rejected_with_the_reason(bad: str) -> None:
    with pytest.raises(InvalidAddress, match=r"checksum|not an EVM address"):
        normalize_evm_address(bad, where="--source")
