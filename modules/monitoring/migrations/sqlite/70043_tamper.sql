-- Pages of a child's site that differed from this node's rendering of them at the last
-- comparison: a difference counts as tampering only when the same served page differs
-- again at the next comparison (a replica a few seconds behind is not tampering).
CREATE TABLE monitoring_tamper (
    site_id     TEXT NOT NULL,
    path        TEXT NOT NULL,
    served_hash TEXT NOT NULL,
    seen_ms     INTEGER NOT NULL,
    PRIMARY KEY (site_id, path)
);
