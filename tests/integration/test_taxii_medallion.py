"""TAXII 2.1 client side against a real partner server, OASIS's medallion 3.0: the drill's labels and
incident pushed to it as a partner may see them, pulled back into an empty store (claims equal, TLP
kept, provenance recorded, wallets' taint exact), a second pull changing nothing, an object medallion
cannot read never forwarded, one-line errors for an unreachable, refusing or non-TAXII server, `serve
--share-pull` teaching screening, and the same client pulling from hotpursuit's own TAXII server."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from taxii2client.v21 import Collection, as_pages
from typer.testing import CliRunner

from hotpursuit.attribution.labels import LabelClaim
from hotpursuit.cli import app
from hotpursuit.drill.devnet.anvil import AnvilNode
from hotpursuit.ingest.rpc_client import JsonRpcClient
from hotpursuit.share.stix_export import audience, incident_wallets
from hotpursuit.share.stix_mapping import wallet_pattern
from hotpursuit.share.stix_vocabulary import TLP_MARKINGS
from hotpursuit.share.taxii_client import Peer, pull, push_objects
from hotpursuit.store import Store
from hotpursuit.store.label_tables import add_claim
from hotpursuit.store.org_tables import add_org, create_key
from hotpursuit.store.share_reads import own_claims, own_incidents
from hotpursuit.store.share_tables import pulled_claim_sources
from tests.integration.drill_store import build_drill_case
from tests.integration.medallion_peer import PASSWORD, USER, MedallionPeer, free_port, start_medallion
from tests.integration.serve_process import start_serve

pytestmark = pytest.mark.slow
runner = CliRunner()
LABELS, INCIDENT, SPARE, SCHEDULED = ("11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222",
                                      "33333333-3333-4333-8333-333333333333", "44444444-4444-4444-8444-444444444444")
US, PARTNER, OTHER = "kr-nis", "partner-x", "other-ag"
SECRETS = ("other RED secret", "other AMBER+STRICT secret", "other AMBER in our group", "our own AMBER")
CLAIM_COLUMNS = "chain, address, label, category, actor, confidence, source, source_date, tlp, asserted_by"


@pytest.fixture(scope="module")
def medallion(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MedallionPeer]:
    peer = start_medallion(tmp_path_factory.mktemp("medallion"),
                           [(LABELS, "labels"), (INCIDENT, "incident"), (SPARE, "spare"), (SCHEDULED, "scheduled")])
    yield peer
    peer.stop()


@pytest.fixture(scope="module")
def ours(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The drill's store with three organisations and claims of every TLP: ours GREEN and AMBER, another
    agency's (in our sharing group) AMBER, AMBER+STRICT and RED. The partner is in no group."""
    db = tmp_path_factory.mktemp("ours") / "ours.duckdb"
    with AnvilNode() as node:
        rpc = JsonRpcClient(node.url)
        build_drill_case(rpc, db)
        rpc.close()
    with Store.open(db) as store:
        add_org(store, US, "KR NIS", "agency", "KR", "g1")
        add_org(store, OTHER, "Other agency", "agency", "JP", "g1")
        add_org(store, PARTNER, "Partner exchange", "exchange", "SG", None)
        for n, (label, tlp, org) in enumerate([("our GREEN claim", "GREEN", US), ("our own AMBER", "AMBER", US),
                                               ("other AMBER in our group", "AMBER", OTHER),
                                               ("other AMBER+STRICT secret", "AMBER+STRICT", OTHER),
                                               ("other RED secret", "RED", OTHER)]):
            add_claim(store, "test", LabelClaim("anvil", "0x" + f"{n + 1:02x}" * 20, label, "theft", "lazarusgroup",
                                                90, "task force", dt.date(2025, 2, 26), tlp, org))
    return db


def cli(*args: str) -> Any:
    return runner.invoke(app, list(args))


def peer_args(medallion: MedallionPeer, collection: str, password: str = PASSWORD) -> list[str]:
    return [medallion.api_root, "--collection", collection, "--user", USER, "--key", password]


def every_object(medallion: MedallionPeer, collection: str) -> list[dict[str, Any]]:
    """The collection as medallion serves it, read with taxii2-client."""
    col = Collection(f"{medallion.api_root}collections/{collection}/", user=USER, password=PASSWORD)
    return [o for page in as_pages(col.get_objects, per_request=50) for o in page.get("objects", [])]


