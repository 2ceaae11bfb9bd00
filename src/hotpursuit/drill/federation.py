"""Two task forces in federation, as real processes: Seoul (a Korean agency's instance, holding the drill's
chain data) and Brussels (a European agency's, with no chain data at all).

Seoul's agency opens the incident at TLP:AMBER for a sharing group that holds the European agency and no
exchange, traces it, and serves it over TAXII; Brussels pulls the incident's collection every second; a
Brussels exchange screens a deposit and sees the exposure its TLP allows (a raised score, none of the AMBER
details) while the European agency sees it all; the European agency labels an address and Seoul pulls that
back; a RED claim made in Seoul never reaches Brussels; Seoul exports a signed evidence bundle and Brussels
verifies it offline with nothing but the bundle and Seoul's public key. Used by `hotpursuit demo` and by the
federation test, which asserts every step."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from hotpursuit.api.background import free_port
from hotpursuit.api.taxii_routes import collection_id
from hotpursuit.errors import DrillError
from hotpursuit.store import Store
from hotpursuit.store.org_tables import add_org, create_key

KR_GROUP, EU_GROUP = "kr-eu-bybit-task-force", "eu-bybit-task-force"
RED_LABEL = "NIS HUMINT: courier wallet of the laundering cell"
STRICT_LABEL = "NIS liaison only: cell member"
EU_LABEL = "EC3: cash-out mule seen in Brussels"


@dataclass
class FederationRun:
    """What each step showed (the test asserts it; the demo prints it)."""

    seoul: Path
    brussels: Path
    incident: str = ""
    trace: dict[str, Any] = field(default_factory=dict)
    deposit: str = ""  # the exchange deposit address Brussels screens
    red_address: str = ""
    exchange_screening: dict[str, Any] = field(default_factory=dict)  # Brussels' exchange
    agency_screening: dict[str, Any] = field(default_factory=dict)  # Brussels' agency
    pull_seconds: float = 0.0  # from Brussels' start to the deposit screened with the exposure
    eu_address: str = ""
    seoul_sees_eu_label: dict[str, Any] = field(default_factory=dict)  # Seoul's agency
    seoul_exchange_sees: dict[str, Any] = field(default_factory=dict)  # a Seoul exchange outside the group
    label_back_seconds: float = 0.0
    bundle: Path | None = None
    verify_output: str = ""
    verify_exit: int = -1


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hotpursuit.cli", *args], capture_output=True, text=True, cwd=cwd,
                          check=False)


@contextmanager
def _serve(db: Path, port: int, key: str, *extra: str) -> Iterator[str]:
    """`hotpursuit serve` as its own process until the block ends; its base URL once it answers."""
    log = db.with_suffix(".serve.log")
    with log.open("wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "hotpursuit.cli", "serve", "--db", str(db), "--port",
                                   str(port), *extra], stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            if server.poll() is not None:
                raise DrillError(f"hotpursuit serve --db {db} exited: {log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{base}/v1/ping", headers={"X-API-Key": key}).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        else:
            raise DrillError(f"hotpursuit serve --db {db} did not come up")
        yield base
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()


def _until(what: str, check: Callable[[], Any], timeout: float = 90.0) -> Any:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise DrillError(f"federation: {what} within {timeout:.0f} s")


def _setup_seoul(db: Path) -> dict[str, str]:
    with Store.open(db) as store:
        add_org(store, "kr-nis", "National Intelligence Service", "agency", "KR", KR_GROUP, scores_hidden=True)
        add_org(store, "eu-ec3", "Europol EC3", "agency", "EU", KR_GROUP)
        add_org(store, "kr-hanbit", "Hanbit Exchange", "exchange", "KR", None)
        return {"kr-nis": create_key(store, "kr-nis", ["screen", "read", "write", "incident"], 1)[1],
                "eu-ec3": create_key(store, "eu-ec3", ["read", "write"], 1)[1],
                "kr-hanbit": create_key(store, "kr-hanbit", ["screen", "read"], 1)[1]}


def _setup_brussels(db: Path) -> dict[str, str]:
    with Store.open(db) as store:
        add_org(store, "eu-ec3", "Europol EC3", "agency", "EU", EU_GROUP)
        add_org(store, "eu-nordvik", "Nordvik Exchange (EU)", "exchange", "EE", None)
        add_org(store, "kr-nis", "National Intelligence Service", "agency", "KR", EU_GROUP)
        return {"eu-ec3": create_key(store, "eu-ec3", ["screen", "read", "write", "incident"], 1)[1],
                "eu-nordvik": create_key(store, "eu-nordvik", ["screen", "read"], 1)[1],
                "kr-nis": create_key(store, "kr-nis", ["read"], 1)[1]}


def run_federation(drill_db: Path, workdir: Path, theft_tx: str, *, chain: str = "anvil",
                   say: Callable[[str], None] = lambda _: None) -> FederationRun:
    """Run the federation (see the module's docstring) from a store holding the drill; `say` narrates."""
    workdir.mkdir(parents=True, exist_ok=True)
    run = FederationRun(workdir / "seoul.duckdb", workdir / "brussels.duckdb")
    for path in (run.seoul, run.brussels):
        path.unlink(missing_ok=True)
    shutil.copyfile(drill_db, run.seoul)
    kr, eu = _setup_seoul(run.seoul), _setup_brussels(run.brussels)
    kr_port, eu_port = free_port(), free_port()
    kr_root, eu_root = f"http://127.0.0.1:{kr_port}/taxii2/hotpursuit/", f"http://127.0.0.1:{eu_port}/taxii2/hotpursuit/"
    # Seoul pulls Brussels' labels every second (as kr-nis, its account there)
    with _serve(run.seoul, kr_port, kr["kr-nis"], "--share-pull", f"{eu_root}#{collection_id('labels')}",
                "--share-pull-org", "kr-nis", "--share-pull-key", eu["kr-nis"], "--share-pull-seconds", "1") as seoul:
        agency = httpx.Client(base_url=seoul, headers={"X-API-Key": kr["kr-nis"]}, timeout=60)
        opened = agency.post("/v1/incidents", json={"name": "Drill heist (Seoul)", "chain": chain,
                                                    "sources": [theft_tx], "actor": "lazarusgroup", "tlp": "AMBER"})
        if opened.status_code != 201:
            raise DrillError(f"federation: Seoul could not open the incident: {opened.text}")
        run.incident = str(opened.json()["id"])
        job = agency.post(f"/v1/incidents/{run.incident}/traces", json={"save": True}).json()["id"]
        _until("Seoul's trace", lambda: agency.get(f"/v1/traces/{job}").json()["status"] == "done")
        run.trace = agency.get(f"/v1/traces/{job}/result").json()
        exchanges = [e for e in run.trace["endpoints"] if e.get("kind") == "exchange" and e["chain"] == chain]
        held = [h for h in run.trace["held"] if h["chain"] == chain]
        if not exchanges or len(held) < 2:
            raise DrillError("federation: the trace reached no exchange deposit or too few holders")
        run.deposit = str(max(exchanges, key=lambda e: int(e["tainted"]))["address"])
        run.red_address, run.eu_address = str(held[0]["address"]), str(held[-1]["address"])
        for tlp, label in (("RED", RED_LABEL), ("AMBER+STRICT", STRICT_LABEL)):
            stored = agency.post("/v1/labels", json={"chain": chain, "address": run.red_address, "label": label,
                                                     "category": "thief", "confidence": 90, "source": "NIS",
                                                     "tlp": tlp})
            if stored.status_code != 201:
                raise DrillError(f"federation: Seoul could not store its {tlp} claim: {stored.text}")
        say(f"Seoul: kr-nis opened {run.incident} (TLP:AMBER, sharing group {KR_GROUP}: kr-nis and eu-ec3, no "
            f"exchange), traced it ({len(run.trace['endpoints'])} endpoints) and serves it over TAXII at {kr_root}")
        started = time.monotonic()
        incident_collection = collection_id(f"incident:{run.incident}")
        with _serve(run.brussels, eu_port, eu["eu-ec3"], "--share-pull", f"{kr_root}#{incident_collection}",
                    "--share-pull-org", "eu-ec3", "--share-pull-key", kr["eu-ec3"], "--share-pull-user", "eu-ec3",
                    "--share-pull-seconds", "1") as brussels:
            exchange = httpx.Client(base_url=brussels, headers={"X-API-Key": eu["eu-nordvik"]}, timeout=60)
            screen = f"/v1/screen/{chain}/{run.deposit}"
            run.exchange_screening = _until("Brussels screening the pulled exposure",
                                            lambda: (r := exchange.get(screen).json())["score"] and r)
            run.pull_seconds = time.monotonic() - started
            eu_agency = httpx.Client(base_url=brussels, headers={"X-API-Key": eu["eu-ec3"]}, timeout=60)
            run.agency_screening = eu_agency.get(screen).json()
            say(f"Brussels pulled the incident in {run.pull_seconds:.1f} s; its exchange eu-nordvik screens the "
                f"deposit {run.deposit}: risk {run.exchange_screening['risk']} (score "
                f"{run.exchange_screening['score']}), {run.exchange_screening['withheld']} finding withheld; "
                f"the European agency sees {'; '.join(run.agency_screening['reasons'])}")
            labelled = eu_agency.post("/v1/labels", json={"chain": chain, "address": run.eu_address,
                                                          "label": EU_LABEL, "category": "thief", "confidence": 80,
                                                          "source": "EC3 case 2025/0221", "tlp": "AMBER"})
            if labelled.status_code != 201:
                raise DrillError(f"federation: Brussels could not label: {labelled.text}")
            labelled_at = time.monotonic()
            run.seoul_sees_eu_label = _until(
                "Seoul pulling Brussels' label",
                lambda: next((c for c in agency.get(f"/v1/labels/{chain}/{run.eu_address}").json()["claims"]
                              if c["label"] == EU_LABEL), None))
            run.label_back_seconds = time.monotonic() - labelled_at
            with httpx.Client(base_url=seoul, headers={"X-API-Key": kr["kr-hanbit"]}, timeout=60) as hanbit:
                run.seoul_exchange_sees = hanbit.get(f"/v1/labels/{chain}/{run.eu_address}").json()
            say(f"Brussels' agency labelled {run.eu_address} (TLP:AMBER); Seoul pulled it back in "
                f"{run.label_back_seconds:.1f} s: kr-nis reads it, asserted by "
                f"{run.seoul_sees_eu_label['asserted_by']}")
    keys = workdir / "seoul-keys"
    shutil.rmtree(keys, ignore_errors=True)
    keys.mkdir()
    steps: list[tuple[str, ...]] = [("org", "keys", "create", "kr-nis", "--out", str(keys))]
    run.bundle = workdir / "seoul-bundle"
    shutil.rmtree(run.bundle, ignore_errors=True)
    steps.append(("evidence", "export", run.incident, "--db", str(run.seoul), "--out", str(run.bundle), "--key",
                  str(keys / "kr-nis.ed25519.key"), "--org", "kr-nis", "--to", "eu-ec3"))
    for step in steps:
        done = _cli(*step)
        if done.returncode:
            raise DrillError(f"federation: hotpursuit {' '.join(step[:2])}: {done.stderr.strip() or done.stdout}")
    inbox = workdir / "brussels-inbox"  # what reached Brussels: the bundle and Seoul's public key, no store
    shutil.rmtree(inbox, ignore_errors=True)
    shutil.copytree(run.bundle, inbox / "bundle")
    shutil.copyfile(keys / "kr-nis.ed25519.pub", inbox / "kr-nis.ed25519.pub")
    verified = _cli("evidence", "verify", "bundle", "--trust", "kr-nis.ed25519.pub", cwd=inbox)
    run.verify_exit, run.verify_output = verified.returncode, (verified.stdout + verified.stderr).strip()
    say(f"Seoul exported a signed evidence bundle; Brussels verified it offline: {run.verify_output}")
    return run
