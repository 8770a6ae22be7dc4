//! The citizen's tracking password: stored as an argon2id PHC string with a salt of its own
//! per ticket, checked off the async threads and a few at a time, with at most
//! [`MAX_WRONG`] wrong tries per ticket in [`WINDOW_MS`]. Tickets filed before keep their
//! blake3 hash (unsalted, fast) until the first good check replaces it.
//!
//! The password is 8 characters of a 31-letter alphabet (≈ 2^39.6). Unsalted blake3 let
//! anyone holding a database or an envelope try every password in under an hour; at
//! 19 MiB and 2 passes each guess costs ~20 ms of a core and 19 MiB of memory (hundreds of
//! core-years for every password of one ticket, and memory-hard on GPUs), while a
//! citizen's check stays well under a tenth of a second.
//!
//! Unknown codes answer 404 at once, without a hash or a count (nothing to protect, no
//! rows for guessed codes); a wrong password on a real code takes the hash's time and
//! counts. Codes are not secrets (they are printed for the citizen); passwords are.

use argon2::password_hash::SaltString;
use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version};
use govnode_federation::now_ms;

use crate::model::TicketRecord;
use crate::service::Interaction;
use crate::{InteractionError, store};

/// argon2id memory in KiB, passes and lanes: OWASP's first recommended setting (19 MiB,
/// t=2, p=1), proportionate to a random 8-character secret.
pub(crate) const MEMORY_KIB: u32 = 19 * 1024;
/// argon2id passes.
pub(crate) const PASSES: u32 = 2;
/// argon2id lanes.
pub(crate) const LANES: u32 = 1;
/// Passwords hashed or checked at once on a node (each holds [`MEMORY_KIB`] while it runs);
/// the rest wait their turn.
pub(crate) const AT_ONCE: usize = 4;
/// Wrong passwords a ticket takes in [`WINDOW_MS`] from the first; then every password is
/// refused (429) until the window is over.
pub(crate) const MAX_WRONG: i64 = 10;
/// The window of [`MAX_WRONG`]: an hour.
pub(crate) const WINDOW_MS: i64 = 3_600_000;

fn argon2() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, PASSES, LANES, None).expect("constant argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A new hash of `password`: an argon2id PHC string with a random 16-byte salt.
pub(crate) fn hash(password: &str) -> String {
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>()).expect("16 bytes make a salt");
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashes any password with valid parameters")
        .to_string()
}

/// The hash of tickets filed before argon2: blake3, unsalted.
fn legacy_hash(code: &str, password: &str) -> blake3::Hash {
    blake3::hash(format!("govnode ticket {code}:{password}").as_bytes())
}

/// What a password check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Check {
    /// Not the ticket's password (or a hash this node cannot read).
    Wrong,
    /// The password, against an argon2 hash.
    Right,
    /// The password, against a ticket's old blake3 hash: to be replaced.
    RightLegacy,
}

/// Checks `password` against a stored hash of ticket `code`: an argon2 PHC string (with
/// the parameters it names), or the old blake3 hex.
pub(crate) fn verify(code: &str, password: &str, stored: &str) -> Check {
    if stored.starts_with('$') {
        let right = PasswordHash::new(stored)
            .is_ok_and(|h| argon2().verify_password(password.as_bytes(), &h).is_ok());
        return if right { Check::Right } else { Check::Wrong };
    }
    // blake3's `Hash` compares in constant time.
    match blake3::Hash::from_hex(stored) {
        Ok(old) if old == legacy_hash(code, password) => Check::RightLegacy,
        _ => Check::Wrong,
    }
}

/// Runs `f` on the blocking threads (a hash is ~20 ms of CPU), resuming its panic here.
async fn off_thread<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(f).await {
        Ok(v) => v,
        Err(e) => match e.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(e) => panic!("password hashing stopped: {e}"),
        },
    }
}

impl Interaction {
    /// While ticket `code` refuses every password after too many wrong ones: the Beijing
    /// time (`YYYY-MM-DD HH:MM`) it opens again; None when it takes passwords.
    pub async fn tracking_locked_until(
        &self,
        code: &str,
    ) -> Result<Option<String>, InteractionError> {
        let mut conn = self.read.acquire().await?;
        let failures = store::password_failures(&mut conn, code).await?;
        Ok(match failures {
            Some((since, n)) if n >= MAX_WRONG && now_ms() < since + WINDOW_MS => Some(
                govnode_topology::beijing::minute(since + WINDOW_MS + 59_999),
            ),
            _ => None,
        })
    }

