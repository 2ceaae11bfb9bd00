-- 0013: sharing. What this instance publishes over TAXII (each version of each object, with when it was
-- added and who may see it), and what it pulled from partners: claims keep their own TLP and asserting
-- organisation and are owned by the organisation that pulled them; wallets a partner's trace reached become
-- exposure for screening; every pulled object remembers where and when it came from.
CREATE SEQUENCE shared_objects_seq;
CREATE TABLE shared_objects (
    seq BIGINT NOT NULL DEFAULT nextval('shared_objects_seq'),
    collection VARCHAR NOT NULL,
    id VARCHAR NOT NULL,
    version VARCHAR NOT NULL,          -- the object's `modified` (or `created`); when it has neither, or its
                                       -- content changed under the same `modified`: when it was added
    digest VARCHAR NOT NULL,           -- SHA-256 of the body: a new version is a new content
    date_added TIMESTAMP NOT NULL,
    type VARCHAR NOT NULL,
    tlp VARCHAR NOT NULL,
    owner_org VARCHAR,
    body VARCHAR NOT NULL,             -- the object's canonical JSON
    latest BOOLEAN NOT NULL DEFAULT true,  -- the newest version of the object in the collection
    PRIMARY KEY (collection, id, digest)
);

CREATE TABLE shared_provenance (
    import_key VARCHAR NOT NULL PRIMARY KEY,  -- labels.import_key / shared_exposure.import_key
    peer VARCHAR NOT NULL,             -- the partner's TAXII collection URL, or the file imported
    collection VARCHAR,
    object_id VARCHAR NOT NULL,
    object_version VARCHAR,
    producer VARCHAR,                  -- who made the object (its created_by_ref's organisation)
    pulled_by VARCHAR,                 -- the organisation that pulled it (owns it here)
    pulled_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE shared_exposure (
    import_key VARCHAR NOT NULL,
    chain VARCHAR NOT NULL,
    address VARCHAR NOT NULL,
    incident VARCHAR NOT NULL,         -- the partner's incident id
    incident_name VARCHAR,
    actor VARCHAR,
    asset VARCHAR NOT NULL,
    tainted BIGNUM NOT NULL,
    received BIGNUM,
    decimals INTEGER,
    symbol VARCHAR,
    hops INTEGER,
    model VARCHAR,
    freeze_status VARCHAR,
    tlp VARCHAR NOT NULL,
    owner_org VARCHAR,                 -- the organisation that pulled it
    counts_when_hidden BOOLEAN NOT NULL DEFAULT false
);

CREATE TABLE share_cursors (
    peer VARCHAR NOT NULL,
    collection VARCHAR NOT NULL,
    org_id VARCHAR NOT NULL,
    added_after VARCHAR,               -- X-TAXII-Date-Added-Last of the last page pulled
    pulled_at TIMESTAMP,
    PRIMARY KEY (peer, collection, org_id)
);
