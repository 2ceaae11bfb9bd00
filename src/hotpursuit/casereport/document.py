"""The case report as plain data, assembled from the trace, the incident, its freeze requests and the
annotations the reader may see. Pure: every figure is an integer in base units with its exact and its
rounded-down human form; words are the renderer's (each language's catalogue), never this module's.

The document is marked with the strictest TLP of what it contains: the incident's marking, the claims that
name an endpoint's owner or a holder's freezer, and the annotations it quotes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hotpursuit.attribution.annotations import Annotation
from hotpursuit.casereport.amounts import AssetBook, short_id
from hotpursuit.casereport.appendix import Appendix, build_appendix
from hotpursuit.casereport.flow_layout import FlowLayout, layout_flows
from hotpursuit.casereport.graph_model import ReportGraph, report_graph
from hotpursuit.casereport.inputs import CaseInputs, IncidentFacts, TraceParameters
from hotpursuit.chains.readable import explorer_url
from hotpursuit.security.tlp import TLP_ORDER
from hotpursuit.trace.report import TraceReport

MAX_HOPS_SHOWN = 12  # an evidence chain longer than this shows its first and last hops


@dataclass(frozen=True)
class Figure:
    """An amount: base units, every digit with the symbol, and rounded down for tables."""

    asset: str
    base: int
    exact: str
    shown: str


def figure(book: AssetBook, amount: int, asset: str) -> Figure:
    return Figure(asset, amount, book.exact(amount, asset), book.shown(amount, asset))


@dataclass(frozen=True)
class SummaryRow:
    """One asset's figures: how it entered the trace, where it is, what was asked and frozen."""

    asset: str
    symbol: str
    entered_as: str  # stolen | swapped_in | crossed
    stolen: Figure
    entered: Figure
    at_endpoints: Figure
    held: Figure
    requested: Figure
    frozen: Figure


@dataclass(frozen=True)
class EndpointRow:
    """Where taint stopped at a service, who can freeze it, what was asked and frozen there."""

    ref: int  # its evidence chain's number
    chain: str
    address: str
    link: str | None
    kind: str
    freezer: str | None
    amount: Figure
    since_block: int | None
    since_time: int | None
    requested: Figure
    frozen: Figure
    evidence_txs: int


@dataclass(frozen=True)
class FreezerRow:
    """Who can freeze what: one organisation (or an issuer for what is still held), per asset."""

    name: str
    kind: str  # an endpoint kind, or "issuer" for a stablecoin still held
    addresses: int
    amounts: tuple[Figure, ...]
    requested: tuple[Figure, ...]
    frozen: tuple[Figure, ...]


@dataclass(frozen=True)
class BoardRow:
    """The incident's board for one organisation and asset: freeze requests sent, asked, frozen, answered."""

    organisation: str
    requests: int
    requested: Figure
    frozen: Figure
    answered: int


@dataclass(frozen=True)
class Hop:
    """One step of an evidence chain."""

    n: int
    sender: str
    receiver: str
    tx: str
    tx_short: str
    tx_link: str | None
    block: int | None
    time: int | None
    amount: Figure


@dataclass(frozen=True)
class EvidenceChain:
    """The hops from the theft to one endpoint (the path the trace followed), shortened when long."""

    endpoint: EndpointRow
    hops: tuple[Hop, ...]
    skipped: int  # hops left out in the middle (all are in the appendix's evidence index)


@dataclass(frozen=True)
class MarkingInput:
    """Something the document contains that is marked stricter than TLP:CLEAR."""

    kind: str  # incident | label | annotation
    subject: str  # the incident id, the labelled address, the annotation id
    by: str | None  # who asserted or wrote it
    tlp: str


@dataclass(frozen=True)
class CaseDocument:
    """Everything the case report says, in the order it says it."""

    incident: IncidentFacts
    marking: str  # the document's TLP
    marking_inputs: tuple[MarkingInput, ...]  # the incident, and what is marked stricter, strictest first
    reader: str | None  # the organisation whose view this is (None: the store's operator, who sees all)
    reader_name: str | None
    parameters: TraceParameters
    summary: tuple[SummaryRow, ...]
    freezers: tuple[FreezerRow, ...]
    board: tuple[BoardRow, ...]
    endpoints: tuple[EndpointRow, ...]
    evidence: tuple[EvidenceChain, ...]
    annotations: tuple[Annotation, ...]
    drawing: ReportGraph
    layout: FlowLayout
    book: AssetBook
    appendix: Appendix
    input_hash: str
    version: str
    warnings: tuple[str, ...] = field(default_factory=tuple)


def strictest(levels: list[str]) -> str:
    """The most restrictive TLP of `levels` (CLEAR if none)."""
    return max(levels, key=TLP_ORDER.index, default="CLEAR")


