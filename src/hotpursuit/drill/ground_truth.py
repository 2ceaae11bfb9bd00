"""The drill's ground truth: who is who, the venues, the poisoning campaign, the memos, and each
endpoint's stolen amount under the haircut rule with swaps by net flows."""

from __future__ import annotations

from typing import Any

from hotpursuit.drill.haircut_reference import haircut_reference
from hotpursuit.drill.heist import HeistDrill
from hotpursuit.drill.ledger import ETH
from hotpursuit.errors import DrillError

ROUNDING_RULE = (
    "haircut, chain order (block, tx index, movement index), traced assets only (fake tokens and zero "
    "values dropped); per tx, net flows per (address, asset) with mints paid and burns received by the "
    "token contract; with two or more swappers, a swapper's outflows of its net-outflow assets arrive "
    "clean and it gains floor(n_Y*t/v) on each net inflow Y, t/v the largest t_X/v_X; otherwise a "
    "movement of v from a balance b with tainted part t carries floor(v*t/b); amounts are integers in "
    "base units, written as decimal strings"
)


def build_ground_truth(drill: HeistDrill) -> dict[str, Any]:
    """Compute the reference haircut over the drill's ledger and describe the whole scenario."""
    result = haircut_reference(drill.ledger, drill.initial, {drill.theft_tx}, drill.services,
                               frozenset(drill.fake_tokens))
    cfg = drill.cfg
    venues = drill.venues.kinds()

    def freezer(address: str, asset: str) -> str | None:
        service = drill.services.get(address)
        if service is not None:
            return service.owner if service.kind.startswith("exchange") else None
        return cfg.issuer_name if asset == drill.token else None

    def holder(address: str) -> str:
        if address in venues:
            return f"venue ({venues[address]})"
        return "burned" if address == "0x" + "00" * 20 else "thief"

    endpoints = []
    for (address, asset), amount in sorted(result.endpoint_taint.items()):
        service = drill.services[address]
        endpoints.append({"address": address, "asset": asset, "kind": service.kind,
                          "owner": service.owner, "freezer": freezer(address, asset),
                          "tainted_amount": str(amount),
                          "first_block": result.endpoint_first_block[(address, asset)]})
    holdings = [{"address": a, "asset": asset, "kind": "held", "owner": holder(a),
                 "freezer": freezer(a, asset), "tainted_amount": str(t),
                 "first_block": result.holder_first_block[(a, asset)]}
                for (a, asset), t in sorted(result.holdings.items())]
    arrivals = [{"address": a, "asset": asset, "block": block, "owner": drill.services[a].owner,
                 "tainted_amount": str(t)} for (a, asset, block), t in sorted(result.endpoint_arrivals.items())]
    memos = [{"index": i, "tx_hash": m["tx"].tx_hash, "memo": m["memo"], "btc_address": m["btc_address"],
              "from": m["from"], "amount": str(m["amount"]),
              "tainted_amount": str(result.memo_taint.get(m["tx"].tx_hash, 0))}
             for i, m in enumerate(drill.bridge_memos)]
    swaps = [{"tx_hash": s.tx_hash, "block": s.block, "address": s.address,
              "sold": {a: str(v) for a, v in s.sold.items()}, "bought": {a: str(v) for a, v in s.bought.items()},
              "taint_out": {a: str(v) for a, v in s.taint_out.items()},
              "taint_in": {a: str(v) for a, v in s.taint_in.items()}, "edge_from": s.edge_from}
             for s in result.swaps]
    assets = sorted({*result.stolen, *result.swapped_in, *result.swapped_out,
                     *(a for _, a in result.endpoint_taint), *(a for _, a in result.holdings)})
    conservation: dict[str, dict[str, str]] = {}
    for asset in assets:
        row = {"stolen": result.stolen.get(asset, 0), "swapped_in": result.swapped_in.get(asset, 0),
               "at_endpoints": sum(t for (_, a), t in result.endpoint_taint.items() if a == asset),
               "held": sum(t for (_, a), t in result.holdings.items() if a == asset),
               "swapped_out": result.swapped_out.get(asset, 0)}
        if row["stolen"] + row["swapped_in"] != row["at_endpoints"] + row["held"] + row["swapped_out"]:
            raise DrillError(f"the reference does not conserve {asset}: {row}")
        if not any(row.values()):
            continue
        conservation["ETH" if asset == ETH else asset] = {k: str(v) for k, v in row.items()}
    contracts = {"stablecoin": drill.token, "dex_pool": drill.venues.v2_stable_pair, "bridge_router": drill.router,
                 "bridge_vault": drill.vault, **drill.venues.contracts(),
                 "safe_singleton": drill.takeover["singleton_before"], "safe_proxy_factory": drill.safe_factory,
                 "victim_safe": drill.victim,
                 "safe_trojan": drill.takeover["trojan"], "safe_backdoor": drill.takeover["backdoor"]}
    return {
        "seed": cfg.seed,
        "chain": "anvil",
        "first_block": drill.first_block,
        "last_block": drill.last_block,
        "transactions": drill.tx_count,
        "transfers": len(drill.ledger),
        "weth_wraps": sum(1 for e in drill.ledger if e.move.asset == drill.venues.weth
                          and "0x" + "00" * 20 in (e.move.from_address, e.move.to_address)),
        "taint_model": "haircut",
        "rounding": ROUNDING_RULE,
        "victim": drill.victim,
        "victim_signers": drill.signers,
        "thief": drill.thief,
        "theft_tx": drill.theft_tx,
        "theft_txs": [drill.theft_tx],
        "safe_takeover": drill.takeover,
        "stolen": {asset: str(v) for asset, v in result.stolen.items()},
        "thief_addresses": drill.thief_addresses,
        "background_addresses": drill.users,
        "solver": drill.solver,
        "contracts": contracts,
        "venues": venues,
        "swaps": swaps,
        "aggregator_txs": drill.swap_txs["aggregator"],
        "solver_txs": drill.swap_txs["solver"],
        "poisoning": {"fake_tokens": drill.fake_tokens, "lookalikes": drill.lookalikes,
                      "transfers": drill.poisoning_txs, "poisoner": drill.poisoner},
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
        "conservation": conservation,
    }
