//! Recovery codes: 10 per user, each 16 characters of a 31-letter alphabet (≈ 79 bits,
//! shown as `xxxx-xxxx-xxxx-xxxx`), stored as a keyed blake3 hash bound to the user, used
//! once.

use std::fmt;

use sqlx::AnyConnection;

use crate::{AccountsError, Secret};

/// Codes per user.
pub(crate) const COUNT: usize = 10;
/// Characters of a code (without the dashes).
const LENGTH: usize = 16;
/// No 0/o, 1/l/i: read aloud and typed back without doubt.
const ALPHABET: &[u8; 31] = b"23456789abcdefghjkmnpqrstuvwxyz";

/// A user's new recovery codes, shown once; `Debug` shows only how many.
#[derive(Clone)]
pub struct RecoveryCodes {
    codes: Vec<Secret>,
}

impl RecoveryCodes {
    /// The codes, to show the user once.
    pub fn expose(&self) -> Vec<&str> {
        self.codes.iter().map(Secret::expose).collect()
    }
}

impl fmt::Debug for RecoveryCodes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RecoveryCodes({} codes, <redacted>)", self.codes.len())
    }
}

/// A random code, dashed.
fn new_code() -> String {
    let mut chars = Vec::with_capacity(LENGTH);
    while chars.len() < LENGTH {
        for b in rand::random::<[u8; 32]>() {
            // 248 = 8 × 31: below it every letter is equally likely.
            if b < 248 && chars.len() < LENGTH {
                chars.push(ALPHABET[usize::from(b % 31)]);
            }
        }
    }
    chars
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// A code as typed, if it can be one: lower-cased, without dashes and spaces.
pub(crate) fn normalise(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    (code.len() == LENGTH && code.bytes().all(|b| ALPHABET.contains(&b))).then_some(code)
}

/// The stored hash of `code` (normalised) of user `user_id`.
pub(crate) fn hash(user_id: i64, code: &str) -> String {
    let mut h = blake3::Hasher::new_derive_key("govnode accounts recovery code v1");
    h.update(&user_id.to_le_bytes());
    h.update(code.as_bytes());
    h.finalize().to_hex().to_string()
}

/// Replaces user `user_id`'s recovery codes with [`COUNT`] new ones.
pub(crate) async fn replace(
    conn: &mut AnyConnection,
    user_id: i64,
    now_ms: i64,
) -> Result<RecoveryCodes, AccountsError> {
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    let mut codes = Vec::with_capacity(COUNT);
    for _ in 0..COUNT {
        let code = new_code();
        let normalised = normalise(&code).expect("a new code is well-formed");
        sqlx::query("INSERT INTO recovery_codes (user_id, hash, created_ms) VALUES ($1, $2, $3)")
            .bind(user_id)
            .bind(hash(user_id, &normalised))
            .bind(now_ms)
            .execute(&mut *conn)
            .await?;
        codes.push(Secret::new(code));
    }
    Ok(RecoveryCodes { codes })
}

/// Uses up user `user_id`'s recovery code `typed`: `Some(codes left)` if it was one.
pub(crate) async fn use_up(
    conn: &mut AnyConnection,
    user_id: i64,
    typed: &str,
) -> Result<Option<i64>, AccountsError> {
    let Some(code) = normalise(typed) else {
        return Ok(None);
    };
    let used = sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1 AND hash = $2")
        .bind(user_id)
        .bind(hash(user_id, &code))
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if used == 0 {
        return Ok(None);
    }
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(conn)
        .await?;
    Ok(Some(left))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_dashed_and_read_back() {
        let code = new_code();
        assert_eq!(code.len(), 19, "{code}");
        assert_eq!(code.matches('-').count(), 3);
        let n = normalise(&code.to_uppercase()).unwrap();
        assert_eq!(n.len(), 16);
        assert_eq!(
            normalise(&format!(" {} ", code.replace('-', " "))).unwrap(),
            n
        );
        assert!(normalise("123456").is_none());
        assert!(normalise("0000-0000-0000-0000").is_none());
        assert_ne!(new_code(), new_code());
    }

    #[test]
    fn hashes_are_bound_to_the_user() {
        assert_ne!(hash(1, "abcd"), hash(2, "abcd"));
        assert_eq!(hash(1, "abcd"), hash(1, "abcd"));
    }

    #[test]
    fn debug_shows_no_code() {
        let codes = RecoveryCodes {
            codes: vec![Secret::new("abcd-efgh-jkmn-pqrs".into())],
        };
        assert_eq!(format!("{codes:?}"), "RecoveryCodes(1 codes, <redacted>)");
    }
}
