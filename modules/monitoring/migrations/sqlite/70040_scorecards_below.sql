-- The scorecards nodes below report up the tree (aggregates only, never content): the
-- latest report of each origin about each site it watches.
CREATE TABLE monitoring_below (
    origin    TEXT NOT NULL,
    site_id   TEXT NOT NULL,
    site_name TEXT NOT NULL,
    summary   TEXT NOT NULL,
    at_ms     INTEGER NOT NULL,
    PRIMARY KEY (origin, site_id)
);
