"""The audit log's signed checkpoints, for partners to keep: a log later cut short or rewritten no
longer matches them (`hotpursuit audit verify --checkpoint FILE`)."""

from __future__ import annotations

from fastapi import APIRouter, Query

from hotpursuit.api.deps import Reader, State
from hotpursuit.api.models.audit import CheckpointOut, CheckpointsOut
from hotpursuit.api.models.errors import ERRORS
from hotpursuit.store.audit_tables import checkpoints

router = APIRouter(tags=["audit"])


@router.get("/v1/audit/checkpoints", response_model=CheckpointsOut, responses=ERRORS)
async def audit_checkpoints(who: Reader, state: State,
                            after: int = Query(0, ge=0, le=2**62, description="only checkpoints of later entries"),
                            ) -> CheckpointsOut:
    """The server's signed checkpoints of its audit log (sequence number and hash of the head), oldest
    first. Keep them: `hotpursuit audit verify --checkpoint FILE` then proves the log still holds them."""
    kept = checkpoints(state.store, after)
    return CheckpointsOut(server_key=state.audit.server_key(),
                          checkpoints=[CheckpointOut.model_validate(c.to_json()) for c in kept])
