"""Finding a victim's payment from what their report says (victim_reports.payment_match): by transaction
hash, by sending address and date (the nearest amount; a claim 10x off is refused with the figures), by
the address paid (amount and date must pick this victim's payment among many), fake tokens never a
payment, and each miss says what was searched."""

from __future__ import annotations

import datetime as dt

from hotpursuit.chains.readable import AssetUnits
from hotpursuit.victim_reports.model import VictimReport, check_report
from hotpursuit.victim_reports.payment_match import AssetBook, ChainTransfer, find_payment, find_payments

VICTIM, OTHER = "0x" + "11" * 20, "0x" + "12" * 20
DEPOSIT, DEPOSIT2 = "0x" + "d1" * 20, "0x" + "d2" * 20
USDT, FAKE = "0x" + "a0" * 20, "0x" + "fa" * 20
ETHER, USD = 10**18, 10**6
DAY0 = int(dt.datetime(2026, 3, 2, 5, tzinfo=dt.UTC).timestamp())
BOOK = AssetBook(AssetUnits("ETH", 18), {USDT: AssetUnits("USDT", 6), FAKE: AssetUnits("USDT", 6)}, frozenset({FAKE}))


def _t(n: int, sender: str, receiver: str, asset: str, amount: int, when: int = DAY0) -> ChainTransfer:
    return ChainTransfer(100 + n, when, f"0x{n:064x}", 0, 0, sender, receiver, asset, amount)


def _report(**fields: object) -> VictimReport:
    return check_report({"chain": "ethereum", **fields})


CHAIN = [
    _t(1, VICTIM, DEPOSIT, "ETH", 2 * ETHER),
    _t(2, VICTIM, DEPOSIT, "ETH", 3 * ETHER, DAY0 + 3_600),
    _t(3, OTHER, DEPOSIT, "ETH", 5 * ETHER, DAY0 + 7_200),
    _t(4, VICTIM, DEPOSIT2, USDT, 12_000 * USD, DAY0 + 86_400 * 5),
    _t(5, OTHER, DEPOSIT, FAKE, 12_000 * USD, DAY0 + 86_400 * 5),  # a fake USDT never counts
    _t(6, OTHER, DEPOSIT2, USDT, 9_000 * USD, DAY0 + 86_400 * 5),
]


def test_a_transaction_hash_wins_and_a_wrong_amount_is_only_noted() -> None:
    found = find_payment(_report(tx_hashes=[CHAIN[0].tx_hash], amount="20", asset="ETH"), CHAIN, BOOK)
    assert found.found and found.transfers == (CHAIN[0],)
    assert found.notes == ("the report says 20 ETH; the chain shows 2 ETH",)


def test_by_sender_the_nearest_amount_picks_one_payment_or_the_two_together() -> None:
    one = find_payment(_report(from_addresses=[VICTIM], paid_at="2026-03-02", amount="3.1", asset="eth"), CHAIN,
                       BOOK)
    assert one.found and one.transfers == (CHAIN[1],)
    both = find_payment(_report(from_addresses=[VICTIM], paid_at="2026-03-03", amount="5", asset="ETH"), CHAIN,
                        BOOK)  # a day late, and the total of two payments
    assert both.found and both.transfers == (CHAIN[0], CHAIN[1]) and both.notes == ()


def test_an_amount_ten_times_off_without_a_transaction_is_refused_with_the_figures() -> None:
    off = find_payment(_report(from_addresses=[VICTIM], paid_at="2026-03-02", amount="50", asset="ETH"), CHAIN,
                       BOOK)
    assert not off.found
    assert off.how == (f"{VICTIM} paid 5 ETH to {DEPOSIT} within a day of 2026-03-02, but the report says 50 ETH "
                       "(about 10x off): check the amount")


