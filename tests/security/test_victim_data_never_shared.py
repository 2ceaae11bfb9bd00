"""Victims' personal data never leaves the organisation that took their reports: with reports at every TLP
level and the scam case built from them shared GREEN, every TAXII collection every organisation can read
and every MISP event of the feed carry the case (the walk finds it) and none of the victims' names,
contacts or words. (The API's routes are walked by test_route_matrix, the UI's pages by test_report_pages.)"""

from __future__ import annotations

import httpx

from tests.security.conftest import Server

VICTIMS = tuple(f"0xc{i}" + f"{i:02x}" * 19 for i in range(1, 6))
DEPOSIT, COLLECTOR = "0x" + "d1" * 20, "0x" + "d2" * 20
PAYMENTS = tuple(f"0x{i:02x}" + "e1" * 31 for i in range(1, 6))  # one payment per victim, one victim per level
SWEEP = "0x" + "e3" * 32
LEVELS = ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED")
ETH = 10**18
TAXII = {"Accept": "application/taxii+json;version=2.1"}


def _personal(level: str) -> tuple[str, str, str]:
    return f"Yoon Ha-neul {level}", f"010-5550-{LEVELS.index(level):04d}", f"counsellor Park promised {level} profit"


def _chain(server: Server) -> None:
    moves = [(i + 1, PAYMENTS[i], VICTIMS[i], DEPOSIT, (i + 1) * ETH) for i in range(5)]
    moves.append((6, SWEEP, DEPOSIT, COLLECTOR, 15 * ETH))
    for block, tx, sender, receiver, amount in moves:
        server.store.execute("""INSERT INTO transfers VALUES ('ethereum', ?, ?, 0, 0, 'native', NULL, NULL, ?, ?,
                                'ETH', ?::BIGNUM, 'test')""", [block, tx, sender, receiver, str(amount)])
        server.store.execute("INSERT INTO blocks VALUES ('ethereum', ?, ?, ?, ?, NULL, NULL, NULL, NULL, 1, 'test')",
                             [block, f"0x{block:064x}", f"0x{block - 1:064x}", 1_772_400_000 + 3_600 * block])


def _taxii_text(client: httpx.Client) -> str:
    collections = client.get("/taxii2/hotpursuit/collections/", headers=TAXII)
    assert collections.status_code == 200, collections.text
    texts = [collections.text]
    for c in collections.json().get("collections", []):
        url = f"/taxii2/hotpursuit/collections/{c['id']}/objects/"
        params: dict[str, str] = {"limit": "1000"}
        while True:
            page = client.get(url, headers=TAXII, params=params)
            if page.status_code != 200:  # a collection it may list but not read
                break
            texts.append(page.text)
            body = page.json()
            if not body.get("more"):
                break
            params = {"limit": "1000", "next": body["next"]}
    return "\n".join(texts)


def _misp_text(client: httpx.Client) -> str:
    manifest = client.get("/misp/feed/manifest.json")
    assert manifest.status_code == 200, manifest.text
    return "\n".join([manifest.text, *(client.get(f"/misp/feed/{uuid}.json").text for uuid in manifest.json())])


def test_no_victims_data_reaches_taxii_or_misp_whoever_reads(server: Server) -> None:
    _chain(server)
    with server.client("agency") as agency:
        for i, level in enumerate(LEVELS):
            name, contact, words = _personal(level)
            taken = agency.post("/v1/reports", json={
                "reference": f"VR-{level}", "chain": "ethereum", "tx_hashes": [PAYMENTS[i]], "tlp": level,
                "text": words, "victim": {"name": name, "contact": contact}, "website": "hanbit-pro.exchange"})
            assert taken.status_code == 201, taken.text
        case = agency.post("/v1/cases", json={"name": "Hanbit Pro victims", "chain": "ethereum", "tlp": "GREEN"})
        assert case.status_code == 201, case.text
        assert case.json()["summary"]["payments_found"] == 5
        job = agency.post(f"/v1/incidents/{case.json()['id']}/traces", json={"save": True})
        assert job.status_code in (201, 202), job.text
    personal = [p for level in LEVELS for p in _personal(level)]
    for who in ("agency", "exchange", "outsider"):
        with server.client(who) as client:
            shared = _taxii_text(client) + _misp_text(client)
        assert "Hanbit Pro victims" in shared, who  # the walk reaches the case's incident
        leaked = [p for p in personal if p.lower() in shared.lower()]
        assert not leaked, (who, leaked)
