-- The node spine: sites, columns, articles and revisions (local workflow state),
-- the published table (public state), audit, tokens, blobs and template overrides.
-- Times are unix milliseconds in BIGINT; flags are 0/1 integers (portable to PostgreSQL
-- through sqlx::any, which decodes neither timestamps nor booleans the same way everywhere).

CREATE TABLE sites (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    hosts            TEXT NOT NULL DEFAULT '',
    owner_body       TEXT NOT NULL,
    body_code        TEXT NOT NULL,
    region           TEXT NOT NULL,
    shutdown         BIGINT NOT NULL DEFAULT 0,
    shutdown_message TEXT NOT NULL DEFAULT '',
    created_ms       BIGINT NOT NULL
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
    UNIQUE (site_id, slug)
);

CREATE TABLE column_template_sets (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    columns_json TEXT NOT NULL,
    updated_ms   BIGINT NOT NULL
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

CREATE TABLE published (
    article_id      BIGINT PRIMARY KEY REFERENCES articles (id),
    site_id         TEXT NOT NULL,
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
    change_seq      BIGINT NOT NULL
);
CREATE INDEX published_column ON published (column_id, withdrawn, published_ms);
CREATE INDEX published_site ON published (site_id, withdrawn, published_ms);
CREATE INDEX published_parent ON published (parent_id);
CREATE UNIQUE INDEX published_change ON published (change_seq);

CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('published_change', 0);

CREATE TABLE index_sequences (
    body_code TEXT NOT NULL,
    year      BIGINT NOT NULL,
    last_seq  BIGINT NOT NULL,
    PRIMARY KEY (body_code, year)
);

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

CREATE TABLE tokens (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL,
    site_id    TEXT,
    hash       TEXT NOT NULL UNIQUE,
    created_ms BIGINT NOT NULL,
    revoked    BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE blobs (
    hash       TEXT PRIMARY KEY,
    size       BIGINT NOT NULL,
    mime       TEXT NOT NULL,
    created_ms BIGINT NOT NULL
);

CREATE TABLE templates (
    site_id    TEXT NOT NULL REFERENCES sites (id),
    name       TEXT NOT NULL,
    source     TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_ms BIGINT NOT NULL,
    PRIMARY KEY (site_id, name)
);
