"""Per-asset totals of an account-model trace, computed in one place for the report, the live board and
the CLI. Pure.

Conservation, exact per asset: stolen + swapped in = at endpoints + held + at venues + burned + swapped
out. `held` is what that leaves (so a tracer fed live, whose holders are not listed yet, gives the same
figure as a finished trace, with taint left at venues counted as held until the trace finishes).
"""

from __future__ import annotations

from dataclasses import dataclass

from hotpursuit.trace.account_taint import TraceResult


@dataclass(frozen=True, slots=True)
class AssetTotals:
    """One asset's totals in base units."""

    asset: str
    stolen: int
    swapped_in: int
    at_endpoints: int
    at_venues: int
    burned: int
    swapped_out: int

    @property
    def entered(self) -> int:
        """What entered the trace: the loot plus what swaps turned into this asset."""
        return self.stolen + self.swapped_in

    @property
    def held(self) -> int:
        """Still held on the thief's side (by conservation)."""
        return self.entered - self.at_endpoints - self.at_venues - self.burned - self.swapped_out

    def as_strings(self) -> dict[str, str]:
        """Decimal strings by name (JSON keeps base units exact)."""
        return {"entered": str(self.entered), "stolen": str(self.stolen), "swapped_in": str(self.swapped_in),
                "at_endpoints": str(self.at_endpoints), "held": str(self.held), "at_venues": str(self.at_venues),
                "burned": str(self.burned), "swapped_out": str(self.swapped_out)}


def asset_totals(result: TraceResult) -> dict[str, AssetTotals]:
    """Every asset that entered the trace (stolen or swapped into), by asset."""
    venues: dict[str, int] = {}
    for (_, asset), taint in result.at_venues.items():
        venues[asset] = venues.get(asset, 0) + taint
    return {asset: AssetTotals(asset, result.stolen.get(asset, 0), result.swapped_in.get(asset, 0),
                               result.at_endpoints(asset), venues.get(asset, 0), result.burned.get(asset, 0),
                               result.swapped_out.get(asset, 0))
            for asset in sorted(set(result.stolen) | set(result.swapped_in))}
