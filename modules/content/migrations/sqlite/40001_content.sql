-- Content (versions 4xxxx; after federation, library and accounts, whose tables its code
-- uses): sites, columns, articles and revisions (local workflow state), the published
-- table (public state), audit and template overrides.
-- Times are unix milliseconds in BIGINT; flags are 0/1 integers (portable to PostgreSQL
-- through sqlx::any, which decodes neither timestamps nor booleans the same way everywhere).
-- `origin` is the node whose entry declared the row ('' = this node, filled in at start-up
-- with the node id); `entry_hlc` is the last-writer-wins stamp of replicated rows.

CREATE TABLE sites (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    hosts            TEXT NOT NULL DEFAULT '',
    owner_body       TEXT NOT NULL,
    body_code        TEXT NOT NULL,
    region           TEXT NOT NULL,
    shutdown         BIGINT NOT NULL DEFAULT 0,
    shutdown_message TEXT NOT NULL DEFAULT '',
    created_ms       BIGINT NOT NULL,
    origin           TEXT NOT NULL DEFAULT '',
    entry_hlc        BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE site_hosts (
    host    TEXT PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites (id)
);

CREATE TABLE columns (
    id                   INTEGER PRIMARY KEY,
    site_id              TEXT NOT NULL REFERENCES sites (id),
    parent_id            BIGINT REFERENCES columns (id),
    slug                 TEXT NOT NULL,
    name                 TEXT NOT NULL,
    kind                 TEXT NOT NULL,
    update_interval_days BIGINT,
    position             BIGINT NOT NULL DEFAULT 0,
    template_set         TEXT,
    created_ms           BIGINT NOT NULL,
    entry_hlc            BIGINT NOT NULL DEFAULT 0,
    UNIQUE (site_id, slug)
);

CREATE TABLE column_template_sets (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    columns_json TEXT NOT NULL,
    updated_ms   BIGINT NOT NULL,
    origin       TEXT NOT NULL DEFAULT '',
    entry_hlc    BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE articles (
    id           INTEGER PRIMARY KEY,
    site_id      TEXT NOT NULL REFERENCES sites (id),
    column_id    BIGINT NOT NULL REFERENCES columns (id),
    state        TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    revision     BIGINT NOT NULL,
    scheduled_ms BIGINT,
    reason       TEXT NOT NULL DEFAULT '',
    import_key   TEXT UNIQUE,
    parent_id    BIGINT,
    created_ms   BIGINT NOT NULL,
    updated_ms   BIGINT NOT NULL
);
CREATE INDEX articles_site_state ON articles (site_id, state, updated_ms);
CREATE INDEX articles_scheduled ON articles (state, scheduled_ms);

CREATE TABLE revisions (
    article_id BIGINT NOT NULL REFERENCES articles (id),
    revision   BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    doc_json   TEXT NOT NULL,
    PRIMARY KEY (article_id, revision)
);

-- Published rows are keyed by (site, article): article ids are per-origin, sites are
-- owned by one origin, so replicas never collide with local rows.
CREATE TABLE published (
    site_id         TEXT NOT NULL,
    article_id      BIGINT NOT NULL,
    column_id       BIGINT NOT NULL,
    revision        BIGINT NOT NULL,
    title           TEXT NOT NULL,
    doc_type        TEXT NOT NULL,
    index_number    TEXT NOT NULL,
    published_ms    BIGINT NOT NULL,
    updated_ms      BIGINT NOT NULL,
    withdrawn       BIGINT NOT NULL DEFAULT 0,
    withdraw_reason TEXT NOT NULL DEFAULT '',
    withdrawn_ms    BIGINT,
    parent_id       BIGINT,
    doc_json        TEXT NOT NULL,
    change_seq      BIGINT NOT NULL,
    entry_hlc       BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (site_id, article_id)
);
CREATE INDEX published_column ON published (column_id, withdrawn, published_ms);
CREATE INDEX published_site ON published (site_id, withdrawn, published_ms);
-- Clause lists filter by (site, parent) and order by article id: with the id in the index
-- SQLite no longer prefers scanning the whole site through the primary key to avoid a sort
-- (an article page went from 1.5 ms to tens of ms on a large site).
CREATE INDEX published_parent ON published (site_id, parent_id, article_id);
CREATE UNIQUE INDEX published_change ON published (change_seq);

CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('published_change', 0);

CREATE TABLE audit (
    id          INTEGER PRIMARY KEY,
    at_ms       BIGINT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    site_id     TEXT,
    object_kind TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    detail      TEXT NOT NULL
);
CREATE INDEX audit_site ON audit (site_id, id);

CREATE TABLE templates (
    site_id    TEXT NOT NULL REFERENCES sites (id),
    name       TEXT NOT NULL,
    source     TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_ms BIGINT NOT NULL,
    PRIMARY KEY (site_id, name)
);

-- Blobs referenced by replicated articles and not yet fetched from a peer.
CREATE TABLE wanted_blobs (
    hash     TEXT PRIMARY KEY,
    since_ms BIGINT NOT NULL
);
