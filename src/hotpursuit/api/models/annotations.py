"""Annotations: a note and tags an organisation writes on an incident, an address or a transaction, and
the notes a caller may see."""

from __future__ import annotations

from typing import Annotated, Literal, cast

from pydantic import BaseModel, Field, field_validator

from hotpursuit.api.models.common import TlpField
from hotpursuit.attribution.annotations import (
    MAX_CHAIN,
    MAX_NOTE,
    MAX_SUBJECT,
    MAX_TAGS,
    TAG_PATTERN,
    Annotation,
    check_tags,
)
from hotpursuit.errors import InvalidInput
from hotpursuit.security.tlp import Tlp

SubjectKind = Literal["incident", "address", "tx"]
SubjectIn = Annotated[str, Field(min_length=1, max_length=MAX_SUBJECT, description=(
    "an incident id; an address of the chain; or a tx hash (0x and 64 hex digits; a Bitcoin txid: 64 hex "
    "digits)"))]
Tag = Annotated[str, Field(max_length=40, description="a slug: " + TAG_PATTERN, examples=["cash-out"])]


class AnnotationIn(BaseModel):
    """A note the caller's organisation writes (its key is the author)."""

    subject_kind: SubjectKind
    chain: str | None = Field(default=None, min_length=1, max_length=MAX_CHAIN, examples=["ethereum"],
                              description="the address's or tx's chain (an incident's is its own)")
    subject: SubjectIn
    note: str = Field(min_length=1, max_length=MAX_NOTE)
    tags: list[Tag] = Field(default_factory=list, max_length=MAX_TAGS)
    tlp: TlpField = Tlp.AMBER

    @field_validator("tags")
    @classmethod
    def _slugs(cls, value: list[str]) -> list[str]:
        try:
            return list(check_tags(value))
        except InvalidInput as exc:
            raise ValueError(str(exc).removeprefix("tags: ")) from None


class AnnotationOut(BaseModel):
    """A note with who wrote it (organisation and key id), when (UTC) and its TLP."""

    id: str
    subject_kind: SubjectKind
    chain: str
    subject: str
    note: str
    tags: list[str]
    tlp: Tlp
    author_org: str
    author: str
    created_at: str = Field(description="UTC, ISO 8601")


class AnnotationsOut(BaseModel):
    """The notes on one subject the caller may see, oldest first; `next` is the cursor of the next page."""

    subject_kind: SubjectKind
    chain: str
    subject: str
    annotations: list[AnnotationOut]
    next: str | None


class AnnotationWithdrawn(BaseModel):
    """A note was withdrawn: no one reads it any more (the store keeps it, with when and by whom)."""

    id: str
    withdrawn: bool


def annotation_out(a: Annotation) -> AnnotationOut:
    """A stored note as the API shows it."""
    return AnnotationOut(id=a.id, subject_kind=cast(SubjectKind, a.subject_kind), chain=a.chain, subject=a.subject,
                         note=a.note, tags=list(a.tags), tlp=Tlp(a.tlp), author_org=a.author_org, author=a.author,
                         created_at=a.created_at.isoformat().replace("+00:00", "Z"))
