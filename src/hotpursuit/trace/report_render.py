"""Rendering a trace report as JSON, CSV (endpoints and holders) or one self-contained HTML file. Pure.

The HTML embeds its graph as inline SVG (columns by hop from the source, edges labelled with tainted
amounts), has no script and loads nothing from the network. Nothing time-dependent is written, so the
same report gives the same bytes.
"""

from __future__ import annotations

import csv
import html
import io
import json
from dataclasses import asdict
from typing import Any, NamedTuple

from hotpursuit.chains.readable import AssetUnits, at_block, explorer_url, human
from hotpursuit.trace.report import TraceReport

COLUMN_WIDTH, ROW_HEIGHT, NODE_W, NODE_H = 230, 34, 190, 24


class _Linked(NamedTuple):
    """A cell whose text links to the chain's explorer (an anchor: nothing is loaded)."""

    text: str
    href: str | None


def render_json(report: TraceReport) -> str:
    """The report as canonical JSON (sorted keys)."""
    return json.dumps(asdict(report), indent=1, sort_keys=True) + "\n"


def render_csv(report: TraceReport) -> str:
    """Endpoints, holders and where the trace stopped (the frontier), one row each."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["status", "chain", "address", "asset", "tainted", "kind", "freezer", "since_block", "evidence"])
    for e in report.endpoints:
        w.writerow(["endpoint", e["chain"], e["address"], e["asset"], e["tainted"], e["kind"], e["freezer"] or "",
                    e["since_block"], " ".join(e["evidence"])])
    for h in report.held:
        w.writerow(["held", h["chain"], h["address"], h["asset"], h["tainted"], "", h.get("freezer") or "", "",
                    h.get("outpoint", "")])
    for f in report.frontier:
        w.writerow(["frontier", f["chain"], f["address"], f["asset"], f["tainted"], f["why"], "", f["since_block"],
                    " ".join(f["evidence"])])
    return out.getvalue()


def _reader(report: TraceReport) -> Any:
    """amount(base units, asset) -> the human form, as the report's `assets` say the asset is read."""
    def amount(value: str | int, asset: str) -> str:
        info = report.assets.get(asset) or {}
        units = None if info.get("decimals") is None else AssetUnits(str(info.get("symbol") or asset),
                                                                     int(info["decimals"]))
        return human(int(value), units, asset)
    return amount


def _layout(flows: list[dict[str, Any]], amount: Any = None
            ) -> tuple[dict[str, tuple[int, int]], list[tuple[str, str, str]]]:
    """Column = hops from a node with no tainted inflow; row = order of first appearance. Edges are
    aggregated per pair, each asset summed on its own (never wei plus token units)."""
    per_asset: dict[tuple[str, str], dict[str, int]] = {}
    for f in flows:
        sums = per_asset.setdefault((f["from"], f["to"]), {})
        sums[f["asset"]] = sums.get(f["asset"], 0) + int(f["tainted"])
    edges = {pair: sum(sums.values()) for pair, sums in per_asset.items()}
    nodes = list(dict.fromkeys([n for e in edges for n in e]))
    incoming = {b for _, b in edges}
    column = {n: 0 for n in nodes if n not in incoming}
    for _ in range(len(nodes)):
        changed = False
        for a, b in edges:
            if a in column and b not in column:  # first reached: one column right of its first sender
                column[b] = column[a] + 1
                changed = True
        if not changed:
            break
    rows: dict[int, int] = {}
    place = {}
    for n in nodes:
        c = column.get(n, 0)
        place[n] = (c, rows.get(c, 0))
        rows[c] = rows.get(c, 0) + 1
    def label(sums: dict[str, int]) -> str:
        return ", ".join(amount(v, a) if amount else f"{v:,} {a}" for a, v in sorted(sums.items()))
    return place, [(a, b, label(per_asset[(a, b)])) for (a, b) in edges]


