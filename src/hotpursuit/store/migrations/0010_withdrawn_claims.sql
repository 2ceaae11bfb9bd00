-- 0010: a claim withdrawn by its owner leaves `labels` (so nothing reads it any more) and is kept here,
-- with when and by whom, for the history an investigation may need.
CREATE TABLE labels_withdrawn AS
    SELECT *, NULL::TIMESTAMP AS withdrawn_at, NULL::VARCHAR AS withdrawn_by FROM labels LIMIT 0;
