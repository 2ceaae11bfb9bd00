-- 0009: trust between organisations.
-- Keys: the one `admin` scope is split into `org-admin` (an organisation's own settings) and
-- `server-admin` (the server), and `incident` (opening incidents: agencies only) is added; a key that
-- had `admin` had every power, so it gets every scope. A key may carry its own rate limit.
ALTER TABLE api_keys ADD COLUMN rate_per_second DOUBLE;
UPDATE api_keys SET scopes = ['incident', 'org-admin', 'read', 'screen', 'server-admin', 'write']
 WHERE list_contains(scopes, 'admin');

-- Controls are pending until proven (a signature by the address, or a server-admin's approval with its
-- reason); only verified controls receive freeze requests. Controls declared before this version were
-- declared by the store's operator (the CLI on the store file) and stay verified.
ALTER TABLE controls ADD COLUMN status VARCHAR DEFAULT 'verified';   -- pending | verified | rejected
ALTER TABLE controls ADD COLUMN challenge VARCHAR;                   -- the text the address must sign
ALTER TABLE controls ADD COLUMN verified_by VARCHAR;                 -- signature | operator | server-admin:<org>
ALTER TABLE controls ADD COLUMN evidence VARCHAR;                    -- the signature, or the approval's reason
ALTER TABLE controls ADD COLUMN verified_at TIMESTAMP;
UPDATE controls SET verified_by = 'operator', evidence = 'declared on the store before controls were verified'
 WHERE verified_by IS NULL;
