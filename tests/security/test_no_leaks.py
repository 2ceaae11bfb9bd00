"""No leaks through traces: a trace of an incident is set up with the labels its owner may see (another
organisation's hidden claim never changes where it stops), and a reader who may see the incident but not
the claim that names an endpoint's owner gets the owner withheld (it was served in clear: 45 times)."""

from __future__ import annotations

import time
from typing import Any

from hotpursuit.attribution.labels import LabelClaim
from hotpursuit.store.label_tables import add_claim
from tests.security.conftest import Server

VICTIM, THIEF = "0x" + "a1" * 20, "0x" + "a2" * 20
OUTSIDER_SAYS, NIS_SAYS = "0x" + "a3" * 20, "0x" + "a4" * 20
THEFT, HOP_X, HOP_Y = ("0x" + c * 32 for c in ("b1", "b2", "b3"))
ETH = 10**18


def _scenario(server: Server) -> None:
    store = server.store
    for block, (tx, sender, receiver, amount) in enumerate(((THEFT, VICTIM, THIEF, 10 * ETH),
                                                            (HOP_X, THIEF, OUTSIDER_SAYS, 4 * ETH),
                                                            (HOP_Y, THIEF, NIS_SAYS, 6 * ETH)), start=1):
        store.execute("""INSERT INTO transfers VALUES ('ethereum', ?, ?, 0, 0, 'native', NULL, NULL, ?, ?, 'ETH',
                         ?::BIGNUM, 'test')""", [block, tx, sender, receiver, str(amount)])
    # the outsider's RED claim (it alone may see it) and the agency's own RED claim
    add_claim(store, "outsider-intel", LabelClaim("ethereum", OUTSIDER_SAYS, "Outsider's 'exchange'", "exchange",
                                                  "Outsider Exchange", 90, "outsider", None, "RED", "ex-outsider"))
    add_claim(store, "nis-intel", LabelClaim("ethereum", NIS_SAYS, "Garantex deposit (NIS source)", "exchange",
                                             "Garantex", 80, "NIS HUMINT 7", None, "RED", "kr-nis"))


def _trace(server: Server, incident: str) -> str:
    with server.client("agency") as agency:
        job = agency.post(f"/v1/incidents/{incident}/traces", json={})
        assert job.status_code == 202, job.text
        for _ in range(200):
            status = agency.get(f"/v1/traces/{job.json()['id']}").json()
            if status["status"] in ("done", "failed"):
                assert status["status"] == "done", status
                return str(job.json()["id"])
            time.sleep(0.05)
    raise AssertionError("the trace never finished")


def test_a_trace_uses_its_owner_s_view_and_readers_get_hidden_owners_withheld(server: Server) -> None:
    _scenario(server)
    with server.client("agency") as agency:
        opened = agency.post("/v1/incidents", json={"name": "poisoned case", "chain": "ethereum",
                                                    "sources": [THEFT], "tlp": "AMBER"})
        assert opened.status_code == 201, opened.text
    job = _trace(server, opened.json()["id"])
    with server.client("agency") as agency:
        own: dict[str, Any] = agency.get(f"/v1/traces/{job}/result").json()
    endpoints = {e["address"]: e for e in own["endpoints"]}
    # the outsider's hidden claim did not stop the agency's trace: its address is a holder, not an endpoint
    assert set(endpoints) == {NIS_SAYS}
    assert [(h["address"], h["tainted"]) for h in own["held"]] == [(OUTSIDER_SAYS, str(4 * ETH))]
    assert endpoints[NIS_SAYS]["owner"] == "Garantex"  # the owner reads its own claim
    with server.client("exchange") as partner:  # same sharing group: sees the AMBER incident, not the RED claim
        shared: dict[str, Any] = partner.get(f"/v1/traces/{job}/result").json()
    row = shared["endpoints"][0]
    assert (row["address"], row["tainted"], row["owner"], row["freezer"]) == (NIS_SAYS, str(6 * ETH), "withheld",
                                                                               "withheld")
    assert "Garantex" not in str(shared) and "Outsider" not in str(shared)