def _svg(report: TraceReport, endpoint_addresses: set[str]) -> str:
    place, edges = _layout(report.flows, _reader(report))
    if not place:
        return "<p>No tainted flows.</p>"
    width = (max(c for c, _ in place.values()) + 1) * COLUMN_WIDTH + 20
    height = (max(r for _, r in place.values()) + 1) * ROW_HEIGHT + 20
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="monospace" font-size="10">']
    for a, b, label in edges:
        (ca, ra), (cb, rb) = place[a], place[b]
        x1, y1 = 10 + ca * COLUMN_WIDTH + NODE_W, 10 + ra * ROW_HEIGHT + NODE_H // 2
        x2, y2 = 10 + cb * COLUMN_WIDTH, 10 + rb * ROW_HEIGHT + NODE_H // 2
        parts.append(f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#b33" stroke-width="1">'
                     f"<title>{html.escape(label)}</title></line>"
                     f'<text x="{(x1 + x2) // 2 - 16}" y="{(y1 + y2) // 2 - 3}" fill="#b33">'
                     f"{html.escape(label)}</text>")
    for node, (c, r) in place.items():
        fill = "#fde2a7" if node in endpoint_addresses else "#dbe8f7"
        x, y = 10 + c * COLUMN_WIDTH, 10 + r * ROW_HEIGHT
        short = node if len(node) <= 26 else node[:12] + "…" + node[-10:]
        parts.append(f'<rect x="{x}" y="{y}" width="{NODE_W}" height="{NODE_H}" rx="4" fill="{fill}" '
                     f'stroke="#555"><title>{html.escape(node)}</title></rect>'
                     f'<text x="{x + 6}" y="{y + 16}">{html.escape(short)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def render_html(report: TraceReport) -> str:
    """One self-contained HTML page: parameters, totals, endpoints, holders and the flow graph."""
    esc = html.escape

    read = _reader(report)

    def table(headers: list[str], rows: list[list[Any]]) -> str:
        head = "".join(f"<th>{esc(h)}</th>" for h in headers)

        def cell(c: Any) -> str:  # an amount carries its base units as the cell's title (a hover away)
            if isinstance(c, _Linked):
                if c.href is None:
                    return f"<td>{esc(c.text)}</td>"
                return f'<td><a href="{esc(c.href)}">{esc(c.text)}</a></td>'
            if isinstance(c, tuple):
                return f'<td title="{esc(str(c[1]))} base units">{esc(str(c[0]))}</td>'
            return f"<td>{esc(str(c))}</td>"

        body = "".join("<tr>" + "".join(cell(c) for c in row) + "</tr>" for row in rows)
        return f"<table><tr>{head}</tr>{body}</table>"

    def amount(value: str | int, asset: str) -> tuple[str, str]:
        return read(value, asset), f"{int(value):,}"

    def entered(t: dict[str, str], asset: str) -> tuple[str, str]:
        kind = next(k for k in ("stolen", "crossed", "swapped_in") if k in t)
        shown, base = amount(t[kind], asset)
        return f"{shown} ({kind.replace('_', ' ')})", base

    totals = table(["asset", "entered the trace", "at endpoints", "held", "burned"],
                   [[a, entered(t, a), amount(t["at_endpoints"], a), amount(t["held"], a), amount(t["burned"], a)]
                    for a, t in sorted(report.totals.items())])
    def place(row: dict[str, Any]) -> _Linked:
        return _Linked(str(row["address"]), explorer_url(str(row["chain"]), "address", str(row["address"])))

    def evidence(row: dict[str, Any]) -> str:
        return " ".join(row["evidence"])

    def since(row: dict[str, Any]) -> str:
        number = row.get("since_block")
        if number is None:
            return ""
        return at_block(int(number), report.block_times.get(f"{row['chain']}:{number}"))

    endpoints = table(["chain", "address", "tainted", "kind", "who can freeze", "since block", "evidence"],
                      [[e["chain"], place(e), amount(e["tainted"], e["asset"]), e["kind"],
                        e["freezer"] or "", since(e), evidence(e)] for e in report.endpoints])
    held = table(["chain", "address", "tainted", "who can freeze"],
                 [[h["chain"], place(h), amount(h["tainted"], h["asset"]), h.get("freezer") or ""]
                  for h in report.held])
    frontier = table(["chain", "address", "tainted", "stopped by", "since block"],
                     [[f["chain"], place(f), amount(f["tainted"], f["asset"]), f["why"], since(f)]
                      for f in report.frontier])
    style = ("body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}"
             "td,th{border:1px solid #ccc;padding:3px 6px;font-size:12px;text-align:left}"
             "th{background:#eee}code{font-size:12px}td{word-break:break-all;max-width:36em}")
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Trace {esc(report.incident)}</title>"
            f"<style>{style}</style></head><body>"
            f"<h1>Trace of incident {esc(report.incident)}</h1>"
            f"<p>Model <b>{esc(report.model)}</b>, hop limit {report.max_hops or 'none'}, dust {report.dust} "
            f"base units. Amounts are in each asset's units, rounded down; the exact base units (wei, token "
            f"units, satoshi) are the title of each amount and in the JSON.</p>"
            f"<p>Input hash (SHA-256 of the trace's inputs and parameters): <code>{report.input_hash}</code></p>"
            f"<h2>Totals</h2>{totals}<h2>Endpoints</h2>{endpoints}<h2>Still held</h2>{held}"
            + (f"<h2>Where the trace stopped (hop limit, dust: not freezable endpoints)</h2>{frontier}"
               if report.frontier else "") +
            f"<h2>Flow graph</h2>{_svg(report, {e['address'] for e in report.endpoints})}"
            "</body></html>\n")
