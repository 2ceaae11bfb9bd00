"""Benchmark: the time to build a scam case from 1,000 victims' reports (issue 19), on real chain data.

The scam-ring drill runs on anvil at scale (default 1,600 victims over 14 Korean days paying 100 deposit
addresses of the counterfeit exchange; 1,000 of them report); its blocks are ingested into a DuckDB store,
the services labelled and the store clustered, as `tests/integration/test_scam_case.py` does (not timed).
Then, per repetition on a fresh copy of that store, timed: the intake (`read_intake` of the reports' JSON
file and `save_reports`) and `build_scam_case` up to the case saved, split into its steps where the job
calls them (payment matching, the incident opened, the combined trace, the reached movements read once,
the per-victim traces, convergence, the sites and the case saved). Baseline in the same run: one
`run_trace` of the case's incident alone (the combined trace the case starts from); the ratio total /
baseline says what a case costs beyond the trace of its payments. The drill's default ring (48 victims,
30 reports) is built the same way for the per-report cost at the size the tests use. Checked against the
drill's ground truth: payments found (and the right ones), the ring's addresses (recall, precision), the
collector ranked first, the unreported victims named. `--profile N`: one more build under cProfile, its
top N functions by own and by cumulative time.

Usage: python benchmarks/bench_scam_case.py [--victims 1600] [--reports 1000] [--deposit-addresses 100]
                                            [--days 14] [--repeat 3] [--profile 25] [--seed 7]
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import json
import pstats
import shutil
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hotpursuit.jobs.scam_case_job as job
from hotpursuit.drill.devnet.anvil import AnvilNode
from hotpursuit.drill.scam_ring import ScamRingDrill
from hotpursuit.drill.scam_ring_truth import build_scam_ring_truth
from hotpursuit.drill.scenario import ScamRingConfig
from hotpursuit.drill.service_labels import scam_ring_service_claims
from hotpursuit.ingest.evm_node_job import EvmNodeIngest
from hotpursuit.ingest.rpc_client import JsonRpcClient
from hotpursuit.jobs.chain_reads import StoreChainReads
from hotpursuit.jobs.cluster_job import run_clustering
from hotpursuit.jobs.trace_job import run_trace
from hotpursuit.jobs.trace_setup import owner_view
from hotpursuit.store import Store
from hotpursuit.store.label_tables import replace_import
from hotpursuit.store.org_tables import add_org
from hotpursuit.store.victim_report_tables import save_reports
from hotpursuit.victim_reports.intake_forms import read_intake

POLICE, CASE = "kr-police", "Hanbit Pro fake exchange"
# The job's steps, by the names build_scam_case calls them by in its module (each timed where it is called)
STEPS = {"payment matching": ("payment_candidates", "_find"),
         "incident opened": ("open_incident",),
         "combined trace": ("run_trace",),
         "trace saved": ("save_trace",),
         "per-victim traces": ("_trace_alone",),
         "convergence": ("converge", "payers_traffic"),
         "sites recorded": ("_record_sites",),
         "case saved": ("save_case", "_stored")}
READS_STEP = "reached movements read"  # StoreChainReads.movements and .signers, as the job calls them
OTHER = "other (reports loaded, trace setup)"
ROWS = ["intake", *list(STEPS)[:4], READS_STEP, *list(STEPS)[4:], OTHER, "total"]


@dataclass
class Ring:
    """A drilled ring ingested into a template store, with its reports' file and ground truth."""

    label: str
    config: ScamRingConfig
    store: Path
    reports: Path
    truth: dict[str, Any]
    drill_s: float
    ingest_s: float


@dataclass
class Built:
    """One timed build: seconds per step, the baseline trace, and what the case found."""

    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    baseline: float = 0.0
    case: job.ScamCase | None = None