def test_by_the_address_paid_the_amount_and_date_pick_this_victims_payment() -> None:
    found = find_payment(_report(paid_to=DEPOSIT2, paid_at="2026-03-07", amount="11,000", asset="USDT"), CHAIN,
                         BOOK)
    assert found.found and found.transfers == (CHAIN[3],)
    fake = find_payment(_report(paid_to=DEPOSIT, paid_at="2026-03-07", amount="12000", asset="USDT"), CHAIN,
                        BOOK)
    assert not fake.found and fake.how == f"no payment of USDT to {DEPOSIT} within a day of 2026-03-07"
    vague = find_payment(_report(paid_to=DEPOSIT, paid_at="2026-03-02"), CHAIN, BOOK)
    assert not vague.found and "give the amount and asset" in vague.how


def test_a_wrong_date_or_an_ambiguous_sender_says_what_was_searched() -> None:
    late = find_payment(_report(from_addresses=[VICTIM], paid_at="2026-03-20", amount="2", asset="ETH"), CHAIN,
                        BOOK)
    assert not late.found and late.how == f"no payment of ETH from {VICTIM} within a day of 2026-03-20"
    many = find_payment(_report(from_addresses=[VICTIM]), CHAIN, BOOK)
    assert not many.found and many.how.startswith(f"{VICTIM} paid 2 addresses at any time")


def test_a_transfer_without_a_block_time_is_found_by_its_amount() -> None:
    """An explorer export gives no block times: the date cannot rule such a transfer out, the amount picks it."""
    untimed = [ChainTransfer(200, None, "0x" + "77" * 32, 0, 0, OTHER, DEPOSIT2, USDT, 9_000 * USD),
               ChainTransfer(201, None, "0x" + "78" * 32, 0, 0, VICTIM, DEPOSIT2, USDT, 4_000 * USD)]
    found = find_payment(_report(paid_to=DEPOSIT2, paid_at="2021-01-01", amount="4,200", asset="USDT"), untimed, BOOK)
    assert found.found and found.transfers == (untimed[1],)


def test_a_service_as_sender_needs_the_address_paid_and_a_contract_of_unknown_decimals_is_not_compared() -> None:
    hot = "0x" + "ee" * 20  # an exchange's withdrawal wallet pays many people
    book = AssetBook(BOOK.native, BOOK.tokens, BOOK.untrusted, frozenset({hot}))
    chain = [_t(30, hot, OTHER, "ETH", 2 * ETHER), _t(31, hot, DEPOSIT, "ETH", 2 * ETHER, DAY0 + 60)]
    vague = find_payment(_report(from_addresses=[hot], paid_at="2026-03-02", amount="2", asset="ETH"), chain, book)
    assert not vague.found and vague.how.startswith(f"{hot} is a service's address")
    named = find_payment(_report(from_addresses=[hot], paid_to=DEPOSIT, paid_at="2026-03-02", amount="2",
                                 asset="ETH"), chain, book)
    assert named.found and named.transfers == (chain[1],)
    unknown = "0x" + "0c" * 20
    odd = find_payment(_report(tx_hashes=[CHAIN[0].tx_hash], amount="20", asset=unknown), CHAIN, BOOK)
    assert odd.found and odd.notes[0].startswith(f"asset '{unknown}' is no trusted asset")


def test_one_transfer_is_never_two_reports_payment() -> None:
    reports = {"a": _report(tx_hashes=[CHAIN[2].tx_hash]),  # the other victim's own transaction
               "b": _report(paid_to=DEPOSIT, paid_at="2026-03-02", amount="4.6", asset="ETH"),  # nearest: that one
               "c": _report(paid_to=DEPOSIT, paid_at="2026-03-02", amount="2.6", asset="ETH")}
    found = find_payments(reports, {k: CHAIN for k in reports}, BOOK)
    assert found["a"].transfers == (CHAIN[2],)
    assert not found["b"].found and found["b"].how == (  # the next nearest, 3 ETH, is 1.5x off: not taken
        f"its payment (tx {CHAIN[2].tx_hash}) is already report a's: two complaints about one payment, or another "
        "payment misremembered")
    assert found["c"].transfers == (CHAIN[1],)  # 3 ETH (2 ETH is further from 2.6)
