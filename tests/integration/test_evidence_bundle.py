"""Evidence bundles end to end with the real command: keys made with `org keys create`, the drill incident
exported from its store and timestamped by a local OpenSSL authority, then verified in a folder with no
store, with only the bundle, the exchanged public key files and the authority's root; co-signed to meet a
2-of-3 threshold; every tampering named (a changed byte, a timestamp of another statement, a wrong
authority root), as a folder and as a .zip."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hotpursuit.drill.devnet.anvil import AnvilNode
from hotpursuit.ingest.rpc_client import JsonRpcClient

from .drill_store import build_drill_case
from .local_tsa import LocalTsa, make_authority

pytestmark = pytest.mark.slow
HOTPURSUIT = Path(sys.executable).with_name("hotpursuit")
ORGS = ("kr-nis", "eu-ec3", "jp-npa")


def run(*args: str | Path, cwd: Path, ok: bool | None = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "HOTPURSUIT_DB"}
    env["COLUMNS"] = "200"
    done = subprocess.run([str(HOTPURSUIT), *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)
    if ok is not None:
        assert (done.returncode == 0) == ok, done.stdout + done.stderr
    return done


class Case:
    """The drill store, three organisations' keys, a timestamp authority and one exported bundle."""

    def __init__(self, root: Path, truth: dict[str, Any], db: Path, tsa: LocalTsa) -> None:
        self.root, self.truth, self.db, self.tsa = root, truth, db, tsa
        self.keys = root / "keys"
        self.bundle = root / "seoul-bundle"

    def key(self, org: str) -> Path:
        return self.keys / f"{org}.ed25519.key"

    def pub(self, org: str) -> Path:
        return self.keys / f"{org}.ed25519.pub"

    def brussels(self, tmp_path: Path, name: str = "bundle") -> Path:
        """A machine with no store: a copy of the bundle and the public key files only."""
        machine = tmp_path / "brussels"
        machine.mkdir()
        target = machine / name
        (shutil.copytree if self.bundle.is_dir() else shutil.copy)(self.bundle, target)
        for org in ORGS:
            shutil.copy(self.pub(org), machine)
        shutil.copy(self.tsa.root, machine / "tsa-root.pem")
        return machine


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Case]:
    root = tmp_path_factory.mktemp("evidence")
    db = root / "seoul.duckdb"
    with AnvilNode() as node:
        rpc = JsonRpcClient(node.url)
        truth = build_drill_case(rpc, db)
        rpc.close()
    with LocalTsa(root / "tsa") as tsa:
        made = Case(root, truth, db, tsa)
        made.keys.mkdir()
        for org in ORGS:
            created = run("org", "keys", "create", org, "--out", made.keys, cwd=root)
            assert "key id: " in created.stdout
        run("evidence", "export", "drill-heist", "--db", db, "--out", made.bundle, "--key", made.key("kr-nis"),
            "--to", "eu-ec3", "--tsa", tsa.url, cwd=root)
        yield made


def test_keys_are_files_named_by_organisation_and_never_overwritten(case: Case) -> None:
    assert (case.key("kr-nis").stat().st_mode & 0o777) == 0o600
    assert case.pub("kr-nis").read_text().startswith("-----BEGIN PUBLIC KEY-----")
    again = run("org", "keys", "create", "kr-nis", "--out", case.keys, cwd=case.root, ok=False)
    assert again.returncode == 1 and "exists already; not overwritten" in again.stderr
    assert "Traceback" not in again.stderr


def test_the_bundle_holds_the_report_stix_and_every_cited_row(case: Case) -> None:
    files = {p.relative_to(case.bundle).as_posix() for p in case.bundle.rglob("*") if p.is_file()}
    assert {"trace-report.json", "stix-bundle.json", "MANIFEST.json", "statement.dsse.json", "timestamp.tsr",
            "custody.jsonl", "keys/kr-nis.ed25519.pub", "source-rows/transactions.jsonl",
            "source-rows/transfers.jsonl", "source-rows/blocks.jsonl", "source-rows/utxo_outputs.jsonl"} <= files
    report = json.loads((case.bundle / "trace-report.json").read_text())
    traced = run("trace", "drill-heist", "--db", case.db, "--format", "json", cwd=case.root)
    assert json.loads(traced.stdout) == report  # the report as `hotpursuit trace` writes it
    assert json.loads((case.bundle / "stix-bundle.json").read_text())["type"] == "bundle"
    rows = case.bundle / "source-rows"
    transfers = [json.loads(x) for x in (rows / "transfers.jsonl").read_text().splitlines()]
    txs = {t["tx_hash"] for t in transfers}
    assert case.truth["theft_tx"] in txs
    assert {f["tx"] for f in report["flows"] if f["chain"] == "anvil"} <= txs
    assert all(isinstance(t["amount"], str) and t["amount"].isdigit() for t in transfers)  # exact, never floats
    btc = {json.loads(x)["tx_hash"] for x in (rows / "utxo_outputs.jsonl").read_text().splitlines()}
    assert {f["tx"] for f in report["flows"] if f["chain"] == "bitcoin"} <= btc
    blocks = {(b["chain"], b["number"]) for b in map(json.loads, (rows / "blocks.jsonl").read_text().splitlines())}
    assert {(t["chain"], t["block_number"]) for t in transfers} <= blocks
    custody = [json.loads(x) for x in (case.bundle / "custody.jsonl").read_text().splitlines()]
    assert [(c["action"], c["by"], c["to"]) for c in custody] == [("exported", "kr-nis", "eu-ec3")]


