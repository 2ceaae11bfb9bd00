"""Signed checkpoints catch what the hash chain alone cannot: a log cut short at its end, and a log
rewritten with every hash recomputed. And an audited change commits with its entry or not at all."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hotpursuit.errors import InvalidInput, StoreError
from hotpursuit.security.audit_chain import GENESIS, AuditEntry, entry_hash, verify_chain
from hotpursuit.security.audit_checkpoint import (
    checkpoint_problems,
    checkpoints_from_text,
    public_key_hex,
    sign_checkpoint,
)
from hotpursuit.store import Store
from hotpursuit.store.audit_tables import audit_entries
from hotpursuit.store.org_tables import add_org, list_orgs

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


def chain(details: list[str]) -> list[AuditEntry]:
    """A well-formed log with one entry per detail (hashes computed as the server does)."""
    out: list[AuditEntry] = []
    prev = GENESIS
    for seq, detail in enumerate(details, start=1):
        when = f"2026-12-07T10:00:{seq:02d}.000000"
        digest = entry_hash(seq, when, "kr-nis", "write-label", detail, prev)
        out.append(AuditEntry(seq, when, "kr-nis", "write-label", detail, prev, digest))
        prev = digest
    return out


LOG = chain([f"ethereum:0x{i:040x} sanctioned AMBER" for i in range(1, 9)])
AT_SIX = sign_checkpoint(KEY, LOG[5].seq, LOG[5].hash, "2026-12-07T10:01:00Z")


def test_a_log_that_still_holds_the_checkpoint_passes() -> None:
    assert checkpoint_problems(LOG, AT_SIX, public_key_hex(KEY)) == []
    assert checkpoint_problems(LOG[:6], AT_SIX, None) == []  # the checkpointed entry is the head


def test_a_truncated_log_is_caught_though_its_chain_is_intact() -> None:
    cut = LOG[:4]
    assert verify_chain(cut) == []  # the hash chain alone cannot see entries removed from its end
    [problem] = checkpoint_problems(cut, AT_SIX, public_key_hex(KEY))
    assert "the log ends at entry 4" in problem and "truncated" in problem


def test_a_log_rewritten_with_recomputed_hashes_is_caught() -> None:
    rewritten = chain([*(e.detail for e in LOG[:2]), "ethereum:0x00 nothing", *(e.detail for e in LOG[3:])])
    assert verify_chain(rewritten) == []  # every hash recomputed: the chain holds
    [problem] = checkpoint_problems(rewritten, AT_SIX, public_key_hex(KEY))
    assert "entry 6 now hashes to" in problem and "rewritten" in problem


def test_a_forged_or_foreign_checkpoint_is_refused() -> None:
    forged = replace(AT_SIX, hash=LOG[2].hash, seq=3)  # moved to another entry without the key
    assert "does not verify" in checkpoint_problems(LOG, forged, None)[0]
    other = Ed25519PrivateKey.generate()
    theirs = sign_checkpoint(other, LOG[5].seq, LOG[5].hash, "2026-12-07T10:01:00Z")
    assert checkpoint_problems(LOG, theirs, None) == []  # well signed, by the key it names
    assert "not the server key given" in checkpoint_problems(LOG, theirs, public_key_hex(KEY))[0]


def test_checkpoint_files_in_every_kept_form_and_bad_ones_named() -> None:
    one = AT_SIX.to_json()
    for text in (json.dumps(one), json.dumps([one, one]), json.dumps({"server_key": "x", "checkpoints": [one]}),
                 json.dumps(one) + "\n\n" + json.dumps(one) + "\n"):
        assert all(c == AT_SIX for c in checkpoints_from_text(text, "kept.json"))
    with pytest.raises(InvalidInput, match=r"kept.jsonl:2: not JSON"):
        checkpoints_from_text(json.dumps(one) + "\n{oops\n", "kept.jsonl")
    with pytest.raises(InvalidInput, match="seq must be a positive integer"):
        checkpoints_from_text(json.dumps({**one, "seq": True}), "kept.json")
    with pytest.raises(InvalidInput, match="not a hotpursuit audit checkpoint"):
        checkpoints_from_text(json.dumps([{"type": "x"}]), "kept.json")


def test_a_failed_step_inside_a_transaction_keeps_nothing_even_if_its_error_was_caught(tmp_path: Path) -> None:
    with Store.open(tmp_path / "t.duckdb") as store:
        with pytest.raises(StoreError, match="none of it was kept"), store.transaction():
            add_org(store, "kr-nis", "NIS", "agency", "KR", None)
            try:
                with store.transaction() as con:
                    con.execute("INSERT INTO no_such_table VALUES (1)")
            except Exception:  # a caller that swallows the inner failure
                pass
        assert list_orgs(store) == [] and audit_entries(store) == []
        with store.transaction(), store.transaction():  # usable afterwards; a nested success commits
            add_org(store, "kr-nis", "NIS", "agency", "KR", None)
        assert [o.id for o in list_orgs(store)] == ["kr-nis"]
