"""Asset trust and address-poisoning findings as stored: what an assessment wrote, what traces and pages read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyarrow as pa

from hotpursuit.store.database import Store


@dataclass(frozen=True, slots=True)
class StoredTrust:
    """One asset's stored trust status."""

    asset: str
    status: str
    reason: str
    symbol: str | None
    name: str | None
    decimals: int | None
    imitates: str | None


@dataclass(frozen=True, slots=True)
class StoredPoisoning:
    """One poisoning transfer as stored."""

    tx_hash: str
    from_address: str
    to_address: str
    asset: str
    address: str
    victim: str
    lookalike_of: str | None
    kind: str
    reason: str


# a movement (aliased `t`) that is not one of the assessment's poisoning transfers: traces, the live watch
# and counterparty rankings all leave those out
NOT_POISONING = """NOT EXISTS (SELECT 1 FROM poisoning_transfers p
                   WHERE p.chain = t.chain AND p.tx_hash = t.tx_hash AND p.asset = t.asset
                     AND p.from_address = t.from_address AND p.to_address = t.to_address)"""


def chain_fingerprint(store: Store, chain: str) -> str:
    """What an assessment depends on: the chain's movements and tokens (counts and block span) and the
    labels that vouch for a token (issuer, venue tokens; see `labelled_assets`)."""
    row = store._con.execute(
        """SELECT count(*), coalesce(max(block_number), -1), coalesce(min(block_number), -1),
                  (SELECT count(*) FROM tokens WHERE chain = $c),
                  (SELECT count(*) FROM transactions WHERE chain = $c),
                  (SELECT count(*) || '/' || coalesce(md5(string_agg(v, ',' ORDER BY v)), '')
                   FROM (SELECT address || ' ' || category || ' ' || coalesce(actor, label) AS v FROM labels
                         WHERE chain = $c AND category IN ('issuer', 'defi', 'weth', 'staking')))
           FROM transfers WHERE chain = $c""", {"c": chain}).fetchone()
    return ":".join(str(x) for x in (row or ()))


def account_chains(store: Store) -> list[str]:
    """The chains whose value movements are account-model transfers (every EVM chain in the store)."""
    return [str(c) for (c,) in store._con.execute("SELECT DISTINCT chain FROM transfers ORDER BY 1").fetchall()]


def assessment_counts(store: Store, chain: str) -> tuple[dict[str, int], int, int]:
    """The chain's last assessment: assets per trust status, poisoning transfers, look-alike addresses."""
    statuses = {str(s): int(n) for s, n in store._con.execute(
        "SELECT status, count(*) FROM asset_trust WHERE chain = ? GROUP BY 1 ORDER BY 1", [chain]).fetchall()}
    row = store._con.execute("""SELECT count(DISTINCT (tx_hash, from_address, to_address, asset)),
                                      count(DISTINCT address) FROM poisoning_transfers WHERE chain = ?""",
                            [chain]).fetchone()
    return statuses, int(row[0]) if row else 0, int(row[1]) if row else 0


def assessed_fingerprint(store: Store, chain: str) -> str | None:
    """The fingerprint of the chain's last assessment, if any."""
    row = store._con.execute("SELECT fingerprint FROM assessments WHERE chain = ?", [chain]).fetchone()
    return str(row[0]) if row else None


def save_assessment(store: Store, chain: str, fingerprint: str, trust: Sequence[StoredTrust],
                    poisoning: Sequence[StoredPoisoning]) -> None:
    """Replace the chain's asset trust and poisoning findings in one transaction."""
    t_names = ("asset", "status", "reason", "symbol", "name", "decimals", "imitates")
    trust_rows = pa.table({n: [getattr(t, n) for t in trust] for n in t_names},
                          schema=pa.schema([(n, pa.int32() if n == "decimals" else pa.string()) for n in t_names]))
    p_names = ("tx_hash", "from_address", "to_address", "asset", "address", "victim", "lookalike_of", "kind", "reason")
    poison_rows = pa.table({n: [getattr(p, n) for p in poisoning] for n in p_names},
                           schema=pa.schema([(n, pa.string()) for n in p_names]))
    with store.transaction(new_trust=trust_rows, new_poisoning=poison_rows) as con:
        con.execute("DELETE FROM asset_trust WHERE chain = ?", [chain])
        con.execute("""INSERT INTO asset_trust (chain, asset, status, reason, symbol, name, decimals, imitates)
                       SELECT ?, * FROM new_trust""", [chain])
        con.execute("DELETE FROM poisoning_transfers WHERE chain = ?", [chain])
        con.execute("""INSERT INTO poisoning_transfers (chain, tx_hash, from_address, to_address, asset, address,
                                                        victim, lookalike_of, kind, reason)
                       SELECT ?, * FROM new_poisoning""", [chain])
        con.execute("DELETE FROM assessments WHERE chain = ?", [chain])
        con.execute("INSERT INTO assessments (chain, fingerprint) VALUES (?, ?)", [chain, fingerprint])