def build_document(inputs: CaseInputs, *, max_boxes: int = 30) -> CaseDocument:
    """Assemble the case report from its inputs; the same inputs give the same document."""
    report, book = inputs.report, inputs.book
    requested, frozen = _asked(inputs.requests)
    endpoints = _endpoints(report, book, requested, frozen)
    drawing = report_graph(report, inputs.graph_facts)
    marking_inputs = _marking_inputs(inputs)
    return CaseDocument(
        incident=inputs.incident, marking=strictest([m.tlp for m in marking_inputs] + [inputs.incident.tlp]),
        marking_inputs=tuple(marking_inputs), reader=inputs.reader,
        reader_name=None if inputs.reader is None else inputs.org_names.get(inputs.reader, inputs.reader),
        parameters=inputs.parameters,
        summary=tuple(_summary(report, book, inputs.requests)),
        freezers=tuple(_freezers(report, book, inputs.requests, inputs.org_names)),
        board=tuple(BoardRow(inputs.org_names.get(str(r["org"]), str(r["org"])), int(r["requests"]),
                             figure(book, int(r["requested"]), str(r["asset"])),
                             figure(book, int(r["frozen"]), str(r["asset"])), int(r["answered"]))
                    for r in inputs.board),
        endpoints=tuple(endpoints), evidence=tuple(_evidence(report, endpoints, book, inputs)),
        annotations=tuple(inputs.annotations), drawing=drawing, layout=layout_flows(drawing, max_boxes=max_boxes),
        book=book, appendix=build_appendix(inputs), input_hash=report.input_hash, version=inputs.version,
        warnings=tuple(report.warnings))


def _marking_inputs(inputs: CaseInputs) -> list[MarkingInput]:
    found = {MarkingInput("incident", inputs.incident.id, inputs.incident.owner, inputs.incident.tlp)}
    for row in [*inputs.report.endpoints, *inputs.report.held]:
        basis = row.get("basis") or {}
        if basis.get("tlp") not in (None, "CLEAR") and (row.get("owner") or row.get("freezer")):
            found.add(MarkingInput("label", str(row["address"]), basis.get("asserted_by"), str(basis["tlp"])))
    found |= {MarkingInput("annotation", a.id, a.author_org, a.tlp) for a in inputs.annotations if a.tlp != "CLEAR"}
    found |= {MarkingInput("label", subject.split(":", 1)[1], by, tlp)  # the names the flow graph draws
              for subject, by, tlp in inputs.graph_facts.name_claims if tlp != "CLEAR"}
    floor = TLP_ORDER.index(inputs.incident.tlp)  # what is no stricter than the incident does not change the marking
    kept = [m for m in found if m.kind == "incident" or TLP_ORDER.index(m.tlp) > floor]
    return sorted(kept, key=lambda m: (-TLP_ORDER.index(m.tlp), m.kind, m.subject, m.by or ""))


def _asked(requests: list[dict[str, Any]]) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], int]]:
    """(address, asset) -> requested (not retracted) and frozen."""
    requested: dict[tuple[str, str], int] = {}
    frozen: dict[tuple[str, str], int] = {}
    for r in requests:
        if r["status"] == "retracted":
            continue
        key = (str(r["address"]), str(r["asset"]))
        requested[key] = requested.get(key, 0) + int(r["amount"])
        frozen[key] = frozen.get(key, 0) + int(r["amount_frozen"] or 0)
    return requested, frozen


def _summary(report: TraceReport, book: AssetBook, requests: list[dict[str, Any]]) -> list[SummaryRow]:
    asked: dict[str, list[int]] = {}
    for r in requests:
        if r["status"] != "retracted":
            row = asked.setdefault(str(r["asset"]), [0, 0])
            row[0] += int(r["amount"])
            row[1] += int(r["amount_frozen"] or 0)
    rows = []
    for asset, t in sorted(report.totals.items(), key=lambda kv: (ENTERED_ORDER.index(_entered_as(kv[1])),
                                                                       book.symbol(kv[0]), kv[0])):
        how = _entered_as(t)
        entered = int(t.get("entered", t.get("crossed", "0")))
        req, fro = asked.get(asset, [0, 0])
        rows.append(SummaryRow(asset, book.symbol(asset), how, figure(book, int(t.get("stolen", "0")), asset),
                               figure(book, entered, asset), figure(book, int(t["at_endpoints"]), asset),
                               figure(book, int(t["held"]), asset), figure(book, req, asset),
                               figure(book, fro, asset)))
    return rows


ENTERED_ORDER = ("stolen", "swapped_in", "crossed")  # the summary lists the loot first, then swaps, then bridges


def _entered_as(totals: dict[str, str]) -> str:
    """How an asset entered the trace."""
    if "crossed" in totals:
        return "crossed"
    return "stolen" if int(totals.get("stolen", "0")) else "swapped_in"


