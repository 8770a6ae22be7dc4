-- Federation (versions 1xxxx; depends on no other module): per-origin signed logs, heads
-- (version vector + digest), certificates and rejected entries.
-- Times are unix milliseconds in BIGINT; flags are 0/1 integers (portable to PostgreSQL
-- through sqlx::any, which decodes neither timestamps nor booleans the same way everywhere).

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
