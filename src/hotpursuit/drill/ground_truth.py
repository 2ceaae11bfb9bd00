"""The drill's ground truth: who is who, the memos, and each endpoint's stolen amount (haircut)."""

from __future__ import annotations

from typing import Any

from hotpursuit.drill.haircut_reference import haircut_reference
from hotpursuit.drill.heist import HeistDrill
from hotpursuit.drill.ledger import ETH

ROUNDING_RULE = (
    "haircut, chain order (block, tx index, movement index); a movement of v from a balance b with "
    "tainted part t carries floor(v*t/b); a swap taints its output by floor(out*t_in/v_in); "
    "amounts are integers in base units, written as decimal strings"
)


def build_ground_truth(drill: HeistDrill) -> dict[str, Any]:
    """Compute the reference haircut over the drill's ledger and describe the whole scenario."""
    result = haircut_reference(drill.ledger, drill.initial, {drill.theft_tx}, drill.services)
    cfg = drill.cfg

    def freezer(address: str, asset: str) -> str | None:
        service = drill.services.get(address)
        if service is not None:
            return service.owner if service.kind.startswith("exchange") else None
        return cfg.issuer_name if asset == drill.token else None

    endpoints = []
    for (address, asset), amount in sorted(result.endpoint_taint.items()):
        service = drill.services[address]
        endpoints.append({"address": address, "asset": asset, "kind": service.kind,
                          "owner": service.owner, "freezer": freezer(address, asset),
                          "tainted_amount": str(amount),
                          "first_block": result.endpoint_first_block[(address, asset)]})
    holdings = [{"address": a, "asset": asset, "kind": "held", "owner": "thief",
                 "freezer": freezer(a, asset), "tainted_amount": str(t),
                 "first_block": result.holder_first_block[(a, asset)]}
                for (a, asset), t in sorted(result.holdings.items())]
    arrivals = [{"address": a, "asset": asset, "block": block, "owner": drill.services[a].owner,
                 "tainted_amount": str(t)} for (a, asset, block), t in sorted(result.endpoint_arrivals.items())]
    memos = [{"index": i, "tx_hash": m["tx"].tx_hash, "memo": m["memo"], "btc_address": m["btc_address"],
              "from": m["from"], "amount": str(m["amount"]),
              "tainted_amount": str(result.memo_taint.get(m["tx"].tx_hash, 0))}
             for i, m in enumerate(drill.bridge_memos)]
    eth_at_endpoints = sum(t for (_, asset), t in result.endpoint_taint.items() if asset == ETH)
    eth_held = sum(t for (_, asset), t in result.holdings.items() if asset == ETH)
    return {
        "seed": cfg.seed,
        "chain": "anvil",
        "first_block": drill.first_block,
        "last_block": drill.last_block,
        "transactions": drill.tx_count,
        "transfers": len(drill.ledger),
        "taint_model": "haircut",
        "rounding": ROUNDING_RULE,
        "victim": drill.victim,
        "thief": drill.thief,
        "theft_tx": drill.theft_tx,
        "stolen": {asset: str(v) for asset, v in result.stolen.items()},
        "thief_addresses": drill.thief_addresses,
        "background_addresses": drill.users,
        "contracts": {"stablecoin": drill.token, "dex_pool": drill.pool, "bridge_router": drill.router,
                      "bridge_vault": drill.vault},
        "issuer": {"name": cfg.issuer_name, "address": drill.issuer, "token": drill.token,
                   "symbol": "HUSD", "decimals": 6},
        "exchanges": {name: {"hot_wallet": drill.hot_wallets[name], "operator": drill.exchange_ops[name],
                             "deposit_addresses": drill.forwarders[name]} for name in cfg.exchanges},
        "deposit_address_owner": {fw: name for name, fws in drill.forwarders.items() for fw in fws},
        "bridge_memos": memos,
        "endpoints": endpoints,
        "holdings": holdings,
        "endpoint_arrivals": arrivals,
        "reverted": drill.reverted,
        "conservation": {"ETH": {"stolen": str(result.stolen.get(ETH, 0)),
                                 "at_endpoints": str(eth_at_endpoints), "held": str(eth_held)}},
    }
