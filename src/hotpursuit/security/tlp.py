"""TLP 2.0 visibility: who may see a claim. Pure.

CLEAR and GREEN: every organisation. AMBER: the owner's sharing group (and the owner). AMBER+STRICT
and RED: only the owner organisation (their named audience; recipients are added by sharing, not here).
"""

from __future__ import annotations

from enum import StrEnum


class Tlp(StrEnum):
    """The TLP 2.0 levels: the one list the CLI's --tlp, the API's bodies and the importers validate
    against."""

    CLEAR = "CLEAR"
    GREEN = "GREEN"
    AMBER = "AMBER"
    AMBER_STRICT = "AMBER+STRICT"
    RED = "RED"


TLP_ORDER = tuple(level.value for level in Tlp)


def may_see(tlp: str, owner_org: str | None, owner_group: str | None, caller_org: str,
            caller_group: str | None) -> bool:
    """Whether the caller organisation may see data marked `tlp` owned by `owner_org`."""
    if tlp in ("CLEAR", "GREEN") or owner_org is None or owner_org == caller_org:
        return True
    if tlp == "AMBER":
        return owner_group is not None and owner_group == caller_group
    return False
