-- Content, continued.
-- Site ids are claimed across the tree, and an ancestor's claim wins: a node's own site
-- takes an id from a descendant's replica, and a site replicated from an ancestor takes it
-- from a descendant's replica or from this node's own site. The loser is kept aside under
-- the id `<id>~<its origin>` with state 'superseded' (its columns, articles, published
-- rows and templates move with it), never served or searched. A platform administrator
-- may also refuse a descendant's replica site where it is (state 'refused').
--   state        'serving' | 'superseded' | 'refused'
--   claimed_id   the id the site was declared with ('' = its id)
--   state_reason why it is not served
--   state_by     the node whose claim superseded it, or the administrator who refused it
--   state_ms     since when (unix ms)

ALTER TABLE sites ADD COLUMN state TEXT NOT NULL DEFAULT 'serving';
ALTER TABLE sites ADD COLUMN claimed_id TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN state_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN state_by TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN state_ms BIGINT;

-- Published rows that moved away from a key the search index holds ("<site>:<article>"):
-- each takes a change sequence number, so the index removes the key in change order.
CREATE TABLE published_removed (
    change_seq BIGINT PRIMARY KEY,
    site_id    TEXT NOT NULL,
    article_id BIGINT NOT NULL
);
