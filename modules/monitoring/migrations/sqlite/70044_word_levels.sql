-- The word-list edits of the levels above, as their entries carry them: each level's whole
-- set of edits, the latest per origin. This node's own edits stay in monitoring_word_entries.
CREATE TABLE monitoring_word_levels (
    origin    TEXT PRIMARY KEY,
    edits     TEXT NOT NULL,
    entry_hlc INTEGER NOT NULL,
    at_ms     INTEGER NOT NULL
);
