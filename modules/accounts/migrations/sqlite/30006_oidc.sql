-- Single sign-on (OpenID Connect). `oidc_logins`: a sign-in started at the identity
-- provider and not yet come back: keyed by the blake3 hash of its `state`, with the ID
-- token's expected `nonce` and the PKCE verifier; single use (deleted when it comes back)
-- and short-lived (expired rows are deleted when the next sign-in starts).
CREATE TABLE oidc_logins (
    state_hash   TEXT PRIMARY KEY,
    nonce        TEXT NOT NULL,
    verifier     TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    created_ms   BIGINT NOT NULL,
    expires_ms   BIGINT NOT NULL
);

-- A session opened by single sign-on: the forced change of a password (set by an
-- administrator, or expired) is not asked in it, since no password was used.
ALTER TABLE sessions ADD COLUMN single_sign_on BIGINT NOT NULL DEFAULT 0;

-- Which person at which provider (issuer, `sub`) a user was first matched to: a later
-- sign-in by another person carrying the same login name claim is refused.
CREATE TABLE oidc_identities (
    issuer    TEXT NOT NULL,
    subject   TEXT NOT NULL,
    user_id   BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    linked_ms BIGINT NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE UNIQUE INDEX oidc_identities_user ON oidc_identities (issuer, user_id);
