"""Reading a token contract's administrative roles with `eth_call` (see `security.token_roles`)."""

from __future__ import annotations

from hotpursuit.errors import RpcError
from hotpursuit.ingest.rpc_client import JsonRpcClient
from hotpursuit.security.token_roles import ROLE_GETTERS, holders


def read_token_roles(client: JsonRpcClient, token: str) -> dict[str, str]:
    """Role -> holder at the chain's tip; a getter the contract lacks (it reverts) is left out."""
    results: dict[str, object] = {}
    for role, selector in ROLE_GETTERS.items():
        try:
            results[role] = client.call("eth_call", [{"to": token, "data": selector}, "latest"])
        except RpcError:
            results[role] = None
    return holders(results)
