-- 0012: annotations: an organisation's notes and tags on an incident, an address or a transaction, marked
-- with TLP and kept with who wrote them (the organisation and its key). subject_kind: incident (subject: the
-- incident id; chain: the incident's chain) | address (normalised) | tx (lower-case hash). Withdrawn by the
-- author's organisation: kept, with when and by whom, and no longer read.
CREATE TABLE annotations (
    id VARCHAR NOT NULL,
    subject_kind VARCHAR NOT NULL,
    chain VARCHAR NOT NULL,
    subject VARCHAR NOT NULL,
    note VARCHAR NOT NULL,
    tags VARCHAR[] NOT NULL,
    tlp VARCHAR NOT NULL,
    author_org VARCHAR NOT NULL,
    author VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    withdrawn_at TIMESTAMP,
    withdrawn_by VARCHAR
);
