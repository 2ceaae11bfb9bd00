"""The exercise kit's commands: `node run` (the project's anvil), `drill` (the Bybit-shaped heist) and
`demo` (what `make demo` runs: the drill, ingest, attribution, the trace, the scam-ring case, then the live
race). Registered into the `hotpursuit` CLI through the `hotpursuit.cli` entry point group (`register`)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from hotpursuit.cli.options import DbOption, console, err_console, progress, summary_table, user_errors
from hotpursuit.drill.runner import run_drill, run_scam_ring, scam_ring_table
from hotpursuit.drill.scenario import Scenario
from hotpursuit.errors import DrillError
from hotpursuit.settings import project_root
from hotpursuit.store import Store

node_app = typer.Typer(help="The local anvil devnet.", no_args_is_help=True)
kit_app = typer.Typer()


@node_app.command("run")
def node_run(
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port on 127.0.0.1.")] = 8545,
    block_time: Annotated[float | None, typer.Option(help="Mine every N seconds (default: per tx).")] = None,
) -> None:
    """Run the project's anvil in the foreground (zero gas price, auto-impersonation) until Ctrl-C."""
    from hotpursuit.drill.devnet.anvil import AnvilNode

    with user_errors(), AnvilNode(port=port, block_time=block_time) as node:
        console.print(f"anvil on {node.url} (Ctrl-C to stop)")
        try:
            while node.process is not None and node.process.poll() is None:
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass


@kit_app.command("drill")
def drill_cmd(
    rpc: Annotated[str, typer.Option(help="anvil JSON-RPC URL (start one with `hotpursuit node run`).")],
    seed: Annotated[int, typer.Option(help="Decides every address, amount and route.")] = 7,
    scenario: Annotated[Scenario, typer.Option(help=(
        "heist: the Bybit-shaped heist. scam-ring: a counterfeit exchange's call-centre scam over several days "
        "(48 victims, their complaints written to --reports, cash-out at two exchanges, a decoy scam)."))
    ] = Scenario.heist,
    live: Annotated[bool, typer.Option("--live", help=(
        "The node mines on its own clock (anvil --block-time): one block passes between waves, and "
        "moves that revert (frozen funds) are recorded, not errors. Heist only."))] = False,
    min_transfers: Annotated[int | None, typer.Option(
        min=0, help="Background traffic until the ledger has this many (default: 2,000 for the heist, "
                    "600 for the scam ring).")] = None,
    roster: Annotated[Path | None, typer.Option(help=(
        "Only write who will be who (victim, exchanges and their deposit addresses, issuer and token, "
        "pool, bridge) to this JSON file, and send nothing: to set up the defenders before a live drill. "
        "Heist only."))] = None,
    out: Annotated[Path, typer.Option(help="Where to write the ground truth JSON.")] = Path(
        "drill-ground-truth.json"),
    reports: Annotated[Path, typer.Option(help=(
        "scam-ring: where to write the victims' complaints (a JSON list of reports, TLP:RED).")
    )] = Path("scam-ring-reports.json"),
) -> None:
    """Drive a Bybit-shaped heist (or, with --scenario scam-ring, a scam ring and its victims' complaints)
    through anvil and write its ground truth."""
    if scenario is Scenario.scam_ring:
        if live or roster is not None:
            raise typer.BadParameter("--live and --roster are for the heist only", param_hint="--scenario")
        with user_errors():
            ring = run_scam_ring(rpc, seed, out, reports, min_transfers=min_transfers)
        console.print(scam_ring_table(ring))
        return
    with user_errors():
        if roster is not None:
            _write_roster(rpc, seed, roster)
            return
        truth = run_drill(rpc, seed, live, out, min_transfers=2_000 if min_transfers is None else min_transfers)
    _print_drill(truth)


def _write_roster(rpc: str, seed: int, path: Path) -> None:
    from hotpursuit.drill.heist import DrillConfig, HeistDrill
    from hotpursuit.ingest.rpc_client import JsonRpcClient

    roster = HeistDrill(JsonRpcClient(rpc), DrillConfig(seed=seed)).roster()
    path.write_text(json.dumps(roster, indent=1) + "\n", encoding="utf-8")
    err_console.print(f"roster written to {path}")


