-- The province's edits of the content checks' word lists: an added or changed entry, or a
-- removed one (a shipped entry turned off). `rev` increases with every edit, so a cached
-- checker knows whether it is current.
CREATE TABLE monitoring_word_entries (
    list TEXT NOT NULL,
    wrong TEXT NOT NULL,
    right_form TEXT NOT NULL DEFAULT '',
    removed INTEGER NOT NULL DEFAULT 0,
    rev INTEGER NOT NULL,
    updated_by TEXT NOT NULL,
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (list, wrong)
);
