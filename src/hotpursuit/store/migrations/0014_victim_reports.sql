-- 0014: victims' reports and the scam cases built from them. A report is kept with the organisation that
-- took it and its TLP (victims' personal data: RED by default, never leaves that organisation); filed again
-- under the same reference it replaces the first. A case is an incident whose sources are the payments found
-- for its reports; per report, how its payment was found (or why not); per address, what the case found it
-- to be (a collector where victims' money converges, a deposit address of the ring, ...), with evidence.
CREATE TABLE victim_reports (
    id VARCHAR NOT NULL PRIMARY KEY,
    org VARCHAR NOT NULL,
    tlp VARCHAR NOT NULL,
    reference VARCHAR,
    chain VARCHAR NOT NULL,
    paid_on DATE,
    paid_at TIMESTAMP,                 -- UTC
    amount VARCHAR,                    -- as the victim remembers it, in the asset's human units
    asset VARCHAR,
    tx_hashes VARCHAR[] NOT NULL,
    from_addresses VARCHAR[] NOT NULL,
    paid_to VARCHAR,
    website VARCHAR,
    phone VARCHAR,
    app VARCHAR,
    text VARCHAR NOT NULL,
    language VARCHAR NOT NULL,
    victim_name VARCHAR,
    victim_contact VARCHAR,
    content_hash VARCHAR NOT NULL,
    received_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE scam_cases (
    id VARCHAR NOT NULL PRIMARY KEY,   -- the incident's id
    org VARCHAR NOT NULL,
    chain VARCHAR NOT NULL,
    built_at TIMESTAMP NOT NULL,
    summary VARCHAR NOT NULL           -- JSON: counts, parameters, the input hash
);

CREATE TABLE case_reports (
    case_id VARCHAR NOT NULL,
    report_id VARCHAR NOT NULL,
    status VARCHAR NOT NULL,           -- found | not_found
    reason VARCHAR NOT NULL,           -- how the payment was found, or why it was not
    payments VARCHAR NOT NULL,         -- JSON list: tx_hash, from, to, asset, amount (base units), block
    PRIMARY KEY (case_id, report_id)
);

CREATE TABLE case_addresses (
    case_id VARCHAR NOT NULL,
    address VARCHAR NOT NULL,
    role VARCHAR NOT NULL,             -- collector | deposit | ring | cash_out
    rank INTEGER,                      -- collectors: 1 is where most victims' money converged
    victims INTEGER NOT NULL,          -- reports whose money reached it
    evidence VARCHAR NOT NULL,         -- JSON: value per asset, reports, example transactions, why
    PRIMARY KEY (case_id, address)
);
