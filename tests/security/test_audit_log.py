"""The audit log under attack and under kill -9: a change is never kept without its entry, and the
server's signed checkpoints expose a log cut short or rewritten with recomputed hashes."""

from __future__ import annotations

import asyncio
import json
import shutil
import signal
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from typer.testing import CliRunner

from hotpursuit.api.background import free_port
from hotpursuit.cli import app
from hotpursuit.security.audit_chain import GENESIS, entry_hash, verify_chain
from hotpursuit.store import Store
from hotpursuit.store.audit_tables import audit_entries
from hotpursuit.store.org_tables import add_org, create_key
from tests.integration.serve_process import start_serve

runner = CliRunner()


def _agency_store(db: Path) -> str:
    with Store.open(db) as store:
        add_org(store, "kr-nis", "NIS", "agency", "KR", "task-force")
        return create_key(store, "kr-nis", ["read", "write"], 1)[1]


def _label(i: int) -> dict[str, object]:
    return {"chain": "ethereum", "address": f"0x{i + 1:040x}", "label": f"hop {i}", "category": "thief",
            "confidence": 80, "source": "NIS case 2026-17", "tlp": "AMBER"}


async def _post_until_killed(base: str, key: str, kill: Callable[[], None], first: int, total: int,
                             kill_after: int) -> int:
    """Post `total` claims from number `first`, 16 at a time; kill the server when `kill_after` answers
    came back."""
    answered = 0
    limit = asyncio.Semaphore(16)

    async with httpx.AsyncClient(base_url=base, headers={"X-API-Key": key}, timeout=30) as client:
        async def post(i: int) -> None:
            nonlocal answered
            async with limit:
                try:
                    reply = await client.post("/v1/labels", json=_label(i))
                except httpx.TransportError:
                    return
                assert reply.status_code == 201, reply.text
                answered += 1
                if answered == kill_after:
                    kill()  # SIGKILL

        await asyncio.gather(*(post(i) for i in range(first, first + total)))
    return answered


def test_after_kill_9_every_kept_claim_has_its_audit_entry_and_no_entry_lacks_its_claim(tmp_path: Path) -> None:
    """The issue found 2 of 5 crash runs with a label stored without its entry: the claim and its
    entry now commit in one transaction. Three kills in the middle of 16 concurrent writers."""
    db = tmp_path / "crash.duckdb"
    key = _agency_store(db)
    answered_before = 0
    for run in range(3):
        port = free_port()
        server = start_serve(db, port, key)
        try:
            base = f"http://127.0.0.1:{port}"
            answered = asyncio.run(_post_until_killed(base, key, server.kill, run * 1000, 400, 60))
        finally:
            server.kill()
            server.wait()
        assert answered >= 60
        with Store.open(db) as store:
            kept = {str(r[0]) for r in store.execute(
                "SELECT address FROM labels WHERE asserted_by = 'kr-nis'").fetchall()}
            entries = audit_entries(store)
        audited = {e.detail.split(" ")[0].removeprefix("ethereum:") for e in entries if e.action == "write-label"}
        answered_before += answered
        assert kept == audited and len(kept) >= answered_before  # every answered claim is kept, and audited
        assert verify_chain(entries) == []


def _rewrite(db: Path, seq: int, detail: str) -> None:
    """What an attacker with the store file does: change one entry, recompute every hash after it, and
    drop the checkpoints kept in the store."""
    with Store.open(db) as store:
        entries = audit_entries(store)
        store.execute("DELETE FROM audit_log")
        store.execute("DELETE FROM audit_checkpoints")
        prev = GENESIS
        for e in entries:
            text = detail if e.seq == seq else e.detail
            digest = entry_hash(e.seq, e.occurred_at, e.org_id, e.action, text, prev)
            store.execute("INSERT INTO audit_log VALUES (?, ?::TIMESTAMP, ?, ?, ?, ?, ?)",
                          [e.seq, e.occurred_at, e.org_id, e.action, text, prev, digest])
            prev = digest


