-- Server-side sign-in sessions. The id given to the browser is 32 random bytes; only its
-- blake3 hash is stored. `stage`: password (only the password passed: not signed in yet)
-- or signed_in.

CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    hash         TEXT NOT NULL UNIQUE,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    stage        TEXT NOT NULL,
    created_ms   BIGINT NOT NULL,
    last_seen_ms BIGINT NOT NULL,
    client       TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);