def load_trust(store: Store, chain: str) -> dict[str, StoredTrust]:
    """Every assessed asset of the chain."""
    rows = store._con.execute("""SELECT asset, status, reason, symbol, name, decimals, imitates FROM asset_trust
                                WHERE chain = ? ORDER BY asset""", [chain]).fetchall()
    return {str(r[0]): StoredTrust(str(r[0]), str(r[1]), str(r[2]), r[3], r[4], r[5], r[6]) for r in rows}


def load_poisoning(store: Store, chain: str, address: str | None = None) -> list[StoredPoisoning]:
    """The chain's poisoning findings (those naming `address` as poisoner or victim, if given)."""
    where, args = ("WHERE chain = ?", [chain]) if address is None else \
        ("WHERE chain = ? AND (address = ? OR victim = ?)", [chain, address, address])
    rows = store._con.execute(f"""SELECT tx_hash, from_address, to_address, asset, address, victim, lookalike_of,
                                        kind, reason FROM poisoning_transfers {where}
                                 ORDER BY address, tx_hash, from_address, to_address, asset""", args).fetchall()
    return [StoredPoisoning(*(str(x) if x is not None else None for x in r)) for r in rows]  # type: ignore[arg-type]


def poisoning_inputs(store: Store, chain: str, canonical: Sequence[str],
                     dust: dict[str, int]) -> list[tuple[str, int, str | None, str, str, str, int]]:
    """The transfers the poisoning heuristic needs, as (tx, block, tx sender, from, to, asset, amount):
    every zero-value, dust or non-canonical transfer, and one transfer per distinct (from, to, asset) of
    the canonical value above dust (what makes two addresses real counterparties)."""
    thresholds = pa.table({"asset": list(dust), "below": [str(v) for v in dust.values()]})
    with store.transaction(dust_thresholds=thresholds) as con:
        found = con.execute(
            """WITH th AS (SELECT asset, below::BIGNUM AS below FROM dust_thresholds),
                    t AS (SELECT t.tx_hash, t.block_number, x.from_address AS tx_sender, t.from_address,
                                 t.to_address, t.asset, t.amount, t.tx_index, t.seq,
                                 (t.amount = 0::BIGNUM OR t.asset NOT IN (SELECT unnest($canonical::VARCHAR[]))
                                  OR coalesce(t.amount < th.below, false)) AS candidate
                          FROM transfers t LEFT JOIN th ON th.asset = t.asset
                          LEFT JOIN transactions x ON x.chain = t.chain AND x.hash = t.tx_hash
                          WHERE t.chain = $c)
               SELECT tx_hash, block_number, tx_sender, from_address, to_address, asset, amount::VARCHAR FROM t
               WHERE candidate
               UNION ALL
               SELECT arg_min(tx_hash, block_number * 1000000 + tx_index), min(block_number),
                      arg_min(tx_sender, block_number * 1000000 + tx_index), from_address, to_address, asset,
                      arg_min(amount, block_number * 1000000 + tx_index)::VARCHAR
               FROM t WHERE NOT candidate GROUP BY from_address, to_address, asset
               ORDER BY 2, 1, 4, 5, 6""", {"c": chain, "canonical": list(canonical)}).fetchall()
    return [(str(h), int(b), s, str(f), str(t), str(a), int(v)) for h, b, s, f, t, a, v in found]


def labelled_assets(store: Store, chain: str) -> dict[str, str]:
    """Token contracts that labels vouch for: a stablecoin labelled with its issuer, a venue's own token
    (WETH, a staking token, labelled `defi`, `weth` or `staking`); contract -> why."""
    rows = store._con.execute(
        """SELECT l.address, arg_max(l.category, l.confidence), arg_max(coalesce(l.actor, l.label), l.confidence)
           FROM labels l WHERE l.chain = ? AND l.category IN ('issuer', 'defi', 'weth', 'staking')
             AND l.address IN (SELECT DISTINCT asset FROM transfers WHERE chain = ?)
           GROUP BY l.address ORDER BY l.address""", [chain, chain]).fetchall()
    return {str(a): (f"issued by {o} (labelled issuer)" if c == "issuer" else f"the token of venue {o} (labelled {c})")
            for a, c, o in rows}
