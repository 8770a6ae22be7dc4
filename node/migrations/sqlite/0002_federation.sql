-- Federation: per-origin signed logs, heads (version vector + digest), certificates and
-- rejected entries. Content gains ownership (origin) and last-writer-wins stamps so
-- replicas of other nodes' sites live beside local ones.

CREATE TABLE fed_entries (
    origin      TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    hlc         BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    object      TEXT NOT NULL,
    status      BIGINT NOT NULL,
    eid         BLOB NOT NULL,
    entry       BLOB NOT NULL,
    bytes       BIGINT NOT NULL,
    received_ms BIGINT NOT NULL,
    PRIMARY KEY (origin, seq)
);
CREATE INDEX fed_entries_status ON fed_entries (status, origin, seq);
CREATE INDEX fed_entries_kind ON fed_entries (kind, hlc);

CREATE TABLE fed_heads (
    origin     TEXT PRIMARY KEY,
    seq        BIGINT NOT NULL,
    digest     TEXT NOT NULL,
    hlc        BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL
);

CREATE TABLE fed_certificates (
    node TEXT PRIMARY KEY,
    cert BLOB NOT NULL
);

CREATE TABLE fed_rejections (
    id     INTEGER PRIMARY KEY,
    at_ms  BIGINT NOT NULL,
    origin TEXT NOT NULL,
    seq    BIGINT NOT NULL,
    peer   TEXT NOT NULL,
    reason TEXT NOT NULL,
    detail TEXT NOT NULL
);

-- '' = this node (filled in at start-up with the node id).
ALTER TABLE sites ADD COLUMN origin TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN entry_hlc BIGINT NOT NULL DEFAULT 0;
ALTER TABLE columns ADD COLUMN entry_hlc BIGINT NOT NULL DEFAULT 0;
ALTER TABLE column_template_sets ADD COLUMN origin TEXT NOT NULL DEFAULT '';
ALTER TABLE column_template_sets ADD COLUMN entry_hlc BIGINT NOT NULL DEFAULT 0;

-- Published rows are keyed by (site, article): article ids are per-origin, sites are
-- owned by one origin, so replicas never collide with local rows.
CREATE TABLE published_v2 (
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
INSERT INTO published_v2 (site_id, article_id, column_id, revision, title, doc_type, index_number,
    published_ms, updated_ms, withdrawn, withdraw_reason, withdrawn_ms, parent_id, doc_json, change_seq)
SELECT site_id, article_id, column_id, revision, title, doc_type, index_number,
    published_ms, updated_ms, withdrawn, withdraw_reason, withdrawn_ms, parent_id, doc_json, change_seq
FROM published;
DROP TABLE published;
ALTER TABLE published_v2 RENAME TO published;
CREATE INDEX published_column ON published (column_id, withdrawn, published_ms);
CREATE INDEX published_site ON published (site_id, withdrawn, published_ms);
CREATE INDEX published_parent ON published (site_id, parent_id);
CREATE UNIQUE INDEX published_change ON published (change_seq);

-- Blobs referenced by replicated articles and not yet fetched from a peer.
CREATE TABLE wanted_blobs (
    hash     TEXT PRIMARY KEY,
    since_ms BIGINT NOT NULL
);
