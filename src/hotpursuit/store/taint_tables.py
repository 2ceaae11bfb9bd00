"""Persisting a trace: the tainted value each address received, per incident and model (for screening)."""

from __future__ import annotations

from hotpursuit.store.database import Store
from hotpursuit.trace.report import TraceReport


def save_trace(store: Store, report: TraceReport) -> int:
    """Replace the incident's taint rows for this model with the report's; returns how many rows."""
    received: dict[tuple[str, str, str], tuple[int, int]] = {}
    for f in report.flows:
        key = (str(f["chain"]), str(f["to"]), str(f["asset"]))
        amount, hop = received.get(key, (0, 1 << 30))
        received[key] = (amount + int(f["tainted"]), min(hop, int(f.get("hop", 0))))
    with store.transaction() as con:
        con.execute("DELETE FROM taint WHERE incident_id = ? AND model = ?", [report.incident, report.model])
        con.executemany("INSERT INTO taint (incident_id, model, chain, address, asset, tainted_amount, hops) "
                        "VALUES (?, ?, ?, ?, ?, ?::BIGNUM, ?)",
                        [[report.incident, report.model, c, a, asset, str(v), h]
                         for (c, a, asset), (v, h) in sorted(received.items())])
    return len(received)
