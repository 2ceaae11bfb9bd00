-- 0001: the unified schema. Amounts are BIGNUM: exact arbitrary-precision integers in base units
-- (wei, satoshi, token units), so every uint256 up to 2^256-1 round-trips unchanged.
-- Addresses and hashes are lowercase 0x-hex text (EVM) as ethereum-etl writes them.
-- Every ingested row carries `source` (node URL or file path).

CREATE TABLE blocks (
    chain VARCHAR NOT NULL,
    number BIGINT NOT NULL,
    hash VARCHAR NOT NULL,
    parent_hash VARCHAR NOT NULL,
    timestamp BIGINT NOT NULL,
    miner VARCHAR,
    gas_used BIGINT,
    gas_limit BIGINT,
    base_fee_per_gas BIGNUM,
    transaction_count INTEGER NOT NULL,
    source VARCHAR NOT NULL
);

CREATE TABLE transactions (
    chain VARCHAR NOT NULL,
    block_number BIGINT NOT NULL,
    block_hash VARCHAR NOT NULL,
    tx_index INTEGER NOT NULL,
    hash VARCHAR NOT NULL,
    from_address VARCHAR NOT NULL,
    to_address VARCHAR,
    value BIGNUM NOT NULL,
    nonce BIGINT NOT NULL,
    gas BIGINT NOT NULL,
    gas_price BIGNUM,
    gas_used BIGINT,
    effective_gas_price BIGNUM,
    status SMALLINT,            -- 1 success, 0 failed (moves no value), NULL unknown (pre-Byzantium)
    contract_address VARCHAR,
    input_selector VARCHAR,     -- first 4 bytes of calldata, the method called
    source VARCHAR NOT NULL
);

-- Account-model value movements, one row per movement, in chain order:
-- (block_number, tx_index, seq). kind: native (the tx value), internal (a value-carrying call
-- inside a tx, from traces), erc20 (a Transfer log). asset: 'ETH' or the token contract address.
CREATE TABLE transfers (
    chain VARCHAR NOT NULL,
    block_number BIGINT NOT NULL,
    tx_hash VARCHAR NOT NULL,
    tx_index INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    kind VARCHAR NOT NULL,
    log_index INTEGER,
    trace_address VARCHAR,
    from_address VARCHAR NOT NULL,
    to_address VARCHAR NOT NULL,
    asset VARCHAR NOT NULL,
    amount BIGNUM NOT NULL,
    source VARCHAR NOT NULL
);

CREATE TABLE tokens (
    chain VARCHAR NOT NULL,
    address VARCHAR NOT NULL,
    symbol VARCHAR,
    name VARCHAR,
    decimals INTEGER,
    source VARCHAR NOT NULL
);

