"""The fast ERC-20 Transfer decoder agrees with eth-abi on every log shape, clean or dirty."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from hotpursuit.ingest.erc20_logs import (
    TRANSFER_TOPIC,
    WETH_DEPOSIT_TOPIC,
    WETH_WITHDRAWAL_TOPIC,
    decode_erc20_transfer,
    decode_erc20_transfer_with_eth_abi,
    decode_weth_event,
)


def _word(value: int) -> str:
    return "0x" + value.to_bytes(32, "big").hex()


addresses = st.integers(0, 2**160 - 1)
dirty_words = st.integers(0, 2**256 - 1)  # most of these have non-zero padding above 160 bits
amounts = st.integers(0, 2**256 - 1)


@st.composite
def transfer_logs(draw: st.DrawFn) -> dict[str, Any]:
    sender = draw(st.one_of(addresses, dirty_words))
    receiver = draw(st.one_of(addresses, dirty_words))
    data = draw(st.one_of(amounts.map(_word), st.just("0x"), st.binary(max_size=64).map(lambda b: "0x" + b.hex()),
                          st.sampled_from(["0x" + "zz" * 32, "0X" + "00" * 32])))
    topics = [TRANSFER_TOPIC, _word(sender), _word(receiver)]
    if draw(st.booleans()) and draw(st.booleans()):
        topics = topics[: draw(st.integers(0, 3))] + [_word(draw(dirty_words))] * draw(st.integers(0, 1))
    if draw(st.integers(0, 9)) == 0:
        topics[1:2] = [topics[1].upper().replace("0X", "0x")] if len(topics) > 1 else []
    return {"address": "0x" + "ab" * 20, "topics": topics, "data": data, "logIndex": hex(draw(st.integers(0, 999)))}


@settings(max_examples=500, deadline=None)
@given(transfer_logs())
def test_fast_decoder_matches_eth_abi(log: dict[str, Any]) -> None:
    assert decode_erc20_transfer(log) == decode_erc20_transfer_with_eth_abi(log)


def test_clean_transfer_decodes_to_exact_amount() -> None:
    log = {"address": "0xdAC17F958D2ee523a2206206994597C13D831ec7",
           "topics": [TRANSFER_TOPIC, _word(0x1111), _word(0x2222)], "data": _word(2**256 - 1), "logIndex": "0x7"}
    decoded = decode_erc20_transfer(log)
    assert decoded is not None
    assert decoded.amount == 2**256 - 1 and decoded.log_index == 7
    assert decoded.from_address == "0x" + "0" * 36 + "1111"
    assert decoded.token == "0xdac17f958d2ee523a2206206994597c13d831ec7"


def test_dirty_padding_is_not_a_transfer() -> None:
    log = {"address": "0x" + "ab" * 20, "topics": [TRANSFER_TOPIC, _word(2**200), _word(1)], "data": _word(5),
           "logIndex": "0x0"}
    assert decode_erc20_transfer(log) is None
    assert decode_erc20_transfer_with_eth_abi(log) is None


def test_weth_deposit_and_withdrawal_decode_and_other_shapes_do_not() -> None:
    weth = "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2"
    deposit = {"address": weth, "topics": [WETH_DEPOSIT_TOPIC, _word(0x1234)], "data": _word(10**18),
               "logIndex": "0x2a"}
    decoded = decode_weth_event(deposit)
    assert decoded is not None
    assert (decoded.token, decoded.kind, decoded.account, decoded.amount, decoded.log_index) == (
        weth.lower(), "deposit", "0x" + "0" * 36 + "1234", 10**18, 42)
    withdrawal = decode_weth_event({**deposit, "topics": [WETH_WITHDRAWAL_TOPIC, _word(0x1234)]})
    assert withdrawal is not None and withdrawal.kind == "withdrawal"
    # a Deposit with more indexed fields (e.g. the THORChain router's), dirty padding, short data: not WETH9's
    assert decode_weth_event({**deposit, "topics": [WETH_DEPOSIT_TOPIC, _word(1), _word(2)]}) is None
    assert decode_weth_event({**deposit, "topics": [WETH_DEPOSIT_TOPIC, _word(2**200)]}) is None
    assert decode_weth_event({**deposit, "data": "0x"}) is None
    assert decode_weth_event({**deposit, "topics": [TRANSFER_TOPIC, _word(1)]}) is None
