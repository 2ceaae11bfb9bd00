"""`make demo`'s scam-ring act, on the node where the heist ran and in the same store: the scam-ring drill
continues the chain and is ingested; the public scam lists are imported with their licences; the demo
agency takes the victims' 30 reports and builds the case (the collectors ranked, the ring checked against
the drill's ground truth, the unreported victims named, the counterfeit site recorded); the live watch asks
the cash-out exchanges to freeze, each exchange's desk receives its signed requests by webhook and answers
through the API with what it still holds; a partner screens a ring deposit address. Every figure is read
back from the store, the API or the node, in base units, and shown in human units.

On the heist's seed the ring works in the heist's world: the same exchanges and hot wallets (the drill
deploys its own contracts, the exchanges' new deposit addresses among them, after the heist's blocks). So once
the exchanges declare their hot wallets, the live watch, which follows every open incident, also asks them
about the heist's loot at their older deposit addresses; the desks answer those too, and nothing is left
undelivered in the store."""

from __future__ import annotations

import datetime as dt
import json
import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from hotpursuit.chains.readable import human
from hotpursuit.drill.live_race import slug
from hotpursuit.drill.scenario import TOKEN
from hotpursuit.errors import DrillError
from hotpursuit.ingest.rpc_client import JsonRpcClient
from hotpursuit.settings import project_root
from hotpursuit.store import Store
from hotpursuit.store.asset_units import AssetReader
from hotpursuit.victim_reports.convergence import RingAddress

Say = Callable[[str], None]
AGENCY = "demo-agency"  # the demo's agency: drill/cli.py `_demo_server` gives it the workspace key
CASE_NAME = "Hanbit Pro fake exchange"
SERVICES_SOURCE = "demo:scam-ring-services"
SCAM_LISTS = (("scamsniffer", project_root() / "data" / "labels" / "scam-lists" / "scamsniffer"),
              ("eth-phishing-detect", project_root() / "tools" / "node" / "node_modules" / "eth-phishing-detect"))
TOP = 5


@dataclass(frozen=True)
class ExchangeOutcome:
    """What one exchange was asked and froze, per asset (base units)."""

    org: str
    name: str
    requests: int
    requested: dict[str, int]
    frozen: dict[str, int]


@dataclass(frozen=True)
class CaseFigures:
    """What the case found, beside the drill's ground truth."""

    incident: str  # the case's incident id
    found: int  # reports whose payment was found on chain
    not_found: int
    collectors: list[RingAddress]  # the top ranked, first first
    collector_truth: str  # the drill's collector
    recall: float  # of the ring's addresses in the ground truth
    precision: float
    further_payers: list[str]  # unreported victims the case names
    unreported_victims: list[str]  # the drill's
    site: dict[str, Any]  # the counterfeit site as recorded (domain, spellings, addresses, lists that know it)


@dataclass(frozen=True)
class ScamRingDemo:
    """The figures the act printed, for the caller (the workspace's link) and the test."""

    case: CaseFigures
    first_block: int
    last_block: int
    reports_taken: int
    exchanges: list[ExchangeOutcome]
    totals: dict[str, dict[str, int]]  # the case's board: asset -> requested, frozen (base units)
    screened: dict[str, Any]  # the API's screening of a ring deposit address
    lists: list[dict[str, Any]]  # the scam lists imported, with their licences

    @property
    def url(self) -> str:
        """The case's page in the workspace."""
        return f"/ui/cases/{self.case.incident}"


def demo_scam_ring(node_url: str, db: Path, seed: int, out_dir: Path, say: Say) -> ScamRingDemo:
    """Run the act on the node at `node_url` (the heist already ingested into `db`); files next to `db`."""
    from hotpursuit.drill.runner import run_scam_ring

    ground_truth, reports = out_dir / "scam-ring-ground-truth.json", out_dir / "scam-ring-reports.json"
    with Store.open(db) as store:
        truth = run_scam_ring(node_url, seed, ground_truth, reports)
        _ingest_and_label(node_url, store, truth, say)
        lists = _import_scam_lists(store, say)
        taken = _take_reports(store, reports, say)
        case = _build_case(store, truth, say)
        desks = _exchanges(store, truth)
        asked = _live_watch(node_url, store, truth["last_block"], case.incident)
        say(f"the live watch, from block {truth['last_block'] + 1:,}: {asked} freeze request(s) for the case at once "
            "(what already reached addresses the exchanges control); each is signed and delivered to the "
            "exchange's webhook")
        with ExitStack() as stack:
            for desk in desks:
                stack.enter_context(desk.listening())
            outcomes, totals, screened = _answer_and_screen(node_url, store, case.incident, truth, desks, asked,
                                                            say)
    return ScamRingDemo(case, truth["first_block"], truth["last_block"], taken, outcomes, totals, screened, lists)


