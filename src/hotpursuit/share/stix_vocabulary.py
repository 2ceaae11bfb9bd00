"""The fixed STIX 2.1 vocabulary hotpursuit uses: the five OASIS TLP 2.0 marking definitions (their official
ids), hotpursuit's extension definitions, the actors' MISP galaxy ids, and deterministic object ids."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

TLP_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP_CREATED = "2022-10-01T00:00:00.000Z"
# level -> the OASIS TLP 2.0 marking-definition id (oasis-open/cti-stix-common-objects, tlp-2.0)
TLP_MARKINGS = {
    "CLEAR": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "GREEN": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "AMBER": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "AMBER+STRICT": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "RED": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
# TLP 1.0 (what the stix2 library and older peers send), read as the TLP 2.0 level it became
TLP_1_MARKINGS = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": "CLEAR",
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": "GREEN",
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": "AMBER",
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": "RED",
}
TLP_OF_MARKING = {**{v: k for k, v in TLP_MARKINGS.items()}, **TLP_1_MARKINGS}

# hotpursuit's extension definitions (fixed ids; their JSON schemas are in share/schemas/)
WALLET_TYPE_EXTENSION = "extension-definition--3f7c2a9e-5d41-4b8e-9a6f-1c2e8d7b4a10"  # new-sco: the wallet type
WALLET_EXTENSION = "extension-definition--8b1d6e3a-2c47-4f95-b0e8-7a9c3d5f2e61"  # property: taint, hops, freeze
CLAIM_EXTENSION = "extension-definition--c4e9a7b2-6f18-4d3c-8e5a-0b7f2d9c1a83"  # property: the label claim
INCIDENT_EXTENSION = "extension-definition--5a2f8c1d-9e3b-4a76-b4d1-6c8e0f3a7b95"  # property: chain, status
EXTENSION_SCHEMAS = {
    WALLET_TYPE_EXTENSION: ("new-sco", "cryptocurrency-wallet.json",
                            "cryptocurrency-wallet: OpenCTI's observable for a cryptocurrency address (value)"),
    WALLET_EXTENSION: ("property-extension", "wallet-intelligence.json",
                       "hotpursuit wallet intelligence: chain, canonical address, incident, tainted amounts per "
                       "asset (decimal strings of base units with decimals and symbol), taint model, hop "
                       "distance, first and last seen, freeze status and the evidence transactions"),
    CLAIM_EXTENSION: ("property-extension", "label-claim.json",
                      "hotpursuit label claim: what one source asserts about one address (chain, address, label, "
                      "category, actor, source, source date, asserting organisation)"),
    INCIDENT_EXTENSION: ("property-extension", "incident.json",
                         "hotpursuit incident: the incident's id in its store, chain, status, victim and actor"),
}
EXTENSIONS_CREATED = "2026-12-07T00:00:00.000Z"  # also their `version` (a timestamp: see share/README in DESIGN)

# actor id -> (STIX type, name, MISP galaxy cluster uuid, aliases)
ACTORS: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "lazarusgroup": ("threat-actor", "Lazarus Group", "68391641-859f-4a9a-9a1e-3e5cf71ec376",
                     ("APT38", "Hidden Cobra", "Bluenoroff", "G0032")),
    "tradertraitor": ("intrusion-set", "TraderTraitor", "825abfd9-7238-4438-a9e7-c08791f4df4e",
                      ("Jade Sleet", "UNC4899", "Pukchong")),
}
GALAXY_SOURCE = "misp-galaxy:threat-actor"
ORG_SOURCE = "hotpursuit-org"  # external reference naming an identity's organisation id
INCIDENT_SOURCE = "hotpursuit-incident"

# a claim's category -> the STIX indicator types that say it
INDICATOR_TYPES = {
    "sanctioned": ["malicious-activity"], "dprk": ["malicious-activity", "attribution"],
    "thief": ["malicious-activity"], "hack": ["malicious-activity"], "mixer": ["anonymization"],
    "scam": ["malicious-activity"], "poisoning": ["malicious-activity"], "victim": ["compromised"],
}


def object_id(stix_type: str, *parts: str) -> str:
    """A deterministic id shaped as a UUIDv4 (what stix2-validator's strict mode asks of every id but the
    built-in observables'), from the parts that make the object what it is: the same facts give the same id
    on every export and every instance."""
    digest = hashlib.sha256("\x1f".join((stix_type, *parts)).encode()).digest()
    return f"{stix_type}--{uuid.UUID(bytes=digest[:16], version=4)}"


def tlp_marking(level: str) -> dict[str, Any]:
    """The OASIS TLP 2.0 marking-definition object of a level."""
    return {"type": "marking-definition", "spec_version": "2.1", "id": TLP_MARKINGS[level], "created": TLP_CREATED,
            "name": f"TLP:{level}", "extensions": {TLP_EXTENSION: {
                "extension_type": "property-extension", "tlp_2_0": level.lower()}}}
