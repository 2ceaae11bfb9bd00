"""The case report's appendix: every figure's source rows in base units, each total checked against the sum
of its rows, the index of the transactions the evidence cites, and what the trace ignored. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hotpursuit.casereport.inputs import CaseInputs

FIGURES = ("stolen", "swapped_in", "crossed", "entered", "at_endpoints", "held", "at_venues", "burned", "swapped_out")


def base(amount: int | str) -> str:
    """Base units with thousands separators: every digit, grouped for reading."""
    return f"{int(amount):,}"


@dataclass(frozen=True)
class Check:
    """One total of the summary against the sum of the rows it comes from."""

    symbol: str
    asset: str
    figure: str  # a key of FIGURES
    total: int
    rows_sum: int
    rows: int

    @property
    def holds(self) -> bool:
        return self.total == self.rows_sum


@dataclass(frozen=True)
class Appendix:
    """Rows as text (base units grouped), in a stable order."""

    totals: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...]  # (symbol, asset, ((figure, base), ...))
    checks: tuple[Check, ...]
    sources: tuple[tuple[str, ...], ...]  # kind, ref, at tx, symbol, base units, status
    endpoints: tuple[tuple[str, ...], ...]  # ref, chain, address, symbol, base units, number of evidence txs
    held: tuple[tuple[str, ...], ...]  # chain, address, symbol, base units, freezer, outpoint
    swaps: tuple[tuple[str, ...], ...]  # tx, address, paid, gained
    requests: tuple[tuple[str, ...], ...]  # id, org, address, symbol, requested, status, frozen, created, answered
    stopped: tuple[tuple[str, ...], ...]  # why, chain, address, symbol, base units (frontier and venues)
    evidence_index: tuple[tuple[str, ...], ...]  # tx, chain, block, Unix time ("" when unknown), endpoint refs
    ignored: tuple[tuple[str, ...], ...]  # asset, symbol, status, imitates, movements, base units


def build_appendix(inputs: CaseInputs) -> Appendix:
    """The appendix of the document built from `inputs`."""
    report, book = inputs.report, inputs.book
    sym = book.symbol
    totals = tuple((sym(a), a, tuple((k, base(t[k])) for k in FIGURES if k in t))
                   for a, t in sorted(report.totals.items(), key=lambda kv: (sym(kv[0]), kv[0])))
    endpoint_refs = {(str(e["address"]), str(e["asset"])): n + 1 for n, e in enumerate(sorted(
        report.endpoints, key=lambda e: (str(e.get("freezer") or "~"), -int(e["tainted"]), e["address"], e["asset"])))}
    def ref(e: dict[str, Any]) -> int:
        return endpoint_refs[(str(e["address"]), str(e["asset"]))]

    endpoints = tuple((str(ref(e)), str(e["chain"]), str(e["address"]), sym(str(e["asset"])), base(e["tainted"]),
                       str(len(e.get("evidence", [])))) for e in sorted(report.endpoints, key=ref))
    held = tuple((str(h["chain"]), str(h["address"]), sym(str(h["asset"])), base(h["tainted"]),
                  str(h.get("freezer") or ""), str(h.get("outpoint") or ""))
                 for h in sorted(report.held, key=lambda h: (sym(str(h["asset"])), -int(h["tainted"]), h["address"])))
    swaps = tuple((str(s["tx"]), str(s["address"]), _amounts(s["taint_paid"], sym), _amounts(s["taint_gained"], sym))
                  for s in report.swaps)
    requests = tuple((str(r["id"]), inputs.org_names.get(str(r["org"]), str(r["org"])), str(r["address"]),
                      sym(str(r["asset"])), base(r["amount"]), str(r["status"]), base(r["amount_frozen"] or 0),
                      str(r["created_at"] or ""), str(r["answered_at"] or ""))
                     for r in inputs.requests)
    stopped = tuple([(str(f["why"]), str(f["chain"]), str(f["address"]), sym(str(f["asset"])), base(f["tainted"]))
                     for f in report.frontier]
                    + [("venue", str(v["chain"]), str(v["address"]), sym(str(v["asset"])), base(v["tainted"]))
                       for v in report.at_venues])
    cited: dict[tuple[str, str], set[int]] = {}
    for e in report.endpoints:
        for tx in [*(str(p["tx"]) for p in e.get("path") or []), *(str(t) for t in e.get("evidence", []))]:
            cited.setdefault((str(e["chain"]), tx), set()).add(ref(e))
    index = sorted(((tx, chain, *inputs.tx_times.get((chain, tx), (None, None))) for chain, tx in cited),
                   key=lambda r: (r[1], -1 if r[2] is None else r[2], r[0]))
    evidence_index = tuple((tx, chain, "" if block is None else f"{block:,}", "" if t is None else str(t),
                            ", ".join(str(n) for n in sorted(cited[(chain, tx)])))
                           for tx, chain, block, t in index)
    ignored = tuple((str(i["asset"]), str(i.get("symbol") or ""), str(i["status"]), str(i.get("imitates") or ""),
                     str(i["movements"]), base(i["amount"])) for i in report.ignored_assets)
    sources = tuple((kind, what, at_tx or "", "" if asset is None else sym(asset),
                     "" if amount is None else base(amount), status)
                    for kind, what, at_tx, asset, amount, status in inputs.sources)
    return Appendix(totals, tuple(_checks(inputs)), sources, endpoints, held, swaps, requests, stopped,
                    evidence_index, ignored)


def _amounts(amounts: dict[str, Any], sym: Any) -> str:
    return ", ".join(f"{base(v)} {sym(a)}" for a, v in sorted(amounts.items()))


def _checks(inputs: CaseInputs) -> list[Check]:
    """Each summary figure that has source rows, against their sum."""
    report = inputs.report
    rows: dict[tuple[str, str], list[int]] = {}

    def add(figure: str, asset: str, amount: int | str) -> None:
        entry = rows.setdefault((asset, figure), [0, 0])
        entry[0] += int(amount)
        entry[1] += 1

    for e in report.endpoints:
        add("at_endpoints", str(e["asset"]), e["tainted"])
    for h in report.held:
        add("held", str(h["asset"]), h["tainted"])
    for v in report.at_venues:
        add("at_venues", str(v["asset"]), v["tainted"])
    for s in report.swaps:
        for a, v in s["taint_gained"].items():
            add("swapped_in", a, v)
        for a, v in s["taint_paid"].items():
            add("swapped_out", a, v)
    checks = []
    for asset, t in sorted(report.totals.items()):
        for figure in ("at_endpoints", "held", "at_venues", "swapped_in", "swapped_out"):
            if figure in t and (int(t[figure]) or (asset, figure) in rows):
                total, count = rows.get((asset, figure), [0, 0])
                checks.append(Check(inputs.book.symbol(asset), asset, figure, int(t[figure]), total, count))
    return sorted(checks, key=lambda c: (c.symbol, c.asset, FIGURES.index(c.figure)))
