-- Accounts (versions 3xxxx; depends on no other module): bearer tokens, stored hashed.
-- Times are unix milliseconds in BIGINT; flags are 0/1 integers.

CREATE TABLE tokens (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL,
    site_id    TEXT,
    hash       TEXT NOT NULL UNIQUE,
    created_ms BIGINT NOT NULL,
    revoked    BIGINT NOT NULL DEFAULT 0
);
