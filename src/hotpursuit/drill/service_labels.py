"""The labels a task force would hold for the drill's services: the exchanges' hot wallets, the
venues (Uniswap pairs, pool and routers, WETH, the staking token, the aggregator: pass-through), the
bridge router and vault, and the issuer's token (from a roster or a ground truth)."""

from __future__ import annotations

from typing import Any

from hotpursuit.attribution.labels import LabelClaim

SERVICE_LABELS_SOURCE = "demo:drill-services"


def drill_service_claims(who: dict[str, Any], chain: str = "anvil") -> list[LabelClaim]:
    """Claims for the services named in `who` (the drill's roster or ground truth)."""
    claims = [LabelClaim(chain, ex["hot_wallet"], f"{name} hot wallet", "exchange", name, 50,
                         f"{name} compliance team", None, "GREEN", "task-force")
              for name, ex in who["exchanges"].items()]
    contracts = who["contracts"]
    names = {address: name for name, address in contracts.items()}
    claims += [LabelClaim(chain, address, f"{names.get(address, kind)} ({kind})", "defi", None, 80, "drill", None,
                          "CLEAR", "task-force") for address, kind in sorted(who["venues"].items())]
    return [
        *claims,
        LabelClaim(chain, contracts["bridge_router"], "bridge router", "bridge", "bridge", 80, "drill", None,
                   "CLEAR", "task-force"),
        LabelClaim(chain, contracts["bridge_vault"], "bridge vault", "bridge", "bridge", 80, "drill", None,
                   "CLEAR", "task-force"),
        LabelClaim(chain, who["issuer"]["token"], "HUSD stablecoin", "issuer", who["issuer"]["name"], 90, "issuer",
                   None, "CLEAR", "task-force")]


def scam_ring_service_claims(truth: dict[str, Any], chain: str = "anvil") -> list[LabelClaim]:
    """Claims for the services around the scam-ring drill (from its ground truth): the exchanges' hot
    wallets, the venues, and the issuer's stablecoin. Nothing about the ring: the case finds it."""
    coin = truth["stablecoin"]
    claims = [LabelClaim(chain, ex["hot_wallet"], f"{name} hot wallet", "exchange", name, 50,
                         f"{name} compliance team", None, "GREEN", "task-force")
              for name, ex in truth["exchanges"].items()]
    names = {address: name for name, address in truth["contracts"].items()}
    claims += [LabelClaim(chain, address, f"{names.get(address, kind)} ({kind})", "defi", None, 80, "drill", None,
                          "CLEAR", "task-force") for address, kind in sorted(truth["venues"].items())]
    return [*claims, LabelClaim(chain, coin["address"], f"{coin['symbol']} stablecoin", "issuer",
                                coin["issuer_name"], 90, "issuer", None, "CLEAR", "task-force")]
