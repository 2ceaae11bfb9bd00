"""Reading ERC-20 symbol, name and decimals with `eth_call`, once per token."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from eth_abi import decode
from eth_abi.exceptions import DecodingError

from hotpursuit.chains.evm_records import TokenInfo
from hotpursuit.errors import RpcError
from hotpursuit.ingest.rpc_client import JsonRpcClient

SYMBOL, NAME, DECIMALS = "0x95d89b41", "0x06fdde03", "0x313ce567"


def read_token_metadata(client: JsonRpcClient, tokens: Iterable[str], block_tag: str) -> list[TokenInfo]:
    """Metadata of each token at `block_tag`. A call that reverts gives None for that field."""
    tokens = sorted(set(tokens))
    if not tokens:
        return []
    calls: list[tuple[str, list[Any]]] = []
    for token in tokens:
        for selector in (SYMBOL, NAME, DECIMALS):
            calls.append(("eth_call", [{"to": token, "data": selector}, block_tag]))
    results = _batch_tolerant(client, calls)
    infos = []
    for i, token in enumerate(tokens):
        symbol, name, decimals = results[3 * i: 3 * i + 3]
        infos.append(TokenInfo(token, decode_text(symbol), decode_text(name), decode_small_uint(decimals)))
    return infos


def _batch_tolerant(client: JsonRpcClient, calls: list[tuple[str, list[Any]]]) -> list[Any]:
    """A batch where a reverting call yields None instead of failing the others."""
    try:
        return client.batch(calls)
    except RpcError:
        out: list[Any] = []
        for call in calls:
            try:
                out.append(client.call(*call))
            except RpcError:
                out.append(None)
        return out


def decode_text(result: Any) -> str | None:
    """An ABI `string`, or a `bytes32` padded with NULs (as MKR and early tokens return)."""
    if not isinstance(result, str) or len(result) <= 2:
        return None
    data = bytes.fromhex(result[2:])
    try:
        (text,) = decode(["string"], data)
        return str(text).replace("\x00", "") or None
    except (DecodingError, UnicodeDecodeError, OverflowError, ValueError):
        pass
    if len(data) == 32:
        try:
            return data.rstrip(b"\x00").decode("utf-8") or None
        except UnicodeDecodeError:
            return None
    return None


def decode_small_uint(result: Any) -> int | None:
    """An ABI uint used for decimals; None if absent or implausible (> 255)."""
    if not isinstance(result, str) or len(result) != 66:
        return None
    value = int(result, 16)
    return value if value <= 255 else None
