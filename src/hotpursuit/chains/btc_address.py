"""Bitcoin addresses: base58check (P2PKH, P2SH) and segwit bech32 / bech32m (BIP-173, BIP-350).

Validation says why an address is wrong (bad checksum, wrong encoding for its witness version,
wrong program length, unknown prefix), and never maps a bad string to some other address. The
codecs are embit's (its bech32 module is the BIP-350 reference code); python-bitcoinlib 0.12
cannot encode witness version 1 (taproot), which is why it is not used here.
"""

from __future__ import annotations

from dataclasses import dataclass

from embit import base58, bech32

from hotpursuit.errors import InvalidAddress


@dataclass(frozen=True, slots=True)
class BtcNetwork:
    """Address prefixes of one Bitcoin network."""

    name: str
    hrp: str
    p2pkh: int
    p2sh: int


NETWORKS = {
    "main": BtcNetwork("main", "bc", 0x00, 0x05),
    "test": BtcNetwork("test", "tb", 0x6F, 0xC4),
    "regtest": BtcNetwork("regtest", "bcrt", 0x6F, 0xC4),
}
MAINNET = NETWORKS["main"]


@dataclass(frozen=True, slots=True)
class BtcAddress:
    """A decoded address: its kind, canonical text and the output script that pays it."""

    text: str
    kind: str  # p2pkh, p2sh, p2wpkh, p2wsh, p2tr, witness_v<N>
    script: bytes


def parse_btc_address(text: str, network: BtcNetwork = MAINNET, *, where: str = "") -> BtcAddress:
    """Decode and check `text`; bech32 addresses come back lowercase. Raises InvalidAddress."""
    place = f" ({where})" if where else ""
    if not isinstance(text, str) or not text or not text.isascii() or text != text.strip():
        raise InvalidAddress(f"{text!r}{place}: not a Bitcoin address")
    if text.lower().startswith(network.hrp + "1"):
        return _parse_segwit(text, network, place)
    try:
        payload = base58.decode_check(text)
    except (ValueError, IndexError) as exc:
        reason = "base58check checksum mismatch" if "hecksum" in str(exc) else f"not base58 ({exc})"
        raise InvalidAddress(f"{text!r}{place}: {reason}") from exc
    if len(payload) != 21:
        raise InvalidAddress(f"{text!r}{place}: base58 payload is {len(payload)} bytes, want 21")
    version, body = payload[0], payload[1:]
    if version == network.p2pkh:
        return BtcAddress(text, "p2pkh", b"\x76\xa9\x14" + body + b"\x88\xac")
    if version == network.p2sh:
        return BtcAddress(text, "p2sh", b"\xa9\x14" + body + b"\x87")
    raise InvalidAddress(f"{text!r}{place}: version byte {version:#04x} is not {network.name}net P2PKH/P2SH")


def _parse_segwit(text: str, network: BtcNetwork, place: str) -> BtcAddress:
    if text != text.lower() and text != text.upper():
        raise InvalidAddress(f"{text!r}{place}: mixed case in a bech32 address")
    encoding, hrp, data = bech32.bech32_decode(text)
    if encoding is None or hrp is None or data is None:
        raise InvalidAddress(f"{text!r}{place}: bech32/bech32m checksum or character set invalid")
    if not data:
        raise InvalidAddress(f"{text!r}{place}: no witness version")
    version = data[0]
    if version > 16:
        raise InvalidAddress(f"{text!r}{place}: witness version {version} is above 16")
    program = bech32.convertbits(data[1:], 5, 8, False)
    if program is None:
        raise InvalidAddress(f"{text!r}{place}: witness program has invalid padding")
    if not 2 <= len(program) <= 40:
        raise InvalidAddress(f"{text!r}{place}: witness program is {len(program)} bytes (2 to 40 allowed)")
    if version == 0 and len(program) not in (20, 32):
        raise InvalidAddress(f"{text!r}{place}: v0 witness program is {len(program)} bytes (20 or 32)")
    want = bech32.Encoding.BECH32 if version == 0 else bech32.Encoding.BECH32M
    if encoding != want:
        name = "bech32" if want == bech32.Encoding.BECH32 else "bech32m"
        raise InvalidAddress(f"{text!r}{place}: witness v{version} must use {name} (BIP-350)")
    kind = {(0, 20): "p2wpkh", (0, 32): "p2wsh", (1, 32): "p2tr"}.get((version, len(program)), f"witness_v{version}")
    op = 0 if version == 0 else 0x50 + version
    return BtcAddress(text.lower(), kind, bytes([op, len(program)]) + bytes(program))


def encode_segwit_address(version: int, program: bytes, network: BtcNetwork = MAINNET) -> str:
    """The bech32 (v0) or bech32m (v1+) address of a witness program (BIP-173, BIP-350)."""
    if not 0 <= version <= 16 or not 2 <= len(program) <= 40 or (version == 0 and len(program) not in (20, 32)):
        raise InvalidAddress(f"witness v{version} program of {len(program)} bytes has no address")
    encoding = bech32.Encoding.BECH32 if version == 0 else bech32.Encoding.BECH32M
    return str(bech32.bech32_encode(encoding, network.hrp, [version, *bech32.convertbits(program, 8, 5)]))


def encode_base58_address(version: int, body: bytes) -> str:
    """A base58check address of a version byte and a 20-byte hash."""
    return str(base58.encode_check(bytes([version]) + body))
