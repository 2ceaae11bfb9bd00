"""Bitcoin output scripts: the standard template they match, the address they pay, OP_RETURN memos.

Types: p2pk, p2pkh, p2sh, p2wpkh, p2wsh, p2tr, witness_v<N> (future segwit versions), multisig,
nulldata (OP_RETURN), nonstandard, and malformed (a push that runs past the end of the script:
valid on chain as an unspendable output, but it pays nobody and is reported as such).

A P2PK output is given the P2PKH address of its public key, as Bitcoin Core's `addresses` field and
bitcoin-etl did: the same key controls both, which is what attribution needs. Pushes are walked with
python-bitcoinlib's script parser; addresses are encoded with embit (bech32m for taproot).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from bitcoin.core.script import CScript, CScriptInvalidError
from embit.hashes import hash160

from hotpursuit.chains.btc_address import MAINNET, BtcNetwork, encode_base58_address, encode_segwit_address

OP_RETURN = 0x6A
OP_CHECKSIG = 0xAC
OP_CHECKMULTISIG = 0xAE


@dataclass(frozen=True, slots=True)
class ScriptInfo:
    """What an output script is and whom it pays."""

    script_type: str
    address: str | None
    memo: str | None = None


@lru_cache(maxsize=1 << 16)
def classify_output_script(script: bytes, network: BtcNetwork = MAINNET) -> ScriptInfo:
    """The template, address and memo of a scriptPubKey (cached: busy addresses recur in every block)."""
    n = len(script)
    if n == 25 and script[:3] == b"\x76\xa9\x14" and script[23:] == b"\x88\xac":
        return ScriptInfo("p2pkh", encode_base58_address(network.p2pkh, script[3:23]))
    if n == 23 and script[:2] == b"\xa9\x14" and script[22] == 0x87:
        return ScriptInfo("p2sh", encode_base58_address(network.p2sh, script[2:22]))
    witness = _witness_program(script)
    if witness is not None:
        version, program = witness
        kind = {(0, 20): "p2wpkh", (0, 32): "p2wsh", (1, 32): "p2tr"}.get((version, len(program)))
        if version == 0 and kind is None:
            return ScriptInfo("nonstandard", None)  # v0 programs must be 20 or 32 bytes (BIP-141)
        return ScriptInfo(kind or f"witness_v{version}", encode_segwit_address(version, program, network))
    pushes = _pushes(script)
    if pushes is None:
        return ScriptInfo("malformed", None)
    if n and script[-1] == OP_CHECKSIG and len(pushes) == 1 and _is_pubkey(pushes[0]) and \
            n == len(pushes[0]) + 2:
        return ScriptInfo("p2pk", encode_base58_address(network.p2pkh, hash160(pushes[0])))
    if n and script[0] == OP_RETURN:
        return ScriptInfo("nulldata", None, memo_text(b"".join(pushes)) if pushes else None)
    if n and script[-1] == OP_CHECKMULTISIG and pushes and all(_is_pubkey(p) for p in pushes):
        return ScriptInfo("multisig", None)
    return ScriptInfo("nonstandard", None)


def memo_text(data: bytes) -> str:
    """An OP_RETURN payload as text: UTF-8 when it is printable, else `0x` and hex."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "0x" + data.hex()
    return text if text.isprintable() else "0x" + data.hex()


def op_return_script(data: bytes) -> bytes:
    """OP_RETURN with one push of `data` (up to 75 bytes, or OP_PUSHDATA1 up to 255)."""
    if len(data) <= 75:
        return bytes([OP_RETURN, len(data)]) + data
    if len(data) <= 255:
        return bytes([OP_RETURN, 0x4C, len(data)]) + data
    raise ValueError("OP_RETURN payload above 255 bytes is not standard")


def _witness_program(script: bytes) -> tuple[int, bytes] | None:
    """(version, program) when the script is `OP_n <2..40 bytes>` (BIP-141)."""
    n = len(script)
    if not 4 <= n <= 42 or script[1] != n - 2:
        return None
    op = script[0]
    if op == 0:
        return 0, script[2:]
    if 0x51 <= op <= 0x60:
        return op - 0x50, script[2:]
    return None


def _pushes(script: bytes) -> list[bytes] | None:
    """The data pushed by the script (opcodes skipped); None if a push is truncated."""
    out: list[bytes] = []
    try:
        for op in CScript(script):
            if isinstance(op, bytes):
                out.append(op)
    except CScriptInvalidError:
        return None
    return out


def _is_pubkey(data: bytes) -> bool:
    return (len(data) == 33 and data[0] in (2, 3)) or (len(data) == 65 and data[0] in (4, 6, 7))
