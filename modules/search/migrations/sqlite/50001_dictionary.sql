-- Search (versions 5xxxx; after federation, whose log its dictionary entries go to).
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
