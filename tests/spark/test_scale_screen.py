"""`scale screen` answers what the embedded screening answers, to each organisation: on the drill with saved
traces (an open incident and an AMBER one of an agency), the service labels and their clusters, and claims at
every TLP by organisations in and out of a sharing group, a batch of the drill's known addresses (lowercase,
EIP-55, Bitcoin, repeated), thousands of unknown ones and malformed lines is screened on Spark for three
organisations and compared, address by address, with the index the API builds (`load_screening_index`)."""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from hotpursuit.attribution.labels import LabelClaim
from hotpursuit.chains.address_codec import check_chain, parse_address
from hotpursuit.chains.evm_address import checksum_evm_address
from hotpursuit.cli import app
from hotpursuit.errors import HotpursuitError
from hotpursuit.jobs.trace_job import run_trace
from hotpursuit.scale.screen_input import NO_COMMA
from hotpursuit.scale.screen_job import ScaleScreenStats, run_scale_screen, share_text
from hotpursuit.screening.index import has_finding
from hotpursuit.store import Store
from hotpursuit.store.incident_tables import open_incident
from hotpursuit.store.label_tables import add_claim
from hotpursuit.store.org_tables import add_org, sharing_groups
from hotpursuit.store.parquet_io import export_parquet
from hotpursuit.store.scam_entity_tables import record_entity
from hotpursuit.store.screening_context import labelled_cluster_members
from hotpursuit.store.screening_rows import exposure_rows, load_screening_index
from hotpursuit.store.taint_tables import save_trace

SECRET = "NIS-RED-SECRET"  # kr-nis's RED claim: only kr-nis may ever read it
HIDDEN = "POLICE-RED-SCORED"  # kr-police's RED claim, counted in others' scores by its leave
AMBER = "HANBIT-AMBER"  # ex-hanbit's AMBER claim: the task force sees it, the outsider does not


