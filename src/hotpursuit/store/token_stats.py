"""What asset trust needs from the store: token metadata, and per token its Transfers counted (read-only SQL)."""

from __future__ import annotations

from hotpursuit.attribution.asset_trust import TokenMeta, TokenStats
from hotpursuit.store.database import Store

ZERO = "0x" + "00" * 20


def load_token_metas(store: Store, chain: str) -> list[TokenMeta]:
    """Every token that moved on `chain` (or has metadata), with the best metadata the store has."""
    rows = store._con.execute(
        """WITH moved AS (SELECT DISTINCT asset FROM transfers WHERE chain = $c AND asset <> 'ETH'
                          UNION SELECT address FROM tokens WHERE chain = $c)
           SELECT m.asset, any_value(t.symbol), any_value(t.name), any_value(t.decimals)
           FROM moved m LEFT JOIN tokens t ON t.chain = $c AND t.address = m.asset
           GROUP BY m.asset ORDER BY m.asset""", {"c": chain}).fetchall()
    return [TokenMeta(str(a), s, n, d) for a, s, n, d in rows]


def load_token_stats(store: Store, chain: str) -> dict[str, TokenStats]:
    """Per token of `chain`: the counts of `TokenStats` (read-only). A `from` "had not received that much
    before" when its running balance of the token, in (block, tx, seq) order over the stored transfers, is
    below the amount; an account is an address that signed at least one stored transaction, and a transfer
    whose transaction is not stored is not one of that account's own (an explorer export of an address holds
    every transaction it sent; a block range holds every transaction of its blocks). Self-transfers
    are left out: "sending" a token to oneself proves nothing about holding it."""
    rows = store._con.execute(
        """WITH signers AS (SELECT DISTINCT from_address AS address FROM transactions WHERE chain = $c),
                t AS (SELECT t.asset, t.from_address, t.to_address, t.amount, t.block_number, t.tx_index, t.seq,
                             x.from_address AS signer
                      FROM transfers t LEFT JOIN transactions x ON x.chain = t.chain AND x.hash = t.tx_hash
                      WHERE t.chain = $c AND t.asset <> 'ETH' AND t.from_address <> t.to_address),
                ev AS (SELECT asset, to_address AS address, amount AS delta, block_number, tx_index, seq,
                              0 AS out, NULL::BIGNUM AS amount, NULL AS signer FROM t
                       UNION ALL
                       SELECT asset, from_address, 0::BIGNUM - amount, block_number, tx_index, seq, 1, amount,
                              signer FROM t WHERE from_address <> $zero),
                run AS (SELECT *, coalesce(sum(delta) OVER (
                                      PARTITION BY asset, address ORDER BY block_number, tx_index, seq, out
                                      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0::BIGNUM) AS before,
                               address IN (SELECT address FROM signers) AS account
                        FROM ev)
           SELECT asset, count(*) FILTER (WHERE out = 0),
                  count(*) FILTER (WHERE out = 1 AND before < amount AND amount > 0::BIGNUM),
                  count(*) FILTER (WHERE out = 1 AND before < amount AND amount > 0::BIGNUM AND signer IS NOT NULL
                                   AND signer <> address),
                  count(*) FILTER (WHERE out = 1 AND signer = address),
                  count(DISTINCT address) FILTER (WHERE out = 0),
                  count(*) FILTER (WHERE out = 1 AND signer IS NOT NULL AND signer <> address),
                  count(*) FILTER (WHERE out = 1 AND before < amount AND amount > 0::BIGNUM AND account
                                   AND (signer IS NULL OR signer <> address))
           FROM run GROUP BY asset ORDER BY asset""", {"c": chain, "zero": ZERO}).fetchall()
    return {str(r[0]): TokenStats(*(int(v) for v in r[1:])) for r in rows}