# ---- the drill's blocks, labelled and clustered ---------------------------------------------------------
def _ingest_and_label(node_url: str, store: Store, truth: dict[str, Any], say: Say) -> None:
    from hotpursuit.drill.service_labels import scam_ring_service_claims
    from hotpursuit.ingest.evm_node_job import EvmNodeIngest
    from hotpursuit.jobs.cluster_job import run_clustering
    from hotpursuit.store.evm_tables import top_block
    from hotpursuit.store.label_tables import replace_import

    first, last = truth["first_block"], truth["last_block"]
    held = top_block(store, "anvil")
    if first <= held:
        raise DrillError(f"scam ring: its first block {first} is one the store holds already (up to {held})")
    fake = truth["counterfeit_exchange"]
    span = truth["time_range"]
    say(f"{fake['website']} ({fake['app']} / {fake['app_ko']}) passes for {fake['imitates']}: {len(truth['victims'])} "
        f"victims paid it at {len(fake['deposit_addresses'])} deposit addresses from {span['start'][:10]} to "
        f"{span['end'][:10]} (KST); blocks {first:,}-{last:,}, after the heist's")
    stats = EvmNodeIngest(JsonRpcClient(node_url), store, chain="anvil").ingest_range(first, last)
    replace_import(store, SERVICES_SOURCE, "task-force", scam_ring_service_claims(truth))
    clusters = run_clustering(store, "anvil")
    say(f"ingested {stats.blocks} blocks, {stats.transactions:,} transactions, {stats.transfers:,} transfers; the "
        f"exchanges' hot wallets, the venues and the stablecoin labelled (nothing about the ring); clustering found "
        f"{len(clusters.deposit_addresses)} exchange deposit addresses on the chain")


def _import_scam_lists(store: Store, say: Say) -> list[dict[str, Any]]:
    """The public scam lists the checkout has, each kept with its licence."""
    from hotpursuit.ingest.label_import_job import import_labels

    out = []
    for kind, path in SCAM_LISTS:
        if not path.exists():
            say(f"scam list {kind}: not here ({path.relative_to(project_root())}; `make tools` installs it)")
            continue
        r = import_labels(store, kind, path)
        out.append({"kind": kind, "source": r.source, "licence": r.licence, "version": r.version,
                    "sites": r.entities, "addresses": r.entity_addresses, "claims": r.claims})
        say(f"scam list {r.source} ({r.version}): {r.entities:,} sites, {r.entity_addresses:,} site addresses, "
            f"{r.claims:,} address claims; licence {r.licence}"
            + ("" if r.redistributable else ", not passed on to partners"))
    return out


# ---- the reports and the case ----------------------------------------------------------------------------
def _take_reports(store: Store, path: Path, say: Say) -> int:
    """As `hotpursuit report intake FILE --org demo-agency` takes them."""
    from hotpursuit.store.org_tables import add_org, org_exists
    from hotpursuit.store.summary import known_chains
    from hotpursuit.store.victim_report_tables import save_reports
    from hotpursuit.user_files import read_user_text
    from hotpursuit.victim_reports.intake_forms import read_intake

    if not org_exists(store, AGENCY):
        add_org(store, AGENCY, "Demo task force agency", "agency", "KR", "bybit-task-force")
    intake = read_intake(read_user_text(path), path.name, known_chains=tuple(known_chains(store)))
    saved = save_reports(store, AGENCY, [r for _, r in intake.accepted], at=dt.datetime.now(dt.UTC))
    new = sum(1 for _, s in saved if s == "new")
    say(f"{len(saved)} victim reports (TLP:RED) taken for {AGENCY} from {path.name}: {new} new, "
        f"{len(intake.rejected)} rejected")
    return len(saved)


