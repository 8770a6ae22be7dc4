-- Search dictionaries (百姓体词库 synonyms, topic cards), per origin: the province sets
-- them, every level may add its own; a node searches with its lineage's entries.
CREATE TABLE search_synonyms (
    origin      TEXT    NOT NULL,
    colloquial  TEXT    NOT NULL,
    official    TEXT    NOT NULL, -- JSON array; empty removes the phrase (also inherited ones)
    category    TEXT    NOT NULL DEFAULT '',
    version     INTEGER NOT NULL,
    updated_ms  INTEGER NOT NULL,
    entry_hlc   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (origin, colloquial)
);

CREATE TABLE search_topics (
    origin      TEXT    NOT NULL,
    id          TEXT    NOT NULL,
    card        TEXT,             -- JSON topic card; NULL removes it
    version     INTEGER NOT NULL,
    updated_ms  INTEGER NOT NULL,
    entry_hlc   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (origin, id)
);

-- Every change, numbered per origin (the dictionary's versions).
CREATE TABLE search_dictionary_history (
    origin      TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    kind        TEXT    NOT NULL, -- synonym | topic
    item        TEXT    NOT NULL, -- the phrase or card id
    value       TEXT,             -- JSON of the new value; NULL for a removal
    at_ms       INTEGER NOT NULL,
    by_user     TEXT    NOT NULL DEFAULT '', -- known only at the origin
    PRIMARY KEY (origin, version)
);

-- Query analytics: daily aggregates per site and normalised query, no personal data.
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
