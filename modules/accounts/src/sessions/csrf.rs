//! CSRF tokens: derived from the session id (blake3 keyed by its 32 bytes), so the server
//! keeps nothing more and a token is worthless for another session or after the id
//! rotates; it reveals nothing of the id.

/// A fresh random id (64 hex characters) for a form shown before any session exists (the
/// sign-in form): kept in a cookie, its [`csrf_token`] in the form, as a session's is.
pub fn pre_session_id() -> String {
    hex::encode(crate::secret::random_32())
}

/// The domain of the derivation.
const CONTEXT: &[u8] = b"govnode csrf token v1";

/// The CSRF token of session id `session_secret` (64 hex characters); empty when it is
/// not a session id.
pub fn csrf_token(session_secret: &str) -> String {
    match super::table::secret_bytes(session_secret) {
        Some(key) => blake3::keyed_hash(&key, CONTEXT).to_hex().to_string(),
        None => String::new(),
    }
}

/// Whether `presented` is the CSRF token of session id `session_secret` (compared in
/// constant time).
pub fn csrf_check(session_secret: &str, presented: &str) -> bool {
    let Some(key) = super::table::secret_bytes(session_secret) else {
        return false;
    };
    match blake3::Hash::from_hex(presented.trim()) {
        // `blake3::Hash`'s equality is constant-time.
        Ok(given) => given == blake3::keyed_hash(&key, CONTEXT),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_belong_to_their_session() {
        let a = hex::encode([7u8; 32]);
        let b = hex::encode([8u8; 32]);
        let t = csrf_token(&a);
        assert_eq!(t.len(), 64);
        assert_ne!(t, a, "the token is not the id");
        assert!(csrf_check(&a, &t));
        assert!(!csrf_check(&b, &t));
        assert!(!csrf_check(&a, &csrf_token(&b)));
        assert!(!csrf_check(&a, ""));
        assert!(!csrf_check(&a, &t[..63]));
        assert!(!csrf_check("not a session", &t));
        assert_eq!(csrf_token("not a session"), "");
    }
}