def _build_case(store: Store, truth: dict[str, Any], say: Say) -> CaseFigures:
    from hotpursuit.jobs.scam_case_job import build_scam_case

    # the reports are RED, so a case is RED by default; the agency shares this one with its task force
    # (the ring's addresses and site; the victims' names and words stay with the agency whatever the case's TLP)
    case = build_scam_case(store, org=AGENCY, name=CASE_NAME, chain="anvil", tlp="AMBER")
    units = AssetReader(store)
    found = sum(1 for f in case.findings.values() if f.found)
    say(f"case \"{CASE_NAME}\" ({case.incident}) built from the reports: {found} payments found on chain, "
        f"{len(case.reports) - found} not found; shared TLP:AMBER with the task force (the reports stay TLP:RED)")
    for s in case.reports:
        if not case.findings[s.id].found:
            say(f"  not found: {s.report.reference or s.id}: {case.findings[s.id].how}")
    ring = case.convergence
    top = ring.collectors()[:TOP]
    say(f"collectors, ranked by how many victims' money met there (top {len(top)}):")
    for a in top:
        say(f"  #{a.rank} {a.address}  {a.role:<9} {len(a.reports):>2} victims  received {_amounts(units, a.received)}")
    found_ring = {a.address for a in ring.addresses}
    truth_ring = set(truth["ring_addresses"])
    hit = len(found_ring & truth_ring)
    recall, precision = hit / len(truth_ring), (hit / len(found_ring) if found_ring else 0.0)
    first = "the drill's collector" if top and top[0].address == truth["collector"] else \
        f"not the drill's collector ({truth['collector']})"
    say(f"ring addresses against the drill's ground truth: {len(found_ring)} found, {hit} of {len(truth_ring)} "
        f"right: recall {recall:.2f}, precision {precision:.2f}; #1 is {first}")
    unreported = sorted(v["address"] for v in truth["victims"] if v["reported_as"] is None)
    further = sorted(ring.further_payers)
    say(f"further victims (paid the ring's deposit addresses, never reported): {len(further)} found; the drill has "
        f"{len(unreported)} unreported victims, {len(set(further) & set(unreported))} of them among those found")
    sites = case.sites["sites"]
    site = sites[0] if sites else {}
    if site:
        known = ", ".join(sorted({m["source"] for m in site["listed"]})) or "none of the public lists"
        say(f"the counterfeit site, recorded as a fake exchange: {site['domain']} (as the victims spelt it: "
            f"{', '.join(site['spellings'])}), handing out {len(site['addresses'])} deposit addresses; "
            f"already listed by: {known}")
    return CaseFigures(case.incident, found, len(case.reports) - found, top, truth["collector"], recall, precision,
                       further, unreported, site)


# ---- the exchanges: asked by the live watch, answering by the API -----------------------------------------
@dataclass
class ExchangeDesk:
    """An exchange's compliance desk: its organisation (controlling its hot wallet, so the deposit addresses
    clustered to it), an API key, and a webhook on 127.0.0.1 that takes signed freeze requests."""

    org: str
    name: str
    hot_wallet: str
    key: str
    port: int
    secret: str
    inbox: queue.Queue[dict[str, Any]] = field(default_factory=queue.Queue)

    @contextmanager
    def listening(self) -> Iterator[None]:
        """Serve the webhook until the block ends: a delivery whose signature verifies goes to the inbox."""
        from hotpursuit.security.webhook_signing import (
            IDEMPOTENCY_HEADER,
            SIGNATURE_HEADER,
            SignatureError,
            verify,
        )

        desk = self

        class Webhook(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                try:
                    verify(desk.secret, body, self.headers.get(SIGNATURE_HEADER), int(time.time()),
                           self.headers.get(IDEMPOTENCY_HEADER))
                except SignatureError:
                    self.send_response(401)
                else:
                    desk.inbox.put(json.loads(body))
                    self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Webhook)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield
        finally:
            server.shutdown()
            server.server_close()
            thread.join(5)


