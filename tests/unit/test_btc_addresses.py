"""Bitcoin address codecs and script classification against the official vectors.

Vectors: BIP-350 "Test vectors for v0-v16 native segregated witness addresses" (valid and invalid,
which supersede BIP-173's segwit vectors) and the BIP-341 generator-key taproot example.
"""

from __future__ import annotations

import pytest

from hotpursuit.chains.btc_address import NETWORKS, parse_btc_address
from hotpursuit.chains.btc_script import classify_output_script, op_return_script
from hotpursuit.errors import InvalidAddress

BIP350_VALID = [
    ("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "0014751e76e8199196d454941c45d1b3a323f1433bd6"),
    ("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
     "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262"),
    ("bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
     "5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6"),
    ("BC1SW50QGDZ25J", "6002751e"),
    ("bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "5210751e76e8199196d454941c45d1b3a323"),
    ("tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy",
     "0020000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433"),
    ("tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c",
     "5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433"),
    ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
     "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"),
]

BIP350_INVALID = [
    ("tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut", "not base58|version"),  # invalid HRP
    ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", "must use bech32m"),
    ("tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf", "must use bech32m"),
    ("BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL", "must use bech32m"),
    ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh", "must use bech32 "),
    ("tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47", "must use bech32 "),
    ("bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4", "checksum or character"),
    ("BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R", "witness version 17"),
    ("bc1pw5dgrnzv", "1 bytes"),
    ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav", "41 bytes"),
    ("BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P", "v0 witness program is 16 bytes"),
    ("tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq", "mixed case"),
    ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf", "padding"),
    ("tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j", "padding"),
    ("bc1gmk9yu", "no witness version"),
]


def _network(address: str) -> str:
    return "test" if address.lower().startswith("tb1") else "main"


@pytest.mark.parametrize(("address", "script_hex"), BIP350_VALID)
def test_bip350_valid_addresses_decode_to_their_script_and_back(address: str, script_hex: str) -> None:
    network = NETWORKS[_network(address)]
    parsed = parse_btc_address(address, network)
    assert parsed.script.hex() == script_hex
    assert parsed.text == address.lower()
    assert classify_output_script(bytes.fromhex(script_hex), network).address == address.lower()


@pytest.mark.parametrize(("address", "reason"), BIP350_INVALID)
def test_bip350_invalid_addresses_are_refused_with_a_reason(address: str, reason: str) -> None:
    network = NETWORKS[_network(address)]
    with pytest.raises(InvalidAddress, match=reason):
        parse_btc_address(address, network)


def test_taproot_output_of_bip341_generator_key() -> None:
    key = "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
    info = classify_output_script(bytes.fromhex("5120" + key))
    assert info.script_type == "p2tr"
    assert info.address == "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"


def test_base58_checksum_and_version_errors() -> None:
    assert parse_btc_address("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa").kind == "p2pkh"
    assert parse_btc_address("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy").kind == "p2sh"
    with pytest.raises(InvalidAddress, match="checksum"):
        parse_btc_address("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb")
    with pytest.raises(InvalidAddress, match="version byte 0x6f"):
        parse_btc_address("mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn")  # a testnet address on mainnet


@pytest.mark.parametrize(("script_hex", "kind", "address"), [
    ("76a91462e907b15cbf27d5425399ebf6f0fb50ebb88f1888ac", "p2pkh", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"),
    ("a914b472a266d0bd89c13706a4132ccfb16f7c3b9fcb87", "p2sh", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"),
    ("0014751e76e8199196d454941c45d1b3a323f1433bd6", "p2wpkh", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"),
    ("00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262", "p2wsh",
     "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3"),
    ("0010751e76e8199196d454941c45d1b3a323", "nonstandard", None),  # v0 with 16 bytes (BIP-141)
    ("4c10751e76", "malformed", None),  # PUSHDATA1 of 16 bytes with 2 present
    ("6a", "nulldata", None),
])
def test_script_templates(script_hex: str, kind: str, address: str | None) -> None:
    info = classify_output_script(bytes.fromhex(script_hex))
    assert (info.script_type, info.address) == (kind, address)


def test_op_return_memo_round_trips() -> None:
    memo = "OUT:" + "ab" * 32
    info = classify_output_script(op_return_script(memo.encode()))
    assert (info.script_type, info.memo) == ("nulldata", memo)
    assert classify_output_script(op_return_script(b"\xff\x00")).memo == "0xff00"
