-- 0007: real mainnet. Every asset's trust status with its reason (canonical, unknown, impersonating,
-- spam), the address-poisoning transfers found by the heuristic (kept out of taint, evidence paths and
-- counterparty rankings), and incident sources that name the transaction at which an address received
-- the loot (`ADDRESS@TXHASH`: the taint is what that transaction brought, not every later outflow).
CREATE TABLE asset_trust (
    chain VARCHAR NOT NULL,
    asset VARCHAR NOT NULL,
    status VARCHAR NOT NULL,          -- canonical | unknown | impersonating | spam
    reason VARCHAR NOT NULL,
    symbol VARCHAR,
    name VARCHAR,
    decimals INTEGER,
    imitates VARCHAR,                 -- the canonical asset an impersonator copies
    assessed_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE poisoning_transfers (
    chain VARCHAR NOT NULL,
    tx_hash VARCHAR NOT NULL,
    from_address VARCHAR NOT NULL,
    to_address VARCHAR NOT NULL,
    asset VARCHAR NOT NULL,
    address VARCHAR NOT NULL,         -- the poisoner or look-alike
    victim VARCHAR NOT NULL,
    lookalike_of VARCHAR,
    kind VARCHAR NOT NULL,            -- zero-value | dust | fake-token | look-alike
    reason VARCHAR NOT NULL
);

-- what the assessment saw, so a trace re-assesses only when the chain's data changed
CREATE TABLE assessments (
    chain VARCHAR NOT NULL,
    fingerprint VARCHAR NOT NULL,
    assessed_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

ALTER TABLE incident_sources ADD COLUMN at_tx VARCHAR;
