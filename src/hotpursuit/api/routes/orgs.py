"""The caller organisation's own settings (scope org-admin): where it receives freeze requests
(webhook), and the addresses it operates and tokens it issues (where it will be asked to freeze).
A control is claimed, then proven by the address's signature over the claim's challenge (for a token
contract, by the signature of an address holding its owner, blacklister or issuer role, read from the
server's node); a server-admin reviews what cannot be signed and any claim on an address another
organisation holds."""

from __future__ import annotations

import asyncio
import socket

from fastapi import APIRouter

from hotpursuit.api.deps import OrgAdmin, State
from hotpursuit.api.inputs import address_of
from hotpursuit.api.models.errors import ERRORS, NOT_FOUND_OR_CONFLICT
from hotpursuit.api.models.orgs import ControlIn, ControlOut, ControlsOut, ProofIn, WebhookIn, WebhookOut
from hotpursuit.api.state import ApiState
from hotpursuit.chains.address_codec import EVM_CHAINS
from hotpursuit.errors import InvalidInput
from hotpursuit.ingest.evm_node_job import chain_name_for
from hotpursuit.ingest.token_roles import read_token_roles
from hotpursuit.security.control_proof import evm_signer, proves_control
from hotpursuit.security.webhook_targets import refused_address, webhook_host
from hotpursuit.store.control_tables import ControlClaim, claim_control, controls_of, mark_verified, pending_claim
from hotpursuit.store.interdiction_tables import set_webhook

router = APIRouter(tags=["organisations"])


@router.put("/v1/orgs/me/webhook", response_model=WebhookOut, responses=ERRORS)
async def webhook(body: WebhookIn, who: OrgAdmin, state: State) -> WebhookOut:
    """Set the caller's webhook; the answer holds the new shared secret, shown once. The URL must reach
    public addresses only, unless the server's operator allows a network."""
    host, port = webhook_host(body.url)
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise InvalidInput(f"url: host {host!r} does not resolve ({exc.strerror or exc})") from exc
    refused = refused_address([str(info[4][0]) for info in found], state.webhook_networks)
    if refused is not None:  # no webhook into the server's own network (SSRF)
        raise InvalidInput(f"url: {host} resolves to {refused}, which is not a public address; the server's "
                           "operator may allow a network (serve --allow-webhook-network)")
    with state.audit.change(who.org_id, "set-webhook") as note:
        secret = set_webhook(state.store, who.org_id, body.url)
        note.detail = body.url
    return WebhookOut(org=who.org_id, url=body.url, secret=secret)


def control_out(claim: ControlClaim) -> ControlOut:
    """A claim as the API shows it (the challenge only while pending)."""
    return ControlOut(org=claim.org_id, chain=claim.chain, address=claim.address, kind=claim.kind,
                      status=claim.status, challenge=claim.challenge if claim.status == "pending" else None,
                      verified_by=claim.verified_by, evidence=claim.evidence, added_at=claim.added_at,
                      verified_at=claim.verified_at)


@router.post("/v1/orgs/me/controls", status_code=201, response_model=ControlOut, responses=ERRORS)
async def control(body: ControlIn, who: OrgAdmin, state: State) -> ControlOut:
    """Claim an address the caller operates or a token it issues. The claim is pending (it receives
    nothing) until the address signs the returned challenge (`POST /v1/orgs/me/controls/proof`) or a
    server-admin approves it."""
    address = address_of(state, body.chain, body.address)
    with state.audit.change(who.org_id, "claim-control") as note:
        claim = claim_control(state.store, who.org_id, body.chain, address, body.kind)
        note.detail = f"{body.chain}:{address} {body.kind} {claim.status}"
    return control_out(claim)


@router.post("/v1/orgs/me/controls/proof", response_model=ControlOut, responses=NOT_FOUND_OR_CONFLICT)
async def prove(body: ProofIn, who: OrgAdmin, state: State) -> ControlOut:
    """Verify a pending claim with the address's signature over its challenge; from now on the address
    receives freeze requests. 409 if another organisation holds the address verified (a server-admin
    reviews it)."""
    address = address_of(state, body.chain, body.address)
    claim = pending_claim(state.store, who.org_id, body.chain, address)
    family = "evm" if body.chain in EVM_CHAINS or address.startswith("0x") else "bitcoin"
    signature = body.signature.strip()
    if claim.kind == "token" and family == "evm":
        verified_by, evidence = await _token_role_proof(state, claim, signature)
    elif claim.challenge is None or not proves_control(family, claim.challenge, address, signature):
        raise InvalidInput(f"signature: not a signature by {address} over this claim's challenge")
    else:
        verified_by, evidence = "signature", signature
    with state.audit.change(who.org_id, "verify-control") as note:
        done = mark_verified(state.store, claim, verified_by, evidence)
        note.detail = f"{body.chain}:{address} by {verified_by}"
    state.watch_changed()
    return control_out(done)


async def _token_role_proof(state: ApiState, claim: ControlClaim, signature: str) -> tuple[str, str]:
    """(verified_by, evidence) when the challenge's signer holds one of the token's roles on chain (a
    contract cannot sign); InvalidInput saying why not."""
    rpc = state.rpc
    if rpc is None:
        raise InvalidInput("signature: a token contract cannot sign, and this server has no node to read the "
                           "token's roles from (serve --rpc URL); a server-admin may approve the claim instead")
    if state.rpc_chain is None:
        state.rpc_chain = chain_name_for(int(await asyncio.to_thread(rpc.call, "eth_chainId", []), 16))
    if state.rpc_chain != claim.chain:
        raise InvalidInput(f"chain: the server's node serves {state.rpc_chain}, not {claim.chain}; a server-admin "
                           "may approve the claim instead")
    signer = evm_signer(claim.challenge or "", signature)
    roles = await asyncio.to_thread(read_token_roles, rpc, claim.address)
    for role, holder in roles.items():
        if signer == holder:
            return f"signature of the token's {role}", f"{signature} by {holder}, the token's {role}() on chain"
    found = ", ".join(f"{role} {holder}" for role, holder in roles.items()) or "none of owner(), blacklister(), " \
        "issuer() names an address"
    raise InvalidInput(f"signature: not by an address holding a role of token {claim.address} (on chain: {found})")


@router.get("/v1/orgs/me/controls", response_model=ControlsOut, responses=ERRORS)
async def my_controls(who: OrgAdmin, state: State) -> ControlsOut:
    """The caller's control claims, every status."""
    return ControlsOut(controls=[control_out(c) for c in controls_of(state.store, who.org_id)])
