-- 0005: what the server needs beyond issue 4. An organisation may let its hidden claims count in the
-- risk scores of callers who may not see them; traces requested over the API run as jobs whose
-- state and result are kept (a restart of the server marks unfinished ones as failed).
ALTER TABLE orgs ADD COLUMN scores_hidden BOOLEAN DEFAULT false;

CREATE TABLE trace_jobs (
    id VARCHAR NOT NULL,
    incident_id VARCHAR NOT NULL,
    model VARCHAR NOT NULL,
    max_hops INTEGER,
    requested_by VARCHAR NOT NULL,
    status VARCHAR NOT NULL,          -- queued | running | done | failed
    error VARCHAR,
    result_json VARCHAR,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    finished_at TIMESTAMP
);
