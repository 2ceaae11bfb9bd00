"""Reading what this instance shares: organisations, claims (with when they were made and who owns them),
incidents, and the freeze requests and block times a shared wallet names. Claims pulled from partners are
not shared again (their owners share them; nothing echoes between instances), and neither are the claims of a
public list whose licence does not let them be passed on (CryptoScamDB states none): they are used here only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from hotpursuit.attribution.labels import LabelClaim
from hotpursuit.share.model import Org, SharedClaim, SharedIncident
from hotpursuit.store.database import Store
from hotpursuit.store.scam_entity_tables import LIST_KEY_PREFIX


def share_orgs(store: Store) -> dict[str, Org]:
    """Every organisation, by id."""
    return {str(i): Org(str(i), str(n), str(k), None if c is None else str(c))
            for i, n, k, c in store._con.execute("SELECT id, name, kind, country FROM orgs ORDER BY id").fetchall()}


def own_claims(store: Store, batch: int = 10_000) -> Iterator[SharedClaim]:
    """Every claim made here (not pulled from a partner) that may be passed on (not from a list whose licence
    forbids it), oldest first, read in batches."""
    result = store._con.execute(
        """SELECT l.chain, l.address, l.label, l.category, l.actor, l.confidence, l.source, l.source_date, l.tlp,
                  l.asserted_by, l.created_at, l.owner_org
           FROM labels l
           WHERE l.import_key IS NULL
              OR (l.import_key NOT IN (SELECT import_key FROM shared_provenance)
                  AND l.import_key NOT IN (SELECT $p || name FROM list_sources WHERE NOT redistributable))
           ORDER BY l.created_at, l.chain, l.address, l.label, l.source""", {"p": LIST_KEY_PREFIX})
    while rows := result.fetchmany(batch):
        for r in rows:
            claim = LabelClaim(str(r[0]), str(r[1]), str(r[2]), str(r[3]), None if r[4] is None else str(r[4]),
                               int(r[5]), str(r[6]), r[7], str(r[8]), str(r[9]))
            yield SharedClaim(claim, r[10], None if r[11] is None else str(r[11]))


def own_incidents(store: Store) -> list[SharedIncident]:
    """Every incident, by id, with whether its owner lets its exposure count in hidden scores."""
    return [SharedIncident(str(r[0]), str(r[1]), str(r[2]), str(r[3]), None if r[4] is None else str(r[4]), str(r[5]),
                           None if r[6] is None else str(r[6]), None if r[7] is None else str(r[7]), r[8], bool(r[9]))
            for r in store._con.execute(
                """SELECT i.id, i.name, i.chain, i.status, i.actor, i.tlp, i.owner_org, i.victim, i.opened_at,
                          coalesce(o.scores_hidden, false)
                   FROM incidents i LEFT JOIN orgs o ON o.id = i.owner_org ORDER BY i.id""").fetchall()]


def latest_freeze_status(store: Store, incident: str) -> dict[tuple[str, str], tuple[str, dt.datetime]]:
    """(chain, address) -> the status of the newest freeze request of the incident for that address, and
    when it last changed (asked or answered)."""
    return {(str(c), str(a)): (str(s), when) for c, a, s, when in store._con.execute(
        """SELECT chain, address, arg_max(status, created_at), max(coalesce(answered_at, created_at))
           FROM freeze_requests WHERE incident_id = ? GROUP BY chain, address""", [incident]).fetchall()}


def tx_times(store: Store, chain: str, txs: Iterable[str]) -> dict[str, dt.datetime]:
    """tx hash -> its block's time (UTC), for the transactions of `chain` the store holds with a block time."""
    wanted = sorted(set(txs))
    if not wanted:
        return {}
    rows = store._con.execute(
        """WITH t AS (SELECT DISTINCT tx_hash, block_number FROM transfers
                      WHERE chain = $c AND tx_hash IN (SELECT unnest($t::VARCHAR[]))
                      UNION SELECT DISTINCT tx_hash, block_number FROM utxo_outputs
                      WHERE chain = $c AND tx_hash IN (SELECT unnest($t::VARCHAR[])))
           SELECT t.tx_hash, min(b.timestamp) FROM t JOIN blocks b ON b.chain = $c AND b.number = t.block_number
           GROUP BY t.tx_hash""", {"c": chain, "t": wanted}).fetchall()
    return {str(tx): dt.datetime.fromtimestamp(int(ts), dt.UTC).replace(tzinfo=None) for tx, ts in rows
            if ts is not None}


def actor_labels(store: Store) -> dict[str, str]:
    """actor id -> its name, for the actors the store knows."""
    return {str(i): str(label) for i, label in store._con.execute("SELECT id, label FROM actors").fetchall()}


def share_fingerprint(store: Store) -> str:
    """A cheap digest of what the shared collections are made from (claims, incidents, finished traces,
    saved taint, freeze requests, organisations): when it is unchanged there is nothing new to publish."""
    row = store._con.execute(
        """SELECT concat_ws('|',
             (SELECT count(*) || '/' || coalesce(max(created_at)::VARCHAR, '') FROM labels),
             (SELECT count(*) FROM labels_withdrawn),
             (SELECT coalesce(string_agg(name || ':' || redistributable, ',' ORDER BY name), '') FROM list_sources),
             (SELECT coalesce(string_agg(id || ':' || status || ':' || tlp || ':' || coalesce(actor, ''), ','
                                         ORDER BY id), '') FROM incidents),
             (SELECT count(*) || '/' || coalesce(max(finished_at)::VARCHAR, '') FROM trace_jobs WHERE status = 'done'),
             (SELECT count(*) FROM taint),
             (SELECT count(*) || '/' || coalesce(max(coalesce(answered_at, created_at))::VARCHAR, '')
              FROM freeze_requests),
             (SELECT coalesce(string_agg(id || ':' || name || ':' || coalesce(sharing_group, ''), ',' ORDER BY id), '')
              FROM orgs))""").fetchone()
    return str(row[0]) if row else ""
