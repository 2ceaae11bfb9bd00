"""Loading the screening index from the store: labels, with the owner's sharing group and whether the
owner is an authority (the operator's imports of official lists, or an agency), the labels each
address inherits from the other members of its cluster, and the scam sites that handed each address out."""

from __future__ import annotations

from hotpursuit.chains.readable import AssetUnits
from hotpursuit.screening.index import EntityLink, Exposure, IndexedClaim, ScreeningIndex
from hotpursuit.store.asset_units import AssetReader
from hotpursuit.store.database import Store

_COLUMNS = ("l.label, l.category, l.actor, l.confidence, l.source, l.tlp, l.owner_org, o.sharing_group, "
            "coalesce(o.scores_hidden, false), o.id IS NULL OR o.kind = 'agency'")  # no org: the operator's imports


def load_screening_index(store: Store) -> ScreeningIndex:
    """Every label, directly and through clusters."""
    index = ScreeningIndex()
    for chain, address, *rest in store._con.execute(
            f"SELECT l.chain, l.address, {_COLUMNS} FROM labels l LEFT JOIN orgs o ON o.id = l.owner_org").fetchall():
        index.add(str(chain), str(address), _claim(rest, None))
    for chain, address, via, *rest in store._con.execute(
            f"""SELECT c2.chain, c2.address, l.address, {_COLUMNS}
                FROM labels l JOIN clusters c1 ON c1.chain = l.chain AND c1.address = l.address
                JOIN clusters c2 ON c2.chain = c1.chain AND c2.cluster_id = c1.cluster_id AND c2.address <> l.address
                LEFT JOIN orgs o ON o.id = l.owner_org""").fetchall():
        index.add(str(chain), str(address), _claim(rest, str(via)))
    for chain, address, exposure in exposure_rows(store) + shared_exposure_rows(store):
        index.add_exposure(chain, address, exposure)
    for chain, address, link in entity_link_rows(store):
        index.add_entity(chain, address, link)
    return index


def entity_link_rows(store: Store) -> list[tuple[str, str, EntityLink]]:
    """(chain, address, link) for every address a scam site handed out, per source and recording
    organisation, with that organisation's sharing group and whether it is an authority."""
    rows = store._con.execute(
        """SELECT a.chain, a.address, e.id, e.domain, e.path, e.kind, e.source, min(a.first_seen)::VARCHAR,
                  e.confidence, e.tlp, e.org, o.sharing_group, coalesce(o.scores_hidden, false),
                  o.id IS NULL OR o.kind = 'agency'
           FROM scam_entity_addresses a
             JOIN scam_entities e ON e.id = a.entity AND e.source = a.source AND e.org = a.org
             LEFT JOIN orgs o ON o.id = e.org
           GROUP BY ALL ORDER BY a.chain, a.address, e.domain, e.path, e.source""").fetchall()
    return [(str(chain), str(address), EntityLink(
        str(ident), str(domain), str(path), str(kind), str(source), str(first), int(confidence), str(tlp), str(org),
        None if group is None else str(group), bool(hidden), bool(authority)))
        for chain, address, ident, domain, path, kind, source, first, confidence, tlp, org, group, hidden, authority
        in rows]


def shared_exposure_rows(store: Store) -> list[tuple[str, str, Exposure]]:
    """(chain, address, exposure) for the wallets partners' traces reached, as pulled: owned by the
    organisation that pulled them, with the partner's TLP; counted in hidden scores if the partner let it."""
    rows = store._con.execute(
        """SELECT s.chain, s.address, s.incident, s.actor, s.asset, s.tainted::VARCHAR,
                  coalesce(s.received, s.tainted)::VARCHAR, s.tlp, s.owner_org, o.sharing_group,
                  s.counts_when_hidden, s.decimals, s.symbol
           FROM shared_exposure s LEFT JOIN orgs o ON o.id = s.owner_org
           ORDER BY s.chain, s.address, s.incident, s.asset""").fetchall()
    return [(str(chain), str(address), Exposure(
        str(inc), None if actor is None else str(actor), str(asset), int(tainted), int(received), str(tlp),
        None if owner is None else str(owner), None if group is None else str(group), bool(hidden),
        None if decimals is None or symbol is None else AssetUnits(str(symbol), int(decimals))))
        for chain, address, inc, actor, asset, tainted, received, tlp, owner, group, hidden, decimals, symbol in rows]


def exposure_rows(store: Store, incident: str | None = None) -> list[tuple[str, str, Exposure]]:
    """(chain, address, exposure) for every saved haircut trace, or only `incident`'s: what the address
    received of each asset, and how much of it was tainted."""
    rows = store._con.execute(
        """WITH t AS (SELECT chain, address, incident_id, asset, sum(tainted_amount) AS tainted FROM taint
                      WHERE model = 'haircut' AND ($i IS NULL OR incident_id = $i) GROUP BY ALL),
                r AS (SELECT x.chain, x.to_address AS address, x.asset, sum(x.amount) AS received
                      FROM transfers x JOIN (SELECT DISTINCT chain, address FROM t) k
                        ON k.chain = x.chain AND k.address = x.to_address GROUP BY ALL
                      UNION ALL
                      SELECT o.chain, o.address, 'BTC', sum(o.value) FROM utxo_outputs o
                        JOIN (SELECT DISTINCT chain, address FROM t) k
                          ON k.chain = o.chain AND k.address = o.address
                      GROUP BY ALL)
           SELECT t.chain, t.address, t.incident_id, i.actor, t.asset, t.tainted::VARCHAR,
                  coalesce(r.received, 0)::VARCHAR, i.tlp, i.owner_org, o.sharing_group,
                  coalesce(o.scores_hidden, false)
           FROM t JOIN incidents i ON i.id = t.incident_id
             LEFT JOIN r ON r.chain = t.chain AND r.address = t.address AND r.asset = t.asset
             LEFT JOIN orgs o ON o.id = i.owner_org""", {"i": incident}).fetchall()
    reader = AssetReader(store)
    return [(str(chain), str(address), Exposure(
        str(inc), None if actor is None else str(actor), str(asset), int(tainted), int(received), str(tlp),
        None if owner is None else str(owner), None if group is None else str(group), bool(hidden),
        reader.units(str(chain), str(asset))))
        for chain, address, inc, actor, asset, tainted, received, tlp, owner, group, hidden in rows]


def _claim(row: list[object], via: str | None) -> IndexedClaim:
    label, category, actor, confidence, source, tlp, owner, group, hidden, authority = row
    return IndexedClaim(str(label), str(category), None if actor is None else str(actor), int(str(confidence)),
                        str(source), str(tlp), None if owner is None else str(owner),
                        None if group is None else str(group), via, bool(hidden), bool(authority))
