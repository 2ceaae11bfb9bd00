"""Label importers on the real lists in ../shared/data, and the label store's side-by-side claims."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from hotpursuit.cli import app
from hotpursuit.errors import ImportFileError, IngestError
from hotpursuit.ingest.label_import_job import import_labels
from hotpursuit.store import Store
from hotpursuit.store.label_tables import claims_for

from ..conftest import SHARED_DATA

LAZARUS_RONIN = "0x098b716b8aaf21512996dc57eb0615e2383e2f96"
runner = CliRunner()


def test_real_lists_answer_dprk_and_sanctioned_with_sources(tmp_path: Path) -> None:
    db = str(tmp_path / "l.duckdb")
    for kind, path in (("actorpack", SHARED_DATA / "graphsense-tagpacks" / "actors"),
                       ("tagpack", SHARED_DATA / "graphsense-tagpacks" / "packs"),
                       ("ofac", SHARED_DATA / "ofac-sdn-addresses"),
                       ("heist-list", SHARED_DATA / "lazarus" / "fbi_psa250226_bybit_addresses.txt")):
        result = runner.invoke(app, ["labels", "import", kind, str(path), "--db", db, "--format", "json"])
        assert result.exit_code == 0, result.output
    shown = runner.invoke(app, ["labels", "show", "0x098B716B8Aaf21512996dC57EB0615e2383E2f96", "--db", db,
                                "--format", "json"])
    data = json.loads(shown.output)
    assert {"dprk", "sanctioned"} <= set(data["categories"])
    lazarus = [c for c in data["claims"] if c["actor"] == "lazarusgroup"]
    assert lazarus and lazarus[0]["actor_label"] == "Lazarus Group" and "lazarus.yaml" in lazarus[0]["source"]
    assert any(c["source"].startswith("OFAC SDN list") and c["source_date"] == "2024-09-27" for c in data["claims"])
    with Store.open(db) as store:
        counts = dict(store.execute("SELECT import_key, count(*) FROM labels GROUP BY 1").fetchall())
        assert counts["tagpack:usdt_blacklist.yaml"] == 774 and counts["ofac:ofac-sdn-addresses"] == 653
        # a heist list is labels, not an incident: its addresses as sources would count the loot again
        assert store.execute("SELECT count(*) FROM incidents").fetchone() == (0,)
        assert store.execute("SELECT count(*) FROM incident_sources").fetchone() == (0,)
        fbi = claims_for(store, "ethereum", "0x51e9d833ecae4e8d9d8be17300aee6d3398c135d")
        assert [(c.category, c.actor) for c in fbi] == [("dprk", "lazarusgroup")]
        before = store.execute("SELECT count(*) FROM labels").fetchone()
    again = runner.invoke(app, ["labels", "import", "ofac", str(SHARED_DATA / "ofac-sdn-addresses"), "--db", db])
    assert again.exit_code == 0
    with Store.open(db) as store:  # re-importing a file replaces its own claims, adds nothing
        assert store.execute("SELECT count(*) FROM labels").fetchone() == before


def test_conflicting_claims_stay_side_by_side(tmp_path: Path) -> None:
    csv_a, csv_b = tmp_path / "a.csv", tmp_path / "b.csv"
    header = "chain,address,label,category,actor,confidence,source,source_date,tlp\n"
    csv_a.write_text(header + f"ethereum,{LAZARUS_RONIN},Mixer deposit,mixer,,40,partner A report,2025-03-01,AMBER\n")
    csv_b.write_text(header + f"ethereum,{LAZARUS_RONIN},DPRK wallet,dprk,lazarusgroup,forensic_investigation,"
                              "agency B case 17,2025-03-02,RED\n")
    with Store.open(tmp_path / "s.duckdb") as store:
        import_labels(store, "csv", csv_a, asserted_by="partner-a")
        import_labels(store, "csv", csv_b, asserted_by="agency-b")
        claims = claims_for(store, "ethereum", LAZARUS_RONIN)
    assert [(c.label, c.confidence, c.tlp, c.asserted_by) for c in claims] == [
        ("DPRK wallet", 70, "RED", "agency-b"), ("Mixer deposit", 40, "AMBER", "partner-a")]


@pytest.mark.parametrize(("row", "column", "reason"), [
    ("ethereum,0x123,x,scam,,50,s,,CLEAR", "address", "not a valid ethereum address"),
    (f"ethereum,{LAZARUS_RONIN},x,villain,,50,s,,CLEAR", "category", "'villain' is not one of"),
    (f"ethereum,{LAZARUS_RONIN},x,scam,,150,s,,CLEAR", "confidence", "neither 0-100"),
    (f"ethereum,{LAZARUS_RONIN},x,scam,,50,s,,PURPLE", "tlp", "not a TLP 2.0 level"),
    (f"ethereum,{LAZARUS_RONIN},x,scam,,50,s,2025-13-01,CLEAR", "source_date", "not a date"),
])
def test_partner_csv_errors_name_line_and_column_and_store_nothing(tmp_path: Path, row: str, column: str,
                                                                    reason: str) -> None:
    path = tmp_path / "p.csv"
    path.write_text("chain,address,label,category,actor,confidence,source,source_date,tlp\n"
                    f"ethereum,{LAZARUS_RONIN},ok,scam,,50,s,,CLEAR\n{row}\n")
    with Store.open(tmp_path / "s.duckdb") as store:
        with pytest.raises(ImportFileError, match=rf"p.csv:3: column '{column}': .*{reason}"):
            import_labels(store, "csv", path)
        assert store.execute("SELECT count(*) FROM labels").fetchone() == (0,)


def test_scam_list_formats_on_real_scam_addresses(tmp_path: Path) -> None:
    pack = yaml.safe_load((SHARED_DATA / "graphsense-tagpacks" / "packs" / "etherscamdb_tagpack.yaml").read_text())
    eth = [t["address"] for t in pack["tags"] if t.get("currency") == "ETH"][:20]
    darklist = tmp_path / "darklist.json"
    darklist.write_text(json.dumps([{"address": a, "comment": "EtherScamDB phishing", "date": ""} for a in eth]
                                   + [{"address": "0xnot-an-address", "comment": "typo"}]))
    plain = tmp_path / "phishing.txt"
    plain.write_text("\n".join(f"{a}  # fake airdrop" for a in eth[:5]) + "\n")
    with Store.open(tmp_path / "s.duckdb") as store:
        first = import_labels(store, "scam", darklist)
        second = import_labels(store, "scam", plain)
        assert (first.claims, second.claims) == (20, 5)
        assert first.skipped == ["darklist.json:21: '0xnot-an-address' is not a valid ethereum address"]
        labels = {c.label for c in claims_for(store, "ethereum", eth[0].lower())}
    assert labels == {"EtherScamDB phishing", "fake airdrop"}


def test_a_pack_that_fails_validation_is_refused_with_the_reason(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: t\ncreator: c\nlabel: l\nsource: s\ncurrency: ETH\nconfidence: sure\n"
                   "tags:\n- address: '0x098b716b8aaf21512996dc57eb0615e2383e2f96'\n")
    with Store.open(tmp_path / "s.duckdb") as store, \
            pytest.raises(IngestError, match="Undefined concept sure for confidence field"):
        import_labels(store, "tagpack", bad)


def test_every_label_kind_refuses_a_binary_or_compressed_file_in_one_line(tmp_path: Path) -> None:
    import gzip

    binary = tmp_path / "sanctioned_addresses_ETH.txt"
    binary.write_bytes(bytes(range(256)))
    packed = tmp_path / "packed.csv"
    packed.write_bytes(gzip.compress(b"chain,address\n"))
    db = str(tmp_path / "s.duckdb")
    for kind in ("csv", "ofac", "scam", "heist-list", "tagpack", "actorpack"):
        cases = [(binary, "not UTF-8 text")] + ([] if kind == "ofac" else [(packed, "compressed file")])
        for path, says in cases:  # OFAC lists are read from a folder by their file names
            target = tmp_path if kind == "ofac" else path
            result = CliRunner().invoke(app, ["labels", "import", kind, str(target), "--db", db])
            assert result.exit_code == 1 and says in result.output, (kind, path, result.output)
            assert result.exception is None or isinstance(result.exception, SystemExit), (kind, result.exception)
