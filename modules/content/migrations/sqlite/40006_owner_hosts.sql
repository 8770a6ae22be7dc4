-- Content, continued.
-- The host names a replicated site's owner serves it under (comma-joined, as `hosts`).
-- Read by monitoring, which probes a child's sites at their own addresses; never used to
-- route requests here (that is `site_hosts`, the sites this node answers for by name).
ALTER TABLE sites ADD COLUMN owner_hosts TEXT NOT NULL DEFAULT '';