def test_checkpoints_a_partner_kept_expose_truncation_and_rewriting(tmp_path: Path) -> None:
    db = tmp_path / "kept.duckdb"
    key = _agency_store(db)
    port = free_port()
    server = start_serve(db, port, key, "--audit-checkpoint-seconds", "1")
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"X-API-Key": key}, timeout=30) as client:
            for i in range(6):
                assert client.post("/v1/labels", json=_label(i)).status_code == 201
            for _ in range(100):  # the next checkpoint covers the six changes
                answer = client.get("/v1/audit/checkpoints").json()
                if answer["checkpoints"] and answer["checkpoints"][-1]["seq"] >= 6:
                    break
                time.sleep(0.1)
            assert client.get("/v1/audit/checkpoints", params={"after": -1}).status_code == 422
            assert client.get("/v1/audit/checkpoints", headers={"X-API-Key": "hp_wrong"}).status_code == 401
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait()
    latest = answer["checkpoints"][-1]
    assert latest["seq"] >= 6 and latest["server_key"] == answer["server_key"]
    kept = tmp_path / "partner-kept.json"
    kept.write_text(json.dumps(answer))
    pinned = ["--checkpoint", str(kept), "--server-key", answer["server_key"]]

    intact = runner.invoke(app, ["audit", "verify", "--db", str(db), *pinned])
    assert intact.exit_code == 0 and "audit log intact" in intact.output, intact.output

    original = tmp_path / "original.duckdb"
    shutil.copy(db, original)
    with Store.open(db) as store:  # cut short: the chain that remains is intact
        store.execute("DELETE FROM audit_log WHERE seq > 3")
        store.execute("DELETE FROM audit_checkpoints")
    assert runner.invoke(app, ["audit", "verify", "--db", str(db)]).exit_code == 0  # the chain alone: blind
    truncated = runner.invoke(app, ["audit", "verify", "--db", str(db), *pinned])
    assert truncated.exit_code == 1 and "the log ends at entry 3" in truncated.output, truncated.output

    shutil.copy(original, db)
    _rewrite(db, 2, "ethereum:0x0000000000000000000000000000000000000002 nothing AMBER")
    assert runner.invoke(app, ["audit", "verify", "--db", str(db)]).exit_code == 0  # hashes recomputed
    rewritten = runner.invoke(app, ["audit", "verify", "--db", str(db), *pinned])
    assert rewritten.exit_code == 1 and "was rewritten" in rewritten.output, rewritten.output

    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps({**latest, "seq": 1}))
    refused = runner.invoke(app, ["audit", "verify", "--db", str(original), "--checkpoint", str(forged)])
    assert refused.exit_code == 1 and "does not verify" in refused.output
    bad = runner.invoke(app, ["audit", "verify", "--db", str(original), "--checkpoint", str(tmp_path / "none.json")])
    assert bad.exit_code == 1 and "cannot read it" in bad.output and "Traceback" not in bad.output


def test_audit_cli_signs_and_exports_checkpoints(tmp_path: Path) -> None:
    db = tmp_path / "cli.duckdb"
    _agency_store(db)
    with Store.open(db) as store:
        from hotpursuit.store.audit_tables import append_audit

        append_audit(store, "kr-nis", "screen", "ethereum:0x01")
    signed = runner.invoke(app, ["audit", "checkpoint", "--db", str(db)])
    assert signed.exit_code == 0 and "signed entry 1" in signed.output, signed.output
    again = runner.invoke(app, ["audit", "checkpoint", "--db", str(db)])
    assert "has a checkpoint already" in again.output
    out = tmp_path / "cp.jsonl"
    assert runner.invoke(app, ["audit", "export-checkpoints", "--db", str(db), "--out", str(out)]).exit_code == 0
    [line] = out.read_text().splitlines()
    assert json.loads(line)["seq"] == 1
    assert (db.parent / "cli.duckdb.audit-key").stat().st_mode & 0o077 == 0  # the signing key: owner only
    missing = runner.invoke(app, ["audit", "export-checkpoints", "--db", str(db), "--out", str(tmp_path / "no/x")])
    assert missing.exit_code == 1 and "does not exist" in missing.output
