-- Clause lists filter by (site, parent) and order by article id: with the id in the index
-- SQLite no longer prefers scanning the whole site through the primary key to avoid a sort
-- (an article page went from 1.5 ms to tens of ms on a large site).
DROP INDEX published_parent;
CREATE INDEX published_parent ON published (site_id, parent_id, article_id);
