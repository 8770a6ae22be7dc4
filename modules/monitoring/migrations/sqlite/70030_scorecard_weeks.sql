-- Monitoring, continued.
-- A site's scorecard per ISO week (Beijing time): the last one recorded in the week wins.
--   week       "2026-W49"
--   scorecard  the scorecard as JSON (vetoes, deductions per indicator, warnings)
CREATE TABLE monitoring_weeks (
    site_id   TEXT NOT NULL,
    week      TEXT NOT NULL,
    score     DOUBLE PRECISION NOT NULL,
    passed    INTEGER NOT NULL,
    vetoes    INTEGER NOT NULL,
    scorecard TEXT NOT NULL,
    at_ms     INTEGER NOT NULL,
    PRIMARY KEY (site_id, week)
);
