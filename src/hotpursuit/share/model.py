"""What hotpursuit shares, as plain data: claims, incidents and the wallets an incident's loot reached. The
one shape the STIX and MISP mappings read from and write to, so each format is a mapping of the same facts.
Amounts are integers in base units, kept as decimal strings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hotpursuit.attribution.labels import LabelClaim


@dataclass(frozen=True, slots=True)
class Org:
    """An organisation as partners know it: its id in the sharing store, and its name."""

    id: str
    name: str
    kind: str | None = None
    country: str | None = None


@dataclass(frozen=True, slots=True)
class SharedClaim:
    """A label claim with what sharing adds: when it was made, and which organisation owns it (its TLP
    audience is counted from there)."""

    claim: LabelClaim
    created: dt.datetime
    owner_org: str | None


@dataclass(frozen=True, slots=True)
class TaintedAmount:
    """Tainted value of one asset an address received, in base units, and how people read it."""

    asset: str  # the native asset's symbol, or the token contract
    amount: int
    decimals: int | None
    symbol: str | None
    received: int | None = None  # everything the address received of the asset, when known


@dataclass(frozen=True, slots=True)
class SharedIncident:
    """An incident as it is shared."""

    id: str
    name: str
    chain: str
    status: str
    actor: str | None
    tlp: str
    owner_org: str | None
    victim: str | None
    opened: dt.datetime
    counts_when_hidden: bool = False  # its owner lets its exposure count in hidden scores


@dataclass(frozen=True, slots=True)
class SharedWallet:
    """An address the incident's loot reached, with its taint per asset and where it stands."""

    chain: str
    address: str
    incident: str
    model: str
    hops: int
    tainted: tuple[TaintedAmount, ...]
    first_seen: dt.datetime | None
    last_seen: dt.datetime | None
    freeze_status: str | None  # the latest freeze request's status for this address, if any
    evidence_tx: tuple[str, ...]
    tlp: str
    owner_org: str | None
    created: dt.datetime  # when this view of the wallet was computed (the trace's finish)


@dataclass(frozen=True, slots=True)
class Actor:
    """A threat actor or intrusion set named by claims or incidents."""

    id: str  # the store's actor id (GraphSense ActorPack id), e.g. lazarusgroup
    name: str


@dataclass
class SharedSet:
    """Everything one export holds."""

    orgs: dict[str, Org]
    claims: list[SharedClaim]
    incidents: list[SharedIncident]
    wallets: list[SharedWallet]
    actors: dict[str, Actor]
