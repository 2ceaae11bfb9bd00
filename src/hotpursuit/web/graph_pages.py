"""The flow graph page of an incident: the latest finished trace (as the caller may read it: the API's
`visible_trace_result`, so withheld owners stay withheld) drawn with sigma.js, its view (groups expanded,
asset, minimum amount, hop limit, flagged transfers) chosen in the query, the same graph exported as
GraphML and SVG, and a form that starts a trace through the API's own function."""

from __future__ import annotations

from collections import OrderedDict
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from hotpursuit.api.deps import State
from hotpursuit.api.routes.traces import start_trace_job, visible_trace_result
from hotpursuit.api.state import ApiState
from hotpursuit.chains.readable import human, parse_units
from hotpursuit.errors import Forbidden, HotpursuitError, InvalidInput, RateLimited
from hotpursuit.store.asset_units import AssetReader
from hotpursuit.store.graph_context import clusters_of, flagged_transfers, tx_blocks
from hotpursuit.store.incident_tables import IncidentRow
from hotpursuit.store.org_tables import Caller
from hotpursuit.store.trace_job_tables import TraceJob, latest_finished_trace, trace_jobs_of
from hotpursuit.store.trace_reads import incident_chain_since
from hotpursuit.trace.flow_graph import FlowGraph, FlowIn, GraphContext, GraphView, flow_graph
from hotpursuit.trace.flow_graph_export import graphml, graphology_json, svg
from hotpursuit.trace.flow_graph_input import report_addresses, report_context, report_flows
from hotpursuit.web.pages import HEADERS, page, readable_incident, refusal, signed_in, signed_incident, ui_text
from hotpursuit.web.sessions import csrf_holds

router = APIRouter(include_in_schema=False)
MODELS = ("haircut", "fifo", "poison")
Text = Annotated[str, Query(max_length=4000)]


# (store, job, key) -> the graph's inputs as that key may see them: a finished trace never changes, so a
# reader's clicks (a group opened, a filter) redraw from here instead of re-reading and re-auditing it
_INPUTS: OrderedDict[tuple[str, str, str], tuple[list[FlowIn], GraphContext, AssetReader]] = OrderedDict()
CACHED_GRAPHS = 8


def _graph(state: ApiState, who: Caller, incident: IncidentRow, job: TraceJob, view: GraphView | None,
           query: dict[str, str]) -> tuple[FlowGraph, AssetReader]:
    """The graph of the job's report as the caller may see it, in the view the query asks for."""
    key = (state.store.path, job.id, who.key_id)
    if key not in _INPUTS:
        _INPUTS[key] = _inputs(state, who, incident, job)
        while len(_INPUTS) > CACHED_GRAPHS:
            _INPUTS.popitem(last=False)
    _INPUTS.move_to_end(key)
    flows, context, reader = _INPUTS[key]
    return flow_graph(flows, context, view or _view(query, flows_assets(flows), reader, incident.chain)), reader


def _inputs(state: ApiState, who: Caller, incident: IncidentRow, job: TraceJob
            ) -> tuple[list[FlowIn], GraphContext, AssetReader]:
    """The flows and context of the job's report as the caller may see it (read and audited once)."""
    report = visible_trace_result(state, job.id, who)
    addresses = report_addresses(report)
    since = (incident_chain_since(state.store, incident.id) or (incident.chain, 0))[1]
    clusters = {c: clusters_of(state.store, c, a) for c, a in addresses.items()}
    blocks = {(c, t): b for c in addresses
              for t, b in tx_blocks(state.store, c, [f["tx"] for f in report["flows"] if f["chain"] == c]).items()}
    flagged = {c: flagged_transfers(state.store, c, a, since) for c, a in addresses.items() if c != "bitcoin"}
    return report_flows(report, blocks, flagged), report_context(report, clusters), AssetReader(state.store)


def flows_assets(flows: list[Any]) -> dict[str, str]:
    """asset -> its chain, for the assets the flows move."""
    return {f.asset: f.chain for f in flows}


def _view(query: dict[str, str], assets: dict[str, str], reader: AssetReader, chain: str) -> GraphView:
    """The view the query names; a bad value is an InvalidInput naming the parameter."""
    asset = query.get("asset") or None
    if asset is not None and asset not in assets:
        raise InvalidInput(f"asset: {asset!r} does not move in this trace")
    minimum = 0
    if query.get("min") and asset is not None:
        units = reader.units(assets[asset], asset)
        minimum = parse_units(query["min"], units.decimals if units else 0, "min")
    max_column = None
    if query.get("hops"):
        if not query["hops"].isascii() or not query["hops"].isdigit() or len(query["hops"]) > 4 \
                or int(query["hops"]) < 1:
            raise InvalidInput(f"hops: {query['hops']!r} is not a number of hops from 1 (the theft's own hop)")
        max_column = int(query["hops"])
    expanded = frozenset(x for x in query.get("expand", "").split(",") if x)
    around = frozenset(x for x in query.get("around", "").split(",") if x)
    return GraphView(expanded=expanded, asset=asset, min_amount=minimum, show_flagged=query.get("flagged") == "1",
                     max_column=max_column, around=around, collapse=query.get("collapse", "1") != "0")


