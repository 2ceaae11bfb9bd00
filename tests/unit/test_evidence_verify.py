"""Evidence bundles, pure: a sealed bundle verifies, and every way it can be wrong is named (a changed
byte, a missing or extra file, an untrusted or wrong key, a tampered statement, a threshold not met, a
broken custody chain, malformed JSON); securesystemslib verifies our envelopes; bundles survive .zip and
.tar; the pure modules import no I/O library and no store."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from securesystemslib.dsse import Envelope as SslibEnvelope
from securesystemslib.exceptions import VerificationError
from securesystemslib.signer import SSlibKey

from hotpursuit.evidence.bundle_files import read_bundle, write_bundle
from hotpursuit.evidence.dsse import pae, parse_envelope
from hotpursuit.evidence.keys import SigningKey, keyid, load_org_key, load_signing_key, new_key_pair, public_pem
from hotpursuit.evidence.layout import CUSTODY, ENVELOPE, MANIFEST, EvidenceError, canonical_json
from hotpursuit.evidence.seal import cosign, hand_over, seal_bundle
from hotpursuit.evidence.statement import ExportFacts
from hotpursuit.evidence.verify import verify_bundle

from .test_architecture import IO_LIBRARIES, _imports, _modules

CONTENT = {
    "trace-report.json": b'{"incident": "drill-heist", "totals": {"ETH": {"stolen": "1000000000000000000000"}}}\n',
    "stix-bundle.json": b'{"type": "bundle", "id": "bundle--1", "objects": []}\n',
    "source-rows/transactions.jsonl": b'{"hash":"0xab","value":"1000000000000000000000"}\n',
    "source-rows/transfers.jsonl": b'{"tx_hash":"0xab","amount":"1000000000000000000000"}\n'
                                   b'{"tx_hash":"0xcd","amount":"5"}\n',
    "source-rows/blocks.jsonl": b'{"number":7,"timestamp":1740100000}\n',
}


def _key(org: str) -> SigningKey:
    private_pem, _, _ = new_key_pair(org)
    return load_signing_key(private_pem, f"{org}.ed25519.key")


@pytest.fixture(scope="module")
def keys() -> dict[str, SigningKey]:
    return {org: _key(org) for org in ("kr-nis", "eu-ec3", "jp-npa", "mallory")}


def _facts(key: SigningKey, incident: str = "drill-heist") -> ExportFacts:
    return ExportFacts(incident, key.org, key.public.keyid, "2026-12-07T10:00:00Z", "eu-ec3", "hotpursuit", "0.1.0",
                       {"input_hash": "ab" * 32, "model": "haircut", "max_hops": None, "dust": "0"})


@pytest.fixture
def bundle(keys: dict[str, SigningKey]) -> dict[str, bytes]:
    return seal_bundle(CONTENT, keys["kr-nis"], _facts(keys["kr-nis"]))


def _trust(keys: dict[str, SigningKey], *orgs: str) -> list:  # type: ignore[type-arg]
    return [keys[o].public for o in orgs]


def test_a_sealed_bundle_verifies(bundle: dict[str, bytes], keys: dict[str, SigningKey]) -> None:
    verdict = verify_bundle(bundle, _trust(keys, "kr-nis"))
    assert verdict.problems == []
    assert [k.org for k in verdict.signers] == ["kr-nis"]
    assert verdict.files == len(CONTENT)
    assert [(e["action"], e["by"], e["to"]) for e in verdict.custody] == [("exported", "kr-nis", "eu-ec3")]
    assert verdict.summary().startswith("verified: 1 trusted signature (kr-nis), threshold 1; manifest 5 files")
    manifest = json.loads(bundle[MANIFEST])["files"]
    assert manifest["source-rows/blocks.jsonl"] == {"sha256": hashlib.sha256(CONTENT["source-rows/blocks.jsonl"])
                                                   .hexdigest(), "size": len(CONTENT["source-rows/blocks.jsonl"])}
    statement = json.loads(parse_envelope(bundle[ENVELOPE]).payload)
    assert statement["subject"] == [{"name": MANIFEST, "digest": {"sha256": hashlib.sha256(bundle[MANIFEST])
                                                                  .hexdigest()}}]
    assert statement["_type"] == "https://in-toto.io/Statement/v1"
    assert "keys/kr-nis.ed25519.pub" in bundle


def test_one_changed_byte_is_named_with_both_digests(bundle: dict[str, bytes], keys: dict[str, SigningKey]) -> None:
    path = "source-rows/transfers.jsonl"
    bundle[path] = bundle[path].replace(b'"5"', b'"6"')
    problems = verify_bundle(bundle, _trust(keys, "kr-nis")).problems
    want = hashlib.sha256(CONTENT[path]).hexdigest()
    assert problems == [f"changed: {path} (sha256 {hashlib.sha256(bundle[path]).hexdigest()} != {want} in the "
                        "manifest)"]


def test_missing_and_extra_files_are_named(bundle: dict[str, bytes], keys: dict[str, SigningKey]) -> None:
    del bundle["stix-bundle.json"]
    bundle["notes.txt"] = b"added later"
    bundle["keys/extra.ed25519.pub"] = public_pem(keys["mallory"].public.public)  # keys/ is for information
    assert verify_bundle(bundle, _trust(keys, "kr-nis")).problems == [
        "missing: stix-bundle.json", "extra file not in manifest: notes.txt"]


def test_a_key_not_trusted_is_named_and_does_not_count(bundle: dict[str, bytes],
                                                       keys: dict[str, SigningKey]) -> None:
    verdict = verify_bundle(bundle, _trust(keys, "eu-ec3"))
    signer = keys["kr-nis"].public.keyid
    assert verdict.problems[:2] == [f"signature by an untrusted key {signer} (the bundle names it kr-nis)",
                                    "threshold not met: 0 of 1"]
    assert not verdict.ok


def test_a_wrong_key_under_a_trusted_name_is_untrusted(bundle: dict[str, bytes], keys: dict[str, SigningKey]) -> None:
    """A forger's key file named kr-nis.ed25519.pub in the bundle earns no trust: trust is the verifier's keys."""
    forged = seal_bundle(CONTENT, SigningKey("kr-nis", keys["mallory"].private), _facts(keys["mallory"]))
    problems = verify_bundle(forged, _trust(keys, "kr-nis")).problems
    assert f"signature by an untrusted key {keys['mallory'].public.keyid} (the bundle names it kr-nis)" in problems
    assert "threshold not met: 0 of 1" in problems


def test_a_tampered_statement_fails_its_signature(bundle: dict[str, bytes], keys: dict[str, SigningKey]) -> None:
    envelope = json.loads(bundle[ENVELOPE])
    statement = json.loads(base64.b64decode(envelope["payload"]))
    statement["predicate"]["incident"] = "another-incident"
    envelope["payload"] = base64.b64encode(canonical_json(statement)).decode()
    bundle[ENVELOPE] = canonical_json(envelope)
    problems = verify_bundle(bundle, _trust(keys, "kr-nis")).problems
    assert f"signature by kr-nis ({keys['kr-nis'].public.keyid[:16]}) does not verify" in problems
    assert "threshold not met: 0 of 1" in problems
    assert "custody log entry 1 broken: it names another statement" in problems


def test_a_changed_manifest_no_longer_matches_the_statement(bundle: dict[str, bytes],
                                                            keys: dict[str, SigningKey]) -> None:
    """Rewriting the manifest to cover a changed file is caught by the signed statement."""
    path = "source-rows/transfers.jsonl"
    bundle[path] = bundle[path].replace(b'"5"', b'"6"')
    manifest = json.loads(bundle[MANIFEST])
    manifest["files"][path] = {"sha256": hashlib.sha256(bundle[path]).hexdigest(), "size": len(bundle[path])}
    bundle[MANIFEST] = canonical_json(manifest)
    problems = verify_bundle(bundle, _trust(keys, "kr-nis")).problems
    assert len(problems) == 1 and problems[0].startswith(f"changed: {MANIFEST} (sha256 ")
    assert problems[0].endswith(" in the statement)")


def test_two_of_three_met_with_two_signers_not_with_one(bundle: dict[str, bytes],
                                                        keys: dict[str, SigningKey]) -> None:
    trusted = _trust(keys, "kr-nis", "eu-ec3", "jp-npa")
    assert verify_bundle(bundle, trusted, threshold=2).problems == ["threshold not met: 1 of 2"]
    bundle.update(cosign(bundle, keys["eu-ec3"], "2026-12-07T11:00:00Z"))
    verdict = verify_bundle(bundle, trusted, threshold=2)
    assert verdict.problems == []
    assert [k.org for k in verdict.signers] == ["kr-nis", "eu-ec3"]
    assert [(e["action"], e["by"]) for e in verdict.custody] == [("exported", "kr-nis"), ("co-signed", "eu-ec3")]
    assert verify_bundle(bundle, trusted, threshold=3).problems == ["threshold not met: 2 of 3"]
    with pytest.raises(EvidenceError, match="already signed by eu-ec3"):
        cosign(bundle, keys["eu-ec3"], "2026-12-07T12:00:00Z")


def test_an_untrusted_cosigner_is_noted_not_failed_when_the_threshold_is_met(
        bundle: dict[str, bytes], keys: dict[str, SigningKey]) -> None:
    bundle.update(cosign(bundle, keys["mallory"], "2026-12-07T11:00:00Z"))
    verdict = verify_bundle(bundle, _trust(keys, "kr-nis"))
    assert verdict.problems == []
    assert any(n.startswith(f"signature by an untrusted key {keys['mallory'].public.keyid}") for n in verdict.notes)


def test_a_duplicated_signature_counts_once(bundle: dict[str, bytes], keys: dict[str, SigningKey]) -> None:
    envelope = json.loads(bundle[ENVELOPE])
    envelope["signatures"] *= 2
    bundle[ENVELOPE] = canonical_json(envelope)
    assert verify_bundle(bundle, _trust(keys, "kr-nis", "eu-ec3"), threshold=2).problems == [
        "threshold not met: 1 of 2"]


def test_cosigning_a_changed_bundle_is_refused(bundle: dict[str, bytes], keys: dict[str, SigningKey]) -> None:
    bundle["trace-report.json"] += b" "
    with pytest.raises(EvidenceError, match=r"not intact: changed: trace-report\.json"):
        cosign(bundle, keys["eu-ec3"], "2026-12-07T11:00:00Z")


def test_a_broken_custody_chain_is_named(bundle: dict[str, bytes], keys: dict[str, SigningKey]) -> None:
    bundle.update(cosign(bundle, keys["eu-ec3"], "2026-12-07T11:00:00Z"))
    bundle.update(hand_over(bundle, keys["eu-ec3"], "2026-12-07T12:00:00Z", "be-fccu"))
    trusted = _trust(keys, "kr-nis", "eu-ec3")
    assert verify_bundle(bundle, trusted).problems == []
    lines = bundle[CUSTODY].splitlines(keepends=True)
    assert [json.loads(x)["action"] for x in lines] == ["exported", "co-signed", "handed-over"]
    edited = lines[1].replace(b'"eu-ec3"', b'"jp-npa"', 1)  # who co-signed, rewritten
    problems = verify_bundle({**bundle, CUSTODY: lines[0] + edited + lines[2]}, trusted).problems
    assert problems == [f"custody log entry 2 broken: signature by eu-ec3 ({keys['eu-ec3'].public.keyid[:16]}) "
                        "does not verify", "custody log entry 3 broken: its prev hash does not match entry 2"]
    problems = verify_bundle({**bundle, CUSTODY: lines[0] + lines[2]}, trusted).problems  # an entry deleted
    assert problems == ["custody log entry 2 broken: its prev hash does not match entry 1"]
    problems = verify_bundle({k: v for k, v in bundle.items() if k != CUSTODY}, trusted).problems
    assert problems == [f"missing: {CUSTODY}"]


def test_malformed_files_are_named(bundle: dict[str, bytes], keys: dict[str, SigningKey]) -> None:
    broken = {**bundle, "source-rows/blocks.jsonl": b'{"number":7}\n{"number":\n'}
    problems = verify_bundle(broken, _trust(keys, "kr-nis")).problems
    assert any(p.startswith("malformed: source-rows/blocks.jsonl line 2 (") for p in problems)
    problems = verify_bundle({**bundle, ENVELOPE: b"{not json"}, _trust(keys, "kr-nis")).problems
    assert problems[0].startswith(f"malformed: {ENVELOPE} (") and problems[-1] == "threshold not met: 0 of 1"
    problems = verify_bundle({**bundle, MANIFEST: b"[]"}, _trust(keys, "kr-nis")).problems
    assert problems[0].startswith(f"malformed: {MANIFEST} (")


def test_securesystemslib_verifies_our_envelope(bundle: dict[str, bytes], keys: dict[str, SigningKey]) -> None:
    bundle.update(cosign(bundle, keys["eu-ec3"], "2026-12-07T11:00:00Z"))
    raw = json.loads(bundle[ENVELOPE])
    sslib_keys = [SSlibKey.from_crypto(k.public.public, keyid=k.public.keyid) for k in keys.values()]
    verified = SslibEnvelope.from_dict(copy.deepcopy(raw)).verify(sslib_keys, 2)  # from_dict mutates: a copy
    assert sorted(verified) == sorted([keys["kr-nis"].public.keyid, keys["eu-ec3"].public.keyid])
    with pytest.raises(VerificationError):
        SslibEnvelope.from_dict(copy.deepcopy(raw)).verify(sslib_keys, 3)
    assert parse_envelope(bundle[ENVELOPE]).payload == SslibEnvelope.from_dict(copy.deepcopy(raw)).payload
    assert pae("application/vnd.in-toto+json", b"{}") == SslibEnvelope(b"{}", "application/vnd.in-toto+json",
                                                                         {}).pae()


def test_key_files_round_trip_and_the_keyid_is_the_raw_keys_sha256() -> None:
    private_pem, public_pem_bytes, kid = new_key_pair("kr-nis")
    assert private_pem.startswith(b"-----BEGIN PRIVATE KEY-----") and b"BEGIN PUBLIC KEY" in public_pem_bytes
    signing = load_signing_key(private_pem, "/keys/kr-nis.ed25519.key")
    public = load_org_key(public_pem_bytes, "/elsewhere/kr-nis.ed25519.pub")
    assert signing.org == public.org == "kr-nis" and signing.public.keyid == public.keyid == kid
    raw = Ed25519PrivateKey.from_private_bytes(b"\x01" * 32).public_key()
    assert keyid(raw) == hashlib.sha256(raw.public_bytes_raw()).hexdigest()
    with pytest.raises(EvidenceError, match="not a PEM public key"):
        load_org_key(b"hello", "x.pub")
    with pytest.raises(EvidenceError, match="organisation name"):
        new_key_pair("../etc")


@pytest.mark.parametrize("name", ["bundle", "bundle.zip", "bundle.tar"])
def test_a_bundle_reads_back_as_written(tmp_path: Path, bundle: dict[str, bytes], name: str) -> None:
    write_bundle(tmp_path / name, bundle)
    assert read_bundle(tmp_path / name) == bundle
    with pytest.raises(EvidenceError, match=r"exists already|not empty"):
        write_bundle(tmp_path / name, bundle)


def test_an_archive_cannot_reach_outside_its_bundle(tmp_path: Path) -> None:
    import zipfile

    with zipfile.ZipFile(tmp_path / "evil.zip", "w") as archive:
        archive.writestr("../outside.txt", b"x")
    with pytest.raises(EvidenceError, match="unsafe path"):
        read_bundle(tmp_path / "evil.zip")


PURE = ("layout", "keys", "manifest", "dsse", "statement", "custody", "timestamp", "seal", "verify", "citations")


def test_the_pure_evidence_modules_import_no_io_and_no_store() -> None:
    modules = _modules()
    offences = [f"{m} imports {name}" for m in (f"hotpursuit.evidence.{p}" for p in PURE)
                for name in sorted(_imports(modules[m][1], m))
                if name.startswith(IO_LIBRARIES) or name.startswith(("hotpursuit.evidence.export",
                                                                      "hotpursuit.evidence.tsa_client",
                                                                      "hotpursuit.evidence.bundle_files"))]
    assert offences == []


def test_mangled_control_files_give_named_problems_never_exceptions(bundle: dict[str, bytes],
                                                                    keys: dict[str, SigningKey]) -> None:
    import random

    rng = random.Random(17)
    bundle.update(cosign(bundle, keys["eu-ec3"], "2026-12-07T11:00:00Z"))
    for _ in range(300):
        path = rng.choice([MANIFEST, ENVELOPE, CUSTODY, "keys/kr-nis.ed25519.pub"])
        data = bytearray(bundle[path])
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(data))
            if rng.random() < 0.3:
                del data[at:at + rng.randint(1, 40)]
            else:
                data[at] = rng.randrange(256)
        verdict = verify_bundle({**bundle, path: bytes(data)}, _trust(keys, "kr-nis", "eu-ec3"), threshold=2)
        if path == MANIFEST and bytes(data) != bundle[path]:
            assert verdict.problems  # (base64 has spare bits: a changed signature character may decode the same)
