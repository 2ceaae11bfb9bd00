"""The live race's set-up and score: the defenders of a live drill, from its roster.

Before a live drill starts, a task force and the organisations that can freeze are set up in a store:
an agency that owns the incident (the victim's cold wallet as its source, watched from the next
block), one exchange organisation per drill exchange (its hot wallet and every deposit address
declared as controls; one of them also has Bitcoin deposit addresses), the issuer (its token
declared), the service labels, and per organisation a webhook on 127.0.0.1 with its secret and an
API key for answering. `receiver_command` gives the command line of the matching reference receiver
in `examples/`. Used by the live-drill test and by `make demo`; no I/O beyond the store.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hotpursuit.api.background import free_port
from hotpursuit.drill.service_labels import SERVICE_LABELS_SOURCE, drill_service_claims
from hotpursuit.store.database import Store
from hotpursuit.store.incident_tables import open_incident
from hotpursuit.store.interdiction_tables import add_control, set_webhook
from hotpursuit.store.label_tables import replace_import
from hotpursuit.store.org_tables import add_org, create_key

AGENCY = "kr-nis"
INCIDENT_NAME = "Live drill heist"


@dataclass(frozen=True)
class Defender:
    """An organisation that can freeze, with what its reference receiver needs."""

    org_id: str
    name: str
    kind: str  # exchange | issuer
    port: int
    secret: str
    api_key: str
    deposit_addresses: tuple[str, ...] = ()


def slug(name: str) -> str:
    """`Hanbit Exchange` -> `hanbit-exchange`."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def setup_defenders(store: Store, roster: dict[str, Any], *, since: int,
                    chain: str = "anvil") -> tuple[str, list[Defender]]:
    """Organisations, controls, webhooks, keys, service labels and the incident; (incident id, defenders)."""
    add_org(store, AGENCY, "National Intelligence Service (drill)", "agency", "KR", "bybit-task-force")
    defenders = []
    btc = roster["bitcoin"]
    for name, ex in roster["exchanges"].items():
        org_id = "ex-" + slug(name).removesuffix("-exchange")
        add_org(store, org_id, name, "exchange", "KR", "bybit-task-force")
        add_control(store, org_id, chain, ex["hot_wallet"], "hot_wallet")
        deposits = list(ex["deposit_addresses"])
        for address in deposits:
            add_control(store, org_id, chain, address, "deposit_address")
        if name == btc["exchange"]:  # it also runs Bitcoin deposit addresses
            for address in btc["deposit_addresses"]:
                add_control(store, org_id, "bitcoin", address, "deposit_address")
            deposits += btc["deposit_addresses"]
        defenders.append(_with_webhook(store, org_id, name, "exchange", tuple(deposits)))
    issuer = roster["issuer"]
    issuer_id = "issuer-" + slug(issuer["name"]).split("-")[0]
    add_org(store, issuer_id, issuer["name"], "issuer", "KR", "bybit-task-force")
    add_control(store, issuer_id, chain, issuer["token"], "token")
    defenders.append(_with_webhook(store, issuer_id, issuer["name"], "issuer"))
    replace_import(store, SERVICE_LABELS_SOURCE, "task-force", drill_service_claims(roster, chain))
    incident, _ = open_incident(store, INCIDENT_NAME, chain, [roster["victim"]], victim=roster["victim"],
                                actor="lazarusgroup", since=since, owner=AGENCY)
    return incident, defenders


def _with_webhook(store: Store, org_id: str, name: str, kind: str, deposits: tuple[str, ...] = ()) -> Defender:
    port = free_port()
    secret = set_webhook(store, org_id, f"http://127.0.0.1:{port}/hotpursuit")
    key = create_key(store, org_id, ["read", "write"], 1)[1]
    return Defender(org_id, name, kind, port, secret, key, deposits)


def receiver_command(d: Defender, *, examples: Path, api: str, rpc: str, roster: dict[str, Any],
                     db: Path) -> list[str]:
    """The command line that runs `d`'s reference receiver (its own SQLite ledger at `db`)."""
    common = ["--port", str(d.port), "--secret", d.secret, "--api", api, "--api-key", d.api_key, "--db", str(db)]
    if d.kind == "exchange":
        prefix = slug(d.name).split("-")[0]
        accounts = [f"--account={a}=customer-{prefix}-{i}" for i, a in enumerate(d.deposit_addresses)]
        return [sys.executable, str(examples / "exchange_receiver.py"), *common, *accounts]
    return [sys.executable, str(examples / "issuer_receiver.py"), *common, "--rpc", rpc,
            "--token", roster["issuer"]["token"], "--issuer", roster["issuer"]["address"],
            "--gas-price", "0"]  # the drill's devnet charges no gas, and its issuer holds no ETH
