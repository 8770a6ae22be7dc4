-- What the checks found on each site, current only: each source (content checks, link
-- checks, freshness, availability…) replaces its own findings of a site when it runs again.
CREATE TABLE monitoring_findings (
    site_id   TEXT NOT NULL,
    source    TEXT NOT NULL,
    indicator TEXT NOT NULL,
    severity  TEXT NOT NULL,
    subject   TEXT NOT NULL,
    detail    TEXT NOT NULL,
    at_ms     INTEGER NOT NULL
);
CREATE INDEX monitoring_findings_site ON monitoring_findings (site_id, source);
