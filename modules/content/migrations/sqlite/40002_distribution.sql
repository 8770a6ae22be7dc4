-- Content, continued.
-- Information distribution (信息分发): sent and received distributions, the inbox of
-- each target site, and receipts (who republished, when) that flow back to the sender.

CREATE TABLE distributions (
    id             TEXT PRIMARY KEY,
    origin         TEXT NOT NULL,
    from_site      TEXT NOT NULL,
    from_site_name TEXT NOT NULL,
    article_id     BIGINT NOT NULL,
    title          TEXT NOT NULL,
    doc_json       TEXT NOT NULL,
    targets        TEXT NOT NULL,
    note           TEXT NOT NULL,
    sent_ms        BIGINT NOT NULL
);
CREATE INDEX distributions_article ON distributions (from_site, article_id);

CREATE TABLE distribution_inbox (
    dist_id    TEXT NOT NULL,
    site_id    TEXT NOT NULL,
    state      TEXT NOT NULL,
    article_id BIGINT,
    decided_ms BIGINT,
    PRIMARY KEY (dist_id, site_id)
);

CREATE TABLE distribution_receipts (
    dist_id    TEXT NOT NULL,
    site_id    TEXT NOT NULL,
    node       TEXT NOT NULL,
    article_id BIGINT NOT NULL,
    at_ms      BIGINT NOT NULL,
    PRIMARY KEY (dist_id, site_id)
);
