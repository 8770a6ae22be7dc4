//! Staff passwords as argon2id PHC strings (19 MiB, 2 passes, 1 lane: OWASP's first
//! setting), hashed and checked off the async threads, a few at a time.

use std::sync::{Arc, LazyLock};

use argon2::password_hash::SaltString;
use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version};
use tokio::sync::Semaphore;

/// argon2id memory in KiB.
const MEMORY_KIB: u32 = 19 * 1024;
/// argon2id passes.
const PASSES: u32 = 2;
/// argon2id lanes.
const LANES: u32 = 1;
/// Hashes computed at once (each holds [`MEMORY_KIB`]); the rest wait their turn.
pub(crate) const AT_ONCE: usize = 4;

fn argon2() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, PASSES, LANES, None).expect("constant argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A new hash of `password` with a random 16-byte salt.
pub(crate) fn hash(password: &str) -> String {
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>()).expect("16 bytes make a salt");
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashes any password with valid parameters")
        .to_string()
}

/// Whether `password` matches `stored` (anything that is not a hash matches nothing).
pub(crate) fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .is_ok_and(|h| argon2().verify_password(password.as_bytes(), &h).is_ok())
}

/// A hash of a random password nobody knows: unknown login names are checked against it,
/// so they take the time a real account's wrong password takes.
static DUMMY: LazyLock<String> = LazyLock::new(|| hash(&hex::encode(rand::random::<[u8; 16]>())));

/// The argon2 work queue: hashing and verifying on the blocking threads, [`AT_ONCE`] at a
/// time.
#[derive(Clone)]
pub(crate) struct Hasher {
    turns: Arc<Semaphore>,
}

impl Hasher {
    pub(crate) fn new() -> Self {
        Hasher {
            turns: Arc::new(Semaphore::new(AT_ONCE)),
        }
    }

    /// A new hash of `password`.
    pub(crate) async fn hash(&self, password: &str) -> String {
        let _turn = self.turns.acquire().await.ok();
        let password = password.to_string();
        off_thread(move || hash(&password)).await
    }

    /// Whether `password` matches `stored`; `None` (an unknown account) checks against a
    /// dummy hash and answers false, in the same time.
    pub(crate) async fn verify(&self, password: &str, stored: Option<&str>) -> bool {
        let _turn = self.turns.acquire().await.ok();
        let password = password.to_string();
        let stored = stored.map(str::to_string);
        off_thread(move || match stored {
            Some(stored) => {
                LazyLock::force(&DUMMY);
                verify(&password, &stored)
            }
            None => {
                verify(&password, &DUMMY);
                false
            }
        })
        .await
    }
}

/// Runs `f` on the blocking threads, resuming its panic here.
async fn off_thread<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(f).await {
        Ok(v) => v,
        Err(e) => match e.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(e) => panic!("password hashing stopped: {e}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2id_with_a_salt_of_its_own() {
        let (a, b) = (hash("Tr0ub4dor&3x"), hash("Tr0ub4dor&3x"));
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert_ne!(a, b);
        assert!(verify("Tr0ub4dor&3x", &a));
        assert!(!verify("Tr0ub4dor&3X", &a));
        assert!(!verify("", "not a hash"));
    }

    #[tokio::test]
    async fn unknown_accounts_are_checked_against_the_dummy() {
        let h = Hasher::new();
        assert!(!h.verify("anything", None).await);
        let stored = h.hash("Tr0ub4dor&3x").await;
        assert!(h.verify("Tr0ub4dor&3x", Some(&stored)).await);
    }
}
