"""Annotations: notes and tags on an incident, an address or a transaction, written by an organisation
under a TLP level; read by whom that level allows, withdrawn by their author's organisation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from hotpursuit.api.annotation_changes import annotate, subject_of, withdraw
from hotpursuit.api.deps import Reader, State, Writer
from hotpursuit.api.models.annotations import (
    AnnotationIn,
    AnnotationOut,
    AnnotationsOut,
    AnnotationWithdrawn,
    SubjectIn,
    SubjectKind,
    annotation_out,
)
from hotpursuit.api.models.errors import NOT_FOUND
from hotpursuit.api.pagination import page
from hotpursuit.api.visibility import visible_annotations
from hotpursuit.attribution.annotations import MAX_CHAIN

router = APIRouter(tags=["annotations"])
Limit = Annotated[int, Query(ge=1, le=500)]
Cursor = Annotated[str | None, Query(max_length=400)]
ChainQuery = Annotated[str | None, Query(min_length=1, max_length=MAX_CHAIN, examples=["ethereum"],
                                         description="the address's or tx's chain (an incident's is its own)")]


@router.get("/v1/annotations", response_model=AnnotationsOut, responses=NOT_FOUND)
async def annotations_of(subject_kind: Annotated[SubjectKind, Query()], subject: Annotated[SubjectIn, Query()],
                         who: Reader, state: State, chain: ChainQuery = None, limit: Limit = 100,
                         cursor: Cursor = None) -> AnnotationsOut:
    """The notes on one subject the caller may see, oldest first: each by its TLP and its author's
    organisation; an incident's only if the caller may see the incident (404 otherwise, as for none)."""
    kind, stored_chain, stored = subject_of(state, who, subject_kind, chain, subject)
    shown = visible_annotations(state, who, kind, stored_chain, stored)
    chosen, after = page(shown, lambda a: a.id, limit=limit, cursor=cursor)
    if any(a.tlp != "CLEAR" for a in chosen):
        state.audit.append(who.org_id, "read-annotations", f"{kind} {stored_chain}:{stored}")
    return AnnotationsOut(subject_kind=subject_kind, chain=stored_chain, subject=stored,
                          annotations=[annotation_out(a) for a in chosen], next=after)


@router.post("/v1/annotations", status_code=201, response_model=AnnotationOut, responses=NOT_FOUND)
async def annotate_subject(body: AnnotationIn, who: Writer, state: State) -> AnnotationOut:
    """Write a note as the caller's organisation, its key as the author, marked with a TLP level (AMBER
    unless given); audited. On an incident, only one the caller may see."""
    return annotation_out(annotate(state, who, body.subject_kind, body.chain, body.subject, body.note, body.tags,
                                   body.tlp.value))


@router.delete("/v1/annotations/{annotation_id}", response_model=AnnotationWithdrawn, responses=NOT_FOUND)
async def annotation_withdraw(annotation_id: str, who: Writer, state: State) -> AnnotationWithdrawn:
    """Withdraw one of the caller's organisation's notes (audited; the store keeps it, with when and by
    whom). Another organisation's note is answered as one that does not exist."""
    return AnnotationWithdrawn(id=withdraw(state, who, annotation_id).id, withdrawn=True)
