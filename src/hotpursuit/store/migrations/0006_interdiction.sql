-- 0006: interdiction. What each organisation controls (and can therefore freeze), where it wants freeze
-- requests delivered, the requests themselves with their answers, and the durable outbox their
-- deliveries (and retractions) go through. The unused 0001 placeholders `alerts` and
-- `freeze_requests` are replaced.
DROP TABLE alerts;
DROP TABLE freeze_requests;

ALTER TABLE orgs ADD COLUMN webhook_secret VARCHAR;

CREATE TABLE controls (
    org_id VARCHAR NOT NULL,
    chain VARCHAR NOT NULL,
    address VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,            -- hot_wallet | deposit_address | token | bridge
    added_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE freeze_requests (
    id VARCHAR NOT NULL,
    incident_id VARCHAR NOT NULL,
    org_id VARCHAR NOT NULL,
    chain VARCHAR NOT NULL,
    address VARCHAR NOT NULL,
    asset VARCHAR NOT NULL,
    amount BIGNUM NOT NULL,           -- tainted amount requested frozen, base units
    block_number BIGINT NOT NULL,     -- the arrival's block
    block_hash VARCHAR NOT NULL,
    evidence_json VARCHAR NOT NULL,   -- the transaction path, hop by hop
    requested_by VARCHAR,             -- the incident's owner agency
    deadline TIMESTAMP NOT NULL,
    status VARCHAR NOT NULL,          -- sent | accepted | partial | declined | retracted
    amount_frozen BIGNUM,
    answer_reason VARCHAR,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    answered_at TIMESTAMP
);

CREATE TABLE outbox (
    id VARCHAR NOT NULL,              -- also the idempotency key the receiver sees
    org_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,            -- freeze_request | retraction
    request_id VARCHAR NOT NULL,
    body VARCHAR NOT NULL,            -- the exact JSON delivered (signed as is)
    status VARCHAR NOT NULL,          -- pending | delivered
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    last_error VARCHAR,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    delivered_at TIMESTAMP
);