@pytest.fixture(scope="module")
def screen_case(drill_case: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The drill store with organisations, claims at every TLP and two saved traces, its export, and an
    address file: {"db", "parquet", "addresses", "bad" (line -> reason), "blank"}."""
    folder = tmp_path_factory.mktemp("scale-screen")
    db = folder / "screen.duckdb"
    db.write_bytes(Path(drill_case["db"]).read_bytes())
    rng = random.Random(18)
    with Store.open(db) as store:
        add_org(store, "kr-nis", "National Intelligence Service", "agency", "KR", "task-force")
        add_org(store, "ex-hanbit", "Hanbit Exchange", "exchange", "KR", "task-force")
        add_org(store, "ex-outsider", "Outsider Exchange", "exchange", "SC", None)
        add_org(store, "kr-police", "Police", "agency", "KR", None, scores_hidden=True)
        save_trace(store, run_trace(store, "drill-heist"))
        nis_incident, _ = open_incident(store, "NIS heist case", "anvil", [drill_case["truth"]["theft_tx"]],
                                        actor="lazarusgroup", tlp="AMBER", owner="kr-nis")
        save_trace(store, run_trace(store, nis_incident))
        tainted = sorted({(c, a) for c, a, _ in exposure_rows(store)})
        anvil = [a for c, a in tainted if c == "anvil"]
        unknown = [f"0x{rng.getrandbits(160):040x}" for _ in range(3000)]
        for address, label, category, tlp, org in ((anvil[0], SECRET, "thief", "RED", "kr-nis"),
                                                   (anvil[1], AMBER, "scam", "AMBER", "ex-hanbit"),
                                                   (anvil[2], HIDDEN, "dprk", "RED", "kr-police"),
                                                   (unknown[0], "OUTSIDER-GREEN", "scam", "GREEN", "ex-outsider")):
            add_claim(store, f"test:{org}", LabelClaim("anvil", address, label, category, "lazarusgroup", 90,
                                                       f"{org} case file", None, tlp, org))
        # scam sites the store holds (not the export): one the agency recorded AMBER, one an outsider GREEN
        for domain, tlp, org, handed in (("hanbit-pro.exchange", "AMBER", "kr-nis", [unknown[1], anvil[4]]),
                                         ("lucky-whale.app", "GREEN", "ex-outsider", [unknown[2]])):
            record_entity(store, domain, "fake_exchange", first_seen=dt.date(2026, 3, 2), source=f"reports ({org})",
                          org=org, tlp=tlp, addresses=[("anvil", a) for a in handed])
        export_parquet(store, folder / "parquet", block_range_size=10)
        members = labelled_cluster_members(store).to_pylist()
    labelled = pq.read_table(folder / "parquet" / "labels").to_pylist()  # chain from the hive folders
    known = sorted({*tainted, *((str(r["chain"]), r["address"]) for r in [*labelled, *members])})
    lines = ["chain,address"]
    for n, (chain, address) in enumerate(known):
        lines.append(f"{chain},{checksum_evm_address(address) if chain == 'anvil' and n % 3 == 0 else address}")
        if n % 7 == 0:
            lines.append(f'"{chain}", "{address}"')  # repeated, quoted and spaced: one address, its first line
    lines += [f"anvil,{a}" for a in unknown]
    checksummed = checksum_evm_address(anvil[3])
    wrong_case = checksummed[:-1] + (checksummed[-1].lower() if checksummed[-1].isupper() else checksummed[-1].upper())
    malformed = ["anvil,0xnothex", f"anvil,{wrong_case if wrong_case != checksummed else '0x12'}",
                 "bitcoin,bc1qnotanaddress", f"eth,{anvil[0]}", "no comma here", f"anvil,{anvil[0][:-1]}"]
    for n, text in enumerate(malformed):
        lines.insert(40 + 500 * n, text)
    lines.insert(7, "   ")
    path = folder / "addresses.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"db": db, "parquet": folder / "parquet", "addresses": path, "lines": lines, "nis_incident": nis_incident,
            "anvil": anvil, "unknown": unknown}


def _expected(lines: list[str], chain: str | None) -> tuple[dict[tuple[str, str], int], dict[int, str]]:
    """The file's lines as the API would take them (the chain checked, the address normalised): each distinct
    address with the line it first appears on, and each bad line's reason."""
    first: dict[tuple[str, str], int] = {}
    bad: dict[int, str] = {}
    numbered = list(enumerate(lines, start=1))[1 if chain is None else 0:]  # a CSV's header is no data line
    for number, text in numbered:
        if not text.strip():
            continue
        try:
            if chain is None and "," not in text:
                raise HotpursuitError(NO_COMMA)
            given, address = (chain, text) if chain else (p.strip().strip('"') for p in text.split(",", 1))
            checked = check_chain(given, {"anvil", "bitcoin"})
            first.setdefault((checked, parse_address(checked, address)), number)
        except HotpursuitError as exc:
            bad[number] = str(exc)
    return first, bad


def _rows(out: Path) -> list[dict[str, Any]]:
    if out.suffix == ".parquet":
        return list(pq.read_table(out).to_pylist())
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def _check_parity(db: Path, org: str, out: Path, lines: list[str], chain: str | None = None) -> list[dict[str, Any]]:
    """Every answer equals the embedded index's for `org`; one row per distinct valid address, in file order."""
    with Store.open(db, read_only=True) as store:
        index, group = load_screening_index(store), sharing_groups(store)[org]
    first_line, _ = _expected(lines, chain)
    rows = _rows(out)
    assert [(r["chain"], r["address"]) for r in rows] == list(first_line)  # in the order of the file
    assert [r["line"] for r in rows] == list(first_line.values())
    for r in rows:
        chain, address = r["chain"], r["address"]
        found = index.verdicts(chain, [address], org, group)  # what POST /v1/screen/batch answers
        verdict = found[0][1] if found else None
        assert (r["risk"], r["score"], r["categories"], r["withheld"], r["withheld_scored"]) == (
            (verdict.risk, verdict.score, list(verdict.categories), verdict.withheld, verdict.withheld_scored)
            if verdict else ("none", 0, [], 0, 0)), (org, address)
        assert r["flagged"] == (verdict is not None and has_finding(verdict))
        full = index.screen(chain, address, org, group)  # what GET /v1/screen/{chain}/{address} answers
        assert sorted(json.dumps(c, sort_keys=True) for c in r["direct"]) == \
            sorted(json.dumps(c, sort_keys=True) for c in full.direct), (org, address)
        assert sorted(json.dumps(e, sort_keys=True) for e in r["indirect"]) == sorted(json.dumps(
            {**{k: e[k] for k in ("incident", "actor", "asset", "tainted", "received", "decimals", "symbol")},
             "share": share_text(int(str(e["tainted"])), int(str(e["received"])))}, sort_keys=True)
            for e in full.indirect), (org, address)
        assert sorted(r["reasons"]) == sorted(full.reasons)
        assert r["entities"] == full.entities, (org, address)  # the scam sites that handed it out
    return rows


def _check_stats(stats: dict[str, Any], lines: list[str], chain: str | None, rows: list[dict[str, Any]]) -> None:
    """The summary's figures; bad lines named by number with the API's reason."""
    _, bad = _expected(lines, chain)
    assert stats["distinct"] == len(rows) and sum(stats["by_level"].values()) == len(rows)
    assert stats["flagged"] == sum(r["flagged"] for r in rows)
    assert stats["matched"] >= stats["flagged"]  # known to the export, whatever the caller may see of it
    assert [(b["line"], b["reason"]) for b in stats["bad_lines"]] == sorted(bad.items())[:20]
    assert stats["bad"] == len(bad) and stats["blank"] == sum(1 for t in lines if not t.strip())


def test_spark_answers_what_the_embedded_screening_answers_each_organisation(
        spark: Any, screen_case: dict[str, Any], tmp_path: Path) -> None:
    case = screen_case
    answers = {}
    with Store.open(case["db"], read_only=True) as store:
        for org, out in (("ex-outsider", tmp_path / "outsider.jsonl"), ("ex-hanbit", tmp_path / "hanbit.parquet")):
            stats = run_scale_screen(spark, store, case["parquet"], case["addresses"], chain=None, for_org=org,
                                     out=out)
            answers[org] = _check_parity(case["db"], org, out, case["lines"])
            _check_stats(_stats_json(stats), case["lines"], None, answers[org])
            assert stats.bad == 6 and stats.matched > 100 and stats.distinct > 3000
            assert stats.by_level["severe"] > 50 and stats.by_level["none"] >= 2999
            assert not list(tmp_path.glob(".*partial*"))  # the temporary output is gone
    sites = {r["address"]: [e["domain"] for e in r["entities"]] for r in answers["ex-hanbit"] if r["entities"]}
    assert sites == {case["unknown"][1]: ["hanbit-pro.exchange"], case["anvil"][4]: ["hanbit-pro.exchange"],
                     case["unknown"][2]: ["lucky-whale.app"]}  # the agency's AMBER site reaches its group
    outsider_text = (tmp_path / "outsider.jsonl").read_text(encoding="utf-8")
    assert SECRET not in outsider_text and HIDDEN not in outsider_text and AMBER not in outsider_text
    assert "hanbit-pro.exchange" not in outsider_text and "lucky-whale.app" in outsider_text
    assert case["nis_incident"] not in outsider_text  # the agency's AMBER incident is not the outsider's to read
    hanbit = {r["address"]: r for r in answers["ex-hanbit"]}
    hanbit_text = json.dumps(answers["ex-hanbit"])
    assert AMBER in hanbit_text and case["nis_incident"] in hanbit_text
    assert SECRET not in hanbit_text and HIDDEN not in hanbit_text
    hidden = [r for r in answers["ex-outsider"] if r["withheld_scored"]]  # kr-police's DPRK claim counts, unseen
    assert len(hidden) == 1 and hidden[0]["score"] >= 90 and hidden[0]["risk"] == "severe"
    inherited = [c for r in hanbit.values() for c in r["direct"] if c["via"]]
    assert inherited and {c["category"] for c in inherited} == {"exchange"}  # through the drill's clusters


def _stats_json(stats: ScaleScreenStats) -> dict[str, Any]:
    return {**asdict(stats), "bad_lines": [{"line": n, "text": t, "reason": r} for n, t, r in stats.bad_lines]}


def test_cli_screens_a_plain_file_for_the_owner_and_refuses_what_it_cannot_answer(
        spark: Any, screen_case: dict[str, Any], tmp_path: Path) -> None:
    case, runner = screen_case, CliRunner()
    anvil = case["anvil"]
    lines = [anvil[0], checksum_evm_address(anvil[1]), "", "not an address", anvil[2].upper().replace("0X", "0x"),
             "0X" + anvil[3][2:], case["unknown"][0], case["unknown"][1], anvil[0], "0x" + "ab" * 20]
    path = tmp_path / "deposits.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    base = ["scale", "screen", "--parquet", str(case["parquet"]), "--addresses", str(path), "--db", str(case["db"])]
    out = tmp_path / "nis.jsonl"
    result = runner.invoke(app, [*base, "--chain", "anvil", "--for", "kr-nis", "--out", str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = _check_parity(case["db"], "kr-nis", out, lines, "anvil")
    _check_stats(json.loads(result.stdout), lines, "anvil", rows)
    assert [b["line"] for b in json.loads(result.stdout)["bad_lines"]] == [4, 6]
    assert SECRET in json.dumps(rows) and HIDDEN not in json.dumps(rows)  # its own RED claim; never another's
    assert rows[-1] == {"line": 10, "chain": "anvil", "address": "0x" + "ab" * 20, "risk": "none", "score": 0,
                        "categories": [], "flagged": False, "withheld": 0, "withheld_scored": 0, "direct": [],
                        "indirect": [], "reasons": [], "entities": []}
    for args, code, says in ((["--for", "kr-nis", "--out", str(tmp_path / "x.jsonl")], 1, "needs --chain"),
                             (["--chain", "anvil", "--for", "nobody", "--out", str(tmp_path / "x.jsonl")], 1,
                              "--for nobody"),
                             (["--chain", "anvil", "--for", "kr-nis", "--out", str(tmp_path / "x.csv")], 1,
                              ".parquet or .jsonl"),
                             (["--chain", "anvil", "--for", "kr-nis", "--out", str(tmp_path / "no" / "x.jsonl")], 1,
                              "no such folder"),
                             (["--chain", "anvil", "--out", str(tmp_path / "x.jsonl")], 2, "--for")):
        result = runner.invoke(app, [*base, *args])
        assert result.exit_code == code and says in result.output, result.output
        assert not (tmp_path / "x.jsonl").exists() and not list(tmp_path.glob(".*partial*"))