def _exchanges(store: Store, truth: dict[str, Any]) -> list[ExchangeDesk]:
    """Each exchange of the drill as an organisation controlling its hot wallet, with a key and a webhook."""
    from hotpursuit.api.background import free_port
    from hotpursuit.store.interdiction_tables import add_control, set_webhook
    from hotpursuit.store.org_tables import add_org, create_key, org_exists

    desks = []
    for name, ex in truth["exchanges"].items():
        org = "ex-" + slug(name).removesuffix("-exchange")
        if not org_exists(store, org):
            add_org(store, org, name, "exchange", "KR", "bybit-task-force")
        add_control(store, org, "anvil", ex["hot_wallet"], "hot_wallet")
        port = free_port()
        secret = set_webhook(store, org, f"http://127.0.0.1:{port}/hotpursuit")
        key = create_key(store, org, ["read", "write", "screen"], 1)[1]
        desks.append(ExchangeDesk(org, name, ex["hot_wallet"], key, port, secret))
    return desks


def _live_watch(node_url: str, store: Store, last_block: int, case: str) -> int:
    """One step of the live watch after the drill's last block: the case's incident is new to it, so it asks
    at once whatever already reached a controlled address. How many requests the case got."""
    from hotpursuit.interdict.live_watch import LiveWatch
    from hotpursuit.store.interdiction_tables import freeze_requests

    watch = LiveWatch(JsonRpcClient(node_url), store)
    try:
        watch.seek(last_block + 1)
        watch.step()
    finally:
        watch.stop()
    return len(freeze_requests(store, incident=case))


def _answer_and_screen(node_url: str, store: Store, case: str, truth: dict[str, Any], desks: list[ExchangeDesk],
                       asked: int, say: Say) -> tuple[list[ExchangeOutcome], dict[str, dict[str, int]],
                                                     dict[str, Any]]:
    """Serve the API (its outbox delivers the requests); each desk answers every request it received; the
    agency reads the case's board; a partner screens a deposit address of the ring."""
    from hotpursuit.api.app import create_app
    from hotpursuit.api.background import serve_in_thread
    from hotpursuit.store.interdiction_tables import freeze_requests
    from hotpursuit.store.org_tables import create_key

    agency_key = create_key(store, AGENCY, ["read"], 1)[1]
    node = JsonRpcClient(node_url)
    pending = [r for r in freeze_requests(store) if r["delivery"]["status"] == "pending"]
    with serve_in_thread(create_app(store, webhook_networks=["127.0.0.1/32"])) as base:
        received = _collect(desks, len(pending))
        for desk in desks:
            for request in received[desk.org]:
                status, frozen, reason = _decide(node, desk, request)
                reply = httpx.post(f"{base}/v1/freeze-requests/{request['id']}/answer",
                                   json={"status": status, "amount_frozen": str(frozen), "reason": reason},
                                   headers={"X-API-Key": desk.key}, timeout=10)
                if reply.status_code != 200:
                    raise DrillError(f"{desk.name}'s answer to {request['id']} was refused: {reply.text}")
        board = httpx.get(f"{base}/v1/incidents/{case}/board", headers={"X-API-Key": agency_key}, timeout=10)
        if board.status_code != 200:
            raise DrillError(f"the case's board: HTTP {board.status_code} {board.text}")
        deposit = truth["counterfeit_exchange"]["deposit_addresses"][0]
        partner = desks[-1]
        screened = httpx.get(f"{base}/v1/screen/anvil/{deposit}", headers={"X-API-Key": partner.key},
                             timeout=10).json()
    others = len(pending) - asked
    if others:
        incidents = sorted({r["incident"] for r in pending} - {case})
        say(f"the same step asked them about {', '.join(incidents)} too ({others} requests): its loot reached "
            "their deposit addresses before they declared their wallets; answered alike (the live race below "
            "shows that race as it runs)")
    return _outcomes(store, board.json(), desks, truth, say), _totals(store, board.json(), say), \
        _screened(screened, partner, deposit, say)


def _amounts(units: AssetReader, by_asset: dict[str, int]) -> str:
    """`1.5 ETH + 2,000 HUSD`: ETH first, each in human units made exactly from its base units."""
    return " + ".join(human(v, units.units("anvil", a), a) for a, v in sorted(by_asset.items(),
                                                                               key=lambda x: x[0] != "ETH")) or "0"