def test_brussels_verifies_offline_with_the_bundle_and_the_public_keys(case: Case, tmp_path: Path) -> None:
    machine = case.brussels(tmp_path)
    done = run("evidence", "verify", "bundle", "--trust", "kr-nis.ed25519.pub", "--tsa-root", "tsa-root.pem",
               cwd=machine)
    assert done.stdout.startswith("verified: 1 trusted signature (kr-nis), threshold 1; manifest ")
    assert "timestamp 20" in done.stdout and "by CN=hotpursuit test TSA" in done.stdout
    assert "custody log 1 entry" in done.stdout
    assert not list(machine.glob("*.duckdb"))  # no store was made or needed
    as_json = json.loads(run("evidence", "verify", "bundle", "--trust", "kr-nis.ed25519.pub", "--format", "json",
                             cwd=machine).stdout)
    assert as_json["verified"] is True and as_json["incident"] == "drill-heist"
    assert [s["org"] for s in as_json["signers"]] == ["kr-nis"]


def test_two_of_three_agencies_cosign(case: Case, tmp_path: Path) -> None:
    machine = case.brussels(tmp_path)
    trust = ["--trust", "kr-nis.ed25519.pub", "--trust", "eu-ec3.ed25519.pub", "--trust", "jp-npa.ed25519.pub"]
    short = run("evidence", "verify", "bundle", *trust, "--threshold", "2", cwd=machine, ok=False)
    assert short.returncode == 1
    assert short.stdout.splitlines()[0] == "threshold not met: 1 of 2"
    run("evidence", "sign", "bundle", "--key", case.key("eu-ec3"), cwd=machine)
    met = run("evidence", "verify", "bundle", *trust, "--threshold", "2", cwd=machine)
    assert met.stdout.startswith("verified: 2 trusted signatures (kr-nis, eu-ec3), threshold 2")
    assert "custody log 2 entries" in met.stdout
    again = run("evidence", "sign", "bundle", "--key", case.key("eu-ec3"), cwd=machine, ok=False)
    assert "error: statement.dsse.json: already signed by eu-ec3" in again.stderr


def test_a_changed_byte_in_a_source_row_is_named(case: Case, tmp_path: Path) -> None:
    machine = case.brussels(tmp_path)
    rows = machine / "bundle" / "source-rows" / "transfers.jsonl"
    data = bytearray(rows.read_bytes())
    data[data.index(b'"amount":"') + 10] ^= 1  # one digit of one amount
    rows.write_bytes(bytes(data))
    (machine / "bundle" / "stix-bundle.json").unlink()
    done = run("evidence", "verify", "bundle", "--trust", "kr-nis.ed25519.pub", cwd=machine, ok=False)
    lines = done.stdout.splitlines()
    assert lines[0].startswith("changed: source-rows/transfers.jsonl (sha256 ") and "!=" in lines[0]
    assert lines[1] == "missing: stix-bundle.json"
    assert lines[-1].startswith("NOT verified: ") and "Traceback" not in done.stderr


