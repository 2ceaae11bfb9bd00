-- 0008: a transaction known only from a block explorer's export (a normal-transactions CSV, an
-- investigation's outflow list) is stored with what the file says: who sent it, to whom, its value and
-- status; the block hash, nonce and gas limit the file does not give stay NULL, never made up. Knowing
-- who signed a transaction is what tells a real token transfer from a forged Transfer event.
ALTER TABLE transactions ALTER COLUMN block_hash DROP NOT NULL;
ALTER TABLE transactions ALTER COLUMN nonce DROP NOT NULL;
ALTER TABLE transactions ALTER COLUMN gas DROP NOT NULL;
