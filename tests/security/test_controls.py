"""Controls are proven, never first-come: an outsider cannot make itself the freezer of an address it does
not hold (the attack that retracted a real exchange's requests and collected requests for incidents it
may not see)."""

from __future__ import annotations

from eth_account import Account
from eth_account.messages import encode_defunct

from hotpursuit.store.interdiction_tables import add_control, load_controls
from tests.security.conftest import Server


def _sign(key: bytes, text: str) -> str:
    return "0x" + Account.sign_message(encode_defunct(text=text), key).signature.hex().removeprefix("0x")


def test_a_claimed_control_receives_nothing_until_the_address_signs(server: Server) -> None:
    wallet = Account.create()
    address = wallet.address.lower()
    with server.client("exchange") as exchange:
        claim = exchange.post("/v1/orgs/me/controls", json={"chain": "ethereum", "address": wallet.address,
                                                            "kind": "hot_wallet"})
        assert claim.status_code == 201, claim.text
        body = claim.json()
        assert body["status"] == "pending" and f"address: {address}" in body["challenge"]
        assert "organisation: ex-hanbit" in body["challenge"]
        assert load_controls(server.store, "ethereum") == ({}, {})  # pending: no requests, no retractions

        other = Account.create()
        forged = exchange.post("/v1/orgs/me/controls/proof", json={
            "chain": "ethereum", "address": address, "signature": _sign(other.key, body["challenge"])})
        assert forged.status_code == 400 and forged.json()["error"]["field"] == "signature"
        garbage = exchange.post("/v1/orgs/me/controls/proof", json={
            "chain": "ethereum", "address": address, "signature": "0x" + "ab" * 70})
        assert garbage.status_code == 400
        assert load_controls(server.store, "ethereum") == ({}, {})

        proven = exchange.post("/v1/orgs/me/controls/proof", json={
            "chain": "ethereum", "address": address, "signature": _sign(wallet.key, body["challenge"])})
        assert proven.status_code == 200, proven.text
        assert proven.json()["status"] == "verified" and proven.json()["verified_by"] == "signature"
        controlled, _ = load_controls(server.store, "ethereum")
        assert controlled[address].org_id == "ex-hanbit"
        listed = exchange.get("/v1/orgs/me/controls").json()["controls"]
        assert [(c["address"], c["status"], c["challenge"]) for c in listed] == [(address, "verified", None)]


def test_an_outsider_cannot_take_over_a_verified_address(server: Server) -> None:
    """The outsider claims the exchange's hot wallet (and the thief's last hop): its claims stay pending,
    the exchange keeps receiving, and only a server-admin can decide, with the reason kept."""
    hot, thief_hop = "0x" + "ab" * 20, "0x" + "cd" * 20
    add_control(server.store, "ex-hanbit", "ethereum", hot, "hot_wallet")
    with server.client("outsider") as outsider, server.client("operator") as operator:
        for address in (hot, thief_hop):
            claim = outsider.post("/v1/orgs/me/controls", json={"chain": "ethereum", "address": address,
                                                                "kind": "hot_wallet"})
            assert claim.status_code == 201 and claim.json()["status"] == "pending"
        controlled, _ = load_controls(server.store, "ethereum")
        assert {a: c.org_id for a, c in controlled.items()} == {hot: "ex-hanbit"}
        # the outsider has no key of those addresses: no proof, so nothing changes
        refused = outsider.post("/v1/orgs/me/controls/proof", json={
            "chain": "ethereum", "address": thief_hop, "signature": _sign(Account.create().key, "anything")})
        assert refused.status_code == 400

        assert outsider.get("/v1/admin/controls").status_code == 403  # an org-admin is no server-admin
        waiting = operator.get("/v1/admin/controls").json()["controls"]
        assert sorted((c["org"], c["address"]) for c in waiting) == [("ex-outsider", hot), ("ex-outsider", thief_hop)]
        rejected = operator.post("/v1/admin/controls/review", json={
            "org": "ex-outsider", "chain": "ethereum", "address": thief_hop, "decision": "reject",
            "reason": "the address is the thief's, per the NIS trace"})
        assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
        assert rejected.json()["evidence"] == "the address is the thief's, per the NIS trace"
        again = operator.post("/v1/admin/controls/review", json={
            "org": "ex-outsider", "chain": "ethereum", "address": thief_hop, "decision": "approve",
            "reason": "changed my mind"})
        assert again.status_code == 404  # no pending claim any more
    controlled, _ = load_controls(server.store, "ethereum")
    assert {a: c.org_id for a, c in controlled.items()} == {hot: "ex-hanbit"}


def test_a_server_admin_approves_what_cannot_sign_with_the_reason_kept(server: Server) -> None:
    token = "0x" + "de" * 20
    with server.client("exchange") as exchange, server.client("operator") as operator:
        exchange.post("/v1/orgs/me/controls", json={"chain": "ethereum", "address": token, "kind": "token"})
        approved = operator.post("/v1/admin/controls/review", json={
            "org": "ex-hanbit", "chain": "ethereum", "address": token, "decision": "approve",
            "reason": "issuer's blacklister role confirmed on-chain by the operator"})
        assert approved.status_code == 200, approved.text
        assert approved.json()["verified_by"] == "server-admin:server-op"
    _, issued = load_controls(server.store, "ethereum")
    assert issued[token].org_id == "ex-hanbit"
