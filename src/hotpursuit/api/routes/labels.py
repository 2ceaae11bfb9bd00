"""Labels: the claims about an address the caller may see (with provenance), and asserting one."""

from __future__ import annotations

from fastapi import APIRouter

from hotpursuit.api.deps import Reader, State, Writer
from hotpursuit.api.inputs import address_of
from hotpursuit.api.models.common import AddressPath, ChainPath
from hotpursuit.api.models.errors import ERRORS
from hotpursuit.api.models.labels import LabelIn, LabelsOut, LabelStored
from hotpursuit.api.visibility import visible_claims
from hotpursuit.attribution.labels import LabelClaim
from hotpursuit.errors import Forbidden
from hotpursuit.jobs.trace_setup import SERVICE_KINDS
from hotpursuit.screening.index import IndexedClaim
from hotpursuit.store.label_tables import add_claim
from hotpursuit.store.org_tables import scores_hidden

router = APIRouter(tags=["labels"])
AUTHORITY_CATEGORIES = frozenset({"sanctioned", "dprk"})  # who may assert what: only the authorities


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
    """Assert a claim as the caller's organisation; it is screened from now on. Sanctions and DPRK
    attributions come from agencies only; a claim by an exchange or issuer counts with its confidence and
    never scores 100 alone."""
    if body.category in AUTHORITY_CATEGORIES and who.kind != "agency":
        raise Forbidden(f"category: {body.category} claims come from the authorities (agencies and the official "
                        f"lists); {who.org_id} is an organisation of kind {who.kind}")
    normalized = address_of(state, body.chain, body.address)
    claim = LabelClaim(body.chain, normalized, body.label, body.category, body.actor, body.confidence,
                       body.source, body.source_date, body.tlp.value, who.org_id)
    add_claim(state.store, f"api:{who.org_id}", claim)
    state.index.add(body.chain, normalized, IndexedClaim(
        claim.label, claim.category, claim.actor, claim.confidence, claim.source, claim.tlp, who.org_id,
        who.sharing_group, None, scores_hidden(state.store, who.org_id), who.kind == "agency"))
    state.audit.append(who.org_id, "write-label", f"{body.chain}:{normalized} {claim.category} {claim.tlp}")
    if claim.category in SERVICE_KINDS:  # a new endpoint for the live traces
        state.watch_changed()
    return LabelStored(chain=body.chain, address=normalized, stored=True)
