"""Who speaks for a token contract: a contract cannot sign, so a control claim over a token is proven by
a signature from an address that holds one of the token's administrative roles on chain, as its own
getters report it: `owner()` (Ownable: Tether's USDT, Circle's FiatToken), `blacklister()` (FiatToken's
freeze role) or `issuer()` (the drill's stablecoin). Pure: the caller reads the getters with `eth_call`
and hands the raw results in."""

from __future__ import annotations

from eth_utils import function_signature_to_4byte_selector

ROLE_GETTERS: dict[str, str] = {role: "0x" + function_signature_to_4byte_selector(f"{role}()").hex()
                                for role in ("owner", "blacklister", "issuer")}


def role_holder(result: object) -> str | None:
    """The address an `eth_call` of a role getter returned (one ABI word), lower case; None for no answer,
    a malformed one, or the zero address (a renounced role)."""
    if not isinstance(result, str) or not result.startswith("0x") or len(result) != 66:
        return None
    word = result[2:].lower()
    if any(c not in "0123456789abcdef" for c in word) or word[:24] != "0" * 24 or word[24:] == "0" * 40:
        return None
    return "0x" + word[24:]


def holders(results: dict[str, object]) -> dict[str, str]:
    """Role -> holder, for the getters that answered with an address."""
    out = {}
    for role, result in results.items():
        holder = role_holder(result)
        if holder is not None:
            out[role] = holder
    return out