    /// A new ticket's password hash, computed off the async threads, a few at a time.
    pub(crate) async fn hash_password(&self, password: &str) -> String {
        let _turn = self.hashing.acquire().await.ok();
        let password = password.to_string();
        off_thread(move || hash(&password)).await
    }

    /// Whether `password` opens `ticket`. Refused (`RateLimited`, naming when to try again)
    /// once the ticket took [`MAX_WRONG`] wrong ones within [`WINDOW_MS`] of the first,
    /// whatever the password; a wrong one is counted; a good one clears the count and
    /// replaces an old blake3 hash with an argon2 one.
    pub(crate) async fn password_opens(
        &self,
        ticket: &TicketRecord,
        password: &str,
    ) -> Result<bool, InteractionError> {
        // The count is read, the password checked and a wrong one counted within one turn,
        // so parallel guesses are held to the limit (plus at most the turns running).
        let _turn = self.hashing.acquire().await.ok();
        let code = ticket.code.clone();
        let now = now_ms();
        let mut conn = self.read.acquire().await?;
        let failures = store::password_failures(&mut conn, &code).await?;
        drop(conn);
        if let Some((since, n)) = failures
            && n >= MAX_WRONG
            && now < since + WINDOW_MS
        {
            // Rounded up to the minute: at the time named, the ticket opens.
            let when = govnode_topology::beijing::minute(since + WINDOW_MS + 59_999);
            return Err(InteractionError::RateLimited(format!(
                "too many wrong passwords for this ticket ({MAX_WRONG} in an hour): try again after {when} (Beijing time)"
            )));
        }
        let (c, p, stored) = (
            code.clone(),
            password.to_string(),
            ticket.password_hash.clone(),
        );
        let check = off_thread(move || verify(&c, &p, &stored)).await;
        if check == Check::Wrong {
            let mut tx = self.write.begin().await?;
            store::count_password_failure(&mut tx, &code, now, WINDOW_MS).await?;
            tx.commit().await?;
            return Ok(false);
        }
        let upgraded = match check {
            Check::RightLegacy => {
                let p = password.to_string();
                Some(off_thread(move || hash(&p)).await)
            }
            _ => None,
        };
        if failures.is_some() || upgraded.is_some() {
            let mut tx = self.write.begin().await?;
            store::password_opened(
                &mut tx,
                &code,
                upgraded
                    .as_deref()
                    .map(|new| (new, ticket.password_hash.as_str())),
            )
            .await?;
            tx.commit().await?;
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2id_with_a_salt_of_its_own() {
        let (a, b) = (hash("abcd2345"), hash("abcd2345"));
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert_ne!(a, b, "each hash has its own salt");
        assert_eq!(verify("C", "abcd2345", &a), Check::Right);
        assert_eq!(verify("C", "abcd2345", &b), Check::Right);
        assert_eq!(verify("C", "abcd2346", &a), Check::Wrong);
        assert_eq!(verify("C", "", &a), Check::Wrong);
    }

    #[test]
    fn old_blake3_hashes_still_open_their_tickets() {
        let old = legacy_hash("20250101ABCDEF", "abcd2345")
            .to_hex()
            .to_string();
        assert_eq!(
            verify("20250101ABCDEF", "abcd2345", &old),
            Check::RightLegacy
        );
        assert_eq!(verify("20250101ABCDEF", "abcd2346", &old), Check::Wrong);
        // Bound to its code, as before.
        assert_eq!(verify("20250101ABCDEG", "abcd2345", &old), Check::Wrong);
    }

    #[test]
    fn what_is_not_a_hash_opens_nothing() {
        for stored in ["", "$", "$argon2id$garbage", "zz", &"0".repeat(64)] {
            assert_eq!(verify("C", "", stored), Check::Wrong, "{stored:?}");
            assert_eq!(verify("C", "abcd2345", stored), Check::Wrong, "{stored:?}");
        }
    }
}
