"""Controls are proven, never first-come: an outsider cannot make itself the freezer of an address it does
not hold (the attack that retracted a real exchange's requests and collected requests for incidents it
may not see)."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
from eth_account import Account
from eth_account.messages import encode_defunct

from hotpursuit.drill.devnet.anvil import AnvilNode
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


def test_a_token_is_proven_by_the_holder_of_its_role_on_chain(anvil: AnvilNode, tmp_path: Path) -> None:
    """A contract cannot sign: the signature must come from the address its own `owner()`,
    `blacklister()` or `issuer()` returns, read from the node (here the drill's stablecoin on anvil)."""
    from hotpursuit.api.app import create_app
    from hotpursuit.api.background import serve_in_thread
    from hotpursuit.drill.devnet.contracts import load_artifact
    from hotpursuit.ingest.rpc_client import JsonRpcClient
    from hotpursuit.store import Store
    from hotpursuit.store.org_tables import add_org, create_key

    issuer = Account.from_key(bytes.fromhex("4c" * 32))
    node = JsonRpcClient(anvil.url)
    node.call("anvil_setBalance", [issuer.address, hex(10**20)])
    sent = node.call("eth_sendTransaction", [{"from": issuer.address, "gas": hex(5_000_000), "data": load_artifact(
        "BlacklistableStablecoin").deploy_data("Tether USD", "USDT", 6)}])
    receipt = None
    for _ in range(200):  # anvil mines the deployment at once, and answers for it a moment later
        receipt = node.call("eth_getTransactionReceipt", [sent])
        if receipt is not None:
            break
        time.sleep(0.05)
    assert receipt is not None, "anvil never mined the deployment"
    token = str(receipt["contractAddress"]).lower()
    with Store.open(tmp_path / "t.duckdb") as store:
        add_org(store, "iss-tether", "Tether", "issuer", None, None)
        key = create_key(store, "iss-tether", ["org-admin"], 1)[1]
        for rpc, expected in ((None, "no node"), (anvil.url, "verified")):
            with serve_in_thread(create_app(store, rpc=rpc)) as base, \
                    httpx.Client(base_url=base, headers={"X-API-Key": key}) as issuer_org:
                claim = issuer_org.post("/v1/orgs/me/controls", json={"chain": "anvil", "address": token,
                                                                      "kind": "token"}).json()
                challenge = claim["challenge"]
                stranger = issuer_org.post("/v1/orgs/me/controls/proof", json={
                    "chain": "anvil", "address": token, "signature": _sign(Account.create().key, challenge)})
                assert stranger.status_code == 400, stranger.text
                proof = issuer_org.post("/v1/orgs/me/controls/proof", json={
                    "chain": "anvil", "address": token, "signature": _sign(issuer.key, challenge)})
                if expected == "no node":
                    assert proof.status_code == 400 and "no node" in proof.text and "server-admin" in proof.text
                    continue
                assert "issuer" in stranger.text and issuer.address.lower() in stranger.text
                assert proof.status_code == 200, proof.text
                done = proof.json()
                assert done["status"] == "verified" and done["verified_by"] == "signature of the token's issuer"
                assert issuer.address.lower() in done["evidence"]


BIP322_ADDRESS = "bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l"  # the BIP's test vectors
BIP322_HELLO = ("AkcwRAIgZRfIY3p7/DoVTty6YZbWS71bc5Vct9p9Fia83eRmw2QCICK/ENGfwLtptFluMGs2KsqoNSk89pO7F29zJLUx9a/s"
                "ASECx/EgAxlkQpQ9hYjgGu6EBCPMVPwVIVJqO4XCsMvViHI=")


def test_bip322_signatures_verify_as_the_bip_says() -> None:
    from embit import ec

    from hotpursuit.security.control_proof import bitcoin_message_signed_by
    from tests.security.bip322_signer import p2wpkh_address, sign_simple

    assert bitcoin_message_signed_by("Hello World", BIP322_HELLO, BIP322_ADDRESS)
    assert not bitcoin_message_signed_by("Hello World!", BIP322_HELLO, BIP322_ADDRESS)
    assert not bitcoin_message_signed_by("Hello World", BIP322_HELLO, "bc1ql3e9pgs3mmwuwrh95fecme0s0qtn2880lsvsd5")
    assert not bitcoin_message_signed_by("Hello World", "not base64!", BIP322_ADDRESS)
    key = ec.PrivateKey(bytes.fromhex("11" * 32))  # our signer agrees with the verifier
    assert bitcoin_message_signed_by("x", sign_simple(key, "x"), p2wpkh_address(key))


def test_a_segwit_address_proves_control_with_a_bip322_signature(server: Server) -> None:
    from embit import ec

    from tests.security.bip322_signer import p2wpkh_address, sign_simple

    wallet, other = ec.PrivateKey(bytes.fromhex("21" * 32)), ec.PrivateKey(bytes.fromhex("22" * 32))
    address = p2wpkh_address(wallet)
    with server.client("exchange") as exchange:
        claim = exchange.post("/v1/orgs/me/controls", json={"chain": "bitcoin", "address": address,
                                                            "kind": "hot_wallet"})
        assert claim.status_code == 201, claim.text
        challenge = claim.json()["challenge"]
        forged = exchange.post("/v1/orgs/me/controls/proof", json={
            "chain": "bitcoin", "address": address, "signature": sign_simple(other, challenge)})
        assert forged.status_code == 400 and forged.json()["error"]["field"] == "signature"
        proven = exchange.post("/v1/orgs/me/controls/proof", json={
            "chain": "bitcoin", "address": address, "signature": sign_simple(wallet, challenge)})
        assert proven.status_code == 200, proven.text
        assert proven.json()["status"] == "verified"