def test_push_then_pull_into_an_empty_store(medallion: MedallionPeer, ours: Path, tmp_path: Path) -> None:
    with Store.open(ours) as store:
        incident = own_incidents(store)[0]
    for collection, what in ((INCIDENT, f"incident:{incident.id}"), (LABELS, "labels")):  # the trace finds poisoning
        pushed = cli("share", "push", *peer_args(medallion, collection), "--db", str(ours), "--org", US,
                     "--for", PARTNER, "--what", what, "--format", "json")
        assert pushed.exit_code == 0, pushed.output
        report = json.loads(pushed.stdout)
        assert report["sent"] == report["succeeded"] > 0 and report["failed"] == 0
    with Store.open(ours) as store:  # after the push: tracing the incident found poisoning, claimed since
        partner_sees, we_see = audience(store, PARTNER), audience(store, US)
        expected_claims = {(c.claim.chain, c.claim.address, c.claim.label, c.claim.category, c.claim.actor,
                            c.claim.confidence, c.claim.source, c.claim.source_date, c.claim.tlp, c.claim.asserted_by)
                           for c in own_claims(store) if partner_sees(c.claim.tlp, c.owner_org)
                           and we_see(c.claim.tlp, c.owner_org)}
        expected_wallets = sorted((w.chain, w.address, t.asset, str(t.amount))
                                  for w in incident_wallets(store, incident) for t in w.tainted)
    assert expected_wallets and len(expected_claims) > 1
    served = json.dumps(every_object(medallion, LABELS) + every_object(medallion, INCIDENT))
    assert "our GREEN claim" in served
    for secret in SECRETS:  # RED and AMBER+STRICT of another org never leave; AMBER only within its group
        assert secret not in served

    theirs = tmp_path / "theirs.duckdb"
    with Store.open(theirs) as store:
        add_org(store, PARTNER, "Partner exchange", "exchange", "SG", None)
    for collection in (LABELS, INCIDENT):
        pulled = cli("share", "pull", *peer_args(medallion, collection), "--db", str(theirs), "--org", PARTNER,
                     "--format", "json")
        assert pulled.exit_code == 0, pulled.output
        assert json.loads(pulled.stdout)["skipped"] == []

    with Store.open(theirs) as store:
        claims = set(store._con.execute(f"SELECT {CLAIM_COLUMNS} FROM labels").fetchall())
        assert claims == expected_claims  # TLP and asserting organisation kept
        assert store._con.execute("SELECT DISTINCT owner_org FROM labels").fetchall() == [(PARTNER,)]
        wallets = store._con.execute(
            "SELECT chain, address, asset, tainted::VARCHAR FROM shared_exposure ORDER BY ALL").fetchall()
        assert wallets == expected_wallets  # base units, exactly
        green = next(c for c in claims if c[2] == "our GREEN claim")
        source = pulled_claim_sources(store, green[0], green[1])
        assert [(s["peer"], s["collection"], s["pulled_by"]) for s in source] == \
            [(f"{medallion.api_root}collections/{LABELS}/", LABELS, PARTNER)]
        assert source[0]["pulled_at"] and source[0]["producer"] == US
        before = store._con.execute("SELECT count(*), max(pulled_at) FROM shared_provenance").fetchone()

    again = cli("share", "pull", *peer_args(medallion, LABELS), "--db", str(theirs), "--org", PARTNER,
                "--format", "json")
    assert again.exit_code == 0, again.output
    report = json.loads(again.stdout)
    assert (report["received"], report["claims"], report["wallets"]) == (0, 0, 0)  # after the cursor: nothing
    with Store.open(theirs) as store:
        assert store._con.execute("SELECT count(*), max(pulled_at) FROM shared_provenance").fetchone() == before
    # our extension-definitions (their `version` is their `modified`) did not break medallion's reads
    assert any(o["type"] == "extension-definition" for o in every_object(medallion, LABELS))


def test_an_object_whose_version_medallion_cannot_read_is_not_forwarded(medallion: MedallionPeer) -> None:
    extension = {"type": "extension-definition", "spec_version": "2.1",  # OASIS's TLP 2.0 extension, as published
                 "id": "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d",
                 "created": "2022-10-01T00:00:00.000Z", "modified": "2022-10-01T00:00:00.000Z",
                 "created_by_ref": "identity--b3bca3c2-1f3d-4b54-b44f-dac42c3a8f01", "name": "TLP 2.0",
                 "schema": "https://github.com/oasis-open/cti-stix-common-objects", "version": "1.0.0",
                 "extension_types": ["property-extension"]}
    wallet = {"type": "cryptocurrency-wallet", "spec_version": "2.1",
              "id": "cryptocurrency-wallet--4e2a5bd4-9a19-4d3e-8c55-4c3c1f1e7b11", "value": "0x" + "ab" * 20}
    result = push_objects(Peer(medallion.api_root, SPARE, PASSWORD, USER), [extension, wallet])
    assert (result.sent, result.succeeded, result.failed) == (1, 1, 0)
    assert len(result.skipped) == 1 and "1.0.0" in result.skipped[0] and extension["id"] in result.skipped[0]
    assert [o["id"] for o in every_object(medallion, SPARE)] == [wallet["id"]]  # still answers, no 500