def _reading(reader: AssetReader) -> Any:
    def read(amount: int, chain: str, asset: str) -> str:
        return human(amount, reader.units(chain or "ethereum", asset), asset)
    return read


def _query(request: Request) -> dict[str, str]:
    return {k: v[:4000] for k, v in request.query_params.items()}


@router.get("/ui/incidents/{incident_id}/graph")
async def graph_page(incident_id: str, request: Request, state: State) -> Response:
    opened = signed_incident(request, state, incident_id)
    if isinstance(opened, Response):
        return opened
    (session, who), incident = opened
    job = latest_finished_trace(state.store, incident.id)
    jobs = trace_jobs_of(state.store, [incident.id])[:5]
    return page(request, "graph.html", title=incident.name, who=who, csrf=session.csrf, incident=incident, job=job,
                jobs=jobs, models=MODELS)


@router.get("/ui/incidents/{incident_id}/graph.{kind}")
async def graph_data(incident_id: str, kind: str, request: Request, state: State) -> Response:
    """The graph in the view the query asks for: json (for the page), graphml or svg (downloads)."""
    found = signed_in(request, state)
    if found is None:
        return Response(status_code=401)
    incident = readable_incident(state, incident_id, found[1])
    job = None if incident is None else latest_finished_trace(state.store, incident.id)
    if incident is None or job is None or kind not in ("json", "graphml", "svg"):
        return Response(b'{"error": "not found"}', status_code=404, media_type="application/json")
    try:
        graph, reader = _graph(state, found[1], incident, job, None, _query(request))
    except HotpursuitError as exc:
        return Response(orjson.dumps({"error": str(exc)}), status_code=400, media_type="application/json")
    read = _reading(reader)
    name = f"{incident.id}-{job.id}"
    if kind == "graphml":
        return Response(graphml(graph, read), media_type="application/graphml+xml",
                        headers={**HEADERS, "Content-Disposition": f'attachment; filename="{name}.graphml"'})
    if kind == "svg":
        return Response(svg(graph, read, f"{incident.name} ({job.model}, {job.id})"), media_type="image/svg+xml",
                        headers={**HEADERS, "Content-Disposition": f'attachment; filename="{name}.svg"'})
    body = graphology_json(graph, read)
    symbols = []
    for asset in graph.assets:  # every asset the trace moved, for the page's filter
        units = reader.units(incident.chain, asset)  # a native asset of another chain (BTC) is read by its name
        symbols.append([asset, units.symbol if units else asset])
    body["attributes"].update({"job": job.id, "model": job.model, "groups": graph.groups, "assets": symbols,
                               "nodes": len(graph.nodes), "edges": len(graph.edges)})
    return Response(orjson.dumps(body), media_type="application/json", headers=HEADERS)


@router.post("/ui/incidents/{incident_id}/traces")
async def start_trace(incident_id: str, request: Request, state: State,
                      model: Annotated[str, Form(max_length=20)] = "haircut",
                      csrf: Annotated[str | None, Form(max_length=100)] = None) -> Response:
    """Start a trace of the incident (the API's checks: visibility, queue limit), then back to the graph."""
    opened = signed_incident(request, state, incident_id)
    if isinstance(opened, Response):
        return opened
    found, _incident = opened
    session, who = found
    _ = ui_text(request)
    if not csrf_holds(session, csrf):
        return refusal(request, found, 403, _("Incidents"), _("The form was not this session's."))
    if model not in MODELS:
        return refusal(request, found, 400, _("Incidents"), _("model: %(model)s is not one of %(models)s",
                                                              model=repr(model), models=", ".join(MODELS)))
    try:
        start_trace_job(state, who, incident_id, model, None, False)
    except RateLimited as exc:
        return refusal(request, found, 429, _("Incidents"), str(exc))
    except HotpursuitError as exc:
        return refusal(request, found, 403 if isinstance(exc, Forbidden) else 400, _("Incidents"), str(exc))
    return RedirectResponse(f"/ui/incidents/{incident_id}/graph", status_code=303, headers=HEADERS)
