"""The addressed organisation's answer to a freeze request, as the API and the UI record it: checked by
the store (only the addressed organisation; accepted, partial or declined with a consistent amount in
base units; never a retracted request) and audited in the same transaction."""

from __future__ import annotations

from hotpursuit.api.state import ApiState
from hotpursuit.store.interdiction_tables import answer_request
from hotpursuit.store.org_tables import Caller


def answer_freeze_request(state: ApiState, who: Caller, request_id: str, status: str, amount_frozen: int,
                          reason: str | None) -> None:
    """Record the caller's answer (the latest answer counts). NotFound for a request not addressed to the
    caller (as for one that does not exist); InterdictionError for a bad status or amount."""
    with state.audit.change(who.org_id, "answer-freeze-request") as note:
        answer_request(state.store, request_id, who.org_id, status, amount_frozen, reason)
        note.detail = f"{request_id} {status} {amount_frozen}"
