-- Search, continued. Query analytics (written by the node's query_stats and query_rollup):
-- daily aggregates per site and normalised query, no personal data.
CREATE TABLE search_query_stats (
    day          TEXT    NOT NULL, -- YYYY-MM-DD, Beijing time
    site         TEXT    NOT NULL, -- '' for searches outside a site
    query        TEXT    NOT NULL,
    searches     INTEGER NOT NULL,
    zero_results INTEGER NOT NULL,
    results      INTEGER NOT NULL, -- sum of result counts
    PRIMARY KEY (day, site, query)
);
CREATE INDEX search_query_stats_day ON search_query_stats (day);

-- Query aggregates of the levels below, as they publish them (latest per origin and day).
CREATE TABLE search_query_stats_below (
    origin       TEXT    NOT NULL,
    day          TEXT    NOT NULL,
    site         TEXT    NOT NULL,
    query        TEXT    NOT NULL,
    searches     INTEGER NOT NULL,
    zero_results INTEGER NOT NULL,
    results      INTEGER NOT NULL,
    PRIMARY KEY (origin, day, site, query)
);