def _print_drill(truth: dict[str, Any]) -> None:
    table = Table(title=f"heist drill (seed {truth['seed']}), blocks {truth['first_block']}-{truth['last_block']}")
    table.add_column("what")
    table.add_column("value", justify="right")
    eth = truth["conservation"]["ETH"]
    for label, value in [
        ("transactions", f"{truth['transactions']:,}"), ("transfers", f"{truth['transfers']:,}"),
        ("stolen (wei)", f"{int(eth['stolen']):,}"), ("tainted at endpoints (wei)", f"{int(eth['at_endpoints']):,}"),
        ("tainted still held (wei)", f"{int(eth['held']):,}"),
        ("thief addresses", str(len(truth["thief_addresses"]))), ("bridge memos", str(len(truth["bridge_memos"]))),
        ("exchanges", ", ".join(truth["exchanges"])),
        ("moves that reverted (frozen funds)", str(len(truth["reverted"]))),
    ]:
        table.add_row(label, value)
    console.print(table)


@kit_app.command("demo")
def demo(
    db: DbOption,
    seed: Annotated[int, typer.Option(help="Drill seed.")] = 7,
    out: Annotated[Path, typer.Option(help="Ground truth JSON.")] = Path("drill-ground-truth.json"),
) -> None:
    """Start anvil, run the heist drill, ingest it into the store, print a summary; run the scam ring on the
    same chain and build its case from the victims' reports; stop anvil; then run the live race (anvil mining
    every second, the API watching, reference receivers freezing)."""
    from hotpursuit.drill.devnet.anvil import AnvilNode
    from hotpursuit.ingest.evm_node_job import EvmNodeIngest
    from hotpursuit.ingest.rpc_client import JsonRpcClient
    from hotpursuit.store.summary import table_counts, transfer_summary, zero_value_transfers

    with user_errors(), AnvilNode() as node:
        err_console.print(f"anvil started on {node.url}")
        truth = run_drill(node.url, seed, False, out)
        _print_drill(truth)
        with Store.open(db) as store:
            job = EvmNodeIngest(JsonRpcClient(node.url), store, chain="anvil")
            first, last = truth["first_block"], truth["last_block"]
            with progress() as bar:
                task = bar.add_task("ingesting anvil blocks", total=last - first + 1, detail="")
                stats = job.ingest_range(first, last, progress=lambda n, s: bar.update(
                    task, advance=n, detail=f"{s.transfers} transfers"))
            rows = [r for r in transfer_summary(store) if r.chain == "anvil"]
            console.print(summary_table(rows, table_counts(store)))
            moved = stats.transfers - zero_value_transfers(store, "anvil", first, last)
        console.print(f"[bold]{stats.transfers:,} transfers ingested[/] from {stats.blocks} blocks "
                      f"({stats.transactions:,} transactions; {stats.transfers - moved} zero-value Transfers of "
                      f"the poisoning campaign among them); the drill recorded {truth['transfers']:,} that move value.")
        if moved != truth["transfers"]:
            err_console.print("[bold red]error:[/] ingested transfers differ from the drill's ledger")
            raise typer.Exit(1)
        _demo_bitcoin_leg(db, seed, truth, out)
        _demo_attribution(db, truth)
        case_page = _demo_scam_ring(node.url, db, seed)
    err_console.print("anvil stopped")
    key = _demo_server(db)
    from hotpursuit.drill.race_cli import demo_live_race

    with user_errors():
        demo_live_race(db.with_name("live-race.duckdb"), seed, out.with_name("drill-live-ground-truth.json"))
        _demo_federation(db, truth)
    _demo_workspace(db, key, case_page)


