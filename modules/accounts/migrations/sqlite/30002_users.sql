-- Staff accounts of this node (never replicated: no table here becomes a federation entry).
-- A login name is a person's identity everywhere (audit, four eyes), so a deleted account
-- leaves its login in `retired_logins` and the name is never given to anyone else.

CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    login                TEXT NOT NULL UNIQUE,
    display_name         TEXT NOT NULL,
    body                 TEXT NOT NULL DEFAULT '',
    phone                TEXT NOT NULL DEFAULT '',
    email                TEXT NOT NULL DEFAULT '',
    -- active, locked or disabled; `locked_until_ms` set: locked by failed sign-ins until
    -- then, NULL with `locked`: locked by an administrator until unlocked.
    state                TEXT NOT NULL,
    locked_until_ms      BIGINT,
    -- argon2id PHC string.
    password_hash        TEXT NOT NULL,
    must_change_password BIGINT NOT NULL DEFAULT 1,
    password_changed_ms  BIGINT NOT NULL,
    created_ms           BIGINT NOT NULL,
    last_sign_in_ms      BIGINT
);

CREATE TABLE retired_logins (
    login      TEXT PRIMARY KEY,
    retired_ms BIGINT NOT NULL
);

-- Role × scope, several per user. `scope_id`: '' for node-wide roles (platform-admin,
-- auditor), the site id for site roles, the body id for handlers. `columns`: for editors
-- and reviewers limited to some columns, their ids comma-separated; NULL: every column.
CREATE TABLE user_grants (
    id         INTEGER PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       TEXT NOT NULL,
    scope_id   TEXT NOT NULL DEFAULT '',
    columns    TEXT,
    granted_by TEXT NOT NULL,
    granted_ms BIGINT NOT NULL,
    UNIQUE (user_id, role, scope_id)
);
CREATE INDEX user_grants_scope ON user_grants (scope_id, user_id);

-- Every change to users and grants and every sign-in, in the transaction of the change.
-- Summaries only: never a password, a hash, a session id or a TOTP secret.
CREATE TABLE accounts_audit (
    id      INTEGER PRIMARY KEY,
    at_ms   BIGINT NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    user_id BIGINT,
    login   TEXT,
    site_id TEXT,
    before  TEXT,
    after   TEXT,
    client  TEXT
);
CREATE INDEX accounts_audit_user ON accounts_audit (user_id, id);
CREATE INDEX accounts_audit_site ON accounts_audit (site_id, id);

-- Failed sign-ins per key (`login:<name>`, known or not, and `addr:<client address>`):
-- failures counted in a window from the first; at the limit the key is locked until
-- `locked_until_ms` and the count starts again.
CREATE TABLE sign_in_throttle (
    key             TEXT PRIMARY KEY,
    failures        BIGINT NOT NULL,
    window_start_ms BIGINT NOT NULL,
    locked_until_ms BIGINT NOT NULL DEFAULT 0
);