def _endpoints(report: TraceReport, book: AssetBook, requested: dict[tuple[str, str], int],
               frozen: dict[tuple[str, str], int]) -> list[EndpointRow]:
    ordered = sorted(report.endpoints, key=lambda e: (str(e.get("freezer") or "~"), -int(e["tainted"]), e["address"],
                                                      e["asset"]))
    return [EndpointRow(i + 1, str(e["chain"]), str(e["address"]), explorer_url(str(e["chain"]), "address",
                                                                                 str(e["address"])),
                        str(e["kind"]), None if e.get("freezer") is None else str(e["freezer"]),
                        figure(book, int(e["tainted"]), str(e["asset"])), e.get("since_block"),
                        report.block_times.get(f"{e['chain']}:{e.get('since_block')}"),
                        figure(book, requested.get((e["address"], e["asset"]), 0), str(e["asset"])),
                        figure(book, frozen.get((e["address"], e["asset"]), 0), str(e["asset"])),
                        len(e.get("evidence", [])))
            for i, e in enumerate(ordered)]


def _freezers(report: TraceReport, book: AssetBook, requests: list[dict[str, Any]],
              org_names: dict[str, str]) -> list[FreezerRow]:
    """Per organisation that can freeze: what reached its endpoints (or, for an issuer, what is still held in
    its token), and what was asked of it and frozen (matched by address and asset)."""
    places: dict[tuple[str, str], tuple[str, set[str], dict[str, int]]] = {}
    owner_of: dict[tuple[str, str], tuple[str, str]] = {}  # (address, asset) -> (freezer, kind)
    for e in report.endpoints:
        if e.get("freezer"):
            key = (str(e["freezer"]), str(e["kind"]))
            _, addresses, amounts = places.setdefault(key, (str(e["kind"]), set(), {}))
            addresses.add(str(e["address"]))
            amounts[str(e["asset"])] = amounts.get(str(e["asset"]), 0) + int(e["tainted"])
            owner_of[(str(e["address"]), str(e["asset"]))] = key
    for h in report.held:
        if h.get("freezer"):
            key = (str(h["freezer"]), "issuer")
            _, addresses, amounts = places.setdefault(key, ("issuer", set(), {}))
            addresses.add(str(h["address"]))
            amounts[str(h["asset"])] = amounts.get(str(h["asset"]), 0) + int(h["tainted"])
            owner_of.setdefault((str(h["address"]), str(h["asset"])), key)
    asked: dict[tuple[str, str], tuple[dict[str, int], dict[str, int]]] = {}
    for r in requests:
        owner = owner_of.get((str(r["address"]), str(r["asset"])))
        if owner is None or r["status"] == "retracted":
            continue
        req, fro = asked.setdefault(owner, ({}, {}))
        req[str(r["asset"])] = req.get(str(r["asset"]), 0) + int(r["amount"])
        fro[str(r["asset"])] = fro.get(str(r["asset"]), 0) + int(r["amount_frozen"] or 0)

    def figures(sums: dict[str, int]) -> tuple[Figure, ...]:
        return tuple(figure(book, v, a) for a, v in sorted(sums.items(), key=lambda kv: book.symbol(kv[0])))

    return [FreezerRow(org_names.get(name, name), kind, len(addresses), figures(amounts),
                       figures(asked.get((name, k), ({}, {}))[0]), figures(asked.get((name, k), ({}, {}))[1]))
            for (name, k), (kind, addresses, amounts) in sorted(places.items())]


def _name(inputs: CaseInputs, chain: str, address: str) -> str:
    """An address in an evidence table: its visible label and short form, or the short form alone."""
    name = inputs.graph_facts.names.get(f"{chain}:{address}")
    return f"{name} ({short_id(address)})" if name else short_id(address)


def _evidence(report: TraceReport, endpoints: list[EndpointRow], book: AssetBook,
              inputs: CaseInputs) -> list[EvidenceChain]:
    by_place = {(str(e["address"]), str(e["asset"])): e for e in report.endpoints}
    chains = []
    for row in endpoints:
        path = by_place[(row.address, row.amount.asset)].get("path") or []
        hops = []
        for i, p in enumerate(path):
            tx = str(p["tx"])
            block, moment = inputs.tx_times.get((row.chain, tx), (None, None))
            hops.append(Hop(i + 1, _name(inputs, row.chain, str(p["from"])), _name(inputs, row.chain, str(p["to"])),
                            tx, short_id(tx, 10, 8), explorer_url(row.chain, "tx", tx), block, moment,
                            figure(book, int(p["tainted"]), str(p["asset"]))))
        skipped = 0
        if len(hops) > MAX_HOPS_SHOWN:
            skipped = len(hops) - MAX_HOPS_SHOWN
            hops = hops[:MAX_HOPS_SHOWN // 2] + hops[-(MAX_HOPS_SHOWN // 2):]
        chains.append(EvidenceChain(row, tuple(hops), skipped))
    return chains
