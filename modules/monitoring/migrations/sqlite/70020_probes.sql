-- Availability probes of this node's sites and its children's: one row per probe (status 0
-- when nothing answered, with the error), kept for the weekly veto and the daily charts.
CREATE TABLE monitoring_probes (
    site_id TEXT NOT NULL,
    url     TEXT NOT NULL,
    at_ms   INTEGER NOT NULL,
    status  INTEGER NOT NULL,
    error   TEXT NOT NULL,
    millis  INTEGER NOT NULL
);
CREATE INDEX monitoring_probes_site_at ON monitoring_probes (site_id, at_ms);

-- Where a node's sites are probed when their host names do not lead there by DNS (a node
-- on a private network, a test tree): the node's HTTP base, asked with `Host: {site host}`.
CREATE TABLE monitoring_probe_routes (
    node_id  TEXT PRIMARY KEY,
    base_url TEXT NOT NULL
);