def _outcomes(store: Store, board: dict[str, Any], desks: list[ExchangeDesk], truth: dict[str, Any],
              say: Say) -> list[ExchangeOutcome]:
    units = AssetReader(store)
    outcomes = []
    say("each exchange answers through the API, freezing what it still holds of it (deposit address and the hot "
        "wallet it sweeps to):")
    for desk in desks:
        rows = [r for r in board["organisations"] if r["org"] == desk.org]
        outcome = ExchangeOutcome(desk.org, desk.name, sum(r["requests"] for r in rows),
                                  {r["asset"]: int(r["requested"]) for r in rows},
                                  {r["asset"]: int(r["frozen"]) for r in rows})
        outcomes.append(outcome)
        role = "the ring cashed out here" if desk.name in truth["cash_out"] else \
            "the decoy scam cashed out here" if desk.name in truth["decoy_scam"]["cash_out"] else "not used"
        if not rows:
            say(f"  {desk.name} ({role}): asked nothing")
            continue
        say(f"  {desk.name} ({role}): {outcome.requests} requests; requested {_amounts(units, outcome.requested)}; "
            f"frozen {_amounts(units, outcome.frozen)}")
    return outcomes


def _totals(store: Store, board: dict[str, Any], say: Say) -> dict[str, dict[str, int]]:
    units = AssetReader(store)
    totals = {a: {"requested": int(t["requested"]), "frozen": int(t["frozen"])} for a, t in board["totals"].items()}
    stolen = {a: int(v) for a, v in board["stolen"].items()}
    bought = [units.units("anvil", a) for a, t in totals.items() if t["requested"] > stolen.get(a, 0)]
    say(f"  the case's board: paid by the reporting victims {_amounts(units, stolen)}; requested "
        f"{_amounts(units, {a: t['requested'] for a, t in totals.items()})}; frozen "
        f"{_amounts(units, {a: t['frozen'] for a, t in totals.items()})}"
        + "".join(f" (more {u.symbol} than they paid: the taint follows the ring's swaps into it)"
                  for u in bought if u is not None))
    return totals


def _screened(answer: dict[str, Any], partner: ExchangeDesk, deposit: str, say: Say) -> dict[str, Any]:
    sites = ", ".join(f"{e['domain']} ({e['kind']}, from {e['source']})" for e in answer.get("entities", []))
    say(f"{partner.name} screens the ring's deposit address {deposit}: risk {answer.get('risk')}, categories "
        f"{', '.join(answer.get('categories', []))}; handed out by {sites or 'no site'}")
    return answer


def _collect(desks: list[ExchangeDesk], expected: int, timeout: float = 30.0) -> dict[str, list[dict[str, Any]]]:
    """The freeze requests as the desks received them, once all `expected` have arrived (none is left
    undelivered in the store)."""
    got: dict[str, list[dict[str, Any]]] = {d.org: [] for d in desks}
    count, deadline = 0, time.monotonic() + timeout
    while True:
        for desk in desks:
            while not desk.inbox.empty():
                message = desk.inbox.get()
                if message.get("type") == "freeze_request":
                    got[desk.org].append(message)
                    count += 1
        if count >= expected:
            return got
        if time.monotonic() > deadline:
            raise DrillError(f"only {count} of {expected} freeze requests reached the exchanges in {timeout:.0f} s")
        time.sleep(0.05)


def _decide(node: JsonRpcClient, desk: ExchangeDesk, request: dict[str, Any]) -> tuple[str, int, str]:
    """What the exchange can freeze: the requested amount, up to what it still holds of that asset at the
    deposit address and in the hot wallet it sweeps to (read from the node now). A freeze locks the customer's
    account on the exchange's books and moves nothing on chain, so each request is held against that alone."""
    asset, wanted = request["asset"], int(request["amount"])
    places = [request["address"], desk.hot_wallet]
    calls: list[tuple[str, list[Any]]] = [
        ("eth_getBalance", [a, "latest"]) if asset == "ETH" else
        ("eth_call", [{"to": asset, "data": TOKEN.call_data("balanceOf", a)}, "latest"]) for a in places]
    held = sum(int(x, 16) for x in node.batch(calls))
    frozen = min(wanted, held)
    if frozen == 0:
        return "declined", 0, f"nothing of it is left at {request['address']} or in the hot wallet"
    status = "accepted" if frozen == wanted else "partial"
    return status, frozen, f"the account credited at {request['address']} is frozen"