def _demo_scam_ring(node_url: str, db: Path, seed: int) -> str:
    """The scam-ring case on the same chain (drill/scam_demo.py), narrated; the case's page in the workspace."""
    from hotpursuit.drill.scam_demo import demo_scam_ring

    console.print("[bold]Scam ring:[/] a counterfeit exchange's victims report to the demo agency; their case, "
                  "its collectors and the frozen totals", highlight=False)
    shown = demo_scam_ring(node_url, db, seed, db.parent,
                           say=lambda line: console.print(f"  {line}", highlight=False, markup=False, soft_wrap=True))
    return shown.url


def _demo_federation(db: Path, truth: dict[str, Any]) -> None:
    """Two task forces in federation (drill/federation.py), narrated."""
    from hotpursuit.drill.federation import run_federation

    console.print("[bold]Federation:[/] Seoul (a Korean agency's instance) and Brussels (a European agency's), "
                  "two servers with their own stores", highlight=False)
    run = run_federation(db, db.with_name("federation"), str(truth["theft_tx"]),
                         say=lambda line: console.print(f"  {line}", highlight=False, soft_wrap=True))
    if run.verify_exit != 0:
        raise DrillError(f"federation: the evidence bundle did not verify in Brussels: {run.verify_output}")
    console.print(f"  stores: {run.seoul.name} and {run.brussels.name}; bundle: {run.bundle}", highlight=False)


def _demo_server(db: Path) -> str:
    """Create a demo agency with a key, run the API for one real request, print the curl to repeat it;
    the key (it also opens the workspace)."""
    import httpx

    from hotpursuit.api.app import create_app
    from hotpursuit.api.background import serve_in_thread
    from hotpursuit.store.org_tables import add_org, create_key, org_exists

    with Store.open(db) as store:
        if not org_exists(store, "demo-agency"):
            add_org(store, "demo-agency", "Demo task force agency", "agency", "KR", "bybit-task-force")
        _, key = create_key(store, "demo-agency", ["screen", "read", "write", "incident"], 30)
        path = f"/v1/screen/ethereum/{RONIN_EXPLOITER}"
        with serve_in_thread(create_app(store)) as base:
            answer = httpx.get(base + path, headers={"X-API-Key": key}).json()
    console.print(f"[bold]screening API:[/] GET {path} -> risk {answer['risk']} (score {answer['score']}), "
                  f"categories {', '.join(answer['categories'])}", highlight=False)
    console.print("Try it yourself (the key is valid for 30 days):", highlight=False)
    console.print(f"  curl -H 'X-API-Key: {key}' http://127.0.0.1:8080{path}   (with the server below running)",
                  highlight=False, soft_wrap=True)
    return key


def _demo_workspace(db: Path, key: str, case_page: str) -> None:
    """Trace the drill's incident as a server job (so its flow graph is ready in the UI), then end the
    demo with the one command that serves the workspace, its address and the key."""
    from hotpursuit.casereport.inputs import TraceParameters
    from hotpursuit.casereport.make import case_report
    from hotpursuit.jobs.trace_request import run_trace_request
    from hotpursuit.store.trace_job_tables import queue_trace_job

    with user_errors(), Store.open(db) as store:
        job = queue_trace_job(store, "drill-heist", "haircut", None, "demo-agency")
        run_trace_request(store, job, "drill-heist", "haircut", None, False)
        written = []
        for lang in ("en", "ko"):
            for fmt in ("html", "pdf"):
                data, document = case_report(store, "drill-heist", fmt, lang, TraceParameters("haircut", None, 0))
                target = db.with_name(f"drill-report-{lang}.{fmt}")
                target.write_bytes(data)
                written.append(str(target.name))
    console.print(f"[bold]Case reports[/] (TLP:{document.marking}, {len(document.endpoints)} endpoints): "
                  f"{', '.join(written)}; again with: .venv/bin/hotpursuit report drill-heist --format pdf "
                  "--lang ko --out drill-report-ko.pdf", highlight=False, soft_wrap=True)
    console.print(f"[bold]The workspace[/] (incidents, the live board, the flow graph of trace {job}, address "
                  "pages, screening, freeze requests). Serve it with:", highlight=False)
    console.print(f"  .venv/bin/hotpursuit serve --db {db} --port 8080\n"
                  f"  then open http://127.0.0.1:8080/ui/ and sign in with the key {key}\n"
                  f"  the scam-ring case: http://127.0.0.1:8080{case_page}",
                  highlight=False, soft_wrap=True)


