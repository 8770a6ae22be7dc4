-- API tokens a signed-in user creates for themselves: an owner, an expiry, and grants
-- (a subset of the owner's, checked again at every use). Tokens made on the command line
-- keep their single role and scope in `tokens` and have neither owner nor expiry.

ALTER TABLE tokens ADD COLUMN user_id BIGINT;
ALTER TABLE tokens ADD COLUMN expires_ms BIGINT;
-- What the owner calls it ("CI publishing"); `name` stays the person, the owner's login.
ALTER TABLE tokens ADD COLUMN label TEXT NOT NULL DEFAULT '';

CREATE TABLE token_grants (
    token_id BIGINT NOT NULL REFERENCES tokens (id) ON DELETE CASCADE,
    role     TEXT NOT NULL,
    scope_id TEXT NOT NULL DEFAULT '',
    columns  TEXT,
    PRIMARY KEY (token_id, role, scope_id)
);
CREATE INDEX tokens_user ON tokens (user_id);