class NotTaxii(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture
def web_page(tmp_path: Path) -> Iterator[str]:
    """A plain web server answering an HTML page where a collection should be."""
    page = tmp_path / "site" / "api" / "collections" / "c1"
    page.mkdir(parents=True)
    (page / "index.html").write_text("<html><body>Welcome</body></html>")
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), lambda *a: NotTaxii(*a, directory=str(tmp_path / "site")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api/"
    server.shutdown()
    server.server_close()


def test_clear_one_line_errors(medallion: MedallionPeer, tmp_path: Path, web_page: str) -> None:
    db = tmp_path / "s.duckdb"
    with Store.open(db) as store:
        add_org(store, PARTNER, "Partner exchange", "exchange", "SG", None)
    cases = [
        ([f"http://127.0.0.1:{free_port()}/hp/", "--collection", LABELS, "--user", USER, "--key", PASSWORD],
         "unreachable (Connection refused)"),
        (peer_args(medallion, LABELS, password="wrong"), "401: the server refused the credentials (Basic, user"),
        ([medallion.api_root, "--collection", "no-such-collection", "--user", USER, "--key", PASSWORD], "404"),
        ([web_page, "--collection", "c1", "--key", "k"], "not a TAXII 2.1 answer"),
        (["ftp://example.org/", "--collection", LABELS, "--key", "k"], "want the partner's API root"),
    ]
    for args, message in cases:
        result = cli("share", "pull", *args, "--db", str(db), "--org", PARTNER)
        assert result.exit_code == 1, (args, result.output)
        assert message in result.output and "Traceback" not in result.output, result.output
        assert result.output.strip().count("\n") <= 2, result.output  # one line (folded at most)
    with Store.open(db) as store:
        assert store._con.execute("SELECT count(*) FROM labels").fetchone() == (0,)


def test_serve_pulls_on_schedule_and_screening_learns_it(medallion: MedallionPeer, tmp_path: Path) -> None:
    address = "0x" + "5a" * 20
    objects = [{"type": "indicator", "spec_version": "2.1", "id": "indicator--0b4c3a1e-8d6f-4f63-9a5e-3f2b4c5d6e7f",
                "created": "2025-02-26T00:00:00.000Z", "modified": "2025-02-26T00:00:00.000Z",
                "name": "partner's scam collector", "pattern_type": "stix", "valid_from": "2025-02-26T00:00:00Z",
                "pattern": wallet_pattern("ethereum", address), "confidence": 80,
                "object_marking_refs": [TLP_MARKINGS["GREEN"]]}]
    assert push_objects(Peer(medallion.api_root, SCHEDULED, PASSWORD, USER), objects).succeeded == 1
    db = tmp_path / "s.duckdb"
    with Store.open(db) as store:
        add_org(store, PARTNER, "Partner exchange", "exchange", "SG", None)
        key = create_key(store, PARTNER, ["screen"], 30)[1]
    port = free_port()
    server = start_serve(db, port, key, "--share-pull", f"http://127.0.0.1:{free_port()}/hp/#{SCHEDULED}",
                         "--share-pull", f"{medallion.api_root}#{SCHEDULED}", "--share-pull-org", PARTNER,
                         "--share-pull-user", USER, "--share-pull-key", PASSWORD, "--share-pull-seconds", "1")
    try:
        deadline, body = time.monotonic() + 30, {}
        while not body.get("direct") and time.monotonic() < deadline:
            time.sleep(0.2)
            body = httpx.get(f"http://127.0.0.1:{port}/v1/screen/ethereum/{address}",
                             headers={"X-API-Key": key}).json()
        # pulled and imported by the running server, its index swapped; the unreachable peer only logged
        assert [c["label"] for c in body["direct"]] == ["partner's scam collector"]
        assert server.poll() is None
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_pull_from_our_own_server_with_bearer_and_small_pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same client against hotpursuit's TAXII server: Bearer key, its stateless `next` over pages of 3."""
    import hotpursuit.share.taxii_client as taxii_client

    monkeypatch.setattr(taxii_client, "PAGE_SIZE", 3)
    with Store.open(tmp_path / "ours.duckdb") as store:
        add_org(store, US, "KR NIS", "agency", "KR", "g1")
        add_org(store, PARTNER, "Partner exchange", "exchange", "SG", None)
        for n in range(7):
            add_claim(store, "test", LabelClaim("ethereum", "0x" + f"{n + 1:02x}" * 20, f"claim {n}", "theft", None,
                                                90, "task force", None, "RED" if n == 6 else "GREEN", US))
        key = create_key(store, PARTNER, ["read"], 30)[1]
    port = free_port()
    server = start_serve(tmp_path / "ours.duckdb", port, key, "--rate-per-key", "1000")
    try:
        root = f"http://127.0.0.1:{port}/taxii2/hotpursuit/"
        collections = httpx.get(f"{root}collections/", headers={"Authorization": f"Bearer {key}", "Accept":
                                "application/taxii+json;version=2.1"}).json()["collections"]
        labels = next(c["id"] for c in collections if c["title"] == "labels")
        with Store.open(tmp_path / "theirs.duckdb") as store:
            add_org(store, PARTNER, "Partner exchange", "exchange", "SG", None)
            first = pull(store, Peer(root, labels, key), PARTNER)
            again = pull(store, Peer(root, labels, key), PARTNER)
            rows = store._con.execute("SELECT label, tlp FROM labels ORDER BY label").fetchall()
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert first.counts.claims == 6 and first.received > 6  # every page, the RED claim never served
    assert rows == [(f"claim {n}", "GREEN") for n in range(6)]
    assert (again.received, again.counts.claims, again.cursor) == (0, 0, first.cursor)
