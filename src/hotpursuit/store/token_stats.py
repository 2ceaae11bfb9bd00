"""What asset trust needs from the store: token metadata, and per token its transfers counted by kind."""

from __future__ import annotations

from hotpursuit.attribution.asset_trust import TokenMeta, TokenStats
from hotpursuit.store.database import Store

ZERO = "0x" + "00" * 20


def load_token_metas(store: Store, chain: str) -> list[TokenMeta]:
    """Every token that moved on `chain` (or has metadata), with the best metadata the store has."""
    rows = store.con.execute(
        """WITH moved AS (SELECT DISTINCT asset FROM transfers WHERE chain = $c AND asset <> 'ETH'
                          UNION SELECT address FROM tokens WHERE chain = $c)
           SELECT m.asset, any_value(t.symbol), any_value(t.name), any_value(t.decimals)
           FROM moved m LEFT JOIN tokens t ON t.chain = $c AND t.address = m.asset
           GROUP BY m.asset ORDER BY m.asset""", {"c": chain}).fetchall()
    return [TokenMeta(str(a), s, n, d) for a, s, n, d in rows]


def load_token_stats(store: Store, chain: str) -> dict[str, TokenStats]:
    """Per token: transfers, sends by addresses that had not received that much before (in chain
    order), those of them in a transaction signed by someone else, and transfers signed by their sender.
    Who signed: the stored transaction's sender; a transaction the store does not hold was not signed by
    an address whose own transactions the store does hold (an explorer export lists every transaction an
    address sent), else the signer is unknown.
    Self-transfers are left out: "sending" a token to oneself proves nothing about holding it."""
    rows = store.con.execute(
        """WITH signers AS (SELECT DISTINCT from_address FROM transactions WHERE chain = $c),
                t AS (SELECT t.asset, t.from_address, t.to_address, t.amount, t.block_number, t.tx_index, t.seq,
                             CASE WHEN x.from_address IS NOT NULL THEN x.from_address
                                  WHEN s.from_address IS NOT NULL THEN '(another signer)' END AS signer
                      FROM transfers t LEFT JOIN transactions x ON x.chain = t.chain AND x.hash = t.tx_hash
                      LEFT JOIN signers s ON s.from_address = t.from_address
                      WHERE t.chain = $c AND t.asset <> 'ETH' AND t.from_address <> t.to_address),
                ev AS (SELECT asset, to_address AS address, amount AS delta, block_number, tx_index, seq,
                              0 AS out, NULL::BIGNUM AS amount, NULL AS signer FROM t
                       UNION ALL
                       SELECT asset, from_address, 0::BIGNUM - amount, block_number, tx_index, seq, 1, amount,
                              signer FROM t WHERE from_address <> $zero),
                run AS (SELECT *, coalesce(sum(delta) OVER (
                                      PARTITION BY asset, address ORDER BY block_number, tx_index, seq, out
                                      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0::BIGNUM) AS before
                        FROM ev)
           SELECT asset, count(*) FILTER (WHERE out = 0),
                  count(*) FILTER (WHERE out = 1 AND before < amount AND amount > 0::BIGNUM),
                  count(*) FILTER (WHERE out = 1 AND before < amount AND amount > 0::BIGNUM AND signer IS NOT NULL
                                   AND signer <> address),
                  count(*) FILTER (WHERE out = 1 AND signer = address)
           FROM run GROUP BY asset ORDER BY asset""", {"c": chain, "zero": ZERO}).fetchall()
    return {str(a): TokenStats(int(n), int(p), int(u), int(s)) for a, n, p, u, s in rows}
