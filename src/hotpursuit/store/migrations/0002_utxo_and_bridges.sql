-- 0002: a block imported from a bitcoin-etl export whose parent is not known has no parent hash
-- (bitcoin-etl does not export it); every other source always sets it.
ALTER TABLE blocks ALTER COLUMN parent_hash DROP NOT NULL;

-- bridge deposits are replaced with the EVM block range they were read from, like transfers
ALTER TABLE bridge_links ADD COLUMN from_block BIGINT;
ALTER TABLE bridge_links ADD COLUMN from_log_index INTEGER;
ALTER TABLE bridge_links ADD COLUMN from_asset VARCHAR;
