//! A sign-in gone to the provider and not yet back: its `state`, `nonce` and PKCE verifier
//! (RFC 7636, S256), kept server-side in `oidc_logins` for [`TTL_MS`], used once.
//!
//! The state is also given to the browser in a cookie (the web layer's), so that a code
//! obtained in another browser (an attacker's own sign-in, sent to a victim) is refused.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use sqlx::{AnyPool, Row};

use crate::secret::random_32;
use crate::{AccountsError, Secret};

/// How long a sign-in may stay at the provider (10 minutes).
pub(crate) const TTL_MS: i64 = 10 * 60 * 1000;

/// A new sign-in's secrets.
pub(crate) struct Started {
    /// `state`: names the sign-in on the way back.
    pub state: Secret,
    /// `nonce`: the ID token must carry it.
    pub nonce: String,
    /// The PKCE `code_challenge` (S256 of the verifier).
    pub challenge: String,
}

/// A sign-in come back: what the code exchange and the token check need.
pub(crate) struct Returned {
    pub nonce: String,
    pub verifier: Secret,
    pub redirect_uri: String,
}

/// 32 random bytes, base64url (43 characters: a PKCE verifier's, a state's, a nonce's).
fn random_text() -> String {
    URL_SAFE_NO_PAD.encode(random_32())
}

/// The S256 code challenge of `verifier`.
pub(crate) fn challenge_of(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn hash_of(state: &str) -> String {
    blake3::hash(state.as_bytes()).to_hex().to_string()
}

/// Starts a sign-in returning to `redirect_uri`: stored, and expired ones deleted.
pub(crate) async fn start(
    write: &AnyPool,
    redirect_uri: &str,
    now_ms: i64,
) -> Result<Started, AccountsError> {
    let (state, nonce, verifier) = (random_text(), random_text(), random_text());
    let mut tx = write.begin().await?;
    sqlx::query("DELETE FROM oidc_logins WHERE expires_ms <= $1")
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO oidc_logins (state_hash, nonce, verifier, redirect_uri, created_ms, expires_ms) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(hash_of(&state))
    .bind(&nonce)
    .bind(&verifier)
    .bind(redirect_uri)
    .bind(now_ms)
    .bind(now_ms + TTL_MS)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Started {
        challenge: challenge_of(&verifier),
        state: Secret::new(state),
        nonce,
    })
}

/// Takes the sign-in of `state` (deleting it: a state is used once); `None` when unknown,
/// used or expired.
pub(crate) async fn take(
    write: &AnyPool,
    state: &str,
    now_ms: i64,
) -> Result<Option<Returned>, AccountsError> {
    let row = sqlx::query(
        "DELETE FROM oidc_logins WHERE state_hash = $1 \
         RETURNING nonce, verifier, redirect_uri, expires_ms",
    )
    .bind(hash_of(state))
    .fetch_optional(write)
    .await?;
    let Some(row) = row else { return Ok(None) };
    if row.try_get::<i64, _>("expires_ms")? <= now_ms {
        return Ok(None);
    }
    Ok(Some(Returned {
        nonce: row.try_get("nonce")?,
        verifier: Secret::new(row.try_get("verifier")?),
        redirect_uri: row.try_get("redirect_uri")?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rfc_7636_example_challenge() {
        // RFC 7636, appendix B.
        assert_eq!(
            challenge_of("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        let t = random_text();
        assert_eq!(t.len(), 43);
        assert_ne!(t, random_text());
    }
}