CREATE TABLE ingest_checkpoints (
    job VARCHAR NOT NULL,
    chain VARCHAR NOT NULL,
    last_block BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- UTXO model (Bitcoin). Filled by the Bitcoin ingest.
CREATE TABLE utxo_outputs (
    chain VARCHAR NOT NULL,
    block_number BIGINT NOT NULL,
    tx_hash VARCHAR NOT NULL,
    tx_index INTEGER NOT NULL,
    output_index INTEGER NOT NULL,
    address VARCHAR,
    script_type VARCHAR NOT NULL,
    script_hex VARCHAR NOT NULL,
    value BIGNUM NOT NULL,
    memo VARCHAR,
    source VARCHAR NOT NULL
);

CREATE TABLE utxo_inputs (
    chain VARCHAR NOT NULL,
    block_number BIGINT NOT NULL,
    tx_hash VARCHAR NOT NULL,
    tx_index INTEGER NOT NULL,
    input_index INTEGER NOT NULL,
    spent_tx_hash VARCHAR,
    spent_output_index INTEGER,
    address VARCHAR,
    value BIGNUM,
    source VARCHAR NOT NULL
);

CREATE TABLE bridge_links (
    from_chain VARCHAR NOT NULL,
    from_tx_hash VARCHAR NOT NULL,
    memo VARCHAR NOT NULL,
    to_chain VARCHAR NOT NULL,
    to_address VARCHAR,
    to_tx_hash VARCHAR,
    amount_in BIGNUM,
    amount_out BIGNUM,
    source VARCHAR NOT NULL
);

-- Attribution: claims are kept side by side, never overwritten.
CREATE TABLE actors (
    id VARCHAR NOT NULL,
    label VARCHAR NOT NULL,
    jurisdictions VARCHAR[],
    uris VARCHAR[],
    source VARCHAR NOT NULL
);

CREATE TABLE labels (
    chain VARCHAR NOT NULL,
    address VARCHAR NOT NULL,
    label VARCHAR NOT NULL,
    category VARCHAR NOT NULL,
    actor VARCHAR,
    confidence INTEGER NOT NULL,
    source VARCHAR NOT NULL,
    source_date DATE,
    tlp VARCHAR NOT NULL DEFAULT 'CLEAR',
    asserted_by VARCHAR NOT NULL,
    owner_org VARCHAR,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE clusters (
    chain VARCHAR NOT NULL,
    address VARCHAR NOT NULL,
    cluster_id BIGINT NOT NULL,
    reason VARCHAR NOT NULL,
    confidence INTEGER NOT NULL
);

CREATE TABLE incidents (
    id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    chain VARCHAR NOT NULL,
    victim VARCHAR,
    actor VARCHAR,
    since_block BIGINT,
    status VARCHAR NOT NULL DEFAULT 'open',
    tlp VARCHAR NOT NULL DEFAULT 'AMBER',
    owner_org VARCHAR,
    opened_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    closed_at TIMESTAMP
);

CREATE TABLE incident_sources (
    incident_id VARCHAR NOT NULL,
    chain VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,          -- address | tx
    ref VARCHAR NOT NULL,
    asset VARCHAR,
    amount BIGNUM
);

CREATE TABLE taint (
    incident_id VARCHAR NOT NULL,
    model VARCHAR NOT NULL,
    chain VARCHAR NOT NULL,
    address VARCHAR NOT NULL,
    asset VARCHAR NOT NULL,
    tainted_amount BIGNUM NOT NULL,
    hops INTEGER NOT NULL,
    computed_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE alerts (
    id VARCHAR NOT NULL,
    incident_id VARCHAR,
    chain VARCHAR NOT NULL,
    block_number BIGINT NOT NULL,
    block_hash VARCHAR NOT NULL,
    tx_hash VARCHAR NOT NULL,
    address VARCHAR NOT NULL,
    asset VARCHAR NOT NULL,
    tainted_amount BIGNUM NOT NULL,
    org_id VARCHAR,
    status VARCHAR NOT NULL DEFAULT 'open',  -- open | retracted | closed
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE freeze_requests (
    id VARCHAR NOT NULL,
    alert_id VARCHAR NOT NULL,
    org_id VARCHAR NOT NULL,
    idempotency_key VARCHAR NOT NULL,
    status VARCHAR NOT NULL DEFAULT 'pending',
    amount_requested BIGNUM NOT NULL,
    amount_frozen BIGNUM,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    delivered_at TIMESTAMP,
    answered_at TIMESTAMP
);

CREATE TABLE orgs (
    id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,            -- agency | exchange | issuer
    country VARCHAR,
    sharing_group VARCHAR,
    webhook_url VARCHAR,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE api_keys (
    id VARCHAR NOT NULL,
    org_id VARCHAR NOT NULL,
    key_hash VARCHAR NOT NULL,
    scopes VARCHAR[] NOT NULL,
    expires_at TIMESTAMP,
    revoked_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE audit_log (
    seq BIGINT NOT NULL,
    occurred_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    org_id VARCHAR,
    action VARCHAR NOT NULL,
    detail VARCHAR,
    prev_hash VARCHAR NOT NULL,
    hash VARCHAR NOT NULL
);
