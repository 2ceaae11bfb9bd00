-- 0015: scam sites as entities. Public lists (ScamSniffer, CryptoScamDB, eth-phishing-detect, MyEtherWallet's
-- darklist) are kept with their licence and whether their data may be passed on to partners; each list's
-- sites (a domain, or one page of a shared host) and the addresses they handed out, and the sites recorded
-- from victims' reports. One row per site per source per recording organisation: a re-import of one list by
-- one organisation replaces only that. The site's id is the same whoever records it (from its domain).
CREATE TABLE list_sources (
    name VARCHAR NOT NULL,             -- `ScamSniffer`, `CryptoScamDB`, ...; labels.import_key 'list:' || name
    licence VARCHAR NOT NULL,
    redistributable BOOLEAN NOT NULL,  -- false: used here, never published to partners (TAXII, MISP)
    version VARCHAR NOT NULL,          -- the release, commit or files' digest imported
    origin VARCHAR,
    imported_at TIMESTAMP NOT NULL
);

CREATE TABLE scam_entities (
    id VARCHAR NOT NULL,               -- 'site--' + sha256(domain || path)[:24]
    domain VARCHAR NOT NULL,           -- lower-case ASCII (punycode), no leading www.
    path VARCHAR NOT NULL,             -- '' for the whole site; a page of a shared host otherwise
    kind VARCHAR NOT NULL,             -- fake_exchange, phishing, scam, malware, hacked
    skeleton VARCHAR NOT NULL,         -- what the domain looks like (Unicode look-alikes folded to Latin)
    listed_as VARCHAR,                 -- the entry as the source wrote it
    first_seen DATE NOT NULL,
    source VARCHAR NOT NULL,
    org VARCHAR NOT NULL,              -- the organisation that recorded it
    tlp VARCHAR NOT NULL,
    confidence INTEGER NOT NULL
);

CREATE TABLE scam_entity_addresses (
    entity VARCHAR NOT NULL,
    chain VARCHAR NOT NULL,
    address VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    org VARCHAR NOT NULL,
    first_seen DATE NOT NULL
);

-- a list's rules beyond its sites: `allow` (never flagged, nor anything under it) and `fuzzy` (look-alikes
-- within `tolerance` edits are phishing)
CREATE TABLE scam_list_rules (
    source VARCHAR NOT NULL,
    org VARCHAR NOT NULL,
    rule VARCHAR NOT NULL,
    domain VARCHAR NOT NULL,
    tolerance INTEGER,
    position INTEGER NOT NULL          -- the list's order (a fuzzylist is tried in it)
);
