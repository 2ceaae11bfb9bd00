"""Readable amounts are made from the integers exactly: the full form round-trips to the same base units,
the display form never shows more than there is and never 0 for something, and times are UTC."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, localcontext
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from hotpursuit.chains.readable import (
    AssetUnits,
    amount_fields,
    at_block,
    display_units,
    exact_units,
    explorer_url,
    fixed_units,
    human,
    units_of,
    utc,
)
from hotpursuit.ingest.explorer_amounts import decimal_to_base_units

ETH, USDT = AssetUnits("ETH", 18), AssetUnits("USDT", 6)


def test_the_bybit_theft_reads_as_people_write_it() -> None:
    assert human(401_346_770_000_000_000_000_000, ETH) == "401,346.77 ETH"
    assert human(31_241_702_681_970_325_097_529, ETH) == "31,241.7 ETH"  # 31,241.70268...: rounded down
    assert human(1_500_000, USDT) == "1.5 USDT" and human(10**18, ETH) == "1 ETH"
    assert human(1_234, ETH) == "0.000000000000001234 ETH"  # never "0.00" for something
    assert human(99, None, "0xdac17f958d2ee523a2206206994597c13d831ec7") == \
        "99 base units of 0xdac17f958d2ee523a2206206994597c13d831ec7"


def test_race_table_amounts_are_rounded_down_by_integer_arithmetic() -> None:
    assert fixed_units(52_911_432_945_065_823_315_152, 18) == "52,911.4329"
    assert fixed_units(10**18 - 1, 18) == "0.9999"  # never rounded up to a unit the thief does not have
    assert fixed_units(64_591_132_115_680, 6) == "64,591,132.1156"
    assert fixed_units(0, 6) == "0.0000"


@given(st.integers(min_value=-(10**40), max_value=10**40), st.integers(min_value=0, max_value=30))
def test_the_exact_form_round_trips_and_the_display_never_overstates(amount: int, decimals: int) -> None:
    text = exact_units(amount, decimals)
    assert decimal_to_base_units(text.removeprefix("-"), decimals) == abs(amount)  # every digit, nothing invented
    with localcontext(prec=200):
        exact = Decimal(text.replace(",", ""))
        shown = Decimal(display_units(amount, decimals).replace(",", ""))
        assert abs(shown) <= abs(exact) and (shown == 0) == (amount == 0)
        assert abs(exact) - abs(shown) < max(Decimal("0.01"), abs(exact) * Decimal("0.001"))


def test_json_keeps_base_units_with_decimals_and_symbol() -> None:
    assert amount_fields(401_346_770_000_000_000_000_000, ETH) == {
        "amount": "401346770000000000000000", "decimals": 18, "symbol": "ETH", "units": "401,346.77"}
    assert amount_fields(7, None) == {"amount": "7", "decimals": None, "symbol": None, "units": None}


def test_assets_times_and_links() -> None:
    tokens = {"0xdac17f958d2ee523a2206206994597c13d831ec7": USDT}
    assert units_of("ethereum", "ETH", tokens) == ETH
    assert units_of("ethereum", "0xdac17f958d2ee523a2206206994597c13d831ec7", tokens) == USDT
    assert units_of("bitcoin", "BTC", {}) == AssetUnits("BTC", 8)
    assert units_of("ethereum", "0x" + "00" * 20, tokens) is None
    assert utc(1740147215) == "2025-02-21 14:13:35 UTC"
    assert utc(dt.datetime(2025, 2, 21, 23, 13, 35, tzinfo=dt.timezone(dt.timedelta(hours=9)))) == \
        "2025-02-21 14:13:35 UTC"  # KST in, UTC out
    assert at_block(21_895_238, 1740147215) == "block 21,895,238 (2025-02-21 14:13:35 UTC)"
    assert explorer_url("ethereum", "tx", "0xab") == "https://etherscan.io/tx/0xab"
    assert explorer_url("bitcoin", "address", "bc1q") == "https://mempool.space/address/bc1q"
    assert explorer_url("anvil", "tx", "0xab") is None


def test_a_token_that_copies_a_symbol_never_reads_as_the_real_asset(tmp_path: Path) -> None:
    from hotpursuit.store import Store
    from hotpursuit.store.asset_units import token_units

    real, fake, spam, plain = ("0x" + c * 40 for c in "abcd")
    with Store.open(tmp_path / "u.duckdb") as store:
        for asset, status in ((real, "canonical"), (fake, "impersonating"), (spam, "spam")):
            store.execute("""INSERT INTO asset_trust (chain, asset, status, reason, symbol, name, decimals)
                             VALUES ('ethereum', ?, ?, 'test', 'USDT', 'Tether USD', 6)""", [asset, status])
        store.execute("INSERT INTO tokens VALUES ('ethereum', ?, 'NEW', 'New token', 9, 'test')", [plain])
        units = token_units(store, "ethereum")
    assert [units[a] for a in (real, fake, spam, plain)] == [
        AssetUnits("USDT", 6), AssetUnits("fake USDT", 6), AssetUnits("spam USDT", 6), AssetUnits("NEW", 9)]
    assert units["0xdac17f958d2ee523a2206206994597c13d831ec7"] == AssetUnits("USDT", 6)  # the registry's
    assert human(2_500_000, units[fake]) == "2.5 fake USDT"
