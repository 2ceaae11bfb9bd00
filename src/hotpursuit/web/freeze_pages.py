"""The freeze requests pages: the requests the caller may see (the API's visibility function: those
addressed to it, and those of incidents it may see), each with its delivery through the outbox, its
answer and the response time; one request with its signed payload and deliveries; and the addressed
organisation's answer form, recorded by the function the API's answer route calls. A request the
caller may not see is answered exactly like one that does not exist."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from hotpursuit.api.deps import State, has_scope
from hotpursuit.api.freeze_answers import answer_freeze_request
from hotpursuit.api.state import ApiState
from hotpursuit.api.visibility import visible_freeze_requests, visible_incidents
from hotpursuit.chains.readable import human, parse_units, utc
from hotpursuit.errors import HotpursuitError, InvalidInput, NotFound
from hotpursuit.store.asset_units import AssetReader
from hotpursuit.store.interdiction_tables import ANSWERS, request_messages
from hotpursuit.web.pages import HEADERS, Signed, page, signed_in, to_login, ui_text
from hotpursuit.web.sessions import csrf_holds

router = APIRouter(include_in_schema=False)
BASE_UNITS = re.compile(r"[0-9]{1,78}")
AMOUNT_CHARS = 100  # what an amount field may hold (beyond it, no integer conversion is attempted)
REASON_CHARS = 1000  # as the API's answer body


def _moment(text: object) -> dt.datetime | None:
    """A stored timestamp (naive UTC, as the store writes it) from its text form."""
    return None if text is None else dt.datetime.fromisoformat(str(text))


def response_seconds(created: dt.datetime | None, answered: dt.datetime | None) -> float | None:
    """How long the answer took (answered − created), in seconds; None while unanswered."""
    if created is None or answered is None:
        return None
    return max(0.0, (answered - created).total_seconds())


def is_party(row: dict[str, Any], org_id: str) -> bool:
    """Whether the organisation asked for this request or is asked by it: only they read its delivery
    errors (an exchange's webhook failures are its own business, not every partner's on the incident)."""
    return org_id in (row.get("org"), row.get("requested_by"))


def readable_request(row: dict[str, Any], reader: AssetReader, org_id: str) -> dict[str, Any]:
    """A stored request as the pages show it to organisation `org_id`: amounts in the asset's units (base
    units kept beside them), times in UTC, the delivery (its errors to the parties only), the answer and
    the response time."""
    units = reader.units(str(row["chain"]), str(row["asset"]))
    created, answered = _moment(row["created_at"]), _moment(row["answered_at"])
    frozen = row["amount_frozen"]
    delivery = row["delivery"]
    return {**row, "amount_shown": human(int(row["amount"]), units, str(row["asset"])),
            "decimals": None if units is None else units.decimals,
            "symbol": None if units is None else units.symbol,
            "created": utc(created), "answered": utc(answered), "deadline_shown": utc(_moment(row["deadline"])),
            "answered_by": row["org"] if answered is not None else None,
            "frozen_shown": None if frozen is None else human(int(frozen), units, str(row["asset"])),
            "response_seconds": response_seconds(created, answered),
            "delivered": utc(_moment(delivery["delivered_at"])),
            "delivery_status": delivery["status"], "attempts": delivery["attempts"] or 0,
            "last_error": delivery["last_error"] if is_party(row, org_id) else None}


def _signed(request: Request, state: ApiState) -> Signed | Response:
    found = signed_in(request, state)
    return to_login() if found is None else found


def _missing(request: Request, signed: Signed) -> Response:
    """The answer about a request the caller may not see, the same as about one that does not exist."""
    session, who = signed
    return page(request, "freeze_request.html", status=404, title=ui_text(request)("Freeze request"),
                who=who, csrf=session.csrf,
                item=None)


@router.get("/ui/freeze-requests")
async def freeze_requests_page(request: Request, state: State) -> Response:
    found = _signed(request, state)
    if isinstance(found, Response):
        return found
    session, who = found
    if not has_scope(who, "read"):
        return page(request, "freeze_requests.html", status=403, title=ui_text(request)("Freeze requests"), who=who,
                    csrf=session.csrf, requests=[], allowed=False)
    rows = visible_freeze_requests(state, who)
    if rows:
        state.audit.append(who.org_id, "read-freeze-requests", f"{len(rows)} requests")
    reader = AssetReader(state.store)
    readable = {i.id for i in visible_incidents(state, who)}
    shown = [{**readable_request(r, reader, who.org_id), "incident_link": r["incident"] in readable}
             for r in reversed(rows)]
    return page(request, "freeze_requests.html", title=ui_text(request)("Freeze requests"), who=who, csrf=session.csrf,
                requests=shown, allowed=True)


def _payload(body: str, chain: str, reader: AssetReader) -> tuple[list[tuple[str, str]], list[dict[str, str]]]:
    """The signed body's fields (nested ones as `block.number`; amounts in the asset's units with the base
    units) and its evidence hops."""
    try:
        data = json.loads(body)
    except ValueError:
        return [], []
    if not isinstance(data, dict):
        return [], []
    fields: list[tuple[str, str]] = []

    def flatten(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key in sorted(value):
                flatten(f"{prefix}.{key}" if prefix else str(key), value[key])
        elif prefix in ("amount", "tainted_total") and isinstance(value, str) and value.isdigit():
            shown = human(int(value), reader.units(chain, str(data.get("asset", ""))), str(data.get("asset", "")))
            fields.append((prefix, f"{shown} ({int(value):,} base units)"))
        else:
            fields.append((prefix, "" if value is None else str(value)))

    flatten("", {k: v for k, v in data.items() if k not in ("evidence", "answer")})
    hops = []
    for hop in data.get("evidence") or []:
        if isinstance(hop, dict):
            asset, tainted = str(hop.get("asset", "")), str(hop.get("tainted", ""))
            hops.append({"tx": str(hop.get("tx", "")), "from": str(hop.get("from", "")), "to": str(hop.get("to", "")),
                         "tainted": human(int(tainted), reader.units(chain, asset), asset) if tainted.isdigit()
                         else tainted, "tainted_raw": tainted})
    return fields, hops


def _detail(request: Request, state: ApiState, signed: Signed, request_id: str, status: int = 200,
            **values: object) -> Response:
    """One request's page, if the caller may see it; else the page about no such request."""
    session, who = signed
    if not has_scope(who, "read"):
        return page(request, "freeze_request.html", status=403, title=ui_text(request)("Freeze request"), who=who,
                    csrf=session.csrf, item=None, allowed=False)
    row = next((r for r in visible_freeze_requests(state, who) if r["id"] == request_id), None)
    if row is None:
        return _missing(request, signed)
    state.audit.append(who.org_id, "read-freeze-request", request_id)
    reader = AssetReader(state.store)
    item = {**readable_request(row, reader, who.org_id),
            "incident_link": any(i.id == row["incident"] for i in visible_incidents(state, who))}
    messages = [{"id": m.id, "kind": m.kind, "status": m.status, "attempts": m.attempts,
                 "next_attempt": utc(m.next_attempt_at),
                 "last_error": m.last_error if is_party(row, who.org_id) else None, "created": utc(m.created_at),
                 "delivered": utc(m.delivered_at), "body": m.body} for m in request_messages(state.store, request_id)]
    signed_body = next((m["body"] for m in messages if m["kind"] == "freeze_request"), "")
    fields, hops = _payload(str(signed_body), str(row["chain"]), reader)
    may_answer = row["org"] == who.org_id and has_scope(who, "write") and row["status"] != "retracted"
    title = ui_text(request)("Freeze request %(id)s", id=request_id)
    return page(request, "freeze_request.html", status=status, title=title, who=who, csrf=session.csrf, item=item,
                messages=messages, fields=fields, hops=hops, body=signed_body,
                may_answer=may_answer, answers=ANSWERS, **values)


