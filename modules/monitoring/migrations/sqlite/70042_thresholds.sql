-- Thresholds set at a level (the province, or a city for its subtree), as their entries
-- carry them: the latest per origin. A node uses the nearest level's of its lineage.
CREATE TABLE monitoring_thresholds (
    origin     TEXT PRIMARY KEY,
    thresholds TEXT NOT NULL,
    entry_hlc  INTEGER NOT NULL,
    set_by     TEXT NOT NULL,
    at_ms      INTEGER NOT NULL
);
