"""Benchmark: sharing at the scale of a whole laundering graph (1M wallets).

Prints, in one run:
1. STIX export: objects/s of the mapping (share.stix_mapping, wallets with the hotpursuit extension and their
   relationships) plus canonical JSON, for N wallets; the baseline is the stix2 library building the same
   wallets (its CustomObservable with the same properties) on a sample, in the same process.
2. TAXII paging: the N wallets published into a store, then read page by page (limit 1,000) over HTTP by a
   client of `hotpursuit serve` (a separate process), objects/s; the floor is DuckDB reading the same rows'
   JSON in the same run.
3. Label to screening across two instances: a label posted on instance A, pulled by B every second
   (`serve --share-pull ... --share-pull-seconds 1`), screened on B: seconds from the post to the first
   screening that shows it (median of a few runs).
Usage: python benchmarks/bench_share.py [--wallets 1000000] [--sample 20000] [--latency-runs 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

from hotpursuit.share.model import Org, SharedIncident, SharedSet, SharedWallet, TaintedAmount
from hotpursuit.share.stix_mapping import marked_objects, wallet_object
from hotpursuit.share.stix_vocabulary import WALLET_EXTENSION, WALLET_TYPE_EXTENSION
from hotpursuit.store import Store
from hotpursuit.store.org_tables import add_org, create_key
from hotpursuit.store.share_tables import object_body, publish
from serve_process import start_serve

WHEN = dt.datetime(2025, 2, 21, 14, 13, 35)
INCIDENT = SharedIncident("bench", "bench heist", "ethereum", "open", "lazarusgroup", "GREEN", "bench-org", None, WHEN)


def wallets(n: int) -> list[SharedWallet]:
    return [SharedWallet("ethereum", f"0x{i:040x}", "bench", "haircut", 1 + i % 12,
                         (TaintedAmount("ETH", 10**18 + i, 18, "ETH", 2 * 10**18),),
                         WHEN, WHEN, None, (f"0x{i:064x}",), "GREEN", "bench-org", WHEN) for i in range(n)]


def export_rate(n: int) -> tuple[float, int]:
    shared = SharedSet({"bench-org": Org("bench-org", "Bench")}, [], [INCIDENT], wallets(n), {})
    started = time.perf_counter()
    marked = marked_objects(shared, Org("hotpursuit", "hotpursuit"))
    bodies = [object_body(m.object) for m in marked]
    return len(bodies) / (time.perf_counter() - started), len(bodies)


def stix2_rate(n: int) -> float:
    """The stix2 library building and serializing the same wallets (the baseline)."""
    from stix2 import CustomExtension, CustomObservable
    from stix2 import properties as p

    @CustomExtension(WALLET_EXTENSION, [("chain", p.StringProperty(required=True)),
                                        ("address", p.StringProperty(required=True)),
                                        ("incident", p.StringProperty()), ("incident_name", p.StringProperty()),
                                        ("model", p.StringProperty()), ("hops", p.IntegerProperty()),
                                        ("tainted", p.ListProperty(p.DictionaryProperty())),
                                        ("first_seen", p.StringProperty()), ("last_seen", p.StringProperty()),
                                        ("evidence_tx", p.ListProperty(p.StringProperty()))])
    class WalletIntel:
        extension_type = "property-extension"

    @CustomObservable("cryptocurrency-wallet", [("value", p.StringProperty(required=True))], ["value"],
                      extension_name=WALLET_TYPE_EXTENSION)
    class Wallet:
        pass

    sample = wallets(n)
    started = time.perf_counter()
    for w in sample:
        ours = wallet_object(w, "incident--6ba7b810-9dad-41d1-80b4-00c04fd430c8", "bench heist")
        Wallet(value=w.address, object_marking_refs=ours["object_marking_refs"],
               extensions={WALLET_EXTENSION: ours["extensions"][WALLET_EXTENSION]}).serialize()
    return 2 * n / (time.perf_counter() - started)  # our count has a relationship per wallet too


def build_store(path: Path, n: int) -> str:
    shared = SharedSet({"bench-org": Org("bench-org", "Bench")}, [], [INCIDENT], wallets(n), {})
    rows = [(str(m.object["id"]), m.object.get("modified") or m.object.get("created"),
             str(m.object["type"]), m.tlp, m.owner, object_body(m.object))
            for m in marked_objects(shared, Org("hotpursuit", "hotpursuit"))]
    with Store.open(path) as store:
        publish(store, "traces", rows)
        add_org(store, "bench-org", "Bench", "agency", None, "g")
        return create_key(store, "bench-org", ["read", "write", "screen"], 1, rate_per_second=1e6)[1]


def paging_rate(db: Path, key: str, n: int) -> tuple[float, float, int]:
    with Store.open(db) as store:
        started = time.perf_counter()
        floor_rows = len(store.execute("SELECT body FROM shared_objects ORDER BY date_added, seq").fetchall())
        floor = floor_rows / (time.perf_counter() - started)
    server, url = start_serve(db, key)
    try:
        base = f"{url}/taxii2/hotpursuit/"
        with httpx.Client(auth=("bench", key), timeout=120,
                          headers={"Accept": "application/taxii+json;version=2.1"}) as client:
            listed = client.get(base + "collections/").json()["collections"]
            traces = next(c for c in listed if c["alias"] == "traces")["id"]
            seen, following = 0, None
            started = time.perf_counter()
            while True:
                page = client.get(f"{base}collections/{traces}/objects/",
                                  params={"limit": 1000, **({"next": following} if following else {})}).json()
                seen += len(page["objects"])
                following = page.get("next")
                if not page.get("more"):
                    break
            rate = seen / (time.perf_counter() - started)
    finally:
        server.terminate()
        server.wait(30)
    return rate, floor, seen


def label_to_screening(tmp: Path, runs: int) -> list[float]:
    """Two instances: B pulls A's labels every second; seconds from a post on A to B's screening showing it."""
    a_db, b_db = tmp / "a.duckdb", tmp / "b.duckdb"
    with Store.open(a_db) as a:
        add_org(a, "kr-nis", "NIS", "agency", "KR", "tf")
        add_org(a, "eu-ec3", "EC3", "agency", "EU", "tf")
        a_key = create_key(a, "kr-nis", ["read", "write", "screen"], 1, rate_per_second=1e6)[1]
        partner_key = create_key(a, "eu-ec3", ["read"], 1, rate_per_second=1e6)[1]
    a_server, a_url = start_serve(a_db, a_key)
    try:
        with httpx.Client(auth=("eu-ec3", partner_key), headers={"Accept": "application/taxii+json;version=2.1"}) as c:
            listed = c.get(f"{a_url}/taxii2/hotpursuit/collections/").json()["collections"]
        labels = next(x for x in listed if x["alias"] == "labels")["id"]
        with Store.open(b_db) as b:
            add_org(b, "eu-ec3", "EC3", "agency", "EU", "eu")
            b_key = create_key(b, "eu-ec3", ["read", "screen"], 1, rate_per_second=1e6)[1]
        collection = f"{a_url}/taxii2/hotpursuit/#{labels}"
        b_server, b_url = start_serve(b_db, b_key, "--share-pull", collection, "--share-pull-org", "eu-ec3",
                               "--share-pull-key", partner_key, "--share-pull-user", "eu-ec3",
                               "--share-pull-seconds", "1")
        try:
            delays = []
            for run in range(runs):
                address = f"0x{0xbe0000 + run:040x}"
                started = time.perf_counter()
                posted = httpx.post(f"{a_url}/v1/labels", headers={"X-API-Key": a_key}, json={
                    "chain": "ethereum", "address": address, "label": f"mule {run}", "category": "thief",
                    "confidence": 80, "source": "bench", "tlp": "AMBER"})
                assert posted.status_code == 201, posted.text
                while True:
                    screened = httpx.get(f"{b_url}/v1/screen/ethereum/{address}",
                                         headers={"X-API-Key": b_key}).json()
                    if screened["score"]:
                        delays.append(time.perf_counter() - started)
                        break
                    if time.perf_counter() - started > 60:
                        raise AssertionError(f"run {run}: B never screened the label")
                    time.sleep(0.02)
            return delays
        finally:
            b_server.terminate()
            b_server.wait(30)
    finally:
        a_server.terminate()
        a_server.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wallets", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--latency-runs", type=int, default=5)
    args = parser.parse_args()
    ours, objects = export_rate(args.wallets)
    baseline = stix2_rate(args.sample)
    print(f"STIX export: {objects:,} objects for {args.wallets:,} wallets at {ours:,.0f} objects/s; "
          f"the stix2 library {baseline:,.0f} objects/s on {args.sample:,}: {ours / baseline:.1f}x")
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "share.duckdb"
        started = time.perf_counter()
        key = build_store(db, args.wallets)
        print(f"published {objects:,} objects in {time.perf_counter() - started:.1f} s")
        rate, floor, seen = paging_rate(db, key, args.wallets)
        print(f"TAXII paging: {seen:,} objects at {rate:,.0f} objects/s (limit 1,000); DuckDB reading the same "
              f"rows {floor:,.0f} rows/s: {rate / floor:.2f} of the floor")
        delays = label_to_screening(Path(tmp), args.latency_runs)
        print(f"label posted on A to screened on B (pull every 1 s): median {statistics.median(delays):.2f} s, "
              f"max {max(delays):.2f} s over {len(delays)} runs")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
