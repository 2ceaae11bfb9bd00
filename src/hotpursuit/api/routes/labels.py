"""Labels: the claims about an address the caller may see (with provenance), and asserting one."""

from __future__ import annotations

from fastapi import APIRouter

from hotpursuit.api.deps import Reader, State, Writer
from hotpursuit.api.inputs import address_of
from hotpursuit.api.models.common import AddressPath, ChainPath
from hotpursuit.api.models.errors import ERRORS, NOT_FOUND
from hotpursuit.api.models.labels import LabelIn, LabelsOut, LabelStored, LabelsWithdrawn, WithdrawIn
from hotpursuit.api.visibility import visible_claims
from hotpursuit.attribution.labels import AUTHORITY_CATEGORIES, LabelClaim
from hotpursuit.errors import Forbidden, NotFound
from hotpursuit.jobs.trace_setup import SERVICE_KINDS
from hotpursuit.screening.index import IndexedClaim
from hotpursuit.store.label_tables import add_claim, withdraw_claims
from hotpursuit.store.org_tables import scores_hidden
from hotpursuit.store.service_labels import cluster_members

router = APIRouter(tags=["labels"])


@router.get("/v1/labels/{chain}/{address}", response_model=LabelsOut, responses=ERRORS)
async def labels_of(chain: ChainPath, address: AddressPath, who: Reader, state: State) -> LabelsOut:
    """The claims about an address the caller may see, with provenance, and how many were withheld."""
    normalized = address_of(state, chain, address)
    shown, withheld = visible_claims(state, chain, normalized, who)
    if any(c.tlp != "CLEAR" for c in shown):
        state.audit.append(who.org_id, "read-labels", f"{chain}:{normalized}")
    return LabelsOut(chain=chain, address=normalized, claims=shown, withheld=withheld)


@router.post("/v1/labels", status_code=201, response_model=LabelStored, responses=ERRORS)
async def add_label(body: LabelIn, who: Writer, state: State) -> LabelStored:
    """Assert a claim as the caller's organisation; it is screened from now on, on the address and the
    other members of its cluster. Sanctions and DPRK attributions come from agencies only; a claim by an
    exchange or issuer counts with its confidence and never scores 100 alone."""
    if body.category in AUTHORITY_CATEGORIES and who.kind != "agency":
        raise Forbidden(f"category: {body.category} claims come from the authorities (agencies and the official "
                        f"lists); {who.org_id} is an organisation of kind {who.kind}")
    normalized = address_of(state, body.chain, body.address)
    claim = LabelClaim(body.chain, normalized, body.label, body.category, body.actor, body.confidence,
                       body.source, body.source_date, body.tlp.value, who.org_id)
    with state.audit.change(who.org_id, "write-label") as note:
        add_claim(state.store, f"api:{who.org_id}", claim)
        note.detail = f"{body.chain}:{normalized} {claim.category} {claim.tlp}"
    hidden = scores_hidden(state.store, who.org_id)
    members = cluster_members(state.store, body.chain, [normalized]).get(normalized, [])
    for address, via in [(normalized, None), *((m, normalized) for m in members)]:  # its cluster inherits it now
        state.index.add(body.chain, address, IndexedClaim(
            claim.label, claim.category, claim.actor, claim.confidence, claim.source, claim.tlp, who.org_id,
            who.sharing_group, via, hidden, who.kind == "agency"))
    if claim.category in SERVICE_KINDS:  # a new endpoint for the live traces
        state.watch_changed()
    return LabelStored(chain=body.chain, address=normalized, stored=True)


@router.post("/v1/labels/withdraw", response_model=LabelsWithdrawn, responses=NOT_FOUND)
async def withdraw_label(body: WithdrawIn, who: Writer, state: State) -> LabelsWithdrawn:
    """Withdraw the caller's own claims of a category (and label, if given) about an address: screening
    stops counting them at once (on the address and its cluster); they are kept in the store's history
    with when and by whom, and the withdrawal is audited."""
    normalized = address_of(state, body.chain, body.address)
    with state.audit.change(who.org_id, "withdraw-label") as note:
        count = withdraw_claims(state.store, who.org_id, body.chain, normalized, body.category, body.label)
        if not count:
            raise NotFound(f"address: {who.org_id} has no {body.category} claim about {body.chain}:{normalized}"
                           + (f" labelled {body.label!r}" if body.label else ""))
        note.detail = f"{body.chain}:{normalized} {body.category} ({count})"
    members = cluster_members(state.store, body.chain, [normalized]).get(normalized, [])

    def withdrawn(c: IndexedClaim) -> bool:
        return (c.owner_org == who.org_id and c.category == body.category
                and (body.label is None or c.label == body.label) and c.via in (None, normalized))

    state.index.remove_claims(body.chain, [normalized, *members], withdrawn)
    if body.category in SERVICE_KINDS:
        state.watch_changed()
    return LabelsWithdrawn(chain=body.chain, address=normalized, withdrawn=count)