def test_a_timestamp_of_another_statement_and_a_wrong_authority_are_named(case: Case, tmp_path: Path) -> None:
    machine = case.brussels(tmp_path)
    second = machine / "second"  # the same incident exported again: another statement (a later time)
    run("evidence", "export", "drill-heist", "--db", case.db, "--out", second, "--key", case.key("kr-nis"),
        "--to", "jp-npa", cwd=case.root)
    shutil.copy(machine / "bundle" / "timestamp.tsr", second / "timestamp.tsr")
    done = run("evidence", "verify", second, "--trust", "kr-nis.ed25519.pub", "--tsa-root", "tsa-root.pem",
               cwd=machine, ok=False)
    problems = done.stdout.splitlines()[:-1]
    assert len(problems) == 1
    assert problems[0].startswith("timestamp does not match the statement (timestamp.tsr of 20")
    other = make_authority(tmp_path / "other-tsa", "another TSA").with_name("ca.pem")
    wrong = run("evidence", "verify", "bundle", "--trust", "kr-nis.ed25519.pub", "--tsa-root", other,
                cwd=machine, ok=False)
    assert wrong.stdout.splitlines()[0].startswith("timestamp by an untrusted authority: CN=hotpursuit test TSA (")


def test_a_zip_bundle_exports_signs_and_verifies(case: Case, tmp_path: Path) -> None:
    bundle = tmp_path / "seoul.zip"
    run("evidence", "export", "drill-heist", "--db", case.db, "--out", bundle, "--key", case.key("kr-nis"),
        "--tsa", case.tsa.url, cwd=case.root)
    run("evidence", "sign", bundle, "--key", case.key("jp-npa"), cwd=tmp_path)
    run("evidence", "hand-over", bundle, "--key", case.key("jp-npa"), "--to", "be-fccu", cwd=tmp_path)
    done = run("evidence", "verify", bundle, "--trust", case.pub("kr-nis"), "--trust", case.pub("jp-npa"),
               "--threshold", "2", "--tsa-root", case.tsa.root, cwd=tmp_path)
    assert "verified: 2 trusted signatures (kr-nis, jp-npa)" in done.stdout and "custody log 3 entries" in done.stdout


def test_bad_input_is_one_line_never_a_traceback(case: Case, tmp_path: Path) -> None:
    full = run("evidence", "export", "drill-heist", "--db", case.db, "--out", case.bundle, "--key",
               case.key("kr-nis"), cwd=case.root, ok=False)
    assert full.returncode == 1 and "the folder is not empty" in full.stderr
    missing = run("evidence", "verify", tmp_path / "nothing", "--trust", case.pub("kr-nis"), cwd=tmp_path, ok=False)
    assert missing.returncode == 1 and missing.stderr.startswith("error: ") and "no such bundle" in missing.stderr
    not_a_key = run("evidence", "verify", case.bundle, "--trust", case.tsa.root, cwd=tmp_path, ok=False)
    assert not_a_key.returncode == 1 and "ca.pem: not a PEM public key" in not_a_key.stderr
    private = run("evidence", "verify", case.bundle, "--trust", case.key("kr-nis"), cwd=tmp_path, ok=False)
    assert private.returncode == 1 and "kr-nis.ed25519.key: a private key; give its public key file" in private.stderr
    no_trust = run("evidence", "verify", case.bundle, cwd=tmp_path, ok=False)
    assert no_trust.returncode == 2
    unknown = run("evidence", "export", "no-such", "--db", case.db, "--out", tmp_path / "x", "--key",
                  case.key("kr-nis"), cwd=case.root, ok=False)
    assert unknown.returncode == 1 and "no-such" in unknown.stderr
    for done in (full, missing, not_a_key, private, unknown):
        assert "Traceback" not in done.stderr


def test_a_mangled_timestamp_token_is_named_and_the_export_is_audited(case: Case) -> None:
    import random

    from cryptography import x509

    from hotpursuit.evidence.bundle_files import read_bundle
    from hotpursuit.evidence.keys import load_org_key
    from hotpursuit.evidence.verify import verify_bundle
    from hotpursuit.store import Store
    from hotpursuit.store.audit_tables import audit_entries

    files = read_bundle(case.bundle)
    trusted = [load_org_key(case.pub("kr-nis").read_bytes(), str(case.pub("kr-nis")))]
    roots = [x509.load_pem_x509_certificate(case.tsa.root.read_bytes())]
    assert verify_bundle(files, trusted, 1, roots).problems == []
    rng = random.Random(3161)
    for _ in range(100):
        token = bytearray(files["timestamp.tsr"])
        token[rng.randrange(len(token))] ^= 1 << rng.randrange(8)
        problems = verify_bundle({**files, "timestamp.tsr": bytes(token)}, trusted, 1, roots).problems
        assert problems and all(p.startswith(("malformed: timestamp.tsr", "timestamp ")) for p in problems)
    with Store.open(case.db, must_exist=True) as store:
        exports = [e for e in audit_entries(store) if e.action == "evidence.export"]
    assert exports and "incident drill-heist exported by kr-nis" in exports[0].detail
    run("audit", "verify", "--db", case.db, cwd=case.root)
