"""The wallets an incident's trace reached, as they are shared: per address, the tainted amount of each asset
it received (with everything it received of that asset, when the saved taint knows it), the hop distance,
the transactions that carried the taint in, their first and last block time, and the freeze status. Pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from hotpursuit.share.model import SharedIncident, SharedWallet, TaintedAmount


def report_txs(report: Mapping[str, Any]) -> set[str]:
    """Every transaction a report's flows name."""
    return {str(f["tx"]) for f in report.get("flows", ())}


def wallets_of_report(report: Mapping[str, Any], incident: SharedIncident, *,
                      received: Mapping[tuple[str, str, str], int],
                      tx_times: Mapping[str, dt.datetime],
                      freeze: Mapping[tuple[str, str], tuple[str, dt.datetime]],
                      created: dt.datetime) -> list[SharedWallet]:
    """One wallet per address the report's flows reached. `received`: (chain, address, asset) -> all the
    address received of the asset; `tx_times`: tx -> block time; `freeze`: (chain, address) -> the latest
    freeze request's status and when it changed (the wallet's view is as new as that, or `created`)."""
    assets = report.get("assets") or {}
    into: dict[tuple[str, str], dict[str, Any]] = {}
    for f in report.get("flows", ()):
        key = (str(f["chain"]), str(f["to"]))
        w = into.setdefault(key, {"amounts": {}, "hops": 1 << 30, "txs": set()})
        asset = str(f["asset"])
        w["amounts"][asset] = w["amounts"].get(asset, 0) + int(f["tainted"])
        w["hops"] = min(w["hops"], int(f.get("hop") or 0))
        w["txs"].add(str(f["tx"]))
    wallets = []
    for (chain, address), w in sorted(into.items()):
        tainted = tuple(TaintedAmount(asset, amount, (assets.get(asset) or {}).get("decimals"),
                                      (assets.get(asset) or {}).get("symbol"), received.get((chain, address, asset)))
                        for asset, amount in sorted(w["amounts"].items()))
        times = sorted(tx_times[t] for t in w["txs"] if t in tx_times)
        status, changed = freeze.get((chain, address), (None, created))
        wallets.append(SharedWallet(
            chain=chain, address=address, incident=incident.id, model=str(report.get("model", "haircut")),
            hops=int(w["hops"]), tainted=tainted, first_seen=times[0] if times else None,
            last_seen=times[-1] if times else None, freeze_status=status,
            evidence_tx=tuple(sorted(w["txs"])), tlp=incident.tlp, owner_org=incident.owner_org,
            created=max(created, changed)))
    return wallets
