-- 0003: each label claim remembers the import it came from (file and kind), so re-importing a file
-- replaces that file's claims and nothing else; claims from different sources stay side by side.
ALTER TABLE labels ADD COLUMN import_key VARCHAR;
