"""Exact sums of uint256 amounts in Spark. Spark's decimals stop at 38 digits and an amount can have 78,
so the export keeps amounts as decimal text; a sum splits each into three 27-digit limbs, sums each limb
as decimal(38,0) (exact for up to 1e11 rows per group; ANSI mode raises rather than wraps beyond), and the
driver recombines the limbs as one Python int."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyspark.sql import Column

LIMB_DIGITS = 27
LIMBS = 3  # 81 digits >= the 78 of 2**256


def amount_limbs(amount: Column) -> list[Column]:
    """A decimal-text amount as three decimal(38,0) limbs, most significant first."""
    from pyspark.sql import functions as F

    padded = F.lpad(amount, LIMBS * LIMB_DIGITS, "0")
    return [F.substring(padded, 1 + i * LIMB_DIGITS, LIMB_DIGITS).cast("decimal(38,0)") for i in range(LIMBS)]


def limb_sums(amount: Column, prefix: str) -> list[Column]:
    """Aggregate columns `<prefix>0..2`: the limb sums of a decimal-text amount column."""
    from pyspark.sql import functions as F

    return [F.sum(limb).alias(f"{prefix}{i}") for i, limb in enumerate(amount_limbs(amount))]


def recombine(row: Any, prefix: str) -> int:
    """The exact total from a row holding the limb sums (None when the group was empty)."""
    total = 0
    for i in range(LIMBS):
        part = row[f"{prefix}{i}"]
        total = total * 10**LIMB_DIGITS + (0 if part is None else int(part))
    return total
