"""Bitcoin clustering rules on hand-made transactions shaped like the real patterns."""

from __future__ import annotations

from hotpursuit.cluster.bitcoin_heuristics import TxView, change_link, coinjoin_kind, multi_input_links

A = [f"bc1q{i:038d}" for i in range(12)]  # p2wpkh-shaped (42 characters)
T = ["bc1p" + f"{i:058d}" for i in range(3)]  # p2tr-shaped


def test_whirlpool_wasabi_and_joinmarket_are_skipped() -> None:
    whirlpool = TxView("w", tuple(A[:5]), tuple((a, 1_000_000) for a in A[5:10]))
    wasabi = TxView("z", tuple(A[:6]) * 2, (*((a, 10_000_000) for a in A), (A[0], 123_456)))
    joinmarket = TxView("j", tuple(A[:4]), ((A[4], 50_000_000), (A[5], 50_000_000), (A[6], 50_000_000),
                                            (A[7], 1_234), (A[8], 98_765)))
    assert [coinjoin_kind(t) for t in (whirlpool, wasabi, joinmarket)] == ["whirlpool", "wasabi",
                                                                          "equal-output coinjoin"]
    assert all(multi_input_links(t) == [] for t in (whirlpool, wasabi, joinmarket))


def test_ordinary_spend_links_all_inputs_to_the_first() -> None:
    tx = TxView("p", (A[0], A[1], A[0], A[2]), ((A[3], 70_000), (A[4], 29_000)))
    assert coinjoin_kind(tx) is None
    links = multi_input_links(tx)
    assert [(x.a, x.b, x.reason) for x in links] == [(A[0], A[1], "multi-input"), (A[0], A[2], "multi-input")]
    # two equal outputs are a payment pattern, not a join (below three)
    assert coinjoin_kind(TxView("q", (A[0], A[1]), ((A[3], 5), (A[4], 5)))) is None


def test_one_time_change_needs_one_fresh_output_of_the_inputs_type() -> None:
    pay_known_keep_fresh = TxView("c", (A[0],), ((A[1], 80_000), (A[2], 19_000)), frozenset({1}))
    link = change_link(pay_known_keep_fresh)
    assert link is not None and (link.a, link.b, link.confidence) == (A[0], A[2], 50)
    assert change_link(TxView("c2", (A[0],), ((A[1], 1), (A[2], 2)), frozenset({0, 1}))) is None  # both fresh
    assert change_link(TxView("c3", (A[0],), ((A[1], 1), (T[0], 2)), frozenset({1}))) is None  # other type
    assert change_link(TxView("c4", (A[0],), ((A[1], 1), (A[2], 2), (A[3], 3)), frozenset({1}))) is None
