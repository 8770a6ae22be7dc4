//! A secret shown to its holder once (a session id, an API token, a TOTP secret, recovery
//! codes): its `Debug` never prints it, so logs and panics cannot leak it.

use std::fmt;

/// A secret string; read it with [`Secret::expose`] where it must go out (a cookie, a page
/// shown once), never through `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub(crate) fn new(value: String) -> Self {
        Secret(value)
    }

    /// The secret itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    /// A secret read from configuration (a client secret).
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// 32 random bytes.
pub(crate) fn random_32() -> [u8; 32] {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret() {
        let s = Secret::new("gnt_abcdef".into());
        assert_eq!(format!("{s:?}"), "Secret(<redacted>)");
        assert_eq!(s.expose(), "gnt_abcdef");
    }
}
