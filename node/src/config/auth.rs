//! `[auth]`: staff sign-in sessions, local passwords, and single sign-on (`[auth.oidc]`,
//! in [`oidc`]).

mod oidc;

pub use oidc::OidcSection;

use serde::{Deserialize, Serialize};

/// Longest idle time-out accepted, minutes (one day).
const MAX_IDLE_MINS: u64 = 24 * 60;

/// Longest absolute time-out accepted, hours (one week).
const MAX_ABSOLUTE_HOURS: u64 = 7 * 24;

/// `[auth]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthSection {
    /// Minutes a staff session lasts without use. Default 30.
    pub idle_timeout_mins: u64,
    /// Hours a staff session lasts after sign-in, however it is used. Default 12.
    pub absolute_timeout_hours: u64,
    /// Mark the session cookie `Secure` (sent over https only). Default: when
    /// `http.public_url` is https; set it when a TLS proxy without a public URL is in front.
    pub secure_cookie: Option<bool>,
    /// Whether staff may sign in with a local password (`false`: only by single sign-on,
    /// which `[auth.oidc]` must then configure). Default true.
    pub local_passwords: bool,
    /// Single sign-on by an OpenID Connect provider; none by default.
    pub oidc: Option<OidcSection>,
}

impl Default for AuthSection {
    fn default() -> Self {
        AuthSection {
            idle_timeout_mins: 30,
            absolute_timeout_hours: 12,
            secure_cookie: None,
            local_passwords: true,
            oidc: None,
        }
    }
}

impl AuthSection {
    /// Checks the values serde cannot, naming the key of a bad one.
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=MAX_IDLE_MINS).contains(&self.idle_timeout_mins) {
            return Err(format!(
                "auth.idle_timeout_mins = {}: must be from 1 to {MAX_IDLE_MINS}",
                self.idle_timeout_mins
            ));
        }
        if !(1..=MAX_ABSOLUTE_HOURS).contains(&self.absolute_timeout_hours) {
            return Err(format!(
                "auth.absolute_timeout_hours = {}: must be from 1 to {MAX_ABSOLUTE_HOURS}",
                self.absolute_timeout_hours
            ));
        }
        if self.idle_timeout_mins > self.absolute_timeout_hours * 60 {
            return Err(format!(
                "auth.idle_timeout_mins = {} is longer than auth.absolute_timeout_hours = {}",
                self.idle_timeout_mins, self.absolute_timeout_hours
            ));
        }
        if let Some(oidc) = &self.oidc {
            oidc.validate()?;
        }
        if !self.local_passwords && self.oidc.is_none() {
            return Err(
                "auth.local_passwords = false needs [auth.oidc]: nobody could sign in".into(),
            );
        }
        Ok(())
    }

    /// The accounts module's policy with these time-outs.
    pub fn policy(&self) -> govnode_accounts::AccountsPolicy {
        let mut policy = govnode_accounts::AccountsPolicy::default();
        policy.sessions.idle_ms =
            i64::try_from(self.idle_timeout_mins * 60_000).unwrap_or(i64::MAX);
        policy.sessions.absolute_ms =
            i64::try_from(self.absolute_timeout_hours * 3_600_000).unwrap_or(i64::MAX);
        policy
    }

    /// Whether the session cookie is `Secure`: as configured, else when the public URL is https.
    pub fn secure_cookie(&self, public_url: Option<&str>) -> bool {
        self.secure_cookie.unwrap_or_else(|| {
            public_url.is_some_and(|u| u.trim().to_ascii_lowercase().starts_with("https://"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_bounds_and_the_secure_flag() {
        let a = AuthSection::default();
        assert!(a.validate().is_ok());
        let p = a.policy();
        assert_eq!(p.sessions.idle_ms, 30 * 60_000);
        assert_eq!(p.sessions.absolute_ms, 12 * 3_600_000);
        assert!(!a.secure_cookie(None));
        assert!(!a.secure_cookie(Some("http://x.gov.cn")));
        assert!(a.secure_cookie(Some("HTTPS://x.gov.cn")));
        let forced = AuthSection {
            secure_cookie: Some(true),
            ..AuthSection::default()
        };
        assert!(forced.secure_cookie(None));
        let zero = AuthSection {
            idle_timeout_mins: 0,
            ..AuthSection::default()
        };
        assert!(
            zero.validate()
                .unwrap_err()
                .contains("auth.idle_timeout_mins")
        );
        let long_idle = AuthSection {
            idle_timeout_mins: 13 * 60,
            ..AuthSection::default()
        };
        assert!(long_idle.validate().is_err());
        let no_way_in = AuthSection {
            local_passwords: false,
            ..AuthSection::default()
        };
        assert!(
            no_way_in
                .validate()
                .unwrap_err()
                .contains("auth.local_passwords")
        );
    }
}