def drive_ring(label: str, config: ScamRingConfig, tmp: Path) -> Ring:
    """Run the scam-ring drill on a fresh anvil; ingest, label and cluster it into a template store."""
    with AnvilNode() as node:
        client = JsonRpcClient(node.url)
        t0 = time.perf_counter()
        drill = ScamRingDrill(client, config)
        drill.run()
        complaints = drill.complaints()
        truth = build_scam_ring_truth(drill, complaints)
        drill_s = time.perf_counter() - t0
        reports = tmp / f"{label}-reports.json"
        reports.write_text(json.dumps([c.report for c in complaints], indent=1, ensure_ascii=False) + "\n",
                           encoding="utf-8")
        db = tmp / f"{label}.duckdb"
        t0 = time.perf_counter()
        with Store.open(db) as store:
            EvmNodeIngest(client, store, chain="anvil").ingest_range(truth["first_block"], truth["last_block"])
            replace_import(store, "demo:scam-ring-services", "task-force", scam_ring_service_claims(truth))
            run_clustering(store, "anvil")
            add_org(store, POLICE, "Korean National Police Agency", "agency", "KR", "task-force")
        client.close()
    return Ring(label, config, db, reports, truth, drill_s, time.perf_counter() - t0)


@contextmanager
def step_clock(seconds: dict[str, float]) -> Iterator[None]:
    """Time the job's steps in place: wrap the names build_scam_case looks up in its module, then restore."""
    saved: dict[str, Any] = {}

    def timed(step: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                seconds[step] += time.perf_counter() - t0
        return run

    class TimedReads(StoreChainReads):
        def movements(self, *args: Any, **kwargs: Any) -> Any:
            return timed(READS_STEP, super().movements)(*args, **kwargs)

        def signers(self, *args: Any, **kwargs: Any) -> Any:
            return timed(READS_STEP, super().signers)(*args, **kwargs)

    for step, names in STEPS.items():
        for name in names:
            saved[name] = getattr(job, name)
            setattr(job, name, timed(step, saved[name]))
    saved["StoreChainReads"] = getattr(job, "StoreChainReads")  # noqa: B009 (the name the job looks up)
    setattr(job, "StoreChainReads", TimedReads)  # noqa: B010
    try:
        yield
    finally:
        for name, fn in saved.items():
            setattr(job, name, fn)


def intake(store: Store, reports: Path) -> int:
    """Take the reports' file as `report intake` does; how many were taken."""
    taken = read_intake(reports.read_text(encoding="utf-8"), reports.name, known_chains=("anvil",))
    if taken.rejected:
        raise SystemExit(f"intake rejected {len(taken.rejected)} reports, first: {taken.rejected[0]}")
    return len(save_reports(store, POLICE, [r for _, r in taken.accepted], at=dt.datetime.now(dt.UTC)))


def build(ring: Ring, tmp: Path, run: int) -> Built:
    """Intake and case on a fresh copy of the ring's store, timed per step; then the baseline trace."""
    db = tmp / f"{ring.label}-run{run}.duckdb"
    shutil.copy(ring.store, db)
    out = Built()
    with Store.open(db) as store:
        t0 = time.perf_counter()
        intake(store, ring.reports)
        t1 = time.perf_counter()
        with step_clock(out.seconds):
            out.case = job.build_scam_case(store, org=POLICE, name=CASE, chain="anvil")
        t2 = time.perf_counter()
        out.seconds["intake"] = t1 - t0
        out.seconds["total"] = t2 - t0
        out.seconds[OTHER] = t2 - t1 - sum(v for k, v in out.seconds.items()
                                                               if k not in ("intake", "total"))
        assets = sorted({t.asset for f in out.case.findings.values() for t in f.transfers})
        t0 = time.perf_counter()
        run_trace(store, out.case.incident, model="haircut", visible=owner_view(store, POLICE), include_assets=assets)
        out.baseline = time.perf_counter() - t0
    db.unlink()
    return out


def profile(ring: Ring, tmp: Path, top: int) -> None:
    """One more intake and build under cProfile: the top functions by own time and by cumulative time."""
    db = tmp / f"{ring.label}-profile.duckdb"
    shutil.copy(ring.store, db)
    with Store.open(db) as store:
        profiler = cProfile.Profile()
        profiler.enable()
        intake(store, ring.reports)
        job.build_scam_case(store, org=POLICE, name=CASE, chain="anvil")
        profiler.disable()
    for order in ("tottime", "cumulative"):
        print(f"\nprofile of one intake and build ({ring.label}), top {top} by {order}:")
        pstats.Stats(profiler).strip_dirs().sort_stats(order).print_stats(top)


def check(ring: Ring, case: job.ScamCase) -> list[str]:
    """What the case found against the drill's ground truth, as printed lines."""
    truth = ring.truth
    by_reference = {s.id: s.report.reference for s in case.reports}
    found = [rid for rid, f in case.findings.items() if f.found]
    right = sum(1 for rid in found if truth["reports"][by_reference[rid]]["tx_hash"]
                in {t.tx_hash for t in case.findings[rid].transfers})
    ring_truth = set(truth["ring_addresses"])
    named = {a.address for a in case.convergence.addresses}
    hit = len(named & ring_truth)
    collectors = case.convergence.collectors()
    unreported = {v["address"] for v in truth["victims"] if v["reported_as"] is None}
    further = set(case.convergence.further_payers)
    return [f"reports {len(case.reports):,}; payments found {len(found):,} ({right:,} the victim's own payment)",
            f"ring addresses: {len(named)} found, {len(ring_truth)} in the ground truth, {hit} both: "
            f"recall {hit / len(ring_truth):.3f}, precision {hit / max(len(named), 1):.3f}",
            f"collector ranked first: {'yes' if collectors and collectors[0].address == truth['collector'] else 'NO'}"
            f" ({len(collectors[0].reports) if collectors else 0} reports' money met there)",
            f"unreported victims named: {len(further & unreported)} of {len(unreported)}"
            f" ({len(further - unreported)} others)"]


def median(runs: list[Built], row: str) -> float:
    return statistics.median(r.seconds.get(row, 0.0) for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--victims", type=int, default=1_600)
    parser.add_argument("--reports", type=int, default=1_000)
    parser.add_argument("--deposit-addresses", type=int, default=100)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="builds per ring on fresh copies; medians printed")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="print cProfile's top N functions")
    args = parser.parse_args()
    big_config = ScamRingConfig(seed=args.seed, victims=args.victims, reported=args.reports,
                                deposit_addresses=args.deposit_addresses, days=args.days,
                                paying_twice=args.victims // 10, consolidators=max(3, args.deposit_addresses // 16))
    with tempfile.TemporaryDirectory(prefix="bench-scam-case-") as name:
        tmp = Path(name)
        rings = [drive_ring("default", ScamRingConfig(seed=args.seed), tmp), drive_ring("big", big_config, tmp)]
        results: dict[str, list[Built]] = {}
        for ring in rings:
            c, t = ring.config, ring.truth
            print(f"{ring.label} ring: {c.victims:,} victims ({c.paying_twice} paying twice), {c.reported:,} reports, "
                  f"{c.deposit_addresses} deposit addresses, {c.consolidators} consolidators, {c.days} days; "
                  f"{t['transfers']:,} transfers in {t['last_block'] - t['first_block'] + 1} blocks; drill "
                  f"{ring.drill_s:.1f} s, ingest + labels + clustering {ring.ingest_s:.1f} s (not timed below)")
            results[ring.label] = [build(ring, tmp, run) for run in range(args.repeat)]
            for line in check(ring, results[ring.label][-1].case):  # type: ignore[arg-type]
                print("  " + line)
        small, big = results["default"], results["big"]
        n_small, n_big = rings[0].config.reported, rings[1].config.reported
        print(f"\nmedian of {args.repeat} builds, seconds{'':>22}{n_small:>9,} reports{n_big:>9,} reports")
        for row in ROWS:
            print(f"  {row:<44}{median(small, row):>17.3f}{median(big, row):>17.3f}")
        base_small = statistics.median(r.baseline for r in small)
        base_big = statistics.median(r.baseline for r in big)
        print(f"  {'baseline: run_trace of the incident alone':<44}{base_small:>17.3f}{base_big:>17.3f}")
        total_small, total_big = median(small, "total"), median(big, "total")
        print(f"  {'ratio total / baseline':<44}{total_small / base_small:>16.1f}x{total_big / base_big:>16.1f}x")
        print(f"  {'per report, ms':<44}{1000 * total_small / n_small:>17.1f}{1000 * total_big / n_big:>17.1f}")
        each = {label: ", ".join(f"{r.seconds['total']:.2f}" for r in runs) for label, runs in results.items()}
        print(f"totals per run: {each['default']} s ({n_small} reports); {each['big']} s ({n_big:,} reports)")
        print(f"growth: {n_big / n_small:.1f}x the reports cost {total_big / total_small:.1f}x the time "
              f"({total_big / n_big / (total_small / n_small):.2f}x per report)")
        if args.profile:
            profile(rings[1], tmp, args.profile)


if __name__ == "__main__":
    main()
