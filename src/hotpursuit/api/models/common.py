"""Field types the resources share: TLP (the product's one list, case-insensitive), amounts in base
units as decimal strings, chains and addresses as given."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path
from pydantic import BaseModel, BeforeValidator, Field

from hotpursuit.security.tlp import Tlp


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


class AssetOut(BaseModel):
    """How an asset is read: amounts are base units; divide by 10^decimals and add the symbol (`fake X` or
    `spam X` for a token impersonating X or spam). Null decimals: unknown, show base units."""

    symbol: str | None
    decimals: int | None


TlpField = Annotated[Tlp, BeforeValidator(_upper)]
"""A TLP 2.0 level, any case in, upper case out; anything else is a 422 listing the levels."""

Amount = Annotated[str, Field(pattern="^[0-9]{1,78}$", description="base units (wei, satoshi), a decimal string")]
SignedAmount = Annotated[str, Field(pattern="^-?[0-9]{1,78}$", description="base units, a decimal string")]
EXAMPLE_ADDRESS = "0x098b716b8aaf21512996dc57eb0615e2383e2f96"  # the Ronin bridge exploiter (OFAC SDN)
ChainIn = Annotated[str, Field(min_length=1, max_length=32, examples=["ethereum"])]
AddressIn = Annotated[str, Field(min_length=1, max_length=128, examples=[EXAMPLE_ADDRESS])]
ChainPath = Annotated[str, Path(examples=["ethereum"], description="a chain the store or a codec knows")]
AddressPath = Annotated[str, Path(examples=[EXAMPLE_ADDRESS], description="an address of that chain")]

