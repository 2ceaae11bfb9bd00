-- 0011: the server's signed checkpoints of the audit log (the head's sequence number and hash, signed
-- with the server's Ed25519 key), kept here and exported to partners.
CREATE TABLE audit_checkpoints (
    seq BIGINT NOT NULL,
    hash VARCHAR NOT NULL,
    signed_at VARCHAR NOT NULL,
    server_key VARCHAR NOT NULL,
    signature VARCHAR NOT NULL,
    PRIMARY KEY (server_key, seq)
);