@router.get("/ui/freeze-requests/{request_id}")
async def freeze_request_page(request_id: str, request: Request, state: State) -> Response:
    found = _signed(request, state)
    if isinstance(found, Response):
        return found
    return _detail(request, state, found, request_id)


def amount_frozen(status: str, text: str, unit: str, requested: int, decimals: int | None) -> int:
    """The amount an answer freezes, in base units, from the form: written in base units (`unit` "base")
    or in the asset's units (converted exactly with its decimals). Left empty: all that was requested
    when frozen, nothing when refused. InvalidInput naming the field otherwise."""
    written = text.strip()
    if not written:
        if status == "accepted":
            return requested
        if status == "declined":
            return 0
        raise InvalidInput("amount_frozen: a partial freeze says how much was frozen")
    if len(written) > AMOUNT_CHARS:
        raise InvalidInput(f"amount_frozen: more than {AMOUNT_CHARS} characters")
    if unit == "base":
        if not BASE_UNITS.fullmatch(written):
            raise InvalidInput(f"amount_frozen: {written!r} is not a whole number of base units")
        return int(written)
    if decimals is None:
        raise InvalidInput("amount_frozen: the asset's decimals are unknown; give the amount in base units")
    return parse_units(written, decimals, field="amount_frozen")


@router.post("/ui/freeze-requests/{request_id}/answer")
async def answer(request_id: str, request: Request, state: State,
                 status: Annotated[str, Form(max_length=40)] = "",
                 amount: Annotated[str, Form(max_length=4000)] = "",
                 unit: Annotated[str, Form(max_length=40)] = "asset",
                 reason: Annotated[str, Form(max_length=20000)] = "",
                 csrf: Annotated[str | None, Form(max_length=100)] = None) -> Response:
    """The addressed organisation's answer: frozen (all or the amount given), partially frozen (the amount
    given) or refused (with a reason), through the API's own answer function and checks."""
    found = _signed(request, state)
    if isinstance(found, Response):
        return found
    session, who = found
    if not csrf_holds(session, csrf):
        return _detail(request, state, found, request_id, status=403, error="csrf")
    if not has_scope(who, "write"):
        return _detail(request, state, found, request_id, status=403, error="scope")
    row = next((r for r in visible_freeze_requests(state, who) if r["id"] == request_id), None)
    if row is None:
        return _missing(request, found)
    if row["org"] != who.org_id:
        return _detail(request, state, found, request_id, status=403, error="not-addressed")
    units = AssetReader(state.store).units(str(row["chain"]), str(row["asset"]))
    try:
        if status not in ANSWERS:
            raise InvalidInput(f"status: {status[:40]!r} is not one of {', '.join(ANSWERS)}")
        if len(reason) > REASON_CHARS:
            raise InvalidInput(f"reason: more than {REASON_CHARS} characters")
        frozen = amount_frozen(status, amount, unit, int(row["amount"]), None if units is None else units.decimals)
        answer_freeze_request(state, who, request_id, status, frozen, reason.strip() or None)
    except NotFound:
        return _missing(request, found)
    except HotpursuitError as exc:
        return _detail(request, state, found, request_id, status=400, error="invalid", message=str(exc),
                       chosen=status, amount=amount[:AMOUNT_CHARS], unit=unit, reason=reason[:REASON_CHARS])
    return RedirectResponse(f"/ui/freeze-requests/{quote(request_id)}", status_code=303, headers=HEADERS)
