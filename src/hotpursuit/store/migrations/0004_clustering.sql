-- 0004: clustering state. Every clustered address gets a stable integer id (the union-find works on
-- ids); every link the heuristics made is kept with its reason, confidence and evidence transaction,
-- so an address page can show the path by which a label reached it.
CREATE TABLE address_ids (
    chain VARCHAR NOT NULL,
    address VARCHAR NOT NULL,
    id BIGINT NOT NULL
);

CREATE TABLE cluster_links (
    chain VARCHAR NOT NULL,
    a VARCHAR NOT NULL,
    b VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    confidence INTEGER NOT NULL,
    tx_hash VARCHAR
);
