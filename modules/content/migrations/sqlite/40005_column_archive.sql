-- Content, continued.
-- A column a site admin archived (撤销): no longer in the navigation, its pages and feeds
-- answer 410 Gone; only an empty column (no articles, no live sub-columns) is archived.
--   archived_ms  since when (unix ms); NULL while in use
ALTER TABLE columns ADD COLUMN archived_ms BIGINT;