def _demo_trace(store: Store, truth: dict[str, Any]) -> None:
    """Open the drill's incident, trace it, write drill-trace.html, print who can freeze how much."""
    from hotpursuit.jobs.trace_job import run_trace
    from hotpursuit.store.incident_tables import open_incident
    from hotpursuit.store.taint_tables import save_trace
    from hotpursuit.trace.report_render import render_html

    incident_id, _ = open_incident(store, "Drill heist", "anvil", [truth["theft_tx"]], victim=truth["victim"],
                                   actor="lazarusgroup", replace=True)
    report = run_trace(store, incident_id)
    save_trace(store, report)
    Path("drill-trace.html").write_text(render_html(report), encoding="utf-8")
    by_freezer: dict[tuple[str, str], int] = {}
    for e in report.endpoints + report.held:
        key = (e.get("freezer") or "nobody (held by the thief)", e["asset"])
        by_freezer[key] = by_freezer.get(key, 0) + int(e["tainted"])
    table = Table(title="drill trace (haircut): who can freeze how much (base units); drill-trace.html written")
    for col in ("who can freeze", "asset", "tainted"):
        table.add_column(col)
    for (who, asset), amount in sorted(by_freezer.items()):
        table.add_row(who, asset if len(asset) < 12 else asset[:10] + "…", f"{amount:,}")
    console.print(table)
    _demo_trust_and_swaps(store, report)


def _demo_trust_and_swaps(store: Store, report: Any) -> None:
    """What the real-mainnet rules did on the drill: swaps followed, fake assets ignored, poisoning found."""
    from hotpursuit.chains.readable import fixed_units as units
    from hotpursuit.store.asset_trust_tables import load_poisoning, load_trust

    trust = load_trust(store, "anvil")

    def name(asset: str) -> str:
        t = trust.get(asset)
        return (t.symbol or asset) if t else asset

    def amount(asset: str, value: str) -> str:
        t = trust.get(asset)
        decimals = t.decimals if t and t.decimals is not None else 18
        return f"{units(int(value), decimals, 2)} {name(asset)}"

    routes: dict[tuple[str, str, str], int] = {}
    for s in report.swaps:  # only swaps that carried taint are recorded: the thief's side, not the pools'
        key = (" + ".join(name(a) for a in s["sold"]), " + ".join(name(a) for a in s["bought"]),
               ", ".join(sorted({n for n in s["venue_names"] if n})) or f"{len(s['venues'])} unlabelled venue(s)")
        routes[key] = routes.get(key, 0) + 1
    table = Table(title=f"swaps the trace followed by net flows ({len(report.swaps)})")
    for col in ("sold", "bought", "through", "swaps"):
        table.add_column(col, overflow="fold")
    for (sold, bought, through), count in sorted(routes.items()):
        table.add_row(sold, bought, through, str(count))
    console.print(table)
    for asset, totals in sorted(report.totals.items()):
        if int(totals.get("swapped_in", "0")) or int(totals.get("swapped_out", "0")):
            console.print(f"  {name(asset)}: swapped in {amount(asset, totals['swapped_in'])}, swapped out "
                          f"{amount(asset, totals['swapped_out'])}", highlight=False)
    ignored = Table(title="assets the trace ignored (never stolen, never traced)")
    for col in ("symbol", "status", "movements", "reason"):
        ignored.add_column(col, overflow="fold")
    for i in report.ignored_assets:
        ignored.add_row(str(i["symbol"] or i["asset"]), i["status"], str(i["movements"]), i["reason"])
    console.print(ignored)
    poisoning = load_poisoning(store, "anvil")
    looks = sorted({(p.address, p.lookalike_of) for p in poisoning if p.lookalike_of})
    console.print(f"[bold]address poisoning:[/] {len(poisoning)} transfers flagged, {len(looks)} look-alike "
                  f"addresses (kept out of taint, evidence paths and counterparties)", highlight=False)
    for address, real in looks[:3]:
        console.print(f"  {address} imitates {real}", highlight=False)


