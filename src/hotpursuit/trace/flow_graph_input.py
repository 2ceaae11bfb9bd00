"""A trace report (its JSON form) and the store's context turned into the flow graph's inputs. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from hotpursuit.trace.flow_graph import ENDPOINT, FRONTIER, HOLDER, SOURCE, VENUE, FlowIn, GraphContext, node_id

Flagged = tuple[str, str, str, str, int, int, str]  # tx, from, to, asset, amount, block, flag


def report_flows(report: Mapping[str, Any], blocks: Mapping[tuple[str, str], int],
                 flagged: Mapping[str, Iterable[Flagged]]) -> list[FlowIn]:
    """The report's tainted flows (with each tx's block where known) and the flagged transfers per chain."""
    flows = [FlowIn(f["chain"], f["from"], f["to"], f["asset"], int(f["tainted"]), f["tx"], f.get("hop"),
                    blocks.get((f["chain"], f["tx"]))) for f in report.get("flows", [])]
    for chain, rows in sorted(flagged.items()):
        flows.extend(FlowIn(chain, a, b, asset, amount, tx, None, block, flag)
                     for tx, a, b, asset, amount, block, flag in rows)
    return flows


def report_addresses(report: Mapping[str, Any]) -> dict[str, set[str]]:
    """chain -> the addresses the report's flows name."""
    found: dict[str, set[str]] = {}
    for f in report.get("flows", []):
        found.setdefault(f["chain"], set()).update((f["from"], f["to"]))
    return found


def report_context(report: Mapping[str, Any], clusters: Mapping[str, Mapping[str, tuple[int, int]]],
                   sources: Iterable[str] = ()) -> GraphContext:
    """Groups (an endpoint under the organisation that owns it, else the address's cluster), roles and
    names from the report; `clusters`: chain -> address -> (cluster id, size)."""
    groups: dict[str, str] = {}
    labels: dict[str, str] = {}
    roles: dict[str, str] = {}
    names: dict[str, str] = {}
    for chain, members in sorted(clusters.items()):
        for address, (cluster, size) in sorted(members.items()):
            key = f"cluster:{chain}:{cluster}"
            groups[node_id(chain, address)] = key
            labels[key] = f"cluster {cluster} · {size}"
    for v in report.get("swaps", []):
        for venue, name in zip(v.get("venues", []), v.get("venue_names", []), strict=False):
            roles[node_id(v["chain"], venue)] = VENUE
            if name and name != "withheld":  # a name from a label the reader may not see stays out
                names[node_id(v["chain"], venue)] = name.split(" (")[0]
    for v in report.get("at_venues", []):
        if "address" in v:
            roles[node_id(v["chain"], v["address"])] = VENUE
    for f in report.get("frontier", []):
        roles[node_id(f["chain"], f["address"])] = FRONTIER
    for h in report.get("held", []):
        roles[node_id(h["chain"], h["address"])] = HOLDER
    for e in report.get("endpoints", []):
        key = node_id(e["chain"], e["address"])
        roles[key] = ENDPOINT
        owner = e.get("owner") or e.get("freezer")
        if owner and owner != "withheld":
            groups[key] = f"entity:{owner}"
            labels[f"entity:{owner}"] = str(owner)
            names[key] = str(owner)
    for key in sources:
        roles[key] = SOURCE
    return GraphContext(groups, labels, roles, names)
