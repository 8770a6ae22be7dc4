-- TOTP second factor (RFC 6238: SHA-1, 6 digits, 30 s). `secret`: the confirmed secret
-- (hex), `pending_secret`: one being enrolled, until its first code confirms it.
-- `last_step`: the last time step accepted, so a code is never accepted twice.

CREATE TABLE totp (
    user_id        INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret         TEXT,
    pending_secret TEXT,
    last_step      BIGINT NOT NULL DEFAULT -1,
    confirmed_ms   BIGINT
);

-- One-time recovery codes, stored as keyed blake3 hashes (80-bit random codes); a used
-- code's row is deleted.
CREATE TABLE recovery_codes (
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hash       TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    PRIMARY KEY (user_id, hash)
);
