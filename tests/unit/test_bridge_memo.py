"""THORChain-style memos: swap destinations and outbound references."""

from __future__ import annotations

from hotpursuit.chains.bridge_memo import outbound_reference, parse_swap_memo


def test_swap_memos_name_a_validated_bitcoin_address() -> None:
    addr = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
    for memo in (f"SWAP:BTC.BTC:{addr}", f"=:BTC.BTC:{addr}:0/1/0", f"s:btc.btc:{addr.upper()}"):
        swap = parse_swap_memo(memo)
        assert swap is not None and (swap.to_chain, swap.to_address) == ("bitcoin", addr)
    bad = parse_swap_memo("=:BTC.BTC:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5")  # last character changed
    assert bad is not None and bad.to_address is None and "checksum" in (bad.problem or "")
    assert parse_swap_memo("=:ETH.ETH:0xabc") is None and parse_swap_memo("ADD:BTC.BTC") is None


def test_outbound_reference_normalises_the_inbound_hash() -> None:
    h = "ab" * 32
    assert outbound_reference(f"OUT:{h.upper()}") == "0x" + h
    assert outbound_reference(f"out:0x{h}") == "0x" + h
    assert outbound_reference("OUT:1234") is None and outbound_reference("REFUND:" + h) is None
