"""The taint engine follows swaps by net flows (venues pass-through) and counts the loot once."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hotpursuit.trace.account_taint import Endpoint, Movement, trace_account

ZERO = "0x" + "00" * 20
THIEF, ROUTER, POOL, POOL2, B, C = (f"0x{c * 40}" for c in "abcdef")
TOKEN, OTHER, WETH, FAKE = (f"0x{c * 40}" for c in "1234")
ETH = "ETH"


def mv(block: int, tx: str, seq: int, src: str, dst: str, asset: str, amount: int) -> Movement:
    return Movement((block, 0, seq), tx, src, dst, asset, amount)


THEFT = [mv(1, "theft", 0, "victim", THIEF, ETH, 100)]


def test_swap_through_a_router_and_two_pools_taints_the_proceeds_and_no_venue() -> None:
    # the thief holds 100 tainted + 100 clean ETH, sells 50 through a router: pool 1 (ETH->OTHER), pool 2
    # (OTHER->TOKEN), the router pays the thief 900 TOKEN
    moves = [*THEFT, mv(2, "fund", 0, "exchange", THIEF, ETH, 100),
             mv(3, "swap", 0, THIEF, ROUTER, ETH, 50), mv(3, "swap", 1, ROUTER, POOL, ETH, 50),
             mv(3, "swap", 2, POOL, POOL2, OTHER, 70), mv(3, "swap", 3, POOL2, ROUTER, TOKEN, 900),
             mv(3, "swap", 4, ROUTER, THIEF, TOKEN, 900)]
    r = trace_account(moves, theft_txs={"theft"}, traced_assets={ETH})
    assert r.held == {(THIEF, ETH): 75, (THIEF, TOKEN): 450}  # 900 * (25 / 50)
    assert r.stolen == {ETH: 100} and r.swapped_out == {ETH: 25} and r.swapped_in == {TOKEN: 450}
    assert (ROUTER, THIEF, TOKEN, "swap") in r.flows and not r.arrivals
    [swap] = r.swaps
    assert swap.address == THIEF and swap.sold == ((ETH, 50),) and swap.bought == ((TOKEN, 900),)
    assert set(swap.venues) == {POOL, POOL2}


def test_a_transfer_dressed_as_a_swap_with_a_self_minted_token_is_a_plain_transfer() -> None:
    # one swapper only (the thief: ETH out, FAKE minted in): the ETH goes to B with its taint
    moves = [*THEFT, mv(2, "t", 0, THIEF, B, ETH, 100), mv(2, "t", 1, ZERO, THIEF, FAKE, 10**24)]
    r = trace_account(moves, theft_txs={"theft"}, traced_assets={ETH})
    assert r.held == {(B, ETH): 100} and not r.swaps and not r.swapped_in


def test_weth_wrap_is_a_one_to_one_swap_and_unwrap_back() -> None:
    moves = [*THEFT, mv(2, "wrap", 0, THIEF, WETH, ETH, 40), mv(2, "wrap", 1, ZERO, THIEF, WETH, 40),
             mv(3, "unwrap", 0, THIEF, ZERO, WETH, 10), mv(3, "unwrap", 1, WETH, THIEF, ETH, 10)]
    r = trace_account(moves, theft_txs={"theft"}, traced_assets={ETH}, venues={WETH})
    assert r.held == {(THIEF, ETH): 70, (THIEF, WETH): 30}
    assert not r.at_venues and r.swapped_in == {WETH: 40, ETH: 10} and r.swapped_out == {ETH: 40, WETH: 10}


def test_a_swap_made_for_the_thief_by_someone_else_still_converts() -> None:
    # a solver's transaction pulls the thief's ETH and pays it TOKEN: who sent the tx does not matter
    moves = [*THEFT, mv(2, "intent", 0, THIEF, POOL, ETH, 100), mv(2, "intent", 1, POOL, B, TOKEN, 5),
             mv(2, "intent", 2, B, THIEF, TOKEN, 5), mv(2, "intent", 3, C, B, OTHER, 1),
             mv(2, "intent", 4, B, POOL, OTHER, 1)]
    r = trace_account(moves, theft_txs={"theft"}, traced_assets={ETH})
    assert r.held == {(THIEF, TOKEN): 5}


def test_sources_given_as_address_at_tx_count_the_loot_once() -> None:
    # the exploiter splits 100 to B and C; B forwards to C. All three named as sources with the
    # transaction at which they received: stolen is 100, not 300
    moves = [*THEFT, mv(2, "split1", 0, THIEF, B, ETH, 60), mv(2, "split2", 0, THIEF, C, ETH, 40),
             mv(3, "fwd", 0, B, C, ETH, 60), mv(4, "later", 0, C, "exchange", ETH, 100)]
    r = trace_account(moves, source_receipts={(THIEF, "theft"), (B, "split1"), (C, "fwd")},
                      endpoints={"exchange": Endpoint("exchange", "Ex")}, traced_assets={ETH})
    assert r.stolen == {ETH: 100} and r.at_endpoints(ETH) == 100 and not r.held


def test_bare_source_addresses_never_double_count_a_hop_between_them() -> None:
    moves = [mv(1, "a", 0, THIEF, B, ETH, 70), mv(2, "b", 0, B, C, ETH, 70), mv(3, "c", 0, THIEF, C, ETH, 30)]
    r = trace_account(moves, source_addresses={THIEF, B}, traced_assets={ETH})
    assert r.stolen == {ETH: 100} and r.held == {(C, ETH): 100}


def test_only_traced_assets_are_ever_stolen() -> None:
    moves = [mv(1, "theft", 0, "victim", THIEF, ETH, 100), mv(1, "theft", 1, "victim", THIEF, FAKE, 10**30)]
    r = trace_account(moves, theft_txs={"theft"}, traced_assets={ETH})
    assert r.stolen == {ETH: 100} and r.held == {(THIEF, ETH): 100}


def test_taint_left_at_a_known_venue_is_not_held_by_the_thief() -> None:
    # an explorer export without internal transactions: the thief pays a DEX and nothing comes back
    moves = [*THEFT, mv(2, "swap", 0, THIEF, ROUTER, ETH, 100)]
    r = trace_account(moves, theft_txs={"theft"}, traced_assets={ETH}, venues={ROUTER})
    assert not r.held and r.at_venues == {(ROUTER, ETH): 100} and r.unreturned == {(ROUTER, ETH, "swap"): 100}


ADDRS = [f"0x{i:040x}" for i in range(1, 7)]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5), st.integers(1, 10**20)), min_size=1, max_size=40),
       st.sets(st.integers(0, 39), max_size=12), st.sampled_from(["haircut", "fifo", "poison"]))
def test_conservation_holds_exactly_with_many_sources(legs: list[tuple[int, int, int]], picked: set[int],
                                                      model: str) -> None:
    moves = [mv(i + 1, f"t{i}", 0, ADDRS[s], ADDRS[d], ETH, v) for i, (s, d, v) in enumerate(legs) if s != d]
    receipts = {(m.receiver, m.tx_hash) for i, m in enumerate(moves) if i in picked}
    r = trace_account(moves, source_receipts=receipts, endpoints={ADDRS[5]: Endpoint("exchange", "Ex")},
                      model=model, traced_assets={ETH})
    stolen = r.stolen.get(ETH, 0)
    assert stolen <= sum(m.amount for m in moves if (m.receiver, m.tx_hash) in receipts)
    assert stolen == r.at_endpoints(ETH) + sum(r.held.values())


def test_asset_totals_balance_and_agree_live_and_finished() -> None:
    """One computation of the totals: a tracer fed live (holders not listed yet) and the finished trace give
    the same figures, and each asset balances exactly."""
    from hotpursuit.trace.account_taint import AccountTracer, Endpoint, Movement
    from hotpursuit.trace.asset_totals import asset_totals

    weth, pool = "0x" + "11" * 20, "0x" + "22" * 20
    moves = [Movement((1, 0, 0), "0xt1", "victim", "thief", "ETH", 100),
             Movement((2, 0, 0), "0xt2", "thief", pool, "ETH", 60),  # swapped for WETH at a pool
             Movement((2, 0, 1), "0xt2", pool, "thief", weth, 59),
             Movement((3, 0, 0), "0xt3", "thief", "exchange", weth, 30)]
    tracer = AccountTracer(theft_txs={"0xt1"}, endpoints={"exchange": Endpoint("exchange", "Hanbit")})
    tracer.feed(moves)
    live = asset_totals(tracer.result)
    finished = asset_totals(tracer.finish())
    assert live == finished
    eth, wrapped = finished["ETH"], finished[weth]
    assert (eth.stolen, eth.swapped_out, eth.held) == (100, 60, 40)
    assert (wrapped.swapped_in, wrapped.at_endpoints, wrapped.held) == (59, 30, 29)
    for t in finished.values():
        assert t.entered == t.at_endpoints + t.held + t.at_venues + t.burned + t.swapped_out


def test_a_lone_swap_converts_only_what_went_to_its_venues() -> None:
    """One address's exports show a thief trading with a known router: the token it paid the pair converts
    into the ETH the router paid it. A thief cannot launder by adding a tiny router trade to a transaction
    that pays an accomplice: that payment carries its taint. And a drain shaped like a swap (a tip back to
    the victim) leaves the loot with the drainer."""
    from hotpursuit.trace.account_taint import Movement, trace_account

    router, pair, accomplice, steth, junk = "router", "pair", "accomplice", "0x" + "5e" * 20, "0x" + "99" * 20
    legit = trace_account([
        Movement((1, 0, 0), "0xin", "victim", "thief", steth, 100),
        Movement((2, 0, 0), "0xswap", "thief", pair, steth, 100),
        Movement((2, 0, 1), "0xswap", router, "thief", "ETH", 97)],
        source_receipts={("thief", "0xin")}, venues={router}, signers={"0xswap": "thief"})
    assert legit.held[("thief", "ETH")] == 97 and ("pair", steth) not in legit.held
    abuse = trace_account([
        Movement((1, 0, 0), "0xin", "victim", "thief", "ETH", 100),
        Movement((2, 0, 0), "0xmix", "thief", router, "ETH", 1),
        Movement((2, 0, 1), "0xmix", "thief", accomplice, "ETH", 99),
        Movement((2, 0, 2), "0xmix", router, "thief", junk, 1)],
        source_receipts={("thief", "0xin")}, venues={router}, signers={"0xmix": "thief"})
    assert abuse.held[(accomplice, "ETH")] == 99  # not cleaned by the 1-wei trade beside it
    drain = trace_account([
        Movement((1, 0, 0), "0xdrain", "victim", "drainer", "USDT", 1_000_000),
        Movement((1, 0, 1), "0xdrain", "drainer", "victim", "ETH", 1)],
        source_addresses={"victim"})
    assert drain.held[("drainer", "USDT")] == 1_000_000 and ("victim", "ETH") not in drain.held