DEMO_LABELS = project_root() / "data" / "labels"  # the real lists the checkout ships (data/labels/PROVENANCE)
RONIN_EXPLOITER = "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"  # Lazarus, on the OFAC SDN list


def _demo_attribution(db: Path, truth: dict[str, Any]) -> None:
    """Load every real label list, label the drill's hot wallets, cluster, and answer two questions."""
    from hotpursuit.drill.service_labels import SERVICE_LABELS_SOURCE, drill_service_claims
    from hotpursuit.ingest.label_import_job import import_labels
    from hotpursuit.jobs.cluster_job import run_clustering
    from hotpursuit.store.label_tables import claims_for, replace_import

    with Store.open(db) as store:
        for kind, path in (("actorpack", DEMO_LABELS / "graphsense-tagpacks" / "actors"),
                           ("tagpack", DEMO_LABELS / "graphsense-tagpacks" / "packs"),
                           ("ofac", DEMO_LABELS / "ofac-sdn-addresses"),
                           ("heist-list", DEMO_LABELS / "lazarus" / "fbi_psa250226_bybit_addresses.txt")):
            report = import_labels(store, kind, path)
            console.print(f"labels {kind}: {report.files} file(s), {report.claims:,} claims, {report.actors:,} actors, "
                          f"{len(report.rejected)} rejected, {len(report.skipped)} entries skipped", highlight=False)
        replace_import(store, SERVICE_LABELS_SOURCE, "task-force", drill_service_claims(truth))
        stats = run_clustering(store, "anvil")
        found = {d.address: d.exchange for d in stats.deposit_addresses}
        right = sum(1 for a, name in found.items() if truth["deposit_address_owner"].get(a) == name)
        console.print(f"[bold]clustering:[/] {len(found)} deposit addresses found from the hot-wallet labels "
                      f"alone, {right} assigned to the right exchange", highlight=False)
        claims = claims_for(store, "ethereum", RONIN_EXPLOITER.lower())
        _demo_trace(store, truth)
    cats = " / ".join(sorted({c.category.upper() if c.category == "dprk" else c.category for c in claims}))
    console.print(f"[bold]{RONIN_EXPLOITER}[/] (Ronin bridge exploiter): {cats}", highlight=False)
    for c in claims:
        console.print(f"  {c.label} [{c.category}] actor={c.actor_label or c.actor or '-'} "
                      f"confidence {c.confidence}, {c.source}", highlight=False, markup=False)


def _demo_bitcoin_leg(db: Path, seed: int, truth: dict[str, Any], out: Path) -> None:
    """Pay the drill's bridge memos on Bitcoin, serve the leg, ingest it over Core RPC, show the links."""
    from hotpursuit.drill.bitcoin_leg import build_bitcoin_leg
    from hotpursuit.drill.devnet.bitcoin_server import BitcoinTestServer
    from hotpursuit.ingest.bitcoin_node_job import BitcoinIngest, CoreRpcSource
    from hotpursuit.store.bridge_links import bridge_link_counts

    leg = build_bitcoin_leg(seed, truth["bridge_memos"], start_time=1_740_100_000)
    truth["bitcoin_leg"] = leg.truth()
    out.write_text(json.dumps(truth, indent=1) + "\n", encoding="utf-8")
    with BitcoinTestServer(leg.blocks) as server, Store.open(db) as store:
        stats = BitcoinIngest(CoreRpcSource(server.rpc_url), store).ingest_range(0, len(leg.blocks) - 1)
        linked = bridge_link_counts(store)
    console.print(f"[bold]bitcoin leg:[/] {stats.blocks} blocks, {stats.transactions} transactions ingested "
                  f"over Core RPC from {server.rpc_url}; bridge links completed: {linked[0]} of {linked[1]} deposits")




def register(app: typer.Typer) -> None:
    """Add `node`, `drill` and `demo` to the CLI."""
    app.add_typer(node_app, name="node")
    for command in kit_app.registered_commands:
        app.registered_commands.append(command)
