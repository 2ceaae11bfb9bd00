"""The audit log's signed checkpoints, as the API shows them."""

from __future__ import annotations

from pydantic import BaseModel, Field


class CheckpointOut(BaseModel):
    """The server's signed statement that its audit log's entry `seq` has hash `hash`."""

    type: str = Field(description="always hotpursuit-audit-checkpoint")
    server_key: str = Field(description="the server's Ed25519 public key, hex")
    seq: int
    hash: str
    signed_at: str = Field(description="UTC, ISO 8601")
    signature: str = Field(description="Ed25519 over the canonical JSON of the other fields, hex")


class CheckpointsOut(BaseModel):
    """The checkpoints past `after`, oldest first, and the key that signs them now."""

    server_key: str
    checkpoints: list[CheckpointOut]
