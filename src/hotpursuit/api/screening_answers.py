"""Screening as the API and the UI both answer it: one address (audited when the answer reveals data that
is not TLP:CLEAR) and a batch of one chain (always audited). What is seen is decided by the caller's
organisation and sharing group, in the in-memory index."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from hotpursuit.api.inputs import address_of, known_chain
from hotpursuit.api.state import ApiState
from hotpursuit.chains.address_codec import parse_addresses
from hotpursuit.screening.index import Screening, Verdict, has_finding
from hotpursuit.store.org_tables import Caller


def screen_address(state: ApiState, who: Caller, chain: str, address: str) -> Screening:
    """The screening of one address as the caller may see it; UnknownChain or InvalidAddress (naming the
    field) for a bad chain or address."""
    normalized = address_of(state, chain, address)
    result = state.index.screen(chain, normalized, who.org_id, who.sharing_group)
    if any(c["tlp"] != "CLEAR" for c in result.direct) or result.indirect or \
            any(e["tlp"] != "CLEAR" for e in result.entities):
        state.audit.append(who.org_id, "screen", f"{chain}:{normalized}")
    return result


@dataclass(frozen=True)
class BatchScreening:
    """A batch of one chain: the valid addresses normalized (in order), those with a finding, and each
    invalid entry as (index in the batch, text, reason)."""

    chain: str
    screened: int
    valid: list[str]
    flagged: list[tuple[str, Verdict]]
    invalid: list[tuple[int, str, str]]


async def screen_addresses(state: ApiState, who: Caller, chain: str, texts: list[str]) -> BatchScreening:
    """Screen addresses of one chain at once; an invalid one is listed with its reason and does not fail
    the batch. UnknownChain for a chain nobody knows. The addresses are parsed in a worker thread (100,000
    Bech32 checksums take seconds): the server goes on answering everyone else meanwhile."""
    valid, bad = await asyncio.to_thread(parse_addresses, known_chain(state, chain), texts)
    verdicts = state.index.verdicts(chain, valid, who.org_id, who.sharing_group)
    state.audit.append(who.org_id, "screen-batch", f"{chain}: {len(texts)} addresses")
    return BatchScreening(chain, len(texts), valid, [(a, v) for a, v in verdicts if has_finding(v)], bad)
