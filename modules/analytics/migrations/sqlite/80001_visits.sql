-- Visit analytics (统一行为分析): daily counters only, never a visitor's address or agent.
--
-- visit_counts: one counter per counting node, Beijing day, site, dimension and key. A node
-- adds to its own rows (node = its id) as it flushes; rows of other nodes arrive in their
-- signed `visits.day` entries and merge by taking the larger count (a grow-only counter
-- per node: re-delivered or reordered entries never count twice). A figure for a site or
-- a region is the sum over nodes.
--   dimension  pv, uv, visits, column, page, source, engine, referrer, entry, exit, path,
--              depth, device, browser, hour, notfound, bots (see `Dimension`)
--   key        '' for the totals; a column slug, a site-relative path, a class, a host …
CREATE TABLE visit_counts (
    node       TEXT NOT NULL,
    day        TEXT NOT NULL,
    site       TEXT NOT NULL,
    dimension  TEXT NOT NULL,
    key        TEXT NOT NULL,
    count      BIGINT NOT NULL,
    PRIMARY KEY (node, day, site, dimension, key)
);
CREATE INDEX visit_counts_by_day ON visit_counts (day, dimension);

-- The node each counted site belongs to (its owner), written as counts are: what the
-- counters going up name, and what an ancestor checks them against (a node counts only its
-- own sites and the replicas it serves of its subtree's).
CREATE TABLE visit_sites (
    site   TEXT PRIMARY KEY,
    owner  TEXT NOT NULL
);

-- The day's salt of the visitor hash (hex), kept only while the day lasts so that a
-- restart counts a returning visitor once; deleted, with `visit_seen`, when the day ends.
CREATE TABLE visit_salts (
    day   TEXT PRIMARY KEY,
    salt  TEXT NOT NULL
);

-- The day's visitors as salted 64-bit hashes per site (for 访客数 across a restart);
-- meaningless once the salt is gone, and deleted with it.
CREATE TABLE visit_seen (
    day      TEXT NOT NULL,
    site     TEXT NOT NULL,
    visitor  BIGINT NOT NULL,
    PRIMARY KEY (day, site, visitor)
);

-- What this node last sent up for a day (a digest of the rows), so an unchanged day is
-- not sent again.
CREATE TABLE visit_published (
    day     TEXT PRIMARY KEY,
    digest  TEXT NOT NULL
);
